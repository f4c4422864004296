#include "fan_out_pane.h"

#include "merged_result_model.h"

#include "orm/fanout/statement_effect.h"
#include "orm/registry/registry.h"
#include "ui/launch_task.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace strata::ui {

namespace {

using Targets = QList<orm::FanOutTarget>;

// Every database × schema, and the tenants among them, in one task.
QCoro::Task<std::pair<Targets, Targets>> listTargets(QPointer<orm::Registry> registry)
{
    if (!registry)
        co_return std::pair<Targets, Targets>{};
    Targets all = co_await orm::selectTargets(registry, orm::TenantSelection::allSchemas());
    if (!registry)
        co_return std::pair<Targets, Targets>{};
    Targets tenants = co_await orm::selectTargets(registry, orm::TenantSelection::tenants());
    co_return std::pair<Targets, Targets>{std::move(all), std::move(tenants)};
}

QString targetText(const orm::FanOutTarget &target)
{
    if (!target.error.isEmpty()) // its first line; the whole error is the tooltip
        return QObject::tr("%1 (unreachable: %2)")
            .arg(target.databaseLabel(), target.error.section(QLatin1Char('\n'), 0, 0));
    return target.databaseLabel() + QStringLiteral(" · ") + target.schema;
}

enum OutcomeColumn { Database, Schema, Status, Rows, Time, Error };

// Targets as set keys: checking hundreds of tenants against hundreds stays linear.
QString keyOf(const orm::FanOutTarget &target)
{
    return target.database + QChar(0x1f) + target.schema + QChar(0x1f) + target.error;
}

QSet<QString> keysOf(const QList<orm::FanOutTarget> &targets)
{
    QSet<QString> keys;
    for (const orm::FanOutTarget &target : targets)
        keys << keyOf(target);
    return keys;
}

} // namespace

FanOutPane::FanOutPane(orm::Registry *registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(registry)
{
    setObjectName(QStringLiteral("fanOutPane"));
    buildUi();
    reloadTargets();
}

FanOutPane::~FanOutPane()
{
    // A run still going keeps its object until it ends (its task holds it).
    if (m_fanOut && !m_fanOut->isFinished()) {
        m_model->setFanOut(nullptr);
        m_fanOut->setParent(nullptr);
        connect(m_fanOut, &orm::FanOut::finished, m_fanOut, &QObject::deleteLater);
        m_fanOut->cancel();
    }
}

void FanOutPane::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    // Left: the targets.
    auto *picker = new QWidget(splitter);
    auto *pickerLayout = new QVBoxLayout(picker);
    pickerLayout->setContentsMargins(0, 0, 0, 0);
    m_mode = new QComboBox(picker);
    m_mode->setObjectName(QStringLiteral("fanOutMode"));
    m_mode->addItem(tr("All tenants"));
    m_mode->addItem(tr("Schemas matching a pattern"));
    m_mode->addItem(tr("Checked schemas"));
    m_pattern = new QLineEdit(picker);
    m_pattern->setObjectName(QStringLiteral("fanOutPattern"));
    m_pattern->setPlaceholderText(tr("Pattern: tenant_* or acme%"));
    m_pattern->setEnabled(false);
    m_picker = new QListWidget(picker);
    m_picker->setObjectName(QStringLiteral("fanOutTargetPicker"));
    m_count = new QLabel(picker);
    m_count->setObjectName(QStringLiteral("fanOutTargetCount"));
    auto *reload = new QPushButton(tr("Reload targets"), picker);
    reload->setObjectName(QStringLiteral("fanOutReload"));
    m_perServer = new QSpinBox(picker);
    m_perServer->setObjectName(QStringLiteral("fanOutPerServer"));
    m_perServer->setRange(1, 64);
    m_perServer->setValue(orm::FanOutOptions{}.perServer);
    auto *perServerRow = new QFormLayout;
    perServerRow->addRow(tr("At once per server:"), m_perServer);
    pickerLayout->addWidget(m_mode);
    pickerLayout->addWidget(m_pattern);
    pickerLayout->addWidget(m_picker, 1);
    pickerLayout->addWidget(m_count);
    pickerLayout->addLayout(perServerRow);
    pickerLayout->addWidget(reload);

    // Middle: the statement and the merged rows.
    auto *middle = new QWidget(splitter);
    auto *middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    m_sql = new QPlainTextEdit(middle);
    m_sql->setObjectName(QStringLiteral("fanOutSql"));
    m_sql->setPlaceholderText(tr("One SQL statement, run on every target"));
    m_sql->setMaximumHeight(90);
    auto *buttons = new QHBoxLayout;
    m_run = new QPushButton(tr("Run"), middle);
    m_run->setObjectName(QStringLiteral("fanOutRun"));
    m_cancel = new QPushButton(tr("Cancel"), middle);
    m_cancel->setObjectName(QStringLiteral("fanOutCancel"));
    m_cancel->setEnabled(false);
    m_status = new QLabel(middle);
    m_status->setObjectName(QStringLiteral("fanOutStatus"));
    m_status->setWordWrap(true);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_status, 1);
    m_filter = new QLineEdit(middle);
    m_filter->setObjectName(QStringLiteral("fanOutFilter"));
    m_filter->setPlaceholderText(tr("Filter the merged rows"));
    m_filter->setClearButtonEnabled(true);
    m_model = new MergedResultModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(MergedResultModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view = new QTableView(middle);
    m_view->setObjectName(QStringLiteral("fanOutResult"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_proxy->sort(-1);
    middleLayout->addWidget(m_sql);
    middleLayout->addLayout(buttons);
    middleLayout->addWidget(m_filter);
    middleLayout->addWidget(m_view, 1);

    // Right: every target's outcome.
    m_outcomes = new QTreeWidget(splitter);
    m_outcomes->setObjectName(QStringLiteral("fanOutOutcomes"));
    m_outcomes->setRootIsDecorated(false);
    m_outcomes->setHeaderLabels(
        {tr("Database"), tr("Schema"), tr("Status"), tr("Rows"), tr("Time"), tr("Error")});
    m_outcomes->setSortingEnabled(false);
    m_outcomes->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_outcomes->header()->setStretchLastSection(true);

    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);

    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_pattern->setEnabled(Mode(index) == Mode::Pattern);
        updateChecksAndCount();
    });
    connect(m_pattern, &QLineEdit::textChanged, this, [this] { updateChecksAndCount(); });
    connect(m_picker, &QListWidget::itemChanged, this, [this] {
        if (m_syncingChecks)
            return;
        // A hand-made check is a hand-picked list from now on.
        if (Mode(m_mode->currentIndex()) != Mode::Checked) {
            m_syncingChecks = true;
            m_mode->setCurrentIndex(int(Mode::Checked));
            m_syncingChecks = false;
        }
        updateChecksAndCount();
    });
    connect(reload, &QPushButton::clicked, this, &FanOutPane::reloadTargets);
    // Extras come and go while the pane is open: the picker follows.
    if (m_registry) {
        connect(m_registry, &orm::Registry::extraAdded, this, &FanOutPane::reloadTargets);
        connect(m_registry, &orm::Registry::extraRemoved, this, &FanOutPane::reloadTargets);
    }
    connect(m_run, &QPushButton::clicked, this, &FanOutPane::run);
    connect(m_cancel, &QPushButton::clicked, this, &FanOutPane::cancel);
    connect(m_filter, &QLineEdit::textChanged, this, &FanOutPane::setFilter);
    // A sort must see every row, not only those shown so far.
    connect(m_view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, m_model,
            &MergedResultModel::showAll);
}

void FanOutPane::reloadTargets()
{
    if (m_loading) {
        m_reloadAgain = true; // the registry changed while it was read
        return;
    }
    m_loading = true;
    m_count->setText(tr("Reading the databases' schemas…"));
    launchTask(
        this, listTargets(m_registry),
        [this](std::pair<Targets, Targets> lists) {
            m_loading = false;
            m_all = std::move(lists.first);
            m_tenants = std::move(lists.second);
            showTargets();
            if (std::exchange(m_reloadAgain, false))
                reloadTargets();
            else
                emit targetsLoaded();
        },
        [this](const TaskFailure &failure) {
            m_loading = false;
            m_reloadAgain = false;
            m_count->setText(tr("Could not list the targets: %1").arg(failure.message));
            emit targetsLoaded();
        });
}

void FanOutPane::showTargets()
{
    // Checks survive a reload by target.
    QSet<QString> checked;
    for (int i = 0; i < m_picker->count(); ++i)
        if (m_picker->item(i)->checkState() == Qt::Checked)
            checked << m_picker->item(i)->text();
    m_syncingChecks = true;
    m_picker->clear();
    for (int i = 0; i < m_all.size(); ++i) {
        auto *item = new QListWidgetItem(targetText(m_all[i]), m_picker);
        item->setData(Qt::UserRole, i);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
        if (!m_all[i].error.isEmpty()) {
            item->setForeground(Qt::red);
            item->setToolTip(m_all[i].error);
        }
    }
    m_syncingChecks = false;
    updateChecksAndCount();
}

QList<orm::FanOutTarget> FanOutPane::chosenTargets() const
{
    Targets chosen;
    switch (Mode(m_mode->currentIndex())) {
    case Mode::Tenants:
        return m_tenants;
    case Mode::Pattern: {
        const QString pattern = m_pattern->text().trimmed();
        if (pattern.isEmpty())
            return chosen;
        for (const orm::FanOutTarget &target : m_all)
            if (!target.error.isEmpty() || orm::matchesSchemaPattern(target.schema, pattern))
                chosen << target;
        return chosen;
    }
    case Mode::Checked:
        for (int i = 0; i < m_picker->count(); ++i)
            if (m_picker->item(i)->checkState() == Qt::Checked)
                chosen << m_all.value(m_picker->item(i)->data(Qt::UserRole).toInt());
        return chosen;
    }
    return chosen;
}

void FanOutPane::updateChecksAndCount()
{
    const Targets chosen = chosenTargets();
    if (Mode(m_mode->currentIndex()) != Mode::Checked) {
        // The list shows what the mode picks; checking by hand starts from it.
        m_syncingChecks = true;
        const QSet<QString> keys = keysOf(chosen);
        for (int i = 0; i < m_picker->count(); ++i) {
            QListWidgetItem *item = m_picker->item(i);
            const bool in = keys.contains(keyOf(m_all.value(item->data(Qt::UserRole).toInt())));
            item->setCheckState(in ? Qt::Checked : Qt::Unchecked);
        }
        m_syncingChecks = false;
    }
    QSet<QString> databases;
    int unreachable = 0;
    for (const orm::FanOutTarget &target : chosen) {
        databases << target.database;
        unreachable += target.error.isEmpty() ? 0 : 1;
    }
    QString text = tr("%1 of %2 targets, on %3 database(s)")
                       .arg(chosen.size())
                       .arg(m_all.size())
                       .arg(databases.size());
    if (unreachable)
        text += tr("; %1 unreachable").arg(unreachable);
    m_count->setText(text);
}

void FanOutPane::setMode(Mode mode)
{
    m_mode->setCurrentIndex(int(mode));
}

void FanOutPane::setPattern(const QString &pattern)
{
    setMode(Mode::Pattern);
    m_pattern->setText(pattern);
}

void FanOutPane::checkTargets(const QList<orm::FanOutTarget> &targets)
{
    m_syncingChecks = true;
    setMode(Mode::Checked);
    const QSet<QString> keys = keysOf(targets);
    for (int i = 0; i < m_picker->count(); ++i) {
        QListWidgetItem *item = m_picker->item(i);
        const bool in = keys.contains(keyOf(m_all.value(item->data(Qt::UserRole).toInt())));
        item->setCheckState(in ? Qt::Checked : Qt::Unchecked);
    }
    m_syncingChecks = false;
    updateChecksAndCount();
}

void FanOutPane::setSql(const QString &sql)
{
    m_sql->setPlainText(sql);
}

bool FanOutPane::isRunning() const
{
    return m_fanOut && !m_fanOut->isFinished();
}

void FanOutPane::run()
{
    if (isRunning())
        return;
    const QString sql = m_sql->toPlainText().trimmed();
    const Targets targets = chosenTargets();
    if (sql.isEmpty()) {
        m_status->setText(tr("Type a statement to run."));
        return;
    }
    if (targets.isEmpty()) {
        m_status->setText(tr("No target chosen: pick tenants, a pattern or checked schemas."));
        return;
    }
    if (orm::statementEffect(sql) == orm::StatementEffect::MayWrite)
        askToConfirmWrite(targets, sql);
    else
        start(targets, sql, false);
}

void FanOutPane::askToConfirmWrite(const QList<orm::FanOutTarget> &targets, const QString &sql)
{
    if (m_confirm)
        m_confirm->deleteLater();
    const QString expected = QString::number(targets.size());
    auto *dialog = new QDialog(this);
    m_confirm = dialog;
    dialog->setObjectName(QStringLiteral("fanOutConfirm"));
    dialog->setWindowTitle(tr("Change %1 targets?").arg(targets.size()));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QLabel(
        tr("This statement may write. It will change up to <b>%1</b> target(s), each in its "
           "own transaction (all or nothing per target).<br>Type <b>%1</b> to run it.")
            .arg(targets.size()),
        dialog);
    text->setObjectName(QStringLiteral("fanOutConfirmText"));
    auto *typed = new QLineEdit(dialog);
    typed->setObjectName(QStringLiteral("fanOutConfirmTyped"));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QPushButton *ok = box->button(QDialogButtonBox::Ok);
    ok->setText(tr("Change %1 targets").arg(targets.size()));
    ok->setEnabled(false);
    layout->addWidget(text);
    layout->addWidget(typed);
    layout->addWidget(box);
    connect(typed, &QLineEdit::textChanged, ok,
            [ok, expected](const QString &t) { ok->setEnabled(t.trimmed() == expected); });
    connect(box, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(box, &QDialogButtonBox::accepted, dialog,
            [this, dialog, typed, expected, targets, sql] {
                if (typed->text().trimmed() != expected)
                    return;
                dialog->accept();
                start(targets, sql, true);
            });
    connect(dialog, &QDialog::rejected, this,
            [this] { m_status->setText(tr("Not run: the write was not confirmed.")); });
    dialog->open(); // window-modal, never a nested loop
}

void FanOutPane::start(const QList<orm::FanOutTarget> &targets, const QString &sql,
                       bool allowWrites)
{
    orm::FanOutOptions options;
    options.perServer = m_perServer->value();
    options.allowWrites = allowWrites;
    orm::FanOut *fanOut = nullptr;
    try {
        fanOut = new orm::FanOut(m_registry, targets, sql, options, this);
    } catch (const orm::Error &error) {
        m_status->setText(error.message());
        return;
    }
    m_model->setFanOut(fanOut);
    delete m_fanOut;
    m_fanOut = fanOut;
    m_filter->clear();
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_proxy->sort(-1);
    m_outcomes->clear();
    for (const orm::FanOutTarget &target : targets) {
        auto *item = new QTreeWidgetItem(m_outcomes);
        item->setText(Database, target.databaseLabel());
        item->setText(Schema, target.schema);
        item->setText(Status, orm::TargetOutcome::statusName(orm::TargetOutcome::Status::Waiting));
    }
    connect(fanOut, &orm::FanOut::targetStarted, this, &FanOutPane::showOutcome);
    connect(fanOut, &orm::FanOut::targetFinished, this, &FanOutPane::showOutcome);
    connect(fanOut, &orm::FanOut::targetFinished, this, &FanOutPane::updateStatus);
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    updateStatus();
    emit runStarted();
    // The pane is the context: a pane closed mid-run is never called back (its run ends alone,
    // see the destructor).
    launchTask(
        this, fanOut->run(),
        [this, fanOut] {
            if (fanOut != m_fanOut)
                return;
            // Column differences are known once every target ended.
            for (int i = 0; i < fanOut->targets().size(); ++i)
                showOutcome(i);
            m_run->setEnabled(true);
            m_cancel->setEnabled(false);
            updateStatus();
            emit runFinished();
        },
        [this, fanOut](const TaskFailure &failure) {
            if (fanOut != m_fanOut)
                return;
            m_run->setEnabled(true);
            m_cancel->setEnabled(false);
            m_status->setText(failure.message);
            emit runFinished();
        });
}

void FanOutPane::cancel()
{
    if (isRunning())
        m_fanOut->cancel();
}

void FanOutPane::showOutcome(int target)
{
    QTreeWidgetItem *item = m_outcomes->topLevelItem(target);
    if (!m_fanOut || !item || target >= m_fanOut->outcomes().size())
        return;
    const orm::TargetOutcome &outcome = m_fanOut->outcomes()[target];
    QString status = orm::TargetOutcome::statusName(outcome.status);
    if (m_fanOut->writes() && outcome.status != orm::TargetOutcome::Status::Waiting &&
        outcome.status != orm::TargetOutcome::Status::Running)
        status += outcome.committed ? tr(", committed") : tr(", rolled back");
    item->setText(Status, status);
    const qint64 rows =
        m_fanOut->writes() && outcome.rowsAffected >= 0 ? outcome.rowsAffected : outcome.rows;
    item->setText(Rows, outcome.status == orm::TargetOutcome::Status::Waiting
                            ? QString()
                            : QString::number(rows));
    item->setText(Time, outcome.status == orm::TargetOutcome::Status::Waiting ||
                                outcome.status == orm::TargetOutcome::Status::Running
                            ? QString()
                            : tr("%1 ms").arg(outcome.elapsedMs));
    QStringList notes;
    if (!outcome.error.isEmpty())
        notes << outcome.error;
    if (!outcome.missingColumns.isEmpty())
        notes << tr("lacks %1 (NULL)").arg(outcome.missingColumns.join(QStringLiteral(", ")));
    if (!outcome.typeConflicts.isEmpty())
        notes << tr("other type: %1").arg(outcome.typeConflicts.join(QStringLiteral(", ")));
    item->setText(Error, notes.join(QStringLiteral("; ")));
    for (int c = 0; c <= Error; ++c)
        item->setToolTip(c, item->text(Error));
    const bool failed = outcome.status == orm::TargetOutcome::Status::Failed ||
                        outcome.status == orm::TargetOutcome::Status::Cancelled;
    for (int c = 0; c <= Error; ++c)
        item->setForeground(c, failed ? QBrush(Qt::red) : QBrush());
}

void FanOutPane::updateStatus()
{
    if (!m_fanOut)
        return;
    int done = 0, failed = 0, cancelled = 0;
    for (const orm::TargetOutcome &outcome : m_fanOut->outcomes()) {
        using S = orm::TargetOutcome::Status;
        done += outcome.status == S::Succeeded || outcome.status == S::Failed ||
                outcome.status == S::Cancelled;
        failed += outcome.status == S::Failed;
        cancelled += outcome.status == S::Cancelled;
    }
    const int total = int(m_fanOut->targets().size());
    const int rows = m_fanOut->result().rowCount();
    QString text =
        m_fanOut->isFinished()
            ? tr("Done: %1 target(s), %2 row(s)").arg(total).arg(rows)
            : tr("Running: %1 of %2 target(s) done, %3 row(s)").arg(done).arg(total).arg(rows);
    if (failed)
        text += tr(", %1 failed").arg(failed);
    if (cancelled)
        text += tr(", %1 cancelled").arg(cancelled);
    m_status->setText(text);
}

void FanOutPane::setFilter(const QString &text)
{
    m_model->showAll(); // a filter must see every row
    m_proxy->setFilterFixedString(text);
}

} // namespace strata::ui
