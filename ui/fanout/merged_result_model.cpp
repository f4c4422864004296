#include "merged_result_model.h"

#include <QBrush>
#include <QColor>

namespace strata::ui {

MergedResultModel::MergedResultModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void MergedResultModel::setFanOut(orm::FanOut *fanOut)
{
    if (m_fanOut)
        disconnect(m_fanOut, nullptr, this, nullptr);
    beginResetModel();
    m_fanOut = fanOut;
    m_shown = 0;
    m_showsAll = false;
    m_columns = fanOut ? fanOut->result().columnCount() : 0;
    m_missing.clear();
    refreshMissing();
    endResetModel();
    if (!fanOut)
        return;
    connect(fanOut, &orm::FanOut::rowsAppended, this, &MergedResultModel::onRowsAppended);
    connect(fanOut, &orm::FanOut::columnsChanged, this, &MergedResultModel::onColumnsChanged);
    // A target that finished may lack columns the merged result has (or gain the marker).
    connect(fanOut, &orm::FanOut::targetFinished, this, [this] {
        refreshMissing();
        if (m_columns > 0)
            emit headerDataChanged(Qt::Horizontal, 0, m_columns - 1);
    });
    connect(fanOut, &orm::FanOut::finished, this, [this] {
        refreshMissing();
        if (m_columns > 0)
            emit headerDataChanged(Qt::Horizontal, 0, m_columns - 1);
    });
    onColumnsChanged();
    onRowsAppended();
}

void MergedResultModel::onRowsAppended()
{
    // The first chunk shows as soon as it arrives; later rows wait for the view to ask, unless
    // a sort or filter needs them all.
    if (!m_fanOut || (m_shown >= kChunkRows && !m_showsAll))
        return;
    const int to = m_showsAll ? m_fanOut->result().rowCount()
                              : std::min(m_fanOut->result().rowCount(), kChunkRows);
    if (to <= m_shown)
        return;
    beginInsertRows({}, m_shown, to - 1);
    m_shown = to;
    endInsertRows();
}

void MergedResultModel::onColumnsChanged()
{
    if (!m_fanOut)
        return;
    const int now = m_fanOut->result().columnCount();
    if (now > m_columns) { // merged columns only ever grow at the end
        beginInsertColumns({}, m_columns, now - 1);
        m_columns = now;
        refreshMissing();
        endInsertColumns();
    } else if (now != m_columns) {
        beginResetModel();
        m_columns = now;
        refreshMissing();
        endResetModel();
    }
}

void MergedResultModel::refreshMissing()
{
    m_missing = QList<QStringList>(m_columns);
    if (!m_fanOut)
        return;
    const orm::MergedResult &result = m_fanOut->result();
    const QList<orm::FanOutTarget> &targets = m_fanOut->targets();
    for (int t = 0; t < targets.size(); ++t) {
        const QStringList missing = result.missingColumns(t);
        for (const QString &name : missing)
            for (int c = 2; c < m_columns; ++c)
                if (result.columns()[size_t(c)].name == name)
                    m_missing[c] << targets[t].databaseLabel() + QLatin1Char('.') +
                                        targets[t].schema;
    }
}

void MergedResultModel::showAll()
{
    if (!m_fanOut)
        return;
    m_showsAll = true;
    const int to = m_fanOut->result().rowCount();
    if (to <= m_shown)
        return;
    beginInsertRows({}, m_shown, to - 1);
    m_shown = to;
    endInsertRows();
}

QStringList MergedResultModel::targetsMissing(int column) const
{
    return m_missing.value(column);
}

int MergedResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

int MergedResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_columns;
}

bool MergedResultModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_fanOut && m_shown < m_fanOut->result().rowCount();
}

void MergedResultModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const int to = std::min(m_fanOut->result().rowCount(), m_shown + kChunkRows);
    beginInsertRows({}, m_shown, to - 1);
    m_shown = to;
    endInsertRows();
}

QVariant MergedResultModel::data(const QModelIndex &index, int role) const
{
    if (!m_fanOut || !index.isValid() || index.row() >= m_shown || index.column() >= m_columns)
        return {};
    const orm::MergedResult &result = m_fanOut->result();
    const int row = index.row();
    const int column = index.column();
    const bool missing = result.isMissing(row, column);
    const bool null = missing || result.isNull(row, column);
    switch (role) {
    case Qt::DisplayRole:
        return null ? QStringLiteral("NULL") : result.text(row, column);
    case SortRole:
        return null ? QVariant() : result.value(row, column);
    case Qt::ForegroundRole:
        return null ? QVariant(QBrush(Qt::gray)) : QVariant();
    case Qt::BackgroundRole:
        return missing ? QVariant(QBrush(QColor(255, 244, 214))) : QVariant();
    case Qt::ToolTipRole:
        if (missing) {
            const orm::FanOutTarget &target = m_fanOut->targets().value(result.targetOf(row));
            return tr("%1.%2 has no column %3")
                .arg(target.databaseLabel(), target.schema, result.columns()[size_t(column)].name);
        }
        return {};
    case IsNullRole:
        return null;
    case IsMissingRole:
        return missing;
    case TargetRole:
        return result.targetOf(row);
    default:
        return {};
    }
}

QVariant MergedResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || !m_fanOut || section < 0 || section >= m_columns)
        return QAbstractTableModel::headerData(section, orientation, role);
    const QString name = m_fanOut->result().columns()[size_t(section)].name;
    const QStringList missing = m_missing.value(section);
    if (role == Qt::DisplayRole)
        return missing.isEmpty() ? name : name + QStringLiteral(" *");
    if (role == Qt::ToolTipRole && !missing.isEmpty())
        return tr("%1: NULL in %2 target(s) that have no such column: %3")
            .arg(name)
            .arg(missing.size())
            .arg(missing.join(QStringLiteral(", ")));
    return {};
}

} // namespace strata::ui
