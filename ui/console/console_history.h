#pragma once

// The console's history, per connection: every run's text, time, duration, rows and outcome,
// kept as JSON lines in the user's data directory (QStandardPaths::AppDataLocation). The key is
// the database's display URL (password masked), and secrets written in the SQL itself
// (PASSWORD '...', a URL's or a conninfo's password) are masked by orm::maskSecrets before
// anything is stored. The files are the user's alone (mode 0600).

#include <QDateTime>
#include <QList>
#include <QString>

namespace strata::ui {

struct HistoryEntry {
    QString sql;
    QDateTime time;
    qint64 durationMs = 0;
    qint64 rows = -1; // rows returned or affected; -1 when none were reported
    bool ok = true;
    QString error;
};

class ConsoleHistory {
public:
    // `connection`: the database's display URL (never with a password).
    explicit ConsoleHistory(QString connection);

    const QString &connection() const { return m_connection; }
    QString filePath() const;
    void append(HistoryEntry entry);
    // Newest first.
    QList<HistoryEntry> entries() const;
    // Entries whose text (or error) contains `text`, case-insensitively; newest first.
    QList<HistoryEntry> search(const QString &text) const;
    void clear();

    static constexpr int kMaxEntries = 2000;

private:
    QString m_connection;
};

} // namespace strata::ui
