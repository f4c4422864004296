#pragma once

// The crash journal of a change set: every staged change appended to a file as it is made, so
// that edits survive the program being killed. One file per change set, mode 0600, in a
// directory the caller gives; JSON lines (a header, then one record per stage / undo / drop /
// replace; a torn last line is ignored). It names the connection by the name the user knows
// it by, never by its URL: no password can be in it. While a change set owns a journal it
// holds an flock on it, so that list() offers only journals whose owner is gone.
//
// What survives: each staging call's records reach the kernel (one write(2)) before the call
// returns, so a killed or crashed process loses nothing staged. There is no fsync: a power
// loss or a kernel crash may lose the last records. fdatasync cost 0.1 to 10 ms a call on the
// shared test machine (ext4), on the thread that stages (the GUI thread), where a paste of
// 10,000 cells has 8 ms in all.

#include "orm/editing/staged_change.h"

#include <QDateTime>
#include <QFile>
#include <QList>
#include <QStringList>

#include <memory>
#include <span>

namespace orm::editing {

struct JournalHeader {
    QString connection; // the connection's name ("pagila"), never its URL
    QString schema;
    QString table;
    QString model;
    QStringList key; // the row identity's columns when it was written
    QDateTime created;
};

// A journal left behind.
struct JournalSummary {
    QString path;
    JournalHeader header;
    int pendingCount = 0;
    // "3 unsaved changes to film in pagila" (with the schema when there is one: "in pagila,
    // schema acme").
    QString description() const;
};

class ChangeJournal {
public:
    ~ChangeJournal();
    ChangeJournal(const ChangeJournal &) = delete;
    ChangeJournal &operator=(const ChangeJournal &) = delete;

    // A new journal in `directory` (made 0700 if missing). Throws Error(Configuration) naming
    // the directory when the file cannot be made.
    static std::unique_ptr<ChangeJournal> create(const QString &directory,
                                                 const JournalHeader &header);
    // Takes over a journal left behind (to go on writing into it once it is loaded). Throws
    // Error(Configuration) when it is unreadable or still owned by a running change set.
    static std::unique_ptr<ChangeJournal> adopt(const QString &path);

    // The journals in `directory` that no running change set owns, oldest first; unreadable
    // files are skipped.
    static QList<JournalSummary> list(const QString &directory);
    // A journal's header and its changes, replayed. Throws Error(Configuration) naming the
    // file when it is not a journal.
    struct Contents {
        JournalHeader header;
        QList<StagedChange> changes;
    };
    static Contents read(const QString &path);
    // Deletes a journal left behind. Throws Error(Configuration) when a running change set
    // owns it.
    static void discard(const QString &path);

    const QString &path() const { return m_path; }
    void stage(const StagedChange &change);
    void stageAll(std::span<const StagedChange> changes);
    void undo();
    void drop(const QList<int> &ids);
    void replace(const StagedChange &change);
    // Removes the file (after a commit or a revert); the journal is spent.
    void remove();

private:
    ChangeJournal(QString path, std::unique_ptr<QFile> file);
    void write(const QByteArray &lines);

    QString m_path;
    std::unique_ptr<QFile> m_file;
};

} // namespace orm::editing
