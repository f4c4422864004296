// launchTask: values and failures reach their callbacks on the context's thread, exactly once,
// and never after the context is gone.

#include "ui/launch_task.h"

#include <QCoro/QCoroTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <chrono>
#include <memory>
#include <stdexcept>

using namespace strata::ui;
using namespace std::chrono_literals;

namespace {

QCoro::Task<int> valueLater(int value)
{
    QTimer timer;
    timer.setSingleShot(true);
    timer.start(10ms);
    co_await timer;
    co_return value;
}

QCoro::Task<> failLater(bool ormError)
{
    QTimer timer;
    timer.setSingleShot(true);
    timer.start(10ms);
    co_await timer;
    if (ormError)
        throw orm::Error(orm::Error::Kind::Sql, QStringLiteral("relation \"nope\" does not exist"),
                         QStringLiteral("sqlite:///shop.db"), QStringLiteral("42P01"));
    throw std::runtime_error("plain failure");
}

QCoro::Task<int> failAtOnce()
{
    throw orm::Error(orm::Error::Kind::Usage, QStringLiteral("at once"));
    co_return 0;
}

} // namespace

class TestLaunchTask : public QObject {
    Q_OBJECT

private slots:
    void valueReachesItsCallback()
    {
        QObject context;
        int got = 0, failures = 0;
        launchTask(
            &context, valueLater(42), [&](int value) { got = value; },
            [&](const TaskFailure &) { ++failures; });
        QCOMPARE(got, 0); // not before the task has ended
        QTRY_COMPARE(got, 42);
        QCOMPARE(failures, 0);
    }

    void ormErrorKeepsItsKind()
    {
        QObject context;
        std::optional<TaskFailure> failure;
        int values = 0;
        launchTask(
            &context, failLater(true), [&] { ++values; },
            [&](const TaskFailure &f) { failure = f; });
        QTRY_VERIFY(failure.has_value());
        QCOMPARE(values, 0);
        QVERIFY(failure->isKind(orm::Error::Kind::Sql));
        QCOMPARE(failure->error->sqlState(), QStringLiteral("42P01"));
        QVERIFY2(failure->message.contains(QStringLiteral("does not exist")),
                 qPrintable(failure->message));
    }

    void plainExceptionBecomesAMessage()
    {
        QObject context;
        std::optional<TaskFailure> failure;
        launchTask(
            &context, failLater(false), [] {}, [&](const TaskFailure &f) { failure = f; });
        QTRY_VERIFY(failure.has_value());
        QVERIFY(!failure->error.has_value());
        QCOMPARE(failure->message, QStringLiteral("plain failure"));
    }

    void failureBeforeTheFirstSuspension()
    {
        QObject context;
        std::optional<TaskFailure> failure;
        launchTask(
            &context, failAtOnce(), [](int) {}, [&](const TaskFailure &f) { failure = f; });
        QTRY_VERIFY(failure.has_value());
        QVERIFY(failure->isKind(orm::Error::Kind::Usage));
    }

    void goneContextIsNeverCalledBack()
    {
        auto context = std::make_unique<QObject>();
        int calls = 0;
        launchTask(
            context.get(), valueLater(1), [&](int) { ++calls; },
            [&](const TaskFailure &) { ++calls; });
        launchTask(
            context.get(), failLater(true), [&] { ++calls; },
            [&](const TaskFailure &) { ++calls; });
        context.reset();
        QTest::qWait(100); // both tasks have ended by now
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestLaunchTask)
#include "tst_launch_task.moc"
