#pragma once

// What the grid-editing suites share: a registry on either backend with two tenants of awkward
// names (PostgreSQL schemas, SQLite attached files), each holding the table `Odd "Name"` (an
// identity key "weird id", a NOT NULL "Title", a nullable "weird name", a CHECKed rating with a
// default, a boolean) with different rows, a table without a key and a view over the first;
// the real window on it; and what a user does: open a table, edit a cell through its editor.

#include "main_window_fixture.h"

#include "orm/query/sql_dialect.h"
#include "ui/editing/editing_bar.h"
#include "ui/editing/grid_editing.h"
#include "ui/editing/pending_inserts_model.h"

#include <QPlainTextEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTreeWidget>

#include <memory>

namespace grid_editing {

using strata::test::await;
using strata::ui::editing::GridEditing;

inline const QString kTable = QStringLiteral("Odd \"Name\"");
inline const QString kNoKey = QStringLiteral("no key");
inline const QString kView = QStringLiteral("odd view");
// The table's columns, in the grid's order.
enum Column { Id, Title, Note, Rating, Flag };

class Fixture {
    QString m_backend;

public:
    Fixture(const QString &backend, const QString &url)
        : m_backend(backend)
        , registry(std::make_unique<orm::Registry>(url))
    {
        await(registry->connect());
        const QString unique = strata::test::uniqueName(QStringLiteral("ge"));
        a = QStringLiteral("weird name ") + unique;
        b = QStringLiteral("Tenant \"Two\" ") + unique;
        addTenant(a, {QStringLiteral("Alpha"), QStringLiteral("Beta"), QStringLiteral("Gamma")});
        addTenant(b, {QStringLiteral("Uno"), QStringLiteral("Dos")});
    }
    ~Fixture()
    {
        window.reset();
        if (pg())
            for (const QString &schema : {a, b})
                await(registry->database()->executeScript(
                    QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(q(schema))));
        await(registry->disconnect());
    }

    bool pg() const { return m_backend == QLatin1String("postgres"); }
    static QString q(const QString &name) { return orm::quoteIdentifier(name); }
    QString table(const QString &schema, const QString &name = kTable) const
    {
        return orm::qualifiedName(schema, name);
    }
    // The file a SQLite tenant lives in (a second connection writes it there).
    QString fileOf(const QString &schema) const { return m_files.value(schema); }

    // The real window, shown, on the registry; `journal`: where it journals edits.
    MainWindow &open(const QString &journal = {})
    {
        window = std::make_unique<MainWindow>(registry.get());
        window->setSavedConnectionsPath(m_dir.filePath(QStringLiteral("connections.json")));
        window->setAsksForPasswords(false);
        if (!journal.isEmpty())
            window->setJournalDirectory(journal);
        window->show();
        window->activateWindow();
        // (not QTRY_: it returns from the function on failure)
        if (!QTest::qWaitForWindowActive(window.get()))
            qWarning("the window did not become active: its shortcuts may not fire");
        const bool listed = QTest::qWaitFor(
            [this] {
                return window->schemaSwitcher()->findText(a) >= 0 &&
                       window->schemaSwitcher()->findText(b) >= 0;
            },
            15000);
        if (!listed)
            qWarning("the schema switcher never listed both tenants");
        return *window;
    }

    // Opens a table of a tenant in the grid and waits for its first rows.
    bool show(const QString &schema, const QString &name = kTable)
    {
        window->setActiveSchema(schema);
        window->openModel(name);
        return QTest::qWaitFor(
            [&] {
                return window->activeSchema() == schema && window->openedModel() == name &&
                       window->gridModel()->isRowLoaded(0) && !window->isBusy();
            },
            15000);
    }

    GridEditing *editing() const { return window->editing(); }
    QString cell(int row, int column) const
    {
        return window->gridModel()->index(row, column).data().toString();
    }
    QAction *action(const QString &name) const { return window->findChild<QAction *>(name); }
    QPushButton *button(const QString &name) const
    {
        return window->findChild<QPushButton *>(name);
    }

    // F2 on a cell, as a user opens its editor: the editor, or null when none opened.
    QWidget *openEditor(int row, int column) const
    {
        QTableView *view = window->grid()->table();
        const QModelIndex index = window->gridModel()->index(row, column);
        view->setCurrentIndex(index);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_F2);
        return view->indexWidget(index);
    }
    // Enter closes an editor from the event loop (the delegate queues it): waits for that.
    bool closed(int row, int column) const
    {
        return QTest::qWaitFor(
            [&] {
                return window->grid()->table()->indexWidget(
                           window->gridModel()->index(row, column)) == nullptr;
            },
            5000);
    }
    // The same for a cell of the editing bar's new rows (`column` in the table's field order).
    QWidget *openNewRowEditor(int row, int column) const
    {
        QTableView *view = window->editing()->bar()->newRows();
        const QModelIndex index = view->model()->index(row, column);
        view->setCurrentIndex(index);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_F2);
        return view->indexWidget(index);
    }
    bool newRowClosed(int row, int column) const
    {
        QTableView *view = window->editing()->bar()->newRows();
        return QTest::qWaitFor(
            [&] { return view->indexWidget(view->model()->index(row, column)) == nullptr; }, 5000);
    }
    // A new row's column by its name.
    int newRowColumn(const QString &name) const
    {
        const QAbstractItemModel *rows = window->editing()->bar()->newRowsModel();
        for (int c = 0; c < rows->columnCount(); ++c)
            if (rows->headerData(c, Qt::Horizontal).toString() == name)
                return c;
        qWarning() << "the new rows have no column" << name;
        return -1;
    }

    // Types `text` into a cell's editor (replacing what it held) and presses Enter.
    bool type(int row, int column, const QString &text) const
    {
        QWidget *editor = openEditor(row, column);
        auto *line = qobject_cast<QLineEdit *>(editor);
        if (!line) {
            qWarning() << "no line editor on" << row << column << editor
                       << window->editing()->lastNotice();
            if (editor)
                QTest::keyClick(editor, Qt::Key_Escape);
            return false;
        }
        line->selectAll();
        if (text.isEmpty()) { // typed, then rubbed out: the empty string, not NULL
            QTest::keyClick(line, Qt::Key_X);
            QTest::keyClick(line, Qt::Key_Backspace);
        } else
            QTest::keyClicks(line, text);
        QTest::keyClick(line, Qt::Key_Return);
        return closed(row, column);
    }

    // Commit in the editing bar, then waits until it ended.
    void commit() const
    {
        QTest::mouseClick(button(QStringLiteral("commitButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!editing()->isCommitting() && !window->isBusy(), 15000);
    }

    // A stored value, read apart from the grid: column `column` of the row whose id is `id`.
    QVariant stored(const QString &schema, int id, const QString &column) const
    {
        const orm::Result r = await(registry->database()->execute(
            QStringLiteral("SELECT %1 FROM %2 WHERE %3 = %4")
                .arg(q(column), table(schema), q(QStringLiteral("weird id")),
                     QString::number(id))));
        return r.rowCount() == 0 ? QVariant(QStringLiteral("<no row>")) : r.value(0, 0);
    }
    int rowCount(const QString &schema) const
    {
        return await(registry->database()->execute(
                         QStringLiteral("SELECT count(*) FROM %1").arg(table(schema))))
            .value(0, 0)
            .toInt();
    }
    // Another session changes a row, as a colleague would.
    void elsewhere(const QString &schema, const QString &sql) const
    {
        if (pg()) {
            orm::Database other(strata::test::postgresUrl());
            await(other.executeScript(sql.arg(table(schema))));
            await(other.disconnect());
        } else {
            orm::Database other(QStringLiteral("sqlite:///%1").arg(fileOf(schema)));
            await(other.executeScript(sql.arg(q(kTable))));
            await(other.disconnect());
        }
    }
    // Waits for the window to be idle, before teardown (a task in flight leaks under ASan).
    void settle() const
    {
        if (window)
            QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), 15000);
    }

    QString a, b;
    std::unique_ptr<orm::Registry> registry;
    std::unique_ptr<MainWindow> window;

private:
    void run(const QString &sql) const { await(registry->database()->executeScript(sql)); }

    void addTenant(const QString &schema, const QStringList &titles)
    {
        const QString id = pg() ? QStringLiteral("\"weird id\" integer GENERATED BY DEFAULT AS "
                                                 "IDENTITY PRIMARY KEY")
                                : QStringLiteral("\"weird id\" INTEGER PRIMARY KEY");
        QString script = QStringLiteral(
            "CREATE TABLE %1 (%2, \"Title\" text NOT NULL, \"weird name\" text, rating integer "
            "NOT NULL DEFAULT 3 CHECK (rating BETWEEN 1 AND 5), flag boolean);");
        script = script.arg(q(kTable), id);
        QStringList rows;
        for (int i = 0; i < titles.size(); ++i)
            rows << QStringLiteral("('%1', %2, %3, %4)")
                        .arg(titles[i],
                             i == 0   ? QStringLiteral("NULL")
                             : i == 1 ? QStringLiteral("'x'")
                                      : QStringLiteral("'it''s'"),
                             QString::number(3 + i % 3),
                             i == 0 ? QStringLiteral("true") : QStringLiteral("false"));
        script += QStringLiteral("INSERT INTO %1 (\"Title\", \"weird name\", rating, flag) VALUES "
                                 "%2;")
                      .arg(q(kTable), rows.join(QStringLiteral(", ")));
        script += QStringLiteral("CREATE TABLE %1 (a integer, b text); INSERT INTO %1 VALUES (1, "
                                 "'one');")
                      .arg(q(kNoKey));
        if (pg()) {
            script += QStringLiteral("CREATE VIEW %1 AS SELECT \"Title\" FROM %2;")
                          .arg(q(kView), q(kTable));
            run(QStringLiteral("CREATE SCHEMA %1; SET search_path TO %1; %2 RESET search_path;")
                    .arg(q(schema), script));
            return;
        }
        script +=
            QStringLiteral("CREATE VIEW %1 AS SELECT \"Title\" FROM %2;").arg(q(kView), q(kTable));
        const QString url = strata::test::urlFor(m_backend, QStringLiteral("tenant"));
        const QString path = orm::DatabaseUrl::parse(url).path();
        orm::Database tenant(url);
        await(tenant.executeScript(script));
        await(tenant.disconnect());
        m_files.insert(schema, path);
        registry->database()->attach(schema, path);
    }

    QTemporaryDir m_dir;
    QMap<QString, QString> m_files;
};

} // namespace grid_editing
