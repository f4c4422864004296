#pragma once

// The console's own files (history, saved tabs) hold what the user typed, which may be secret
// even after masking: they are the user's alone, mode 0600, from the moment they exist.

#include <QFile>

namespace strata::ui {

// Opens `file` with `mode`, creating it readable and writable by its owner only, and takes
// the group's and others' rights away from a file that already exists (an older Strata wrote
// them world-readable). False if it cannot be opened.
bool openPrivateFile(QFile &file, QIODevice::OpenMode mode);

} // namespace strata::ui
