#pragma once

// The fixture the console suites share: a registry on the backend under test (SQLite and the
// real PostgreSQL), console tabs on its primary database, and the helpers to read results,
// transaction state and messages as the user sees them. Each suite derives from it and adds its
// own private slots; the fixture's slots (backends, init, cleanup) run for every suite.

#include "await.h"
#include "backends.h"
#include "message_box_answerer.h"

#include "orm/core/error.h"
#include "orm/registry/registry.h"
#include "orm/session/console_session.h"
#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/console/plot_view.h"
#include "ui/console/result_view.h"
#include "ui/console/sql_editor.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"

#include <Qsci/qsciabstractapis.h>
#include <Qsci/qscilexer.h>

#include <QAction>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>

#include <memory>

namespace strata::test {

class ConsoleFixture : public QObject {
    Q_OBJECT

protected:
    std::unique_ptr<orm::Registry> m_registry;
    QString m_backend;

    bool isPg() const { return m_backend == QLatin1String("postgres"); }
    orm::Database *db() const { return m_registry->database(); }

    std::unique_ptr<ui::ConsoleTab> newTab()
    {
        auto tab = std::make_unique<ui::ConsoleTab>();
        tab->setTarget(db(), {});
        tab->resize(900, 600);
        tab->show();
        return tab;
    }
    QString cell(ui::ResultView *view, qint64 row, int column)
    {
        return view->model()->cellText(row, column);
    }
    using TxState = orm::ConsoleSession::TransactionState;
    static TxState txState(ui::ConsoleTab *tab)
    {
        return tab->session() ? tab->session()->transactionState() : TxState::None;
    }
    static QLabel *stateLabel(ui::ConsoleTab *tab)
    {
        return tab->findChild<QLabel *>(QStringLiteral("transactionState"));
    }
    static QAction *action(ui::ConsoleTab *tab, const char *name)
    {
        return tab->findChild<QAction *>(QLatin1String(name));
    }
    // Clicks the action's button on the tab's toolbar, as the user does.
    static bool clickToolButton(ui::ConsoleTab *tab, QAction *action)
    {
        auto *bar = tab->findChild<QToolBar *>();
        QWidget *button = bar && action ? bar->widgetForAction(action) : nullptr;
        if (!button || !button->isVisible())
            return false;
        QTest::mouseClick(button, Qt::LeftButton);
        return true;
    }
    // Rows in `table`, as another connection sees them (what was committed).
    QString committedRows(const QString &table)
    {
        const orm::Result rows =
            test::await(db()->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        return rows.text(0, 0);
    }
    static QString lastMessage(ui::ConsoleTab *tab)
    {
        return tab->messages().section(QLatin1Char('\n'), -1);
    }
    // Rows 1..5 as x, x², 10 - x and the text 'c<x>' (a label).
    QString fiveRows() const
    {
        return isPg() ? QStringLiteral("SELECT g AS x, g * g AS square, 10 - g AS down, "
                                       "'c' || g AS label FROM generate_series(1, 5) g ORDER BY g")
                      : QStringLiteral("WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM g WHERE x < 5) SELECT x, x * x AS square, "
                                       "10 - x AS down, 'c' || x AS label FROM g ORDER BY x");
    }
    static QList<QPointF> pointsOf(QAbstractSeries *series)
    {
        auto *xy = qobject_cast<QXYSeries *>(series);
        return xy ? xy->points() : QList<QPointF>();
    }
    // Starts an export without waiting for it (as the Export button does).
    static QCoro::Task<> exportInBackground(ui::ResultView *view, QString path)
    {
        co_await view->exportTo(path);
    }
    bool waitShown(ui::ResultView *view)
    {
        QElapsedTimer t;
        t.start();
        while (!view->model()->isRowLoaded(0) && t.elapsed() < 10000)
            QTest::qWait(10);
        return view->model()->isRowLoaded(0);
    }

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        STRATA_BACKEND_URL(url);
        m_backend = backend;
        m_registry = std::make_unique<orm::Registry>(url);
        test::await(m_registry->connect());
    }
    void cleanup()
    {
        // The tab is gone: let the resumptions it left queued (a stream's waiters) run now, as
        // the application's event loop would, rather than never.
        QTest::qWait(100);
        if (m_registry)
            test::await(m_registry->disconnect(true));
        m_registry.reset();
    }
};

} // namespace strata::test
