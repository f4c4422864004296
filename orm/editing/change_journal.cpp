#include "orm/editing/change_journal.h"

#include "orm/core/error.h"

#include <QDate>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTime>
#include <QUuid>

#include <charconv>
#include <cstdio>

#include <sys/file.h>

namespace orm::editing {

QString kindName(StagedChange::Kind kind)
{
    switch (kind) {
    case StagedChange::Kind::Update:
        return QStringLiteral("update");
    case StagedChange::Kind::Insert:
        return QStringLiteral("insert");
    case StagedChange::Kind::Delete:
        return QStringLiteral("delete");
    }
    return {};
}

namespace {

const QString kMagic = QStringLiteral("strata-edits");
constexpr int kVersion = 1;

[[noreturn]] void fail(const QString &message)
{
    throw Error(Error::Kind::Configuration, message);
}

// Values keep their type through the file: a string is a JSON string, NULL is null, the rest
// are tagged ({"int": "9007199254740993"}: JSON numbers would round 64-bit integers).
QJsonValue encode(const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return QJsonValue::Null;
    switch (value.typeId()) {
    case QMetaType::QString:
        return value.toString();
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return QJsonObject{{QStringLiteral("int"), value.toString()}};
    case QMetaType::Double:
    case QMetaType::Float:
        return QJsonObject{{QStringLiteral("real"), value.toDouble()}};
    case QMetaType::QByteArray:
        return QJsonObject{
            {QStringLiteral("bytes"), QString::fromLatin1(value.toByteArray().toBase64())}};
    case QMetaType::QDate:
        return QJsonObject{{QStringLiteral("date"), value.toDate().toString(Qt::ISODate)}};
    case QMetaType::QTime:
        return QJsonObject{{QStringLiteral("time"), value.toTime().toString(Qt::ISODateWithMs)}};
    case QMetaType::QDateTime: {
        const QDateTime dt = value.toDateTime();
        return QJsonObject{{QStringLiteral("datetime"),
                            dt.toOffsetFromUtc(dt.offsetFromUtc()).toString(Qt::ISODateWithMs)}};
    }
    case QMetaType::QUuid:
        return QJsonObject{{QStringLiteral("uuid"), value.toUuid().toString(QUuid::WithoutBraces)}};
    default:
        return value.toString();
    }
}

QVariant decode(const QJsonValue &json)
{
    if (json.isNull() || json.isUndefined())
        return {};
    if (json.isString())
        return json.toString();
    if (json.isBool())
        return json.toBool();
    if (json.isDouble())
        return json.toDouble();
    const QJsonObject object = json.toObject();
    if (object.contains(QLatin1String("int")))
        return object.value(QLatin1String("int")).toString().toLongLong();
    if (object.contains(QLatin1String("real")))
        return object.value(QLatin1String("real")).toDouble();
    if (object.contains(QLatin1String("bytes")))
        return QByteArray::fromBase64(object.value(QLatin1String("bytes")).toString().toLatin1());
    if (object.contains(QLatin1String("date")))
        return QDate::fromString(object.value(QLatin1String("date")).toString(), Qt::ISODate);
    if (object.contains(QLatin1String("time")))
        return QTime::fromString(object.value(QLatin1String("time")).toString(), Qt::ISODateWithMs);
    if (object.contains(QLatin1String("datetime")))
        return QDateTime::fromString(object.value(QLatin1String("datetime")).toString(),
                                     Qt::ISODateWithMs);
    if (object.contains(QLatin1String("uuid")))
        return QUuid::fromString(object.value(QLatin1String("uuid")).toString());
    return {};
}

QJsonArray encodeList(const QVariantList &values)
{
    QJsonArray array;
    for (const QVariant &value : values)
        array.append(encode(value));
    return array;
}

QVariantList decodeList(const QJsonArray &array)
{
    QVariantList values;
    for (const QJsonValue &value : array)
        values.append(decode(value));
    return values;
}

QJsonObject encodeMap(const QVariantMap &values)
{
    QJsonObject object;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        object.insert(it.key(), encode(it.value()));
    return object;
}

QVariantMap decodeMap(const QJsonObject &object)
{
    QVariantMap values;
    for (auto it = object.begin(); it != object.end(); ++it)
        values.insert(it.key(), decode(it.value()));
    return values;
}

QJsonObject encodeChange(const StagedChange &change)
{
    QJsonObject object{{QStringLiteral("kind"), kindName(change.kind)},
                       {QStringLiteral("id"), change.id}};
    if (!change.key.isEmpty())
        object.insert(QStringLiteral("key"), encodeList(change.key));
    if (change.insertId)
        object.insert(QStringLiteral("insert"), change.insertId);
    if (change.kind == StagedChange::Kind::Update) {
        object.insert(QStringLiteral("column"), change.column);
        object.insert(QStringLiteral("seen"), encode(change.seen));
        object.insert(QStringLiteral("value"), encode(change.value));
    }
    if (!change.values.isEmpty())
        object.insert(QStringLiteral("values"), encodeMap(change.values));
    return object;
}

StagedChange decodeChange(const QJsonObject &object)
{
    StagedChange change;
    const QString kind = object.value(QLatin1String("kind")).toString();
    change.kind = kind == QLatin1String("insert")   ? StagedChange::Kind::Insert
                  : kind == QLatin1String("delete") ? StagedChange::Kind::Delete
                                                    : StagedChange::Kind::Update;
    change.id = object.value(QLatin1String("id")).toInt();
    change.key = decodeList(object.value(QLatin1String("key")).toArray());
    change.insertId = object.value(QLatin1String("insert")).toInt();
    change.column = object.value(QLatin1String("column")).toString();
    change.seen = decode(object.value(QLatin1String("seen")));
    change.value = decode(object.value(QLatin1String("value")));
    change.values = decodeMap(object.value(QLatin1String("values")).toObject());
    return change;
}

// The stage records by hand: a paste of 10,000 cells is journaled as it is staged, on the
// thread that stages it, and QJsonDocument costs several times this. Read back with
// QJsonDocument like every other record.
// A literal's bytes, its length known at compile time (no strlen per record).
template <qsizetype N>
void appendLiteral(QByteArray &out, const char (&text)[N])
{
    out.append(text, N - 1);
}

void appendNumber(QByteArray &out, qint64 n)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end - digits);
}

void appendString(QByteArray &out, const QString &text)
{
    // Plain ASCII with nothing to escape (the usual cell) is copied straight in.
    const qsizetype size = text.size();
    const auto *chars = reinterpret_cast<const char16_t *>(text.utf16());
    bool plain = true;
    for (qsizetype i = 0; i < size && plain; ++i)
        plain = chars[i] >= 0x20 && chars[i] < 0x80 && chars[i] != u'"' && chars[i] != u'\\';
    if (plain) {
        const qsizetype at = out.size();
        out.resize(at + size + 2);
        char *to = out.data() + at;
        *to++ = '"';
        for (qsizetype i = 0; i < size; ++i)
            *to++ = char(chars[i]);
        *to = '"';
        return;
    }
    out += '"';
    // ASCII goes straight in; anything else through one UTF-8 conversion.
    bool ascii = true;
    for (const QChar c : text)
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    const QByteArray utf8 = ascii ? QByteArray() : text.toUtf8();
    const auto escaped = [&out](char c) {
        switch (c) {
        case '"':
            appendLiteral(out, "\\\"");
            break;
        case '\\':
            appendLiteral(out, "\\\\");
            break;
        case '\n':
            appendLiteral(out, "\\n");
            break;
        case '\r':
            appendLiteral(out, "\\r");
            break;
        case '\t':
            appendLiteral(out, "\\t");
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escape[8];
                std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(c));
                out += escape;
            } else {
                out += c;
            }
        }
    };
    if (ascii)
        for (const QChar c : text)
            escaped(char(c.unicode()));
    else
        for (const char c : utf8)
            escaped(c);
    out += '"';
}

void appendValue(QByteArray &out, const QVariant &value)
{
    if (!value.isValid() || value.isNull()) {
        appendLiteral(out, "null");
        return;
    }
    switch (value.typeId()) {
    case QMetaType::QString:
        appendString(out, *static_cast<const QString *>(value.constData()));
        return;
    case QMetaType::Bool:
        out += value.toBool() ? "true" : "false";
        return;
    case QMetaType::Int:
        appendLiteral(out, "{\"int\":\"");
        appendNumber(out, *static_cast<const int *>(value.constData()));
        appendLiteral(out, "\"}");
        return;
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::Long:
        appendLiteral(out, "{\"int\":\"");
        appendNumber(out, value.toLongLong());
        appendLiteral(out, "\"}");
        return;
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        out += "{\"int\":\"" + QByteArray::number(value.toULongLong()) + "\"}";
        return;
    default: {
        // The rarer types go the long way, to the same text.
        const QJsonArray wrapped{encode(value)};
        const QByteArray text = QJsonDocument(wrapped).toJson(QJsonDocument::Compact);
        out += text.mid(1, text.size() - 2);
        return;
    }
    }
}

void appendStage(QByteArray &out, const StagedChange &change)
{
    appendLiteral(out, "{\"op\":\"stage\",\"change\":{\"kind\":\"");
    out += change.kind == StagedChange::Kind::Update   ? "update"
           : change.kind == StagedChange::Kind::Insert ? "insert"
                                                       : "delete";
    appendLiteral(out, "\",\"id\":");
    appendNumber(out, change.id);
    if (!change.key.isEmpty()) {
        appendLiteral(out, ",\"key\":[");
        for (qsizetype i = 0; i < change.key.size(); ++i) {
            if (i)
                out += ',';
            appendValue(out, change.key[i]);
        }
        out += ']';
    }
    if (change.insertId) {
        appendLiteral(out, ",\"insert\":");
        appendNumber(out, change.insertId);
    }
    if (change.kind == StagedChange::Kind::Update) {
        appendLiteral(out, ",\"column\":");
        appendString(out, change.column);
        appendLiteral(out, ",\"seen\":");
        appendValue(out, change.seen);
        appendLiteral(out, ",\"value\":");
        appendValue(out, change.value);
    }
    if (!change.values.isEmpty()) {
        appendLiteral(out, ",\"values\":{");
        bool first = true;
        for (auto it = change.values.cbegin(); it != change.values.cend(); ++it) {
            if (!first)
                out += ',';
            first = false;
            appendString(out, it.key());
            out += ':';
            appendValue(out, it.value());
        }
        out += '}';
    }
    appendLiteral(out, "}}\n");
}

QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QJsonObject encodeHeader(const JournalHeader &header)
{
    QJsonArray key;
    for (const QString &column : header.key)
        key.append(column);
    return {{QStringLiteral("journal"), kMagic},
            {QStringLiteral("version"), kVersion},
            {QStringLiteral("connection"), header.connection},
            {QStringLiteral("schema"), header.schema},
            {QStringLiteral("table"), header.table},
            {QStringLiteral("model"), header.model},
            {QStringLiteral("key"), key},
            {QStringLiteral("created"), header.created.toUTC().toString(Qt::ISODateWithMs)}};
}

std::optional<JournalHeader> decodeHeader(const QJsonObject &object)
{
    if (object.value(QLatin1String("journal")).toString() != kMagic ||
        object.value(QLatin1String("version")).toInt() != kVersion)
        return std::nullopt;
    JournalHeader header;
    header.connection = object.value(QLatin1String("connection")).toString();
    header.schema = object.value(QLatin1String("schema")).toString();
    header.table = object.value(QLatin1String("table")).toString();
    header.model = object.value(QLatin1String("model")).toString();
    for (const QJsonValue &column : object.value(QLatin1String("key")).toArray())
        header.key << column.toString();
    header.created =
        QDateTime::fromString(object.value(QLatin1String("created")).toString(), Qt::ISODateWithMs);
    return header;
}

// An exclusive flock, held for as long as the file stays open: the kernel drops it when the
// owning process dies, however it dies.
bool tryLock(QFile &file)
{
    return ::flock(file.handle(), LOCK_EX | LOCK_NB) == 0;
}

bool isOwned(const QString &path)
{
    QFile probe(path);
    if (!probe.open(QIODevice::ReadOnly))
        return false;
    return !tryLock(probe); // closing the probe drops what it took
}

} // namespace

QString JournalSummary::description() const
{
    const QString changes = pendingCount == 1
                                ? QStringLiteral("1 unsaved change")
                                : QStringLiteral("%1 unsaved changes").arg(pendingCount);
    const QString where =
        header.connection.isEmpty() ? QString() : QStringLiteral(" in ") + header.connection;
    const QString schema =
        header.schema.isEmpty() ? QString() : QStringLiteral(", schema ") + header.schema;
    return changes + QStringLiteral(" to ") +
           (header.model.isEmpty() ? header.table : header.model) + where + schema;
}

ChangeJournal::ChangeJournal(QString path, std::unique_ptr<QFile> file)
    : m_path(std::move(path))
    , m_file(std::move(file))
{
}

ChangeJournal::~ChangeJournal() = default;

std::unique_ptr<ChangeJournal> ChangeJournal::create(const QString &directory,
                                                     const JournalHeader &header)
{
    if (directory.isEmpty())
        fail(QStringLiteral("the change journal needs a directory"));
    QDir dir(directory);
    if (!dir.exists()) {
        if (!QDir().mkpath(directory))
            fail(QStringLiteral("cannot create the change journal directory %1").arg(directory));
        QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                             QFileDevice::ExeOwner);
    }
    const QString path = dir.absoluteFilePath(
        QStringLiteral("edits-%1.journal").arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::NewOnly,
                    QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        fail(QStringLiteral("cannot create the change journal in %1: %2")
                 .arg(directory, file->errorString()));
    if (!tryLock(*file))
        fail(QStringLiteral("cannot lock the change journal %1").arg(path));
    std::unique_ptr<ChangeJournal> journal(new ChangeJournal(path, std::move(file)));
    journal->write(line(encodeHeader(header)));
    return journal;
}

std::unique_ptr<ChangeJournal> ChangeJournal::adopt(const QString &path)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadWrite | QIODevice::Append))
        fail(
            QStringLiteral("cannot open the change journal %1: %2").arg(path, file->errorString()));
    if (!tryLock(*file))
        fail(QStringLiteral("the change journal %1 belongs to a change set still open").arg(path));
    // A torn last line (the process died mid-write) must not swallow the next record.
    if (file->size() > 0) {
        file->seek(file->size() - 1);
        char last = '\n';
        file->getChar(&last);
        if (last != '\n')
            file->write("\n");
    }
    return std::unique_ptr<ChangeJournal>(new ChangeJournal(path, std::move(file)));
}

ChangeJournal::Contents ChangeJournal::read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(QStringLiteral("cannot read the change journal %1: %2").arg(path, file.errorString()));
    Contents contents;
    bool headerSeen = false;
    while (!file.atEnd()) {
        const QByteArray text = file.readLine();
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            continue; // a line torn by a crash
        const QJsonObject object = document.object();
        if (!headerSeen) {
            const std::optional<JournalHeader> header = decodeHeader(object);
            if (!header)
                fail(QStringLiteral("%1 is not a Strata change journal").arg(path));
            contents.header = *header;
            headerSeen = true;
            continue;
        }
        const QString op = object.value(QLatin1String("op")).toString();
        QList<StagedChange> &changes = contents.changes;
        if (op == QLatin1String("stage")) {
            changes.append(decodeChange(object.value(QLatin1String("change")).toObject()));
        } else if (op == QLatin1String("undo")) {
            if (!changes.isEmpty())
                changes.removeLast();
        } else if (op == QLatin1String("drop")) {
            QList<int> ids;
            for (const QJsonValue &id : object.value(QLatin1String("ids")).toArray())
                ids << id.toInt();
            changes.removeIf([&ids](const StagedChange &c) { return ids.contains(c.id); });
        } else if (op == QLatin1String("replace")) {
            const StagedChange change =
                decodeChange(object.value(QLatin1String("change")).toObject());
            for (StagedChange &c : changes)
                if (c.id == change.id)
                    c = change;
        }
    }
    if (!headerSeen)
        fail(QStringLiteral("%1 is not a Strata change journal").arg(path));
    return contents;
}

QList<JournalSummary> ChangeJournal::list(const QString &directory)
{
    QList<JournalSummary> summaries;
    const QDir dir(directory);
    const QStringList names = dir.entryList({QStringLiteral("edits-*.journal")}, QDir::Files);
    for (const QString &name : names) {
        const QString path = dir.absoluteFilePath(name);
        if (isOwned(path))
            continue;
        try {
            const Contents contents = read(path);
            summaries.append({path, contents.header, int(contents.changes.size())});
        } catch (const Error &) {
            // Not ours to show: another program's file, or one cut off before its header.
        }
    }
    std::sort(summaries.begin(), summaries.end(),
              [](const JournalSummary &a, const JournalSummary &b) {
                  return a.header.created < b.header.created;
              });
    return summaries;
}

void ChangeJournal::discard(const QString &path)
{
    if (isOwned(path))
        fail(QStringLiteral("the change journal %1 belongs to a change set still open").arg(path));
    if (QFile::exists(path) && !QFile::remove(path))
        fail(QStringLiteral("cannot remove the change journal %1").arg(path));
}

void ChangeJournal::write(const QByteArray &lines)
{
    if (!m_file)
        return;
    // Unbuffered in effect: each record reaches the kernel before the call returns, which a
    // killed process cannot take back.
    if (m_file->write(lines) != lines.size() || !m_file->flush())
        qWarning("strata: cannot write the change journal %s: %s", qPrintable(m_path),
                 qPrintable(m_file->errorString()));
}

void ChangeJournal::stage(const StagedChange &change)
{
    QByteArray text;
    appendStage(text, change);
    write(text);
}

void ChangeJournal::stageAll(std::span<const StagedChange> changes)
{
    QByteArray lines;
    lines.reserve(changes.size() * 96);
    for (const StagedChange &change : changes)
        appendStage(lines, change);
    write(lines);
}

void ChangeJournal::undo()
{
    write(line({{QStringLiteral("op"), QStringLiteral("undo")}}));
}

void ChangeJournal::drop(const QList<int> &ids)
{
    QJsonArray array;
    for (int id : ids)
        array.append(id);
    write(line({{QStringLiteral("op"), QStringLiteral("drop")}, {QStringLiteral("ids"), array}}));
}

void ChangeJournal::replace(const StagedChange &change)
{
    write(line({{QStringLiteral("op"), QStringLiteral("replace")},
                {QStringLiteral("change"), encodeChange(change)}}));
}

void ChangeJournal::remove()
{
    if (!m_file)
        return;
    m_file->close();
    m_file.reset();
    QFile::remove(m_path);
}

} // namespace orm::editing
