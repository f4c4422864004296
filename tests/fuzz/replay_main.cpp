// Replays fuzz inputs through a harness as an ordinary test: every file under the directories
// given (the seed corpus, and the inputs that once broke a property: regressions/) goes through
// LLVMFuzzerTestOneInput, which aborts on a failed property. Built with the product's compiler,
// so ctest runs it in every build, ASan's included.

#include "fuzz_check.h"

#include <QDirIterator>
#include <QFile>

#include <cstdio>

int main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; ++i) {
        QDirIterator it(QString::fromLocal8Bit(argv[i]), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (!file.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "cannot read %s\n", qPrintable(file.fileName()));
                return 1;
            }
            const QByteArray input = file.readAll();
            std::fprintf(stderr, "%s\n", qPrintable(file.fileName()));
            LLVMFuzzerTestOneInput(reinterpret_cast<const unsigned char *>(input.constData()),
                                   size_t(input.size()));
            ++files;
        }
    }
    std::fprintf(stderr, "%d inputs replayed\n", files);
    return files > 0 ? 0 : 1; // no input at all: the corpus went missing
}
