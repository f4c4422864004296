// CSV fields and JSON strings as every export writes them (orm/text_escape.h).
#include "orm/core/text_escape.h"

#include <QTest>

class TestTextEscape : public QObject {
    Q_OBJECT

private slots:
    void jsonString_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("json");
        QTest::newRow("plain") << QStringLiteral("abc") << QStringLiteral("\"abc\"");
        QTest::newRow("empty") << QString() << QStringLiteral("\"\"");
        QTest::newRow("quote and backslash")
            << QStringLiteral("a\"b\\c") << QStringLiteral("\"a\\\"b\\\\c\"");
        QTest::newRow("named controls")
            << QStringLiteral("1\n2\r3\t4") << QStringLiteral("\"1\\n2\\r3\\t4\"");
        QTest::newRow("other controls")
            << QString::fromLatin1("\x01\x1f", 2) << QStringLiteral("\"\\u0001\\u001f\"");
        QTest::newRow("non-ASCII passes")
            << QStringLiteral("Émile 東京 😀") << QStringLiteral("\"Émile 東京 😀\"");
    }
    void jsonString()
    {
        QFETCH(QString, text);
        QFETCH(QString, json);
        QCOMPARE(orm::text::jsonString(text), json);
        std::string bytes;
        const QByteArray utf8 = text.toUtf8();
        orm::text::appendJsonString(bytes, std::string_view(utf8.constData(), utf8.size()));
        QCOMPARE(QString::fromStdString(bytes), json);
    }

    void csvField_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("csv");
        QTest::newRow("plain") << QStringLiteral("abc") << QStringLiteral("abc");
        QTest::newRow("empty is quoted, unlike NULL") << QString() << QStringLiteral("\"\"");
        QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
        QTest::newRow("quote doubled")
            << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
        QTest::newRow("line breaks") << QStringLiteral("a\r\nb") << QStringLiteral("\"a\r\nb\"");
        QTest::newRow("spaces and tabs stay bare")
            << QStringLiteral(" a\tb ") << QStringLiteral(" a\tb ");
    }
    void csvField()
    {
        QFETCH(QString, text);
        QFETCH(QString, csv);
        QCOMPARE(orm::text::csvField(text), csv);
    }
};

QTEST_GUILESS_MAIN(TestTextEscape)
#include "tst_text_escape.moc"
