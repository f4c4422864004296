#pragma once

// A keyring in memory for the window's saved-connection tests: what MainWindow would put into
// the system keyring lands in `entries`, where a test can look.

#include "ui/main_window.h"

#include <QMap>
#include <QString>

struct FakeKeyring {
    QMap<QString, QString> entries;

    strata::ui::MainWindow::PasswordKeeper keeper()
    {
        return {[this](const QString &name, const QString &password, QString *) {
                    entries.insert(name, password);
                    return true;
                },
                [this](const QString &name) { return entries.remove(name) > 0; }};
    }
};
