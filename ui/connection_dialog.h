#pragma once

// The saved-connection dialog (Connections → Add / Edit saved connection): builds a database URL
// from fields (backend; PostgreSQL host or host list, port, database, user, password, sslmode;
// or a SQLite file), and can test it (connect and disconnect asynchronously, showing the error
// text).
//
// The password is kept apart: connection() returns the URL without it (what the connections
// file stores), password() is what goes to the system keyring.

#include "saved_connections.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace strata::ui {

class ConnectionDialog : public QDialog {
    Q_OBJECT

public:
    explicit ConnectionDialog(QWidget *parent = nullptr);

    // Fills the fields from a saved connection (its URL has no password) and a password.
    void setConnection(const SavedConnection &connection, const QString &password = {});
    // The connection as saved: the URL without the password.
    SavedConnection connection() const;
    QString password() const;
    // The URL from the fields, with the password when `withPassword` (for testing/connecting).
    QString url(bool withPassword) const;
    // Why the fields do not make a connection yet (empty when they do).
    QString problem() const;

    // Connects and disconnects the URL in the background; testFinished() tells the outcome, the
    // dialog's status line shows it.
    void testConnection();
    bool isTesting() const { return m_testing; }
    QString testResult() const;

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *backendBox() const { return m_backend; }
    QLineEdit *hostEdit() const { return m_host; }
    QSpinBox *portBox() const { return m_port; }
    QLineEdit *databaseEdit() const { return m_database; }
    QLineEdit *userEdit() const { return m_user; }
    QLineEdit *passwordEdit() const { return m_password; }
    QComboBox *sslModeBox() const { return m_sslMode; }
    QLineEdit *fileEdit() const { return m_file; }
    QCheckBox *primaryBox() const { return m_primary; }
    QPushButton *testButton() const { return m_test; }

signals:
    void testFinished(bool ok, const QString &message);

protected:
    void done(int result) override;

private:
    // Where launchTask delivers the test's outcome.
    void onTestFinished(bool ok, const QString &message);
    bool isPostgres() const;
    void updateState();

    QLineEdit *m_name;
    QComboBox *m_backend;
    QStackedWidget *m_pages;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QLineEdit *m_database;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QComboBox *m_sslMode;
    QLineEdit *m_file;
    QCheckBox *m_primary;
    QLabel *m_preview;
    QLabel *m_status;
    QPushButton *m_test;
    QDialogButtonBox *m_buttons;
    bool m_testing = false;
    bool m_lastOk = false;
    // The loaded URL's options that have no field, written back as they were.
    QMap<QString, QString> m_otherOptions;
};

} // namespace strata::ui
