// The grid's editors per column type, without a database: what each type accepts and refuses,
// the editor each opens, and that an editor left untouched changes nothing.

#include "ui/editing/cell_editors.h"

#include <QApplication>
#include <QComboBox>
#include <QDateEdit>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTest>

#include <memory>

using namespace strata::ui::editing;

namespace {

orm::Column column(orm::LogicalType type, const QString &name = QStringLiteral("int4"))
{
    orm::Column c;
    c.name = QStringLiteral("c");
    c.typeName = name;
    c.type = type;
    return c;
}

} // namespace

class TestCellEditors : public QObject {
    Q_OBJECT

private slots:
    void typesAcceptWhatTheyHold()
    {
        using T = orm::LogicalType;
        QCOMPARE(parseCellText(column(T::Integer), QStringLiteral(" 42 ")).value, QVariant(42LL));
        QVERIFY(!parseCellText(column(T::Integer), QStringLiteral("4.2")).ok());
        QVERIFY(!parseCellText(column(T::Integer), QString()).ok()); // NULL is set apart
        QCOMPARE(parseCellText(column(T::Real), QStringLiteral("2.5")).value, QVariant(2.5));
        // Numeric keeps its digits as text: no digit lost to a double.
        QCOMPARE(parseCellText(column(T::Numeric), QStringLiteral("12345678901234567890.01")).value,
                 QVariant(QStringLiteral("12345678901234567890.01")));
        QVERIFY(!parseCellText(column(T::Numeric), QStringLiteral("1,5")).ok());
        QCOMPARE(parseCellText(column(T::Bool), QStringLiteral("t")).value, QVariant(true));
        QCOMPARE(parseCellText(column(T::Bool), QStringLiteral("False")).value, QVariant(false));
        QVERIFY(!parseCellText(column(T::Bool), QStringLiteral("maybe")).ok());
        QVERIFY(parseCellText(column(T::Date), QStringLiteral("2024-02-29")).ok());
        QVERIFY(!parseCellText(column(T::Date), QStringLiteral("2023-02-29")).ok());
        QVERIFY(
            parseCellText(column(T::TimestampTz), QStringLiteral("2024-01-02 03:04:05.123456+02"))
                .ok());
        QVERIFY(!parseCellText(column(T::Timestamp), QStringLiteral("yesterday")).ok());
        QVERIFY(parseCellText(column(T::Time), QStringLiteral("23:59:59.5")).ok());
        QVERIFY(
            parseCellText(column(T::Uuid), QStringLiteral("123e4567-e89b-12d3-a456-426614174000"))
                .ok());
        QVERIFY(!parseCellText(column(T::Uuid), QStringLiteral("123")).ok());
        // JSON: objects, arrays and scalars; the text kept as typed.
        QCOMPARE(parseCellText(column(T::Json), QStringLiteral("{\"a\": [1, 2]}")).value,
                 QVariant(QStringLiteral("{\"a\": [1, 2]}")));
        QVERIFY(parseCellText(column(T::Json), QStringLiteral("\"x\"")).ok());
        const EditorValue bad =
            parseCellText(column(T::Json, QStringLiteral("jsonb")), QStringLiteral("{a: 1}"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error.contains(QLatin1String("JSON")), qPrintable(bad.error));
        // Text takes anything, the empty string included (not NULL).
        const QVariant empty = parseCellText(column(T::Text), QString()).value;
        QVERIFY(empty.isValid() && !empty.isNull() && empty.toString().isEmpty());
    }

    void eachTypeGetsItsEditor()
    {
        using T = orm::LogicalType;
        QWidget parent;
        const auto make = [&parent](orm::LogicalType type, const QVariant &current) {
            return std::unique_ptr<QWidget>(createCellEditor(column(type), current, &parent));
        };
        auto boolean = make(T::Bool, QStringLiteral("t"));
        QCOMPARE(qobject_cast<QComboBox *>(boolean.get())->currentText(), QStringLiteral("true"));
        QCOMPARE(cellEditorValue(boolean.get()).value, QVariant(true));
        auto date = make(T::Date, QStringLiteral("2024-05-06"));
        QCOMPARE(qobject_cast<QDateEdit *>(date.get())->date(), QDate(2024, 5, 6));
        QVERIFY(qobject_cast<QPlainTextEdit *>(make(T::Json, QStringLiteral("{}")).get()));
        QVERIFY(qobject_cast<QLineEdit *>(make(T::Text, QStringLiteral("short")).get()));
        // Long or multi-line text opens the multi-line editor.
        QVERIFY(qobject_cast<QPlainTextEdit *>(make(T::Text, QStringLiteral("a\nb")).get()));
        QVERIFY(qobject_cast<QPlainTextEdit *>(make(T::Text, QString(kLongText + 1, u'x')).get()));
        // Numbers refuse letters as they are typed.
        auto number = make(T::Integer, 7);
        auto *line = qobject_cast<QLineEdit *>(number.get());
        QCOMPARE(line->text(), QStringLiteral("7"));
        QTest::keyClicks(line, QStringLiteral("x8"));
        QCOMPARE(line->text(), QStringLiteral("78"));
        QCOMPARE(cellEditorValue(line).value, QVariant(78LL));
    }

    void untouchedEditorsChangeNothing()
    {
        QWidget parent;
        std::unique_ptr<QWidget> onNull(
            createCellEditor(column(orm::LogicalType::Text), QVariant(), &parent));
        QVERIFY(!editorWasChanged(onNull.get()));
        QTest::keyClicks(onNull.get(), QStringLiteral("a"));
        QTest::keyClick(onNull.get(), Qt::Key_Backspace);
        QVERIFY(editorWasChanged(onNull.get())); // typed and rubbed out: the empty string
        std::unique_ptr<QWidget> multi(
            createCellEditor(column(orm::LogicalType::Json), QStringLiteral("[1]"), &parent));
        QVERIFY(!editorWasChanged(multi.get()));
        // NULL and '' are different values; "t" and true are the same one.
        const orm::Column text = column(orm::LogicalType::Text);
        QVERIFY(!sameCellValue(text, QVariant(), QString(QLatin1String(""))));
        QVERIFY(sameCellValue(column(orm::LogicalType::Bool), QStringLiteral("t"), true));
        QCOMPARE(stagedText(text, QVariant()), QStringLiteral("NULL"));
    }
};

QTEST_MAIN(TestCellEditors)
#include "tst_cell_editors.moc"
