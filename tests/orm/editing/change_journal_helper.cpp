// A process for tst_change_journal to kill: it stages three changes to a tenant's film table
// with a journal, says where the journal is, and waits to be killed.
//
//   tst_change_journal_helper URL JOURNAL_DIR SCHEMA [ATTACH_SCHEMA=PATH ...]

#include "editing_fixture.h"

#include <QCoreApplication>

#include <cstdio>

using namespace editing_fixture;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 4) {
        std::fprintf(stderr, "usage: %s URL JOURNAL_DIR SCHEMA [SCHEMA=PATH ...]\n", argv[0]);
        return 2;
    }
    try {
        orm::Registry registry(args[1]);
        for (const QString &attach : args.mid(4))
            registry.database()->attach(attach.section(QLatin1Char('='), 0, 0),
                                        attach.section(QLatin1Char('='), 1));
        await(registry.connect());
        const QString schema = args[3];
        const orm::Model model =
            await(orm::reflection::loadModel(registry.database(), schema, kTable));
        orm::editing::ChangeSet edits(&registry, QString(), schema, model,
                                      {args[2], QStringLiteral("pagila")});
        edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("from the crash"));
        edits.insertRow({{kTitle, QStringLiteral("Crash insert")}, {kNote, QVariant()}});
        edits.deleteRow({3}, {{kTitle, QStringLiteral("Gamma")}});
        std::printf("staged %s\n", qPrintable(edits.journalPath()));
        std::fflush(stdout);
        return app.exec(); // until killed
    } catch (const std::exception &error) {
        std::fprintf(stderr, "helper: %s\n", error.what());
        return 1;
    }
}
