#pragma once

// What the window's suites share: the includes they use, and looks at the window's menus, tree,
// switcher and grid.

#include "await.h"
#include "backends.h"
#include "fake_keyring.h"
#include "message_box_answerer.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "orm/sync/lifespan.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/log_pane.h"
#include "ui/main_window.h"
#include "ui/model_tree.h"
#include "ui/queryset_row_source.h"
#include "ui/saved_connections.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

namespace strata::test {

// Whether the Connections menu lists `name`'s database, and the tree shows it.
inline bool menuLists(ui::MainWindow &window, const QString &name)
{
    for (QAction *action : window.connectionsMenu()->actions())
        if (action->isCheckable() && action->data().toString() == name)
            return action == window.connectionAction(name);
    return false;
}

inline bool treeShows(ui::MainWindow &window, const QString &name)
{
    QStandardItemModel *model = window.treeModel();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->item(row)->data(strata::ui::ModelTree::DatabaseRole).toString() == name)
            return true;
    return false;
}

// The tree's line for `name`'s database (its state, a replica or failover note).
inline QString treeText(ui::MainWindow &window, const QString &name)
{
    QStandardItemModel *model = window.treeModel();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->item(row)->data(strata::ui::ModelTree::DatabaseRole).toString() == name)
            return model->item(row)->text();
    return {};
}

inline QStringList switcherItems(ui::MainWindow &window)
{
    QStringList items;
    for (int i = 0; i < window.schemaSwitcher()->count(); ++i)
        items << window.schemaSwitcher()->itemText(i);
    return items;
}

// The text of the grid's first row in `column`.
inline QString row0(ui::MainWindow &window, int column)
{
    return window.gridModel()->cellText(0, column);
}

} // namespace strata::test

// The suites name them unqualified.
using strata::test::menuLists;
using strata::test::MessageBoxAnswerer;
using strata::test::row0;
using strata::test::switcherItems;
using strata::test::treeShows;
using strata::ui::MainWindow;
