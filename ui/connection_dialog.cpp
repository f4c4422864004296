#include "connection_dialog.h"
#include "ui/theme.h"

#include "launch_task.h"
#include "log_pane.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/core/secrets.h"
#include "orm/database/database.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <QCoro/QCoroTask>

#include <memory>

namespace strata::ui {
namespace {

const char *const kSslModes[] = {"",        "disable",   "allow",      "prefer",
                                 "require", "verify-ca", "verify-full"};

QString encoded(const QString &part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}

// The Host field as a URL's authority: one host, or a list as libpq takes it
// ("h1:5432,[::1]:5433,h3"); `port` goes to the entries that do not give their own.
QString authority(const QString &hosts, int port)
{
    QStringList entries;
    for (QString entry : hosts.split(QLatin1Char(','))) {
        entry = entry.trimmed();
        QString portText;
        if (entry.startsWith(QLatin1Char('['))) {
            const qsizetype close = entry.indexOf(QLatin1Char(']'));
            if (close >= 0 && entry.mid(close + 1).startsWith(QLatin1Char(':')))
                portText = entry.mid(close + 2);
            entry = entry.mid(1, close >= 0 ? close - 1 : -1);
        } else if (entry.count(QLatin1Char(':')) == 1) {
            portText = entry.section(QLatin1Char(':'), 1);
            entry = entry.section(QLatin1Char(':'), 0, 0);
        }
        // An IPv6 address in brackets; anything else encoded (a socket directory's '/').
        QString text = entry.contains(QLatin1Char(':'))
                           ? QLatin1Char('[') + entry + QLatin1Char(']')
                           : encoded(entry);
        if (!portText.isEmpty())
            text += QLatin1Char(':') + portText;
        else if (port > 0)
            text += QLatin1Char(':') + QString::number(port);
        entries << text;
    }
    return entries.join(QLatin1Char(','));
}

// Connects and disconnects `url`; what to say on success. Failures reach launchTask's onError.
QCoro::Task<QString> tryConnection(QString url)
{
    auto db = std::make_unique<orm::Database>(url);
    co_await db->connect();
    co_await db->disconnect();
    co_return ConnectionDialog::tr("Connected to %1").arg(db->displayUrl());
}

} // namespace

ConnectionDialog::ConnectionDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit)
    , m_backend(new QComboBox)
    , m_pages(new QStackedWidget)
    , m_host(new QLineEdit)
    , m_port(new QSpinBox)
    , m_database(new QLineEdit)
    , m_user(new QLineEdit)
    , m_password(new QLineEdit)
    , m_sslMode(new QComboBox)
    , m_file(new QLineEdit)
    , m_primary(new QCheckBox(tr("Open as the primary database")))
    , m_preview(new QLabel)
    , m_status(new QLabel)
    , m_test(new QPushButton(tr("&Test")))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(tr("Saved connection"));
    m_name->setObjectName(QStringLiteral("name"));
    m_backend->setObjectName(QStringLiteral("backend"));
    m_backend->addItem(QStringLiteral("PostgreSQL"));
    m_backend->addItem(QStringLiteral("SQLite"));
    m_host->setPlaceholderText(QStringLiteral("localhost"));
    m_host->setToolTip(tr("A host, or a list tried in order: db1:5432,db2:5433,[::1]"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("default (5432)"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setPlaceholderText(tr("kept in the system keyring, never in the file"));
    for (const char *mode : kSslModes)
        m_sslMode->addItem(*mode ? QLatin1String(mode) : tr("default"), QLatin1String(mode));
    m_file->setPlaceholderText(tr("/path/to/database.db"));
    m_preview->setObjectName(QStringLiteral("urlPreview"));
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("testStatus"));
    m_status->setWordWrap(true);
    m_test->setObjectName(QStringLiteral("testButton"));

    auto *postgres = new QWidget;
    auto *pgForm = new QFormLayout(postgres);
    pgForm->addRow(tr("Host"), m_host);
    pgForm->addRow(tr("Port"), m_port);
    pgForm->addRow(tr("Database"), m_database);
    pgForm->addRow(tr("User"), m_user);
    pgForm->addRow(tr("Password"), m_password);
    pgForm->addRow(tr("SSL mode"), m_sslMode);
    auto *sqlite = new QWidget;
    auto *sqliteForm = new QFormLayout(sqlite);
    auto *fileRow = new QHBoxLayout;
    auto *browse = new QPushButton(tr("Browse…"));
    fileRow->addWidget(m_file);
    fileRow->addWidget(browse);
    sqliteForm->addRow(tr("File"), fileRow);
    m_pages->addWidget(postgres);
    m_pages->addWidget(sqlite);

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Backend"), m_backend);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_pages);
    layout->addWidget(m_primary);
    layout->addWidget(m_preview);
    layout->addWidget(m_status);
    m_buttons->addButton(m_test, QDialogButtonBox::ActionRole);
    layout->addWidget(m_buttons);

    connect(m_backend, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_pages->setCurrentIndex(index);
        updateState();
    });
    for (QLineEdit *edit : {m_name, m_host, m_database, m_user, m_password, m_file})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::updateState);
    connect(m_port, &QSpinBox::valueChanged, this, &ConnectionDialog::updateState);
    connect(m_sslMode, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updateState);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("SQLite database"), m_file->text(),
            tr("SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"));
        if (!file.isEmpty())
            m_file->setText(file);
    });
    connect(m_test, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateState();
}

bool ConnectionDialog::isPostgres() const
{
    return m_backend->currentIndex() == 0;
}

void ConnectionDialog::setConnection(const SavedConnection &connection, const QString &password)
{
    m_name->setText(connection.name);
    m_primary->setChecked(connection.primary);
    m_password->setText(password);
    m_otherOptions.clear();
    orm::DatabaseUrl parsed;
    try {
        parsed = orm::DatabaseUrl::parse(connection.url);
    } catch (const orm::Error &error) {
        m_status->setText(error.toString());
        return;
    }
    if (parsed.backend() == orm::DatabaseUrl::Backend::Postgres) {
        m_backend->setCurrentIndex(0);
        // A host list keeps each host's port in the Host field.
        m_host->setText(parsed.isHostList() ? parsed.hostsText() : parsed.host());
        m_port->setValue(parsed.isHostList() ? 0 : parsed.port());
        m_database->setText(parsed.databaseName());
        m_user->setText(parsed.user());
        if (password.isEmpty() && parsed.hasPassword())
            m_password->setText(parsed.password());
        const int ssl = m_sslMode->findData(parsed.option(QStringLiteral("sslmode")));
        m_sslMode->setCurrentIndex(std::max(0, ssl));
        // Options without a field (target_session_attrs, application_name...) are kept as
        // they were; secrets never ride along unseen.
        for (auto it = parsed.options().cbegin(); it != parsed.options().cend(); ++it)
            if (it.key() != QLatin1String("sslmode") && !orm::isSecretOption(it.key()))
                m_otherOptions.insert(it.key(), it.value());
    } else {
        m_backend->setCurrentIndex(1);
        m_file->setText(parsed.path());
    }
    updateState();
}

QString ConnectionDialog::url(bool withPassword) const
{
    if (!isPostgres()) {
        QString path = m_file->text().trimmed();
        path.replace(QLatin1Char('%'), QStringLiteral("%25"))
            .replace(QLatin1Char('?'), QStringLiteral("%3F"))
            .replace(QLatin1Char('#'), QStringLiteral("%23"));
        return QStringLiteral("sqlite:///") + path;
    }
    QString text = QStringLiteral("postgresql://");
    const QString user = m_user->text().trimmed();
    if (!user.isEmpty()) {
        text += encoded(user);
        if (withPassword && !m_password->text().isEmpty())
            text += QLatin1Char(':') + encoded(m_password->text());
        text += QLatin1Char('@');
    }
    text += authority(m_host->text().trimmed(), m_port->value());
    text += QLatin1Char('/') + encoded(m_database->text().trimmed());
    QStringList options;
    const QString ssl = m_sslMode->currentData().toString();
    if (!ssl.isEmpty())
        options << QStringLiteral("sslmode=") + ssl;
    for (auto it = m_otherOptions.cbegin(); it != m_otherOptions.cend(); ++it)
        options << encoded(it.key()) + QLatin1Char('=') + encoded(it.value());
    if (!options.isEmpty())
        text += QLatin1Char('?') + options.join(QLatin1Char('&'));
    return text;
}

SavedConnection ConnectionDialog::connection() const
{
    return SavedConnection{m_name->text().trimmed(), withoutPassword(url(false)),
                           m_primary->isChecked()};
}

QString ConnectionDialog::password() const
{
    return isPostgres() ? m_password->text() : QString();
}

QString ConnectionDialog::problem() const
{
    if (m_name->text().trimmed().isEmpty())
        return tr("The connection needs a name.");
    if (isPostgres() && m_database->text().trimmed().isEmpty())
        return tr("Which database? (the PostgreSQL database name)");
    if (!isPostgres() && m_file->text().trimmed().isEmpty())
        return tr("Which file? (the SQLite database's path)");
    try {
        orm::DatabaseUrl::parse(url(true));
    } catch (const orm::Error &error) {
        return maskSecrets(error.toString());
    }
    return {};
}

void ConnectionDialog::updateState()
{
    m_preview->setText(tr("URL: %1").arg(url(false)));
    const QString why = problem();
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(why.isEmpty());
    m_test->setEnabled(!m_testing && (why.isEmpty() || m_name->text().trimmed().isEmpty()));
    if (!m_testing)
        m_status->setText(why);
}

void ConnectionDialog::testConnection()
{
    if (m_testing)
        return;
    m_testing = true;
    m_lastOk = false;
    m_test->setEnabled(false);
    m_status->setText(tr("Testing…"));
    launchTask(
        this, tryConnection(url(true)),
        [this](const QString &message) { onTestFinished(true, maskSecrets(message)); },
        [this](const TaskFailure &failure) {
            onTestFinished(false, maskSecrets(failure.message));
        });
}

void ConnectionDialog::onTestFinished(bool ok, const QString &message)
{
    m_testing = false;
    m_lastOk = ok;
    m_status->setText(ok ? message : tr("Failed: %1").arg(message));
    m_status->setStyleSheet(toneStyleSheet(ok ? Tone::Success : Tone::Error, palette()));
    updateState();
    m_status->setText(ok ? message : tr("Failed: %1").arg(message));
    emit testFinished(ok, message);
}

QString ConnectionDialog::testResult() const
{
    return m_status->text();
}

void ConnectionDialog::done(int result)
{
    if (result == QDialog::Accepted && !problem().isEmpty()) {
        m_status->setText(problem());
        return;
    }
    QDialog::done(result);
}

} // namespace strata::ui
