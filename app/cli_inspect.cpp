// strata inspect --database URL [--schema S] [--json | --ddl]: the reflected models of one schema
// (the Edgy's inspectdb), read through the ORM registry as the desktop program reads them; --ddl
// prints their CREATE statements from the catalog instead (orm::reflection::tableDdl).

#include "command.h"

#include "orm/schema/reflection.h"
#include "orm/schema/table_ddl.h"
#include "orm/sync/async_env.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTextStream>

namespace {

struct Inspection {
    QString schema; // the schema's real name (PostgreSQL's current one when none was given)
    QList<orm::Model> models;
};

QCoro::Task<Inspection> inspect(orm::Database *db, QString schema)
{
    Inspection inspection;
    const QList<orm::Model> listed = co_await orm::reflection::listModels(db, schema);
    for (const orm::Model &model : listed) {
        orm::Model loaded = co_await orm::reflection::loadModel(db, model.schema, model.table);
        inspection.models << std::move(loaded);
    }
    if (!schema.isEmpty()) {
        inspection.schema = schema;
    } else if (!listed.isEmpty()) {
        inspection.schema = listed.first().schema;
    } else if (db->url().backend() == orm::DatabaseUrl::Backend::Sqlite) {
        inspection.schema = QStringLiteral("main");
    } else {
        const QString sql = QStringLiteral("SELECT current_schema()");
        const orm::Result current = co_await db->execute(sql);
        inspection.schema = current.rowCount() ? current.text(0, 0) : QString();
    }
    co_return inspection;
}

// Every table's and view's DDL, in the listing's (name) order.
QCoro::Task<QString> schemaDdl(orm::Database *db, QString schema)
{
    const QList<orm::Model> listed = co_await orm::reflection::listModels(db, schema);
    QStringList statements;
    for (const orm::Model &model : listed) {
        const QString ddl = co_await orm::reflection::tableDdl(db, model.schema, model.table);
        statements << ddl;
    }
    co_return statements.join(QLatin1Char('\n'));
}

QString qualified(const QString &schema, const QString &table)
{
    return schema.isEmpty() ? table : schema + QLatin1Char('.') + table;
}

QString columnList(const QStringList &columns)
{
    return QLatin1Char('(') + columns.join(QStringLiteral(", ")) + QLatin1Char(')');
}

void printText(QTextStream &out, const Inspection &inspection)
{
    bool first = true;
    for (const orm::Model &model : inspection.models) {
        if (!first)
            out << '\n';
        first = false;
        QString kind = orm::modelKindName(model.kind);
        if (!model.partitionOf.isEmpty())
            kind += QStringLiteral(" of ") + model.partitionOf;
        out << qualified(model.schema, model.table) << " (" << kind << ")\n";

        int nameWidth = 0;
        int typeWidth = 0;
        for (const orm::Field &field : model.fields) {
            nameWidth = qMax(nameWidth, int(field.name.size()));
            typeWidth = qMax(typeWidth, int(field.sqlType.size()));
        }
        for (const orm::Field &field : model.fields) {
            QStringList notes;
            if (!field.nullable)
                notes << QStringLiteral("NOT NULL");
            if (field.primaryKey)
                notes << QStringLiteral("PRIMARY KEY");
            if (field.identity)
                notes << QStringLiteral("IDENTITY");
            if (field.generated)
                notes << (field.generatedExpression.isEmpty()
                              ? QStringLiteral("GENERATED")
                              : QStringLiteral("GENERATED ALWAYS AS (%1)")
                                    .arg(field.generatedExpression));
            if (!field.defaultExpression.isEmpty())
                notes << QStringLiteral("DEFAULT ") + field.defaultExpression;
            QString line = QStringLiteral("  %1  %2  %3")
                               .arg(field.name, -nameWidth)
                               .arg(field.sqlType, -typeWidth)
                               .arg(notes.join(QStringLiteral("  ")));
            while (line.endsWith(QLatin1Char(' ')))
                line.chop(1);
            out << line << '\n';
        }
        const QStringList key = model.primaryKey();
        if (!key.isEmpty())
            out << "  primary key " << columnList(key) << '\n';
        for (const orm::ForeignKey &fk : model.foreignKeys) {
            out << "  foreign key ";
            if (!fk.name.isEmpty())
                out << fk.name << ' ';
            out << columnList(fk.columns) << " -> "
                << qualified(fk.targetSchema.isEmpty() ? model.schema : fk.targetSchema,
                             fk.targetTable)
                << columnList(fk.targetColumns) << '\n';
        }
        for (const orm::Index &index : model.indexes) {
            out << "  index " << index.name << ' ';
            if (index.primary)
                out << "PRIMARY ";
            else if (index.unique)
                out << "UNIQUE ";
            out << columnList(index.columns) << '\n';
        }
    }
}

QJsonArray jsonStrings(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonDocument toJson(const orm::Database *db, const Inspection &inspection)
{
    QJsonArray models;
    for (const orm::Model &model : inspection.models) {
        QJsonArray fields;
        for (const orm::Field &field : model.fields)
            fields << QJsonObject{
                {QStringLiteral("name"), field.name},
                {QStringLiteral("type"), field.sqlType},
                {QStringLiteral("logicalType"), orm::logicalTypeName(field.type)},
                {QStringLiteral("nullable"), field.nullable},
                {QStringLiteral("default"), field.defaultExpression.isEmpty()
                                                ? QJsonValue(QJsonValue::Null)
                                                : QJsonValue(field.defaultExpression)},
                {QStringLiteral("primaryKey"), field.primaryKey},
                {QStringLiteral("identity"), field.identity},
                {QStringLiteral("generated"), field.generated},
            };
        QJsonArray foreignKeys;
        for (const orm::ForeignKey &fk : model.foreignKeys)
            foreignKeys << QJsonObject{
                {QStringLiteral("name"), fk.name},
                {QStringLiteral("columns"), jsonStrings(fk.columns)},
                {QStringLiteral("targetSchema"),
                 fk.targetSchema.isEmpty() ? model.schema : fk.targetSchema},
                {QStringLiteral("targetTable"), fk.targetTable},
                {QStringLiteral("targetColumns"), jsonStrings(fk.targetColumns)},
            };
        QJsonArray indexes;
        for (const orm::Index &index : model.indexes)
            indexes << QJsonObject{
                {QStringLiteral("name"), index.name},
                {QStringLiteral("columns"), jsonStrings(index.columns)},
                {QStringLiteral("unique"), index.unique},
                {QStringLiteral("primary"), index.primary},
            };
        models << QJsonObject{
            {QStringLiteral("name"), model.name},
            {QStringLiteral("schema"), model.schema},
            {QStringLiteral("table"), model.table},
            {QStringLiteral("kind"), orm::modelKindName(model.kind)},
            {QStringLiteral("partitionOf"), model.partitionOf.isEmpty()
                                                ? QJsonValue(QJsonValue::Null)
                                                : QJsonValue(model.partitionOf)},
            {QStringLiteral("fields"), fields},
            {QStringLiteral("primaryKey"), jsonStrings(model.primaryKey())},
            {QStringLiteral("foreignKeys"), foreignKeys},
            {QStringLiteral("indexes"), indexes},
        };
    }
    const bool sqlite = db->url().backend() == orm::DatabaseUrl::Backend::Sqlite;
    return QJsonDocument(QJsonObject{
        {QStringLiteral("database"), db->displayUrl()},
        {QStringLiteral("backend"),
         sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgresql")},
        {QStringLiteral("schema"), inspection.schema},
        {QStringLiteral("models"), models},
    });
}

int usageError(const QString &message)
{
    QTextStream(stderr) << "strata inspect: " << message
                        << "\nUsage: strata inspect --database URL [--schema S] [--json | --ddl]\n";
    return 2;
}

int runInspect(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Shows the tables and views of a database schema: columns with their "
                       "types, keys, foreign keys and indexes."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Shows this help."));
    const QCommandLineOption database(
        QStringLiteral("database"),
        QStringLiteral("The database: postgresql://user:password@host/db or sqlite:///file.db."),
        QStringLiteral("URL"));
    const QCommandLineOption schema(
        QStringLiteral("schema"),
        QStringLiteral("The schema (default: PostgreSQL's current schema, SQLite's main)."),
        QStringLiteral("S"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Prints a JSON document instead of text."));
    const QCommandLineOption ddl(
        QStringLiteral("ddl"),
        QStringLiteral("Prints the CREATE statements of the tables and views, generated from the "
                       "catalog, instead of text."));
    parser.addOptions({help, database, schema, json, ddl});
    if (!parser.parse(QStringList{QStringLiteral("strata inspect")} + arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    if (!parser.isSet(database) || parser.value(database).trimmed().isEmpty())
        return usageError(QStringLiteral("--database URL is required"));
    if (parser.isSet(json) && parser.isSet(ddl))
        return usageError(QStringLiteral("--json and --ddl exclude each other"));

    // The ORM's own warnings (a failed connect, say) would repeat the one error line below;
    // QT_LOGGING_RULES still overrides this.
    QLoggingCategory::setFilterRules(QStringLiteral("strata.orm.*.warning=false\n"
                                                    "strata.orm.*.info=false"));
    try {
        orm::Registry registry(parser.value(database));
        orm::AsyncEnv env(registry);
        orm::Database *db = registry.database();
        const QString wanted = parser.value(schema);
        if (parser.isSet(ddl)) {
            const QString text = orm::runSync([db, wanted] { return schemaDdl(db, wanted); });
            QTextStream(stdout) << text;
            return 0;
        }
        const Inspection inspection = orm::runSync([db, wanted] { return inspect(db, wanted); });
        QTextStream out(stdout);
        if (parser.isSet(json))
            out << toJson(db, inspection).toJson(QJsonDocument::Indented);
        else
            printText(out, inspection);
        return 0;
    } catch (const orm::Error &error) {
        // libpq's messages span lines ("\n\tIs the server running..."): one line here.
        QTextStream(stderr) << "strata inspect: " << error.toString().simplified() << '\n';
        return 1;
    } catch (const std::exception &error) {
        QTextStream(stderr) << "strata inspect: " << QString::fromUtf8(error.what()).simplified()
                            << '\n';
        return 1;
    }
}

} // namespace

STRATA_COMMAND(inspect, "show the tables, columns and keys of a database", runInspect);
