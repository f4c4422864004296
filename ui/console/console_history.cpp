#include "console_history.h"

#include "private_file.h"

#include "orm/core/secrets.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace strata::ui {

ConsoleHistory::ConsoleHistory(QString connection)
    : m_connection(std::move(connection))
{
}

QString ConsoleHistory::filePath() const
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                        QStringLiteral("/console-history");
    const QByteArray hash =
        QCryptographicHash::hash(m_connection.toUtf8(), QCryptographicHash::Sha1).toHex();
    return dir + QLatin1Char('/') + QString::fromLatin1(hash.left(16)) + QStringLiteral(".jsonl");
}

void ConsoleHistory::append(HistoryEntry entry)
{
    const QString path = filePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QJsonObject object;
    object[QStringLiteral("connection")] = m_connection;
    object[QStringLiteral("sql")] = orm::maskSecrets(entry.sql);
    object[QStringLiteral("time")] = entry.time.toString(Qt::ISODateWithMs);
    object[QStringLiteral("durationMs")] = entry.durationMs;
    object[QStringLiteral("rows")] = entry.rows;
    object[QStringLiteral("ok")] = entry.ok;
    if (!entry.ok)
        object[QStringLiteral("error")] = orm::maskSecrets(entry.error);
    QFile file(path);
    if (!openPrivateFile(file, QIODevice::Append | QIODevice::Text))
        return;
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
    const qint64 size = file.size();
    file.close();
    // Keep the file from growing without end: rewrite the newest entries now and then.
    if (size > 4 << 20) {
        QList<HistoryEntry> kept = entries().mid(0, kMaxEntries);
        QFile rewrite(path);
        if (openPrivateFile(rewrite,
                            QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            for (auto it = kept.crbegin(); it != kept.crend(); ++it) {
                QJsonObject o;
                o[QStringLiteral("connection")] = m_connection;
                o[QStringLiteral("sql")] = it->sql;
                o[QStringLiteral("time")] = it->time.toString(Qt::ISODateWithMs);
                o[QStringLiteral("durationMs")] = it->durationMs;
                o[QStringLiteral("rows")] = it->rows;
                o[QStringLiteral("ok")] = it->ok;
                if (!it->ok)
                    o[QStringLiteral("error")] = it->error;
                rewrite.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
            }
        }
    }
}

QList<HistoryEntry> ConsoleHistory::entries() const
{
    QList<HistoryEntry> out;
    QFile file(filePath());
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return out;
    while (!file.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
        if (o.isEmpty())
            continue;
        HistoryEntry e;
        e.sql = o.value(QStringLiteral("sql")).toString();
        e.time =
            QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
        e.durationMs = o.value(QStringLiteral("durationMs")).toInteger();
        e.rows = o.value(QStringLiteral("rows")).toInteger(-1);
        e.ok = o.value(QStringLiteral("ok")).toBool(true);
        e.error = o.value(QStringLiteral("error")).toString();
        out.prepend(e);
    }
    return out;
}

QList<HistoryEntry> ConsoleHistory::search(const QString &text) const
{
    QList<HistoryEntry> out;
    for (const HistoryEntry &e : entries())
        if (text.isEmpty() || e.sql.contains(text, Qt::CaseInsensitive) ||
            e.error.contains(text, Qt::CaseInsensitive))
            out.append(e);
    return out;
}

void ConsoleHistory::clear()
{
    QFile::remove(filePath());
}

} // namespace strata::ui
