#include "orm/drivers/sqlite/sqlite_lock_holder.h"

#include <QFile>
#include <QStringList>

#include <limits>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace orm::drivers::detail {
namespace {

// SQLite's lock bytes (os_unix.c): PENDING_BYTE, RESERVED_BYTE, then the 510 shared bytes.
constexpr qint64 kLockFirst = 0x40000000;
constexpr qint64 kLockLast = kLockFirst + 2 + 510 - 1;
// The WAL index's write lock (WALINDEX_LOCK_OFFSET + WAL_WRITE_LOCK).
constexpr qint64 kWalWriteLock = 120;

struct Lock {
    qint64 pid = 0;
    bool write = false;
};

// The locks other processes hold on `path` over [first, last].
QList<Lock> locksOn(const QString &path, qint64 first, qint64 last)
{
    QList<Lock> found;
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return found;
    const QString device = QStringLiteral("%1:%2:%3")
                               .arg(major(st.st_dev), 2, 16, QLatin1Char('0'))
                               .arg(minor(st.st_dev), 2, 16, QLatin1Char('0'))
                               .arg(qulonglong(st.st_ino));
    QFile locks(QStringLiteral("/proc/locks"));
    if (!locks.open(QIODevice::ReadOnly | QIODevice::Text))
        return found;
    // "1: POSIX  ADVISORY  WRITE 6901 fe:00:10952764 1073741824 1073742335" (end may be EOF)
    const QStringList lines = QString::fromLatin1(locks.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const QStringList f = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (f.size() < 8 || f[1] != QLatin1String("POSIX") || f[5] != device)
            continue;
        const qint64 pid = f[4].toLongLong();
        const qint64 start = f[6].toLongLong();
        const qint64 end =
            f[7] == QLatin1String("EOF") ? std::numeric_limits<qint64>::max() : f[7].toLongLong();
        if (pid <= 0 || pid == ::getpid() || end < first || start > last)
            continue;
        found.append({pid, f[3] == QLatin1String("WRITE")});
    }
    return found;
}

QString describe(qint64 pid)
{
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    const QString name = comm.open(QIODevice::ReadOnly)
                             ? QString::fromLocal8Bit(comm.readAll()).trimmed()
                             : QString();
    return name.isEmpty() ? QStringLiteral("process %1").arg(pid)
                          : QStringLiteral("process %1 (%2)").arg(pid).arg(name);
}

} // namespace

QString sqliteLockHolder(const QString &path)
{
    const QList<Lock> file = locksOn(path, kLockFirst, kLockLast);
    for (const Lock &lock : file)
        if (lock.write)
            return describe(lock.pid);
    for (const Lock &lock : locksOn(path + QStringLiteral("-shm"), kWalWriteLock, kWalWriteLock))
        if (lock.write)
            return describe(lock.pid);
    return file.isEmpty() ? QString() : describe(file.first().pid);
}

} // namespace orm::drivers::detail
