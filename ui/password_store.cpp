#include "password_store.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace strata::ui {
namespace {

const QString kService = QStringLiteral("strata");

// Runs a keyring job to its end, or gives up after a few seconds (no keyring service).
bool runJob(QKeychain::Job &job, QString *error)
{
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    if (!finished)
        loop.exec();
    if (!finished) {
        if (error)
            *error = QStringLiteral("the system keyring did not answer");
        return false;
    }
    if (job.error() != QKeychain::NoError) {
        if (error)
            *error = job.errorString();
        return false;
    }
    return true;
}

} // namespace

QString readPassword(const QString &connection, QString *error)
{
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(connection);
    return runJob(job, error) ? job.textData() : QString();
}

bool storePassword(const QString &connection, const QString &password, QString *error)
{
    QKeychain::WritePasswordJob job(kService);
    job.setKey(connection);
    job.setTextData(password);
    return runJob(job, error);
}

bool forgetPassword(const QString &connection)
{
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(connection);
    return runJob(job, nullptr);
}

QString completePassword(const QString &connection, const QString &url)
{
    orm::DatabaseUrl parsed;
    try {
        parsed = orm::DatabaseUrl::parse(url);
    } catch (const orm::Error &) {
        return url; // the registry reports the bad URL
    }
    if (parsed.backend() != orm::DatabaseUrl::Backend::Postgres || parsed.hasPassword() ||
        parsed.user().isEmpty())
        return url;
    const QString password = readPassword(connection);
    return password.isEmpty() ? url : parsed.withPassword(password).toString();
}

} // namespace strata::ui
