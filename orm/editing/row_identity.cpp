#include "orm/editing/row_identity.h"

namespace orm::editing {

namespace {

QString nameOf(const Model &model)
{
    return model.name.isEmpty() ? model.table : model.name;
}

// Every column is a NOT NULL field of the model (an expression column is no field).
bool allNotNullFields(const Model &model, const QStringList &columns)
{
    if (columns.isEmpty())
        return false;
    for (const QString &column : columns) {
        const Field *field = model.field(column);
        if (!field || (field->nullable && !field->primaryKey))
            return false;
    }
    return true;
}

} // namespace

RowIdentity rowIdentityOf(const Model &model)
{
    RowIdentity identity;
    if (!model.fieldsLoaded) {
        identity.readOnlyReason =
            QStringLiteral("the fields of %1 are not loaded yet").arg(nameOf(model));
        return identity;
    }
    if (model.kind == ModelKind::MaterializedView) {
        identity.readOnlyReason =
            QStringLiteral("%1 is a materialized view: its rows cannot be changed")
                .arg(nameOf(model));
        return identity;
    }
    // In the primary index's order when reflection saw one, else in field order.
    const QStringList primary = model.primaryKey();
    if (!primary.isEmpty()) {
        identity.columns = primary;
        identity.source = QStringLiteral("primary key");
        return identity;
    }
    for (const Index &index : model.indexes)
        if (index.unique && !index.partial && allNotNullFields(model, index.columns)) {
            identity.columns = index.columns;
            identity.source = QStringLiteral("unique key %1").arg(index.name);
            return identity;
        }
    identity.readOnlyReason =
        QStringLiteral("%1 has no primary key or unique not-null key").arg(nameOf(model));
    return identity;
}

} // namespace orm::editing
