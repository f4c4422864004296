#include "editing_bar.h"

#include "cell_editors.h"
#include "grid_edit_delegate.h"
#include "grid_editing.h"
#include "pending_inserts_model.h"

#include "ui/theme.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace strata::ui::editing {
namespace {

// The new rows' list at most this high, but for the lookup's rows while one is open.
constexpr int kNewRowsHeight = 110;
constexpr int kLookupRoom = 240;
// GridEditing's actions that act on the new rows when they have the focus (and their menu).
const QStringList kNewRowActions{
    QStringLiteral("undoEditAction"),       QStringLiteral("setNullAction"),
    QStringLiteral("deleteRowsAction"),     QStringLiteral("loadCellFromFileAction"),
    QStringLiteral("saveCellToFileAction"),
};

} // namespace

EditingBar::EditingBar(GridEditing *editing, QWidget *parent)
    : QWidget(parent)
    , m_editing(editing)
{
    setObjectName(QStringLiteral("editingBar"));
    m_pending = new QLabel;
    m_pending->setObjectName(QStringLiteral("pendingLabel"));
    m_notice = new QLabel;
    m_notice->setObjectName(QStringLiteral("editingNotice"));
    m_notice->setWordWrap(true);
    m_notice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const auto button = [this](const QString &name, const QString &text, auto slot) {
        auto *b = new QPushButton(text);
        b->setObjectName(name);
        connect(b, &QPushButton::clicked, m_editing, slot);
        return b;
    };
    m_review =
        button(QStringLiteral("reviewButton"), tr("&Review…"), [this] { m_editing->review(); });
    m_commit =
        button(QStringLiteral("commitButton"), tr("Co&mmit"), [this] { m_editing->commit(); });
    m_revert =
        button(QStringLiteral("revertButton"), tr("Re&vert"), [this] { m_editing->revert(); });

    auto *row = new QHBoxLayout;
    row->setContentsMargins(6, 2, 6, 2);
    row->addWidget(m_pending);
    for (QAction *action : m_editing->actions()) {
        auto *tool = new QToolButton;
        tool->setDefaultAction(action);
        tool->setAutoRaise(true);
        // A tool button does not follow its action's visibility by itself.
        tool->setVisible(action->isVisible());
        connect(action, &QAction::visibleChanged, tool,
                [tool, action] { tool->setVisible(action->isVisible()); });
        row->addWidget(tool);
    }
    row->addStretch(1);
    row->addWidget(m_review);
    row->addWidget(m_commit);
    row->addWidget(m_revert);

    // The rows a commit stopped on: what is there now, and what to do with the changes.
    m_conflictBox = new QWidget;
    m_conflicts = new QTreeWidget;
    m_conflicts->setObjectName(QStringLiteral("conflictList"));
    m_conflicts->setHeaderLabels({tr("Row"), tr("Changed since it was read"), tr("Now")});
    m_conflicts->setRootIsDecorated(false);
    m_conflicts->setMaximumHeight(120);
    auto *rebase = new QPushButton(tr("Re-apply &mine"));
    rebase->setObjectName(QStringLiteral("rebaseButton"));
    rebase->setToolTip(tr("Keep my changes of this row and write them over its current values "
                          "at the next commit"));
    connect(rebase, &QPushButton::clicked, this, [this] {
        if (const int at = currentConflict(); at >= 0)
            m_editing->rebase(at);
    });
    auto *drop = new QPushButton(tr("&Drop mine"));
    drop->setObjectName(QStringLiteral("dropButton"));
    drop->setToolTip(tr("Forget my changes of this row"));
    connect(drop, &QPushButton::clicked, this, [this] {
        if (const int at = currentConflict(); at >= 0)
            m_editing->drop(at);
    });
    auto *conflictButtons = new QVBoxLayout;
    conflictButtons->addWidget(rebase);
    conflictButtons->addWidget(drop);
    conflictButtons->addStretch(1);
    auto *conflictLayout = new QHBoxLayout(m_conflictBox);
    conflictLayout->setContentsMargins(6, 0, 6, 2);
    conflictLayout->addWidget(m_conflicts, 1);
    conflictLayout->addLayout(conflictButtons);

    m_insertsModel = new PendingInsertsModel(m_editing, this);
    m_inserts = new QTableView;
    m_inserts->setObjectName(QStringLiteral("newRowsTable"));
    m_inserts->setModel(m_insertsModel);
    m_inserts->setMaximumHeight(kNewRowsHeight);
    m_inserts->horizontalHeader()->setDefaultSectionSize(140);
    // The grid's typed editors and lookup, and the actions that apply to a new row's cells.
    auto *delegate = new GridEditDelegate(m_editing, nullptr, m_inserts);
    m_inserts->setItemDelegate(delegate);
    m_inserts->setEditTriggers(QAbstractItemView::DoubleClicked |
                               QAbstractItemView::EditKeyPressed |
                               QAbstractItemView::AnyKeyPressed);
    m_inserts->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAction *action : m_editing->actions())
        if (kNewRowActions.contains(action->objectName()))
            m_inserts->addAction(action);
    // The lookup's rows need more room than a few new rows leave: the list grows while it is open.
    connect(delegate, &GridEditDelegate::lookupOpened, this, [this](QWidget *lookup) {
        const int rows = m_inserts->horizontalHeader()->height() +
                         m_inserts->verticalHeader()->length() + 2 * m_inserts->frameWidth();
        m_inserts->setFixedHeight(rows + kLookupRoom);
        ++m_openLookups;
        connect(lookup, &QObject::destroyed, this, [this] {
            if (--m_openLookups > 0)
                return; // the next cell's lookup opened before this one went
            m_inserts->setMinimumHeight(0);
            m_inserts->setMaximumHeight(kNewRowsHeight);
        });
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(row);
    layout->addWidget(m_notice);
    layout->addWidget(m_conflictBox);
    layout->addWidget(m_inserts);
    connect(m_editing, &GridEditing::changed, this, &EditingBar::refresh);
    connect(m_editing, &GridEditing::busyChanged, this, &EditingBar::refresh);
    refresh();
}

int EditingBar::currentConflict() const
{
    QTreeWidgetItem *item = m_conflicts->currentItem();
    if (!item && m_conflicts->topLevelItemCount() > 0)
        item = m_conflicts->topLevelItem(0);
    return item ? m_conflicts->indexOfTopLevelItem(item) : -1;
}

void EditingBar::refresh()
{
    setVisible(m_editing->hasTable());
    const int pending = m_editing->pendingCount();
    const QString count = countOf(pending, tr("pending change"), tr("pending changes"));
    m_pending->setText(m_editing->isCommitting() ? tr("Committing %1…").arg(count)
                       : pending > 0             ? count
                                                 : tr("No pending changes"));
    const bool idle = !m_editing->isCommitting();
    m_review->setEnabled(pending > 0);
    m_commit->setEnabled(pending > 0 && idle);
    m_revert->setEnabled(pending > 0 && idle);

    const QString readOnly = m_editing->readOnlyReason();
    const QString notice = !m_editing->lastNotice().isEmpty() ? m_editing->lastNotice()
                           : readOnly.isEmpty()               ? QString()
                                                              : tr("Read-only: %1").arg(readOnly);
    m_notice->setText(notice);
    m_notice->setVisible(!notice.isEmpty());
    const bool bad =
        !readOnly.isEmpty() || m_editing->lastError() || !m_editing->conflicts().isEmpty();
    m_notice->setStyleSheet(notice.isEmpty()
                                ? QString()
                                : toneStyleSheet(bad ? Tone::Warning : Tone::Accent, palette()));

    m_conflicts->clear();
    for (const orm::editing::Conflict &conflict : m_editing->conflicts()) {
        QStringList key;
        for (const QVariant &value : conflict.key)
            key << value.toString();
        QStringList now;
        for (auto it = conflict.current.cbegin(); it != conflict.current.cend(); ++it)
            now << QStringLiteral("%1 = %2").arg(
                it.key(), it.value().isNull() ? QStringLiteral("NULL") : it.value().toString());
        auto *item = new QTreeWidgetItem(
            {key.join(QStringLiteral(", ")),
             conflict.deleted ? tr("deleted") : conflict.columns.join(QStringLiteral(", ")),
             now.join(QStringLiteral("; "))});
        item->setToolTip(0, conflict.message);
        item->setToolTip(2, conflict.message);
        m_conflicts->addTopLevelItem(item);
    }
    m_conflictBox->setVisible(!m_editing->conflicts().isEmpty());
    m_insertsModel->reload();
    m_inserts->setVisible(m_insertsModel->rowCount() > 0);
}

} // namespace strata::ui::editing
