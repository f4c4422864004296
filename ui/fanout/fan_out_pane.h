#pragma once

// The fan-out pane (Tools → Run on many targets…): one statement on many of the registry's
// databases and tenant schemas, their rows merged in one sortable, filterable table with
// `database` and `schema` first, and a side list of every target's status, rows, time and error.
//
// Targets: every tenant, the schemas matching a pattern, or a hand-checked list, picked from the
// registry's databases × their schemas (read when the pane opens, and on Reload). Reads run in
// read-only transactions; a statement that may write (orm::statementEffect) first asks for a
// typed confirmation naming how many targets it will change, then runs per target in its own
// transaction. Cancel stops every target on its server. All work runs as tasks on the window's
// thread (orm::FanOut), which never waits.

#include "orm/fanout/fan_out.h"

#include <QDialog>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTreeWidget;

namespace orm {
class Registry;
}

namespace strata::ui {

class MergedResultModel;

class FanOutPane : public QWidget {
    Q_OBJECT

public:
    enum class Mode { Tenants, Pattern, Checked };

    explicit FanOutPane(orm::Registry *registry, QWidget *parent = nullptr);
    ~FanOutPane() override;

    // Reads the registry's databases and schemas again (the picker's list).
    void reloadTargets();
    bool isLoadingTargets() const { return m_loading; }
    // Every database × schema the picker offers, and those the current choice runs on.
    const QList<orm::FanOutTarget> &availableTargets() const { return m_all; }
    QList<orm::FanOutTarget> chosenTargets() const;

    void setMode(Mode mode);
    void setPattern(const QString &pattern);
    // Checks exactly these targets and switches to Mode::Checked.
    void checkTargets(const QList<orm::FanOutTarget> &targets);
    void setSql(const QString &sql);

    // Runs the statement on the chosen targets; a writing one opens the confirmation first.
    void run();
    void cancel();
    bool isRunning() const;
    // The run shown (null before the first), and the dialog asking to confirm a write.
    orm::FanOut *fanOut() const { return m_fanOut; }
    QDialog *confirmation() const { return m_confirm; }

    MergedResultModel *resultModel() const { return m_model; }
    QSortFilterProxyModel *resultProxy() const { return m_proxy; }
    QTableView *resultView() const { return m_view; }
    QTreeWidget *outcomeList() const { return m_outcomes; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *countLabel() const { return m_count; }

signals:
    void targetsLoaded();
    void runStarted();
    void runFinished();

private:
    void buildUi();
    void showTargets();
    void updateChecksAndCount();
    void askToConfirmWrite(const QList<orm::FanOutTarget> &targets, const QString &sql);
    void start(const QList<orm::FanOutTarget> &targets, const QString &sql, bool allowWrites);
    void showOutcome(int target);
    void updateStatus();
    void setFilter(const QString &text);

    QPointer<orm::Registry> m_registry;
    QList<orm::FanOutTarget> m_all;     // every database × schema
    QList<orm::FanOutTarget> m_tenants; // those TenantSelection::tenants() names
    bool m_loading = false;
    bool m_reloadAgain = false;
    bool m_syncingChecks = false;

    QComboBox *m_mode = nullptr;
    QLineEdit *m_pattern = nullptr;
    QListWidget *m_picker = nullptr;
    QLabel *m_count = nullptr;
    QSpinBox *m_perServer = nullptr;
    QPlainTextEdit *m_sql = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_view = nullptr;
    MergedResultModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTreeWidget *m_outcomes = nullptr;
    QLabel *m_status = nullptr;
    QPointer<QDialog> m_confirm;
    orm::FanOut *m_fanOut = nullptr; // owned; handed to itself to end when the pane goes first
};

} // namespace strata::ui
