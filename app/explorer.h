#pragma once

// `strata` without a sub-command: the desktop explorer's start-up. Builds the registry (demo,
// saved connections, --database/--extra), binds it to the application in lenient mode (the
// window shows at once, each connection reports its own state), shows the main window, and for
// --screenshot waits until loading is done, saves a PNG and quits.

#include "startup_options.h"

class QApplication;

namespace strata::app {

int runExplorer(QApplication &app, const StartupOptions &options);

} // namespace strata::app
