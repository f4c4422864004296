#pragma once

// One change the user staged, as the change set keeps it and its journal stores it.

#include <QString>
#include <QVariant>
#include <QVariantList>
#include <QVariantMap>

namespace orm::editing {

// A stored row's key: the values of RowIdentity::columns, in that order, as they were read
// (RowBatch::rawValue, the form the grid pages with). An invalid QVariant is NULL throughout.
using RowKey = QVariantList;

struct StagedChange {
    enum class Kind { Update, Insert, Delete };
    Kind kind = Kind::Update;
    int id = 0;       // unique in its change set, increasing
    RowKey key;       // Update or Delete of a stored row: its key
    int insertId = 0; // Update or Delete of a row staged for insertion: that Insert's id
    QString column;   // Update: the cell's column
    QVariant seen;    // Update of a stored row: the value the user saw before changing it
    QVariant value;   // Update: the new value
    // Insert: the values given (the other columns are left to the server); Delete of a stored
    // row: the row as the user saw it (the columns to check; the key's need not be repeated).
    QVariantMap values;

    bool touchesInsert() const { return insertId != 0; }
};

QString kindName(StagedChange::Kind kind);

} // namespace orm::editing
