#include "place.h"

#include "ui/grid_model.h"
#include "ui/grid_view.h"

#include <QPointer>
#include <QTableView>

namespace strata::ui::navigation {
namespace {

// Waits for the count of the rows the grid shows, then puts the cell back; deletes itself
// when done, or when the grid moves on (another source resets the model) or fails.
class PositionRestorer : public QObject {
public:
    PositionRestorer(GridView *grid, const Place &place)
        : QObject(grid)
        , m_grid(grid)
        , m_place(place)
    {
        GridModel *model = grid->model();
        connect(model, &GridModel::totalRowsChanged, this, &PositionRestorer::tryNow);
        connect(model, &GridModel::rowsLoaded, this, &PositionRestorer::tryNow);
        connect(model, &GridModel::failureChanged, this, [this](const QString &message) {
            if (!message.isEmpty())
                deleteLater();
        });
        connect(model, &QAbstractItemModel::modelReset, this, &QObject::deleteLater);
        tryNow();
    }

private:
    void tryNow()
    {
        GridModel *model = m_grid ? m_grid->model() : nullptr;
        if (!model || !model->isCountKnown())
            return;
        disconnect(model, nullptr, this, nullptr);
        deleteLater();
        const qint64 total = model->totalRows();
        if (total == 0)
            return;
        int column = 0;
        for (int c = 0; c < model->columns().size(); ++c)
            if (model->columns()[c].name == m_place.column)
                column = c;
        m_grid->scrollToRow(m_place.topRow);
        if (m_place.row >= 0)
            m_grid->setCurrentCell(std::min(m_place.row, total - 1), column);
    }

    QPointer<GridView> m_grid;
    Place m_place;
};

} // namespace

QString Place::title() const
{
    return schema.isEmpty() ? table : schema + QLatin1Char('.') + table;
}

Place capturePlace(const GridView *grid, const QString &database, const QString &schema,
                   const QString &table)
{
    Place place;
    place.database = database;
    place.schema = schema;
    place.table = table;
    const GridModel *model = grid->model();
    if (!model || !model->source())
        return place;
    place.query = CarriedQuery::capture(model->source()->columns(), model->query());
    place.topRow = grid->topRow();
    place.row = grid->currentRow();
    const int column = grid->table()->currentIndex().column();
    if (place.row >= 0 && column >= 0 && column < model->columns().size())
        place.column = model->columns()[column].name;
    return place;
}

void restorePosition(GridView *grid, const Place &place)
{
    if (grid && grid->model())
        new PositionRestorer(grid, place);
}

} // namespace strata::ui::navigation
