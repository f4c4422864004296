#pragma once

// What the fuzz harnesses share: a property that must hold, checked the same way under
// libFuzzer (the clang build) and in the ordinary ctest replay (any build): a failure prints
// what was expected and aborts, which libFuzzer reports as a crash with the input saved, and
// ctest as a failed test.

#include <QString>

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                                \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "fuzz property failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__,  \
                         #condition, qPrintable(QString(what)));                                   \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

// The harness's entry point, as libFuzzer names it.
extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
