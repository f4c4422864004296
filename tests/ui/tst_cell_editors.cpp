// The grid's editors per column type, without a database: what each type accepts and refuses,
// the editor each opens, and that an editor left untouched changes nothing.

#include "ui/editing/blob_files.h"
#include "ui/editing/cell_editors.h"
#include "ui/editing/foreign_key_lookup.h"

#include <QApplication>
#include <QComboBox>
#include <QCoro/QCoroTimer>
#include <QDateEdit>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
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

    // A column with a list of values (an enum, a SQLite CHECK list) opens that list.
    void choicesOpenAList()
    {
        QWidget parent;
        const QStringList moods{"sad", "meh", "ok", "happy"};
        const orm::Column mood = column(orm::LogicalType::Text, QStringLiteral("Odd \"Mood\""));
        std::unique_ptr<QWidget> editor(
            createCellEditor(mood, QStringLiteral("ok"), &parent, moods));
        auto *box = qobject_cast<QComboBox *>(editor.get());
        QVERIFY(box);
        QCOMPARE(box->count(), 4);
        QCOMPARE(box->itemText(1), QStringLiteral("meh"));
        QCOMPARE(box->currentText(), QStringLiteral("ok"));
        QVERIFY(!editorWasChanged(box)); // opened and closed: nothing to stage
        box->setCurrentIndex(3);
        QVERIFY(editorWasChanged(box));
        QCOMPARE(cellEditorValue(box).value, QVariant(QStringLiteral("happy")));
        // On NULL nothing is selected, and untouched nothing is staged.
        std::unique_ptr<QWidget> onNull(createCellEditor(mood, QVariant(), &parent, moods));
        auto *nullBox = qobject_cast<QComboBox *>(onNull.get());
        QCOMPARE(nullBox->currentIndex(), -1);
        QVERIFY(!editorWasChanged(nullBox));
        QVERIFY(!cellEditorValue(nullBox).ok());
        // A stored value the list lacks still shows, first.
        std::unique_ptr<QWidget> stray(
            createCellEditor(mood, QStringLiteral("gone"), &parent, moods));
        QCOMPARE(qobject_cast<QComboBox *>(stray.get())->currentText(), QStringLiteral("gone"));
        QCOMPARE(qobject_cast<QComboBox *>(stray.get())->count(), 5);
        // Without choices a text column is still a line.
        std::unique_ptr<QWidget> line(createCellEditor(mood, QStringLiteral("ok"), &parent));
        QVERIFY(qobject_cast<QLineEdit *>(line.get()));
    }

    void blobFilesExactAndBounded()
    {
        QTemporaryDir dir;
        QByteArray bytes;
        for (int b = 0; b < 256; ++b)
            bytes.append(char(b));
        const QString path = dir.filePath(QStringLiteral("weird name.bin"));
        QVERIFY(writeBlobFile(path, bytes).isEmpty());
        const BlobFile read = readBlobFile(path);
        QVERIFY2(read.ok(), qPrintable(read.error));
        QCOMPARE(read.bytes, bytes);
        // Over the limit: refused, the sizes named.
        const BlobFile big = readBlobFile(path, 100);
        QVERIFY(!big.ok());
        QVERIFY2(big.error.contains(QLatin1String("256 bytes")) &&
                     big.error.contains(QLatin1String("100 bytes")),
                 qPrintable(big.error));
        QVERIFY(readBlobFile(path, 256).ok()); // the limit itself is allowed
        QVERIFY(!readBlobFile(dir.filePath(QStringLiteral("none"))).ok());
        QVERIFY(!readBlobFile(dir.path()).ok()); // a directory
        QVERIFY(!writeBlobFile(dir.filePath(QStringLiteral("no dir/x.bin")), bytes).isEmpty());
        // An empty file is an empty value, not an error.
        QVERIFY(writeBlobFile(path, QByteArray()).isEmpty());
        QVERIFY(readBlobFile(path).ok() && readBlobFile(path).bytes.isEmpty());
        QCOMPARE(byteSize(kMaxBlobFileBytes), QStringLiteral("64 MiB"));
        QCOMPARE(byteSize(1536), QStringLiteral("1.5 KiB"));
    }

    // The foreign-key lookup drops an answer for text typed over since: the search for "a"
    // comes back after the one for "ab" and leaves the list as "ab"'s answer made it. The
    // searches are the test's own, each answering only when it is let go.
    void lookupDropsStaleAnswers()
    {
        QHash<QString, bool> letGo;
        QStringList asked;
        int answered = 0;
        const LookupSearch search = [&](LookupTarget, QString text,
                                        QVariant) -> QCoro::Task<LookupPage> {
            asked << text;
            while (!letGo.value(text))
                co_await QCoro::sleepFor(std::chrono::milliseconds(5));
            LookupPage page;
            page.rows << LookupRow{QVariant(1), QStringLiteral("1"),
                                   QStringLiteral("found by '%1'").arg(text)};
            ++answered;
            co_return page;
        };
        LookupTarget target;
        target.model.table = QStringLiteral("fruit");
        target.keyColumn = QStringLiteral("id");
        orm::ForeignKey key;
        key.columns = {QStringLiteral("fruit_id")};
        key.targetTable = QStringLiteral("fruit");
        key.targetColumns = {QStringLiteral("id")};
        QWidget host;
        auto *lookup = new ForeignKeyLookup(nullptr, QString(), QString(), key, new QLineEdit,
                                            target, {}, &host, search);
        host.show();
        QTRY_COMPARE(asked, QStringList{QString()}); // the first page, unfiltered
        letGo[QString()] = true;
        QTRY_VERIFY(!lookup->isBusy());

        QTest::keyClicks(lookup->lineEdit(), QStringLiteral("a"));
        QTRY_COMPARE(asked.size(), 2);
        QTest::keyClicks(lookup->lineEdit(), QStringLiteral("b"));
        QTRY_COMPARE(asked, (QStringList{QString(), QStringLiteral("a"), QStringLiteral("ab")}));
        letGo[QStringLiteral("ab")] = true;
        QTRY_COMPARE(answered, 2);
        QTRY_COMPARE(lookup->list()->item(0)->text(), QStringLiteral("1 — found by 'ab'"));
        letGo[QStringLiteral("a")] = true;
        QTRY_COMPARE(answered, 3);
        QTRY_VERIFY(!lookup->isBusy());
        QCOMPARE(lookup->rowCount(), 1);
        QCOMPARE(lookup->list()->item(0)->text(), QStringLiteral("1 — found by 'ab'"));
    }
};

QTEST_MAIN(TestCellEditors)
#include "tst_cell_editors.moc"
