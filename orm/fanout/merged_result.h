#pragma once

// The rows of every fan-out target as one result: `database` and `schema` first, then every
// column any target returned, matched by name. Batches are kept as they arrived and read through
// a column map, never copied into the merged layout, so that the window can show a grid of it
// while targets still stream.

#include "orm/core/result.h"

#include <QStringList>

#include <vector>

namespace orm {

class MergedResult {
public:
    // The merged columns: database, schema, then each name in the order a target first gave it.
    const Columns &columns() const { return m_columns; }
    int columnCount() const { return int(m_columns.size()); }
    int rowCount() const { return m_rowCount; }

    // Registers target `target` (an index into the fan-out's targets) with its own columns and
    // where it lives. Returns true when the merged columns grew.
    bool addTarget(int target, const QString &database, const QString &schema,
                   const Columns &columns);
    // Rows of a target registered before, in its own column layout.
    void append(int target, RowBatch batch);

    // The row's target index.
    int targetOf(int row) const;
    // True when the row's target has no column of that name: the cell reads NULL and is marked.
    bool isMissing(int row, int column) const;
    bool isNull(int row, int column) const;
    QString text(int row, int column) const;
    QVariant value(int row, int column) const;

    // The merged column names a target lacks (they read NULL in its rows), and those whose type
    // differs from the merged column's (the first target's that gave it).
    QStringList missingColumns(int target) const;
    QStringList typeConflicts(int target) const;

    // Every row as one Result, the targets' rows in target order (arrival order within one), for
    // printing. Columns whose types conflict are typed Unknown.
    Result toResult() const;

private:
    struct Source {
        QString database;
        QString schema;
        Columns columns;
        std::vector<int> toOwn; // merged column -> the target's column, -1 when it has none
        bool registered = false;
    };
    struct Chunk {
        int target;
        int firstRow;
        RowBatch batch;
    };
    Source &source(int target);
    const Chunk &chunkOf(int row, int *local) const;
    int ownColumn(const Source &source, int column) const;

    Columns m_columns;
    std::vector<bool> m_conflict; // per merged column: targets disagree on its type
    std::vector<Source> m_sources;
    std::vector<Chunk> m_chunks;
    int m_rowCount = 0;
};

} // namespace orm
