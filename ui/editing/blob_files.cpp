#include "blob_files.h"

#include <QFile>
#include <QFileInfo>
#include <QObject>
#include <QSaveFile>

namespace strata::ui::editing {

QString byteSize(qint64 bytes)
{
    if (bytes < 1024)
        return bytes == 1 ? QObject::tr("1 byte") : QObject::tr("%1 bytes").arg(bytes);
    const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        ++unit;
    }
    return QString::number(value, 'g', value < 10 ? 2 : 4) + QLatin1Char(' ') +
           QLatin1String(units[unit]);
}

BlobFile readBlobFile(const QString &path, qint64 limit)
{
    const QFileInfo info(path);
    if (!info.exists())
        return {{}, QObject::tr("%1 does not exist").arg(path)};
    if (!info.isFile())
        return {{}, QObject::tr("%1 is not a file").arg(path)};
    if (info.size() > limit)
        return {{},
                QObject::tr("%1 is %2, more than the %3 a cell takes from a file")
                    .arg(info.fileName(), byteSize(info.size()), byteSize(limit))};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, QObject::tr("%1 cannot be read: %2").arg(path, file.errorString())};
    // Read past the limit by one byte: a file that grew since it was looked at is refused too.
    QByteArray bytes = file.read(limit + 1);
    if (file.error() != QFileDevice::NoError)
        return {{}, QObject::tr("%1 cannot be read: %2").arg(path, file.errorString())};
    if (bytes.size() > limit)
        return {{},
                QObject::tr("%1 is more than the %2 a cell takes from a file")
                    .arg(info.fileName(), byteSize(limit))};
    return {bytes, {}};
}

QString writeBlobFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("%1 cannot be written: %2").arg(path, file.errorString());
    if (file.write(bytes) != bytes.size() || !file.commit())
        return QObject::tr("%1 cannot be written: %2").arg(path, file.errorString());
    return {};
}

} // namespace strata::ui::editing
