#pragma once

// A bytea / blob cell from and to a file: the file's bytes read whole (refused past a limit,
// since the value is staged in memory and sent as one parameter), and a cell's bytes written
// exactly. The grid's "Load from file…" and "Save to file…" call these with the path the file
// dialog gave (tests give it themselves).

#include <QByteArray>
#include <QString>

namespace strata::ui::editing {

// The largest file loaded into a cell: 64 MiB.
constexpr qint64 kMaxBlobFileBytes = qint64(64) << 20;

struct BlobFile {
    QByteArray bytes;
    QString error; // empty: read
    bool ok() const { return error.isEmpty(); }
};

// The file's bytes, or why not (missing, unreadable, over `limit` with both sizes named).
BlobFile readBlobFile(const QString &path, qint64 limit = kMaxBlobFileBytes);
// Writes `bytes` to `path` exactly (replacing it, atomically); empty, or why it failed.
QString writeBlobFile(const QString &path, const QByteArray &bytes);

// "64 MiB", "1.5 KiB", "12 bytes".
QString byteSize(qint64 bytes);

} // namespace strata::ui::editing
