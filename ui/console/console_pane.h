#pragma once

// The console pane: several console tabs (their text kept across restarts in the user's data
// directory), each with its own connection of the active database and schema, and the history
// of the active connection (searchable; double-click to insert into the editor).
//
// The main window embeds it and tells it what is active:
//     auto *console = new strata::ui::ConsolePane(registry, this);
//     console->setActive(databaseName /* "" = primary */, schema /* "" = default */);

#include <QCoro/QCoroTask>
#include <QFont>
#include <QWidget>

#include <optional>

class QLineEdit;
class QListWidget;
class QTabWidget;

namespace orm {
class Registry;
}

namespace strata::ui {

class ConsoleTab;

class ConsolePane : public QWidget {
    Q_OBJECT

public:
    explicit ConsolePane(orm::Registry *registry, QWidget *parent = nullptr);
    ~ConsolePane() override;

    // The database (an extra's name; empty: the primary) and schema (empty: the default) that
    // console tabs run in from their next statement on. An unknown name is logged and ignored.
    // `shownName` is how the window names the database (a saved connection's name), shown in
    // each tab's toolbar.
    void setActive(const QString &databaseName, const QString &schema,
                   const QString &shownName = {});
    // The editors' font (Preferences), for the tabs open and those opened later.
    void setEditorFont(const QFont &font);
    QString activeDatabase() const { return m_databaseName; }
    QString activeSchema() const { return m_schema; }

    int tabCount() const;
    ConsoleTab *tab(int index) const;
    ConsoleTab *currentTab() const;
    ConsoleTab *addTab(const QString &text = {});
    // A new tab holding `text`, made current, nothing run (the DDL viewer's Open in console).
    ConsoleTab *openInNewTab(const QString &text);
    void closeTab(int index);
    // Cancels on the server whatever the tabs run, then closes their sessions (all at once, so
    // one that does not answer delays no other): for quitting, which must not leave a backend
    // running a statement nobody will read. The tabs open a session again when next used.
    QCoro::Task<> closeSessions();

    // For `strata --console "SQL"` (screenshots, scripts): puts `sql` in a console tab and runs
    // it; scriptFinished() follows once the result's first rows or the error are on screen.
    void runScript(const QString &sql);

    // The history list as shown (newest first), after the search filter.
    QListWidget *historyList() const { return m_historyList; }
    QLineEdit *historySearch() const { return m_search; }
    void refreshHistory();
    // Saves the tabs' text now (it is also saved shortly after each edit and on destruction).
    void saveTabs() const;
    static QString tabsFilePath();

signals:
    void scriptFinished(bool ok, const QString &message);
    // A tab's run ended on `database` (the registry's name): DDL may have changed its catalog.
    void statementsRan(const QString &database);

private:
    void restoreTabs();
    void scheduleSave();
    void insertFromHistory(const QString &sql);

    QString shownName() const;

    orm::Registry *m_registry;
    std::optional<QFont> m_editorFont;
    QString m_shownName;
    QString m_databaseName;
    QString m_schema;
    QTabWidget *m_tabs;
    QLineEdit *m_search;
    QListWidget *m_historyList;
    class QTimer *m_saveTimer;
};

} // namespace strata::ui
