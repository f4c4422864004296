#include "drift_pane.h"

#include "orm/fanout/fan_out_targets.h"
#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"
#include "ui/launch_task.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace strata::ui {

namespace {

// The database's schemas; null when it went away meanwhile.
QCoro::Task<QStringList> schemasOf(QPointer<orm::Registry> registry, QString name)
{
    orm::Database *db = registry ? registry->findDatabase(name) : nullptr;
    if (!db)
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("no database named '%1'").arg(name));
    QStringList schemas = co_await orm::reflection::listSchemas(db);
    co_return schemas;
}

// Runs a tenant's script, then compares that tenant again (with the models when the template
// schema is empty).
QCoro::Task<orm::DriftReport> runAndCompare(orm::Database *db, QString script,
                                            QString templateSchema, QList<orm::Model> models,
                                            QString tenant, orm::DriftOptions options)
{
    co_await db->executeScript(script);
    // Named first: GCC 12 and a braced list inside co_await (docs/DEVELOPING.md).
    const QStringList tenants{tenant};
    if (templateSchema.isEmpty()) {
        orm::DriftReport again =
            co_await orm::compareTenantsWithModels(db, models, tenants, options);
        co_return again;
    }
    orm::DriftReport again = co_await orm::compareTenants(db, templateSchema, tenants, options);
    co_return again;
}

} // namespace

DriftPane::Category DriftPane::categoryOf(orm::DriftItem::Kind kind)
{
    using K = orm::DriftItem::Kind;
    switch (kind) {
    case K::MissingTable:
        return MissingTables;
    case K::ExtraTable:
        return ExtraTables;
    case K::MissingColumn:
        return MissingColumns;
    case K::ExtraColumn:
        return ExtraColumns;
    case K::ColumnType:
        return Types;
    case K::Nullability:
        return Nullability;
    case K::Default:
        return Defaults;
    case K::MissingIndex:
    case K::ExtraIndex:
    case K::IndexDefinition:
        return Indexes;
    case K::MissingConstraint:
    case K::ExtraConstraint:
    case K::ConstraintDefinition:
        return Constraints;
    }
    return Constraints;
}

QString DriftPane::categoryName(Category category)
{
    switch (category) {
    case MissingTables:
        return tr("Missing tables");
    case ExtraTables:
        return tr("Extra tables");
    case MissingColumns:
        return tr("Missing columns");
    case ExtraColumns:
        return tr("Extra columns");
    case Types:
        return tr("Types");
    case Nullability:
        return tr("Nullability");
    case Defaults:
        return tr("Defaults");
    case Indexes:
        return tr("Indexes");
    case Constraints:
        return tr("Constraints");
    case RowCounts:
        return tr("Row counts");
    case CategoryCount:
        break;
    }
    return {};
}

DriftPane::DriftPane(orm::Registry *registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(registry)
{
    setObjectName(QStringLiteral("driftPane"));
    buildUi();
    reloadSchemas();
}

void DriftPane::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QHBoxLayout;
    m_database = new QComboBox(this);
    m_database->setObjectName(QStringLiteral("driftDatabase"));
    if (m_registry) {
        m_database->addItem(tr("primary"), QString());
        for (const QString &name : m_registry->extraNames())
            m_database->addItem(name, name);
    }
    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("driftTemplate"));
    m_template->setMinimumContentsLength(16);
    m_pattern = new QLineEdit(this);
    m_pattern->setObjectName(QStringLiteral("driftTenants"));
    m_pattern->setPlaceholderText(tr("Tenants: every other schema, or a pattern"));
    m_rowCounts = new QCheckBox(tr("Row counts"), this);
    m_rowCounts->setObjectName(QStringLiteral("driftRowCounts"));
    m_compare = new QPushButton(tr("Compare"), this);
    m_compare->setObjectName(QStringLiteral("driftCompare"));
    form->addWidget(new QLabel(tr("Database:"), this));
    form->addWidget(m_database);
    form->addWidget(new QLabel(tr("Template:"), this));
    form->addWidget(m_template);
    form->addWidget(m_pattern, 1);
    form->addWidget(m_rowCounts);
    form->addWidget(m_compare);
    layout->addLayout(form);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("driftStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter, 1);
    m_matrix = new QTableWidget(0, CategoryCount, splitter);
    m_matrix->setObjectName(QStringLiteral("driftMatrix"));
    QStringList headers;
    for (int c = 0; c < CategoryCount; ++c)
        headers << categoryName(Category(c));
    m_matrix->setHorizontalHeaderLabels(headers);
    m_matrix->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_matrix->setSelectionMode(QAbstractItemView::SingleSelection);
    m_matrix->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_details = new QPlainTextEdit(right);
    m_details->setObjectName(QStringLiteral("driftDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Click a cell for its differences"));
    m_script = new QPlainTextEdit(right);
    m_script->setObjectName(QStringLiteral("driftScript"));
    m_script->setReadOnly(true);
    m_script->setPlaceholderText(tr("The script that brings the selected tenant to the template"));
    m_runScript = new QPushButton(tr("Run this script…"), right);
    m_runScript->setObjectName(QStringLiteral("driftRunScript"));
    m_runScript->setEnabled(false);
    rightLayout->addWidget(new QLabel(tr("Differences:"), right));
    rightLayout->addWidget(m_details, 1);
    rightLayout->addWidget(new QLabel(tr("Script (review before running):"), right));
    rightLayout->addWidget(m_script, 2);
    rightLayout->addWidget(m_runScript);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    // Extras come and go while the pane is open.
    if (m_registry) {
        connect(m_registry, &orm::Registry::extraAdded, this,
                [this](const QString &name) { m_database->addItem(name, name); });
        connect(m_registry, &orm::Registry::extraRemoved, this, [this](const QString &name) {
            const int index = m_database->findData(name);
            if (index > 0)
                m_database->removeItem(index);
        });
    }
    connect(m_database, &QComboBox::currentIndexChanged, this, [this] {
        m_databaseName = m_database->currentData().toString();
        reloadSchemas();
    });
    connect(m_compare, &QPushButton::clicked, this, &DriftPane::compare);
    connect(m_matrix, &QTableWidget::cellClicked, this,
            [this](int row, int column) { selectCell(row, Category(column)); });
    connect(m_matrix, &QTableWidget::currentCellChanged, this, [this](int row, int column) {
        if (row >= 0 && column >= 0)
            selectCell(row, Category(column));
    });
    connect(m_runScript, &QPushButton::clicked, this, &DriftPane::runSelectedScript);
}

orm::Database *DriftPane::database() const
{
    return m_registry ? m_registry->findDatabase(m_databaseName) : nullptr;
}

void DriftPane::setDatabase(const QString &name)
{
    const int index = m_database->findData(name);
    if (index >= 0 && index != m_database->currentIndex())
        m_database->setCurrentIndex(index);
}

void DriftPane::reloadSchemas()
{
    m_loadingSchemas = true;
    launchTask(
        this, schemasOf(m_registry, m_databaseName),
        [this](QStringList schemas) {
            m_loadingSchemas = false;
            const int keptIndex = m_template->currentIndex();
            const QString kept = m_template->currentData().toString();
            m_schemas = schemas;
            m_template->clear();
            // The registry's tenant models are a template too: what every tenant should be.
            const qsizetype models = m_registry ? m_registry->tenantModels().size() : 0;
            if (models > 0)
                m_template->addItem(tr("Tenant models (%1)").arg(models), QString());
            for (const QString &schema : schemas)
                m_template->addItem(schema, schema);
            if (keptIndex >= 0 && m_template->findData(kept) >= 0)
                m_template->setCurrentIndex(m_template->findData(kept));
            emit schemasLoaded();
        },
        [this](const TaskFailure &failure) {
            m_loadingSchemas = false;
            m_status->setText(tr("Could not list the schemas: %1").arg(failure.message));
            emit schemasLoaded();
        });
}

void DriftPane::setTemplate(const QString &schema)
{
    const int index = m_template->findData(schema);
    if (index >= 0)
        m_template->setCurrentIndex(index);
}

void DriftPane::setTemplateModels()
{
    if (m_template->count() > 0 && usesModels(0))
        m_template->setCurrentIndex(0);
}

bool DriftPane::usesModels(int index) const
{
    const int at = index < 0 ? m_template->currentIndex() : index;
    return at >= 0 && m_template->itemData(at).toString().isEmpty();
}

QString DriftPane::templateName() const
{
    return m_report.templateSchema.isEmpty() ? tr("the tenant models") : m_report.templateSchema;
}

void DriftPane::setTenantPattern(const QString &pattern)
{
    m_pattern->setText(pattern);
}

void DriftPane::setRowCounts(bool on)
{
    m_rowCounts->setChecked(on);
}

QStringList DriftPane::tenants() const
{
    const QString templateSchema = m_template->currentData().toString();
    const QString pattern = m_pattern->text().trimmed();
    QStringList tenants;
    for (const QString &schema : m_schemas)
        if (schema != templateSchema &&
            (pattern.isEmpty() || orm::matchesSchemaPattern(schema, pattern)))
            tenants << schema;
    return tenants;
}

void DriftPane::compare()
{
    orm::Database *db = database();
    const QString templateSchema = m_template->currentData().toString();
    const bool withModels = usesModels();
    if (m_comparing)
        return;
    if (!db || (templateSchema.isEmpty() && !withModels)) {
        m_status->setText(tr("Choose a database and a template first."));
        return;
    }
    const QStringList tenants = this->tenants();
    if (tenants.isEmpty()) {
        m_status->setText(tr("No tenant schema matches '%1'.").arg(m_pattern->text()));
        return;
    }
    m_comparing = true;
    m_compare->setEnabled(false);
    m_status->setText(
        tr("Comparing %1 tenant(s) with %2…").arg(tenants.size()).arg(m_template->currentText()));
    orm::DriftOptions options;
    options.rowCounts = m_rowCounts->isChecked();
    launchTask(
        this,
        withModels ? orm::compareTenantsWithModels(db, m_registry->tenantModels(), tenants, options)
                   : orm::compareTenants(db, templateSchema, tenants, options),
        [this](orm::DriftReport report) {
            m_comparing = false;
            m_compare->setEnabled(true);
            m_report = std::move(report);
            showReport();
            emit compared();
        },
        [this](const TaskFailure &failure) {
            m_comparing = false;
            m_compare->setEnabled(true);
            m_status->setText(tr("Compare failed: %1").arg(failure.message));
            emit compared();
        });
}

void DriftPane::showReport()
{
    m_matrix->setRowCount(int(m_report.tenants.size()));
    for (int row = 0; row < m_report.tenants.size(); ++row)
        showRow(row);
    m_status->setText(tr("%1 of %2 tenant(s) drift from %3")
                          .arg(m_report.driftingCount())
                          .arg(m_report.tenants.size())
                          .arg(templateName()));
    m_selected = -1;
    m_details->clear();
    m_script->clear();
    m_runScript->setEnabled(false);
    m_runScript->setText(tr("Run this script…"));
}

void DriftPane::showRow(int row)
{
    const orm::TenantDrift &drift = m_report.tenants[row];
    int counts[CategoryCount] = {};
    for (const orm::DriftItem &item : drift.items)
        ++counts[categoryOf(item.kind)];
    for (const auto &[table, pair] : drift.rowCounts)
        counts[RowCounts] += pair.first != pair.second;
    auto *header = new QTableWidgetItem(
        (drift.drifts() ? QStringLiteral("✗ ") : QStringLiteral("✓ ")) + drift.schema);
    header->setToolTip(drift.drifts() ? tr("%1 difference(s)").arg(drift.items.size())
                                      : tr("matches the template"));
    m_matrix->setVerticalHeaderItem(row, header);
    for (int c = 0; c < CategoryCount; ++c) {
        auto *cell = new QTableWidgetItem(counts[c] ? QString::number(counts[c]) : QString());
        cell->setTextAlignment(Qt::AlignCenter);
        if (counts[c])
            cell->setBackground(c == RowCounts ? QColor(255, 244, 214) : QColor(255, 205, 205));
        cell->setData(Qt::UserRole, counts[c]);
        m_matrix->setItem(row, c, cell);
    }
}

void DriftPane::selectCell(int tenantRow, Category category)
{
    if (tenantRow < 0 || tenantRow >= m_report.tenants.size())
        return;
    selectTenant(tenantRow);
    const orm::TenantDrift &drift = m_report.tenants[tenantRow];
    QStringList lines;
    if (category == RowCounts) {
        for (const auto &[table, pair] : drift.rowCounts)
            if (pair.first != pair.second)
                lines << tr("%1: %2 rows, template has %3")
                             .arg(table)
                             .arg(pair.second)
                             .arg(pair.first);
    } else {
        for (const orm::DriftItem &item : drift.items)
            if (categoryOf(item.kind) == category)
                lines << item.describe();
    }
    if (lines.isEmpty())
        lines << tr("%1: no difference in %2").arg(drift.schema, categoryName(category).toLower());
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
}

void DriftPane::selectTenant(int row)
{
    m_selected = row;
    const orm::TenantDrift &drift = m_report.tenants[row];
    m_script->setPlainText(drift.script.join(QLatin1Char('\n')));
    m_runScript->setEnabled(drift.drifts() && !m_runningScript);
    m_runScript->setText(drift.drifts() ? tr("Run this script on %1…").arg(drift.schema)
                                        : tr("Run this script…"));
}

void DriftPane::runSelectedScript()
{
    if (m_selected < 0 || m_selected >= m_report.tenants.size() || m_runningScript)
        return;
    const orm::TenantDrift drift = m_report.tenants[m_selected];
    if (!drift.drifts())
        return;
    if (m_confirm)
        m_confirm->deleteLater();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Run the drift script?"),
                                tr("Run %1 statement(s) on tenant %2? They change its tables "
                                   "to match %3; some may drop columns, tables or rows.")
                                    .arg(drift.script.size())
                                    .arg(drift.schema, templateName()),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("driftConfirm"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = box;
    const QString tenant = drift.schema;
    const QString script = drift.script.join(QLatin1Char('\n'));
    connect(box, &QMessageBox::finished, this, [this, tenant, script](int result) {
        if (result != QMessageBox::Yes)
            return;
        orm::Database *db = database();
        if (!db)
            return;
        m_runningScript = true;
        m_runScript->setEnabled(false);
        m_status->setText(tr("Running the script on %1…").arg(tenant));
        orm::DriftOptions options;
        options.rowCounts = m_rowCounts->isChecked();
        launchTask(
            this,
            runAndCompare(db, script, m_report.templateSchema,
                          m_registry ? m_registry->tenantModels() : QList<orm::Model>{}, tenant,
                          options),
            [this, tenant](orm::DriftReport again) {
                m_runningScript = false;
                for (int row = 0; row < m_report.tenants.size(); ++row)
                    if (m_report.tenants[row].schema == tenant && !again.tenants.isEmpty()) {
                        m_report.tenants[row] = again.tenants.first();
                        showRow(row);
                        selectTenant(row);
                        m_details->setPlainText(
                            again.tenants.first().drifts()
                                ? tr("%1 still drifts:\n").arg(tenant) +
                                      [&] {
                                          QStringList lines;
                                          for (const orm::DriftItem &item :
                                               again.tenants.first().items)
                                              lines << item.describe();
                                          return lines.join(QLatin1Char('\n'));
                                      }()
                                : tr("%1 now matches the template.").arg(tenant));
                    }
                m_status->setText(tr("Ran the script on %1; %2 of %3 tenant(s) drift")
                                      .arg(tenant)
                                      .arg(m_report.driftingCount())
                                      .arg(m_report.tenants.size()));
                emit scriptFinished(tenant, true);
            },
            [this, tenant](const TaskFailure &failure) {
                m_runningScript = false;
                if (m_selected >= 0)
                    selectTenant(m_selected);
                m_status->setText(tr("The script failed on %1: %2").arg(tenant, failure.message));
                emit scriptFinished(tenant, false);
            });
    });
    box->open();
}

} // namespace strata::ui
