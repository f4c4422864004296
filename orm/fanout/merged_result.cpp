#include "merged_result.h"

#include <algorithm>

namespace orm {

namespace {

constexpr int kDatabaseColumn = 0;
constexpr int kSchemaColumn = 1;

Column textColumn(const QString &name)
{
    return Column{name, QStringLiteral("text"), 0, LogicalType::Text};
}

} // namespace

MergedResult::Source &MergedResult::source(int target)
{
    if (target >= int(m_sources.size()))
        m_sources.resize(size_t(target) + 1);
    return m_sources[size_t(target)];
}

bool MergedResult::addTarget(int target, const QString &database, const QString &schema,
                             const Columns &columns)
{
    if (m_columns.isEmpty()) {
        m_columns << textColumn(QStringLiteral("database")) << textColumn(QStringLiteral("schema"));
        m_conflict.assign(2, false);
    }
    Source &own = source(target);
    own.database = database;
    own.schema = schema;
    own.columns = columns;
    own.registered = true;
    bool grew = false;
    for (const Column &column : columns) {
        int at = -1;
        for (int c = 2; c < m_columns.size(); ++c)
            if (m_columns[c].name == column.name) {
                at = c;
                break;
            }
        if (at < 0) {
            m_columns << column;
            m_conflict.push_back(false);
            grew = true;
        } else if (m_columns[at].typeName != column.typeName) {
            m_conflict[size_t(at)] = true;
        }
    }
    // Every registered source's map follows the merged columns (the last one's grew them).
    for (Source &each : m_sources) {
        if (!each.registered)
            continue;
        each.toOwn.assign(size_t(m_columns.size()), -1);
        for (int c = 2; c < m_columns.size(); ++c)
            for (int o = 0; o < each.columns.size(); ++o)
                if (each.columns[o].name == m_columns[c].name) {
                    each.toOwn[size_t(c)] = o;
                    break;
                }
    }
    return grew;
}

void MergedResult::append(int target, RowBatch batch)
{
    const int rows = batch.rowCount();
    if (rows == 0)
        return;
    m_chunks.push_back(Chunk{target, m_rowCount, std::move(batch)});
    m_rowCount += rows;
}

const MergedResult::Chunk &MergedResult::chunkOf(int row, int *local) const
{
    const auto it = std::upper_bound(m_chunks.begin(), m_chunks.end(), row,
                                     [](int r, const Chunk &chunk) { return r < chunk.firstRow; });
    const Chunk &chunk = *(it - 1);
    *local = row - chunk.firstRow;
    return chunk;
}

int MergedResult::ownColumn(const Source &source, int column) const
{
    return column < int(source.toOwn.size()) ? source.toOwn[size_t(column)] : -1;
}

int MergedResult::targetOf(int row) const
{
    int local = 0;
    return chunkOf(row, &local).target;
}

bool MergedResult::isMissing(int row, int column) const
{
    if (column < 2)
        return false;
    int local = 0;
    const Chunk &chunk = chunkOf(row, &local);
    return ownColumn(m_sources[size_t(chunk.target)], column) < 0;
}

bool MergedResult::isNull(int row, int column) const
{
    if (column < 2)
        return false;
    int local = 0;
    const Chunk &chunk = chunkOf(row, &local);
    const int own = ownColumn(m_sources[size_t(chunk.target)], column);
    return own < 0 || chunk.batch.isNull(local, own);
}

QString MergedResult::text(int row, int column) const
{
    int local = 0;
    const Chunk &chunk = chunkOf(row, &local);
    const Source &source = m_sources[size_t(chunk.target)];
    if (column == kDatabaseColumn)
        return source.database;
    if (column == kSchemaColumn)
        return source.schema;
    const int own = ownColumn(source, column);
    return own < 0 ? QString() : chunk.batch.text(local, own);
}

QVariant MergedResult::value(int row, int column) const
{
    int local = 0;
    const Chunk &chunk = chunkOf(row, &local);
    const Source &source = m_sources[size_t(chunk.target)];
    if (column < 2)
        return text(row, column);
    const int own = ownColumn(source, column);
    return own < 0 ? QVariant() : chunk.batch.value(local, own, source.columns[own].type);
}

QStringList MergedResult::missingColumns(int target) const
{
    QStringList missing;
    if (target >= int(m_sources.size()) || !m_sources[size_t(target)].registered)
        return missing;
    const Source &own = m_sources[size_t(target)];
    for (int c = 2; c < m_columns.size(); ++c)
        if (ownColumn(own, c) < 0)
            missing << m_columns[c].name;
    return missing;
}

QStringList MergedResult::typeConflicts(int target) const
{
    QStringList conflicts;
    if (target >= int(m_sources.size()) || !m_sources[size_t(target)].registered)
        return conflicts;
    const Source &own = m_sources[size_t(target)];
    for (int c = 2; c < m_columns.size(); ++c) {
        const int o = ownColumn(own, c);
        if (o >= 0 && own.columns[o].typeName != m_columns[c].typeName)
            conflicts << QStringLiteral("%1 (%2, not %3)")
                             .arg(m_columns[c].name, own.columns[o].typeName,
                                  m_columns[c].typeName);
    }
    return conflicts;
}

Result MergedResult::toResult() const
{
    Result result;
    result.columns = m_columns;
    for (int c = 2; c < m_columns.size(); ++c)
        if (m_conflict[size_t(c)])
            result.columns[c].type = LogicalType::Unknown;
    std::vector<const Chunk *> ordered;
    for (const Chunk &chunk : m_chunks)
        ordered.push_back(&chunk);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Chunk *a, const Chunk *b) { return a->target < b->target; });
    for (const Chunk *chunk : ordered) {
        const Source &source = m_sources[size_t(chunk->target)];
        const QByteArray database = source.database.toUtf8();
        const QByteArray schema = source.schema.toUtf8();
        RowBatch merged(int(m_columns.size()));
        for (int row = 0; row < chunk->batch.rowCount(); ++row) {
            merged.appendText(database.constData(), database.size());
            merged.appendText(schema.constData(), schema.size());
            for (int c = 2; c < m_columns.size(); ++c) {
                const int own = ownColumn(source, c);
                if (own < 0)
                    merged.appendNull();
                else
                    merged.appendCell(chunk->batch.kind(row, own), chunk->batch.bytes(row, own));
            }
        }
        result.append(std::move(merged));
    }
    return result;
}

} // namespace orm
