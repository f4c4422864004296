#include "cell_editors.h"

#include "ui/cell_format.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDoubleValidator>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QTextDocument>
#include <QUuid>

namespace strata::ui::editing {
namespace {

// The column an editor was made for travels with it, so that any delegate can read it back.
const char *const kTypeProperty = "strataLogicalType";
const char *const kTypeNameProperty = "strataTypeName";
// A list of the column's values (not a boolean's true / false), and the row it opened on.
const char *const kChoicesProperty = "strataChoices";
const char *const kOpenedOnProperty = "strataOpenedOn";

bool isChoiceList(const QWidget *editor)
{
    return editor->property(kChoicesProperty).toBool();
}

orm::Column columnOf(const QWidget *editor)
{
    orm::Column column;
    column.type = orm::LogicalType(editor->property(kTypeProperty).toInt());
    column.typeName = editor->property(kTypeNameProperty).toString();
    return column;
}

QString rawText(const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return {};
    if (value.metaType().id() == QMetaType::QByteArray)
        return QString::fromUtf8(value.toByteArray());
    return value.toString();
}

bool rawBool(const QVariant &value)
{
    const QString text = rawText(value).toLower();
    return text == QLatin1String("t") || text == QLatin1String("true") ||
           text == QLatin1String("1");
}

// The timestamp forms PostgreSQL and SQLite both read: a date, a time, fractions and a zone.
const QRegularExpression &timestampPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\d{4,}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?"
                       "\\s*(Z|[+-]\\d{2}(:?\\d{2})?)?$"));
    return pattern;
}

const QRegularExpression &timePattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(\\s*(Z|[+-]\\d{2}(:?\\d{2})?))?$"));
    return pattern;
}

} // namespace

namespace {

// The list of a column's values, the stored one among them.
QWidget *choiceEditor(const orm::Column &column, const QVariant &current,
                      const QStringList &choices, QWidget *parent)
{
    auto *box = new QComboBox(parent);
    box->setProperty(kChoicesProperty, true);
    box->addItems(choices);
    // A stored value the list lacks (a label renamed since it was read) is still shown.
    const QString text = rawText(current);
    if (!text.isNull() && !choices.contains(text))
        box->insertItem(0, text);
    box->setToolTip(QObject::tr("One of the values of %1").arg(column.typeName));
    return box;
}

QWidget *typeEditor(const orm::Column &column, const QVariant &current, QWidget *parent)
{
    switch (column.type) {
    case orm::LogicalType::Bool: {
        auto *box = new QComboBox(parent);
        box->addItems({QStringLiteral("true"), QStringLiteral("false")});
        return box;
    }
    case orm::LogicalType::Date: {
        auto *date = new QDateEdit(parent);
        date->setCalendarPopup(true);
        date->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        return date;
    }
    case orm::LogicalType::Json:
        return new QPlainTextEdit(parent);
    case orm::LogicalType::Text:
    case orm::LogicalType::Unknown: {
        const QString text = rawText(current);
        if (text.size() > kLongText || text.contains(QLatin1Char('\n')))
            return new QPlainTextEdit(parent);
        return new QLineEdit(parent);
    }
    default: {
        auto *line = new QLineEdit(parent);
        // Numbers are checked as they are typed; the rest when taken (parseCellText).
        if (column.type == orm::LogicalType::Integer)
            line->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("[+-]?\\d*")), line));
        else if (column.type == orm::LogicalType::Real || column.type == orm::LogicalType::Numeric)
            line->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("[+-]?\\d*\\.?\\d*([eE][+-]?\\d*)?|NaN|"
                                                  "[+-]?Infinity")),
                line));
        return line;
    }
    }
    return new QLineEdit(parent);
}

} // namespace

orm::Column editorColumn(const orm::Field &field)
{
    orm::Column column;
    column.name = field.name;
    column.type = field.type;
    column.typeName = field.sqlType;
    return column;
}

QWidget *createCellEditor(const orm::Column &column, const QVariant &current, QWidget *parent,
                          const QStringList &choices)
{
    QWidget *editor = choices.isEmpty() ? typeEditor(column, current, parent)
                                        : choiceEditor(column, current, choices, parent);
    editor->setObjectName(QStringLiteral("cellEditor"));
    editor->setProperty(kTypeProperty, int(column.type));
    editor->setProperty(kTypeNameProperty, column.typeName);
    setCellEditorValue(editor, current);
    return editor;
}

void setCellEditorValue(QWidget *editor, const QVariant &current)
{
    const QString text = rawText(current);
    if (auto *box = qobject_cast<QComboBox *>(editor); box && isChoiceList(editor)) {
        box->setCurrentIndex(text.isNull() ? -1 : box->findText(text));
        box->setProperty(kOpenedOnProperty, box->currentIndex());
    } else if (auto *box = qobject_cast<QComboBox *>(editor))
        box->setCurrentIndex(rawBool(current) ? 0 : 1);
    else if (auto *date = qobject_cast<QDateEdit *>(editor))
        date->setDate(text.isEmpty() ? QDate::currentDate()
                                     : QDate::fromString(text.left(10), Qt::ISODate));
    else if (auto *plain = qobject_cast<QPlainTextEdit *>(editor)) {
        plain->setPlainText(text);
        plain->document()->setModified(false); // untouched until the user types
    } else if (auto *line = qobject_cast<QLineEdit *>(editor))
        line->setText(text);
}

EditorValue cellEditorValue(QWidget *editor)
{
    const orm::Column column = columnOf(editor);
    if (auto *box = qobject_cast<QComboBox *>(editor); box && isChoiceList(editor))
        return box->currentIndex() < 0
                   ? EditorValue{{}, QObject::tr("pick one of the values (set NULL with Set NULL)")}
                   : EditorValue{box->currentText(), {}};
    if (auto *box = qobject_cast<QComboBox *>(editor))
        return {box->currentIndex() == 0, {}};
    if (auto *date = qobject_cast<QDateEdit *>(editor))
        return {date->date().toString(Qt::ISODate), {}};
    if (auto *plain = qobject_cast<QPlainTextEdit *>(editor))
        return parseCellText(column, plain->toPlainText());
    if (auto *line = qobject_cast<QLineEdit *>(editor))
        return parseCellText(column, line->text());
    return {{}, QObject::tr("this cell has no editor")};
}

bool editorWasChanged(QWidget *editor)
{
    if (auto *box = qobject_cast<QComboBox *>(editor); box && isChoiceList(editor))
        return box->currentIndex() != box->property(kOpenedOnProperty).toInt();
    if (auto *plain = qobject_cast<QPlainTextEdit *>(editor))
        return plain->document()->isModified();
    if (auto *line = qobject_cast<QLineEdit *>(editor))
        return line->isModified();
    return true;
}

EditorValue parseCellText(const orm::Column &column, const QString &text)
{
    const QString trimmed = text.trimmed();
    const auto refuse = [&column](const QString &what) {
        return EditorValue{{},
                           QObject::tr("not %1 (%2): set NULL with Set NULL")
                               .arg(what, column.typeName.isEmpty() ? what : column.typeName)};
    };
    switch (column.type) {
    case orm::LogicalType::Text:
    case orm::LogicalType::Unknown:
    case orm::LogicalType::Bytes:
        return {text, {}};
    case orm::LogicalType::Integer: {
        bool ok = false;
        const qlonglong value = trimmed.toLongLong(&ok);
        return ok ? EditorValue{value, {}} : refuse(QObject::tr("a whole number"));
    }
    case orm::LogicalType::Real: {
        bool ok = false;
        const double value = trimmed.toDouble(&ok);
        return ok ? EditorValue{value, {}} : refuse(QObject::tr("a number"));
    }
    case orm::LogicalType::Numeric: {
        // Kept as its digits, so that no digit is lost on the way.
        static const QRegularExpression digits(
            QStringLiteral("^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$|^NaN$"));
        return digits.match(trimmed).hasMatch() ? EditorValue{trimmed, {}}
                                                : refuse(QObject::tr("a number"));
    }
    case orm::LogicalType::Bool: {
        const QString lower = trimmed.toLower();
        if (QStringList{"true", "t", "yes", "1"}.contains(lower))
            return {true, {}};
        if (QStringList{"false", "f", "no", "0"}.contains(lower))
            return {false, {}};
        return refuse(QObject::tr("true or false"));
    }
    case orm::LogicalType::Date:
        return QDate::fromString(trimmed, Qt::ISODate).isValid()
                   ? EditorValue{trimmed, {}}
                   : refuse(QObject::tr("a date (YYYY-MM-DD)"));
    case orm::LogicalType::Timestamp:
    case orm::LogicalType::TimestampTz:
        return timestampPattern().match(trimmed).hasMatch() &&
                       QDate::fromString(trimmed.left(10), Qt::ISODate).isValid()
                   ? EditorValue{trimmed, {}}
                   : refuse(QObject::tr("a timestamp (YYYY-MM-DD HH:MM:SS)"));
    case orm::LogicalType::Time:
        return timePattern().match(trimmed).hasMatch() ? EditorValue{trimmed, {}}
                                                       : refuse(QObject::tr("a time (HH:MM:SS)"));
    case orm::LogicalType::Uuid:
        return !QUuid::fromString(trimmed).isNull() ? EditorValue{trimmed, {}}
                                                    : refuse(QObject::tr("a UUID"));
    case orm::LogicalType::Json: {
        QJsonParseError error;
        // QJsonDocument reads objects and arrays only; a scalar is wrapped to be checked.
        QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"), &error);
        if (error.error != QJsonParseError::NoError || trimmed.isEmpty())
            return {{},
                    QObject::tr("not valid JSON: %1")
                        .arg(trimmed.isEmpty() ? QObject::tr("empty") : error.errorString())};
        return {text, {}};
    }
    }
    return {text, {}};
}

QString countOf(int count, const QString &one, const QString &many)
{
    return QString::number(count) + QLatin1Char(' ') + (count == 1 ? one : many);
}

bool sameCellValue(const orm::Column &column, const QVariant &a, const QVariant &b)
{
    const bool nullA = !a.isValid() || a.isNull();
    const bool nullB = !b.isValid() || b.isNull();
    if (nullA || nullB)
        return nullA == nullB;
    if (column.type == orm::LogicalType::Bool)
        return rawBool(a) == rawBool(b);
    return rawText(a) == rawText(b);
}

QString stagedText(const orm::Column &column, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return nullText();
    if (column.type == orm::LogicalType::Bool || value.metaType().id() == QMetaType::Bool)
        return rawBool(value) ? QStringLiteral("true") : QStringLiteral("false");
    QString text = rawText(value);
    text.replace(QLatin1Char('\n'), QChar(0x21B5));
    return text.size() > kDisplayChars ? text.left(kDisplayChars) + QChar(0x2026) : text;
}

} // namespace strata::ui::editing
