#include "console_pane.h"
#include "ui/theme.h"

#include "console_tab.h"
#include "private_file.h"
#include "sql_editor.h"

#include "orm/core/error.h"
#include "orm/core/secrets.h"
#include "orm/registry/registry.h"
#include "orm/session/console_session.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <vector>

namespace strata::ui {

ConsolePane::ConsolePane(orm::Registry *registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(registry)
    , m_tabs(new QTabWidget)
    , m_search(new QLineEdit)
    , m_historyList(new QListWidget)
    , m_saveTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("consolePane"));
    m_tabs->setObjectName(QStringLiteral("consoleTabs"));
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    auto *add = new QToolButton;
    add->setText(QStringLiteral("+"));
    add->setToolTip(tr("New console tab"));
    m_tabs->setCornerWidget(add, Qt::TopRightCorner);
    connect(add, &QToolButton::clicked, this, [this] {
        m_tabs->setCurrentWidget(addTab());
        scheduleSave();
    });
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &ConsolePane::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &ConsolePane::refreshHistory);

    m_search->setObjectName(QStringLiteral("historySearch"));
    m_search->setPlaceholderText(tr("Search history"));
    m_search->setClearButtonEnabled(true);
    m_historyList->setObjectName(QStringLiteral("historyList"));
    m_historyList->setToolTip(
        tr("Double-click to put the statement into the editor (Ctrl+Z takes it out); Run runs it"));
    connect(m_search, &QLineEdit::textChanged, this, &ConsolePane::refreshHistory);
    connect(m_historyList, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem *item) {
        // Never a run: an UPDATE from history must not run again by a slip of the mouse.
        insertFromHistory(item->data(Qt::UserRole).toString());
    });

    auto *historyPanel = new QWidget;
    auto *historyLayout = new QVBoxLayout(historyPanel);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    historyLayout->addWidget(new QLabel(tr("History")));
    historyLayout->addWidget(m_search);
    historyLayout->addWidget(m_historyList, 1);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("consoleHistorySplitter"));
    splitter->addWidget(m_tabs);
    splitter->addWidget(historyPanel);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(500);
    connect(m_saveTimer, &QTimer::timeout, this, &ConsolePane::saveTabs);

    restoreTabs();
    setActive({}, {});
}

ConsolePane::~ConsolePane()
{
    saveTabs();
}

QString ConsolePane::tabsFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/console-tabs.json");
}

void ConsolePane::restoreTabs()
{
    QFile file(tabsFilePath());
    QJsonArray texts;
    int current = 0;
    if (file.open(QIODevice::ReadOnly)) {
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        texts = root.value(QStringLiteral("tabs")).toArray();
        current = root.value(QStringLiteral("current")).toInt();
    }
    for (const QJsonValue &text : std::as_const(texts))
        addTab(text.toString());
    if (m_tabs->count() == 0)
        addTab();
    m_tabs->setCurrentIndex(std::clamp(current, 0, m_tabs->count() - 1));
}

void ConsolePane::saveTabs() const
{
    QJsonArray texts;
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto *tab = qobject_cast<ConsoleTab *>(m_tabs->widget(i)))
            texts.append(orm::maskSecrets(tab->text())); // the file keeps no password
    QJsonObject root;
    root[QStringLiteral("tabs")] = texts;
    root[QStringLiteral("current")] = m_tabs->currentIndex();
    const QString path = tabsFilePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (openPrivateFile(file, QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(QJsonDocument(root).toJson());
}

void ConsolePane::scheduleSave()
{
    m_saveTimer->start();
}

int ConsolePane::tabCount() const
{
    return m_tabs->count();
}
ConsoleTab *ConsolePane::tab(int index) const
{
    return qobject_cast<ConsoleTab *>(m_tabs->widget(index));
}
ConsoleTab *ConsolePane::currentTab() const
{
    return qobject_cast<ConsoleTab *>(m_tabs->currentWidget());
}

ConsoleTab *ConsolePane::addTab(const QString &text)
{
    auto *tab = new ConsoleTab;
    tab->setText(text);
    if (m_registry) {
        try {
            orm::Database *db = m_databaseName.isEmpty() ? m_registry->database()
                                                         : m_registry->database(m_databaseName);
            tab->setTarget(db, m_schema);
        } catch (const orm::Error &) {
            tab->setTarget(m_registry->database(), m_schema);
        }
        tab->setTargetName(shownName());
    }
    if (m_editorFont)
        tab->editor()->setEditorFont(*m_editorFont);
    m_tabs->addTab(tab, tr("Console %1").arg(m_tabs->count() + 1));
    connect(tab, &ConsoleTab::textChanged, this, &ConsolePane::scheduleSave);
    connect(tab, &ConsoleTab::runFinished, this, [this] { emit statementsRan(m_databaseName); });
    connect(tab, &ConsoleTab::historyChanged, this, [this, tab] {
        if (tab == currentTab())
            refreshHistory();
    });
    return tab;
}

namespace {

// A session that fails to close (its link already gone) is closed as far as quitting cares.
QCoro::Task<> closeQuietly(orm::ConsoleSession *session)
{
    try {
        co_await session->close();
    } catch (const orm::Error &) {
    }
}

} // namespace

QCoro::Task<> ConsolePane::closeSessions()
{
    std::vector<QCoro::Task<>> closing;
    for (int i = 0; i < tabCount(); ++i)
        if (orm::ConsoleSession *session = tab(i)->session())
            closing.push_back(closeQuietly(session)); // tasks start at once: all cancel together
    for (QCoro::Task<> &task : closing)
        co_await std::move(task);
}

ConsoleTab *ConsolePane::openInNewTab(const QString &text)
{
    ConsoleTab *tab = addTab(text);
    m_tabs->setCurrentWidget(tab);
    return tab;
}

void ConsolePane::closeTab(int index)
{
    QWidget *w = m_tabs->widget(index);
    if (!w)
        return;
    m_tabs->removeTab(index);
    w->deleteLater();
    if (m_tabs->count() == 0)
        addTab();
    saveTabs();
}

void ConsolePane::setActive(const QString &databaseName, const QString &schema,
                            const QString &shownName)
{
    orm::Database *db = nullptr;
    if (m_registry) {
        try {
            db = databaseName.isEmpty() ? m_registry->database()
                                        : m_registry->database(databaseName);
        } catch (const orm::Error &error) {
            qWarning("console: %s", qPrintable(error.toString()));
            return;
        }
    }
    m_databaseName = databaseName;
    m_schema = schema;
    m_shownName = shownName;
    for (int i = 0; i < m_tabs->count(); ++i)
        if (ConsoleTab *t = tab(i)) {
            t->setTarget(db, schema);
            t->setTargetName(this->shownName());
        }
    refreshHistory();
}

QString ConsolePane::shownName() const
{
    if (!m_shownName.isEmpty())
        return m_shownName;
    return m_databaseName.isEmpty() ? tr("primary") : m_databaseName;
}

void ConsolePane::setEditorFont(const QFont &font)
{
    m_editorFont = font;
    for (int i = 0; i < m_tabs->count(); ++i)
        if (ConsoleTab *t = tab(i))
            t->editor()->setEditorFont(font);
}

void ConsolePane::refreshHistory()
{
    m_historyList->clear();
    ConsoleTab *t = currentTab();
    if (!t || !t->history())
        return;
    for (const HistoryEntry &e : t->history()->search(m_search->text())) {
        const QString line =
            QStringLiteral("%1  %2 ms  %3  %4")
                .arg(e.time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                     QString::number(e.durationMs),
                     e.ok ? (e.rows >= 0 ? tr("%Ln row(s)", nullptr, int(e.rows)) : tr("ok"))
                          : tr("error"),
                     e.sql.simplified().left(120));
        auto *item = new QListWidgetItem(line, m_historyList);
        item->setData(Qt::UserRole, e.sql);
        item->setToolTip(e.ok ? e.sql : e.sql + QStringLiteral("\n\n") + e.error);
        if (!e.ok)
            item->setForeground(toneColor(Tone::Error, m_historyList->palette()));
    }
}

void ConsolePane::insertFromHistory(const QString &sql)
{
    if (ConsoleTab *t = currentTab())
        t->insertStatement(sql);
}

void ConsolePane::runScript(const QString &sql)
{
    ConsoleTab *t = currentTab();
    if (!t || t->isRunning() || !t->text().trimmed().isEmpty())
        t = addTab();
    m_tabs->setCurrentWidget(t);
    t->setText(sql);
    connect(
        t, &ConsoleTab::runFinished, this,
        [this, t](bool ok) { emit scriptFinished(ok, ok ? QString() : t->lastError()); },
        Qt::SingleShotConnection);
    t->runAll();
}

} // namespace strata::ui
