#pragma once

#include "orm/core/row_batch.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace orm {

// What kind of relation a model maps.
enum class ModelKind { Table, View, MaterializedView, PartitionedTable, Partition };

// Where a model comes from; the registry keeps the three apart, as Edgy does.
enum class ModelOrigin {
    Declared,  // written in C++
    Reflected, // read from the database's catalog
    Tenant,    // declared, living in every tenant schema and not in the default one
};

struct Field {
    QString name;
    QString sqlType; // as declared: "integer", "varchar(40)", "mood" (an enum)...
    LogicalType type = LogicalType::Unknown;
    bool nullable = true;
    QString defaultExpression; // SQL text, empty when there is none
    bool primaryKey = false;
    bool identity = false;       // GENERATED ... AS IDENTITY, SERIAL, INTEGER PRIMARY KEY
    bool generated = false;      // GENERATED ALWAYS AS (expr): computed, never written
    QString generatedExpression; // the expression of a generated column, when known
};

struct ForeignKey {
    QString name;
    QStringList columns;
    QString targetSchema; // empty: the model's own schema
    QString targetTable;
    QStringList targetColumns;
};

struct Index {
    QString name;
    QStringList columns;
    bool unique = false;
    bool primary = false;
    bool partial = false; // WHERE ...: unique over some rows only, so no row identity
};

// A model's metadata: what the explorer browses and what query sets compile against.
// A plain value; cheap enough to copy (a handful of implicitly shared lists).
struct Model {
    QString name;   // the model's name (the table's by default, or the naming template's)
    QString table;  // the relation's name in the database
    QString schema; // its default schema; empty means the database's default
    ModelKind kind = ModelKind::Table;
    ModelOrigin origin = ModelOrigin::Declared;
    QList<Field> fields;
    QList<ForeignKey> foreignKeys;
    QList<Index> indexes;
    QString partitionOf; // for a partition: its parent table
    // Reflection lists models first and reads their columns on demand: false until then.
    bool fieldsLoaded = true;
    // The registry's name of the database a reflected model was read from; empty: the primary.
    QString database;

    const Field *field(const QString &name) const;
    bool hasField(const QString &name) const { return field(name) != nullptr; }
    QStringList fieldNames() const;
    QStringList primaryKey() const;
};

// Declares a model in C++:
//
//   orm::Model customer = orm::ModelBuilder("Customer", "customer")
//       .field("id", "integer").primaryKey().identity()
//       .field("name", "text").notNull()
//       .field("country_id", "integer").references("country", "id")
//       .unique({"name"})
//       .build();
class ModelBuilder {
public:
    ModelBuilder(QString name, QString table = {});

    // A new field; the calls after it (notNull, primaryKey...) apply to it.
    ModelBuilder &field(QString name, QString sqlType);
    ModelBuilder &notNull();
    ModelBuilder &primaryKey();
    ModelBuilder &identity();
    ModelBuilder &generated(QString expression);
    ModelBuilder &defaultsTo(QString expression);
    ModelBuilder &references(QString table, QString column, QString schema = {});
    ModelBuilder &unique(QStringList columns);
    ModelBuilder &index(QStringList columns);
    ModelBuilder &schema(QString schema);
    ModelBuilder &kind(ModelKind kind);
    // A tenant model lives in every tenant schema (see Registry::addTenantModel).
    ModelBuilder &tenant();

    Model build() const;

private:
    Field &current();
    Model m_model;
};

// "table", "view", "materialized view", "partitioned table", "partition" (for people and JSON).
QString modelKindName(ModelKind kind);
// "integer", "text", "timestamptz"... (for people and JSON).
QString logicalTypeName(LogicalType type);

// The logical type for a declared SQL type name, by PostgreSQL's names and SQLite's affinity
// rules ("integer", "int8", "varchar(20)", "timestamptz", "BOOLEAN", "DATETIME"...).
LogicalType logicalTypeOf(const QString &sqlType);

} // namespace orm
