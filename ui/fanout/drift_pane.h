#pragma once

// The tenant drift pane (Tools → Tenant drift…): every tenant schema of a database compared with
// a template schema (orm::compareTenants, whose comparison runs off this thread). A matrix of
// tenants × kinds of difference shows at a glance who drifts and how; a click on a cell lists
// the exact differences. Each drifting tenant has a script to review (read-only text) that runs
// only through its own button and a confirmation; the tenant is compared again afterwards.

#include "orm/schema/tenant_drift.h"

#include <QMessageBox>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace orm {
class Registry;
}

namespace strata::ui {

class DriftPane : public QWidget {
    Q_OBJECT

public:
    // The matrix's columns: what kind of difference a tenant has, and how many.
    enum Category {
        MissingTables,
        ExtraTables,
        MissingColumns,
        ExtraColumns,
        Types,
        Nullability,
        Defaults,
        Indexes,
        Constraints,
        RowCounts,
        CategoryCount
    };
    static Category categoryOf(orm::DriftItem::Kind kind);
    static QString categoryName(Category category);

    explicit DriftPane(orm::Registry *registry, QWidget *parent = nullptr);

    // The database compared ("" the primary) and its schemas, read again.
    void setDatabase(const QString &name);
    void reloadSchemas();
    bool isLoadingSchemas() const { return m_loadingSchemas; }
    QStringList schemas() const { return m_schemas; }
    void setTemplate(const QString &schema);
    // The registry's tenant models as the template (offered first when it has any).
    void setTemplateModels();
    bool usesModels(int index = -1) const;
    // Which schemas are tenants: a pattern (see orm::matchesSchemaPattern; empty: every other).
    void setTenantPattern(const QString &pattern);
    void setRowCounts(bool on);
    // The tenants a compare would look at (every schema matching the pattern but the template).
    QStringList tenants() const;

    void compare();
    bool isComparing() const { return m_comparing; }
    const orm::DriftReport &report() const { return m_report; }

    // Selects the matrix's cell of a tenant and category: its differences in details(), its
    // script in script().
    void selectCell(int tenantRow, Category category);
    // Runs the selected tenant's script after the confirmation (confirmation()) is accepted.
    void runSelectedScript();
    QMessageBox *confirmation() const { return m_confirm; }
    bool isRunningScript() const { return m_runningScript; }

    QTableWidget *matrix() const { return m_matrix; }
    QPlainTextEdit *details() const { return m_details; }
    QPlainTextEdit *script() const { return m_script; }
    QPushButton *runScriptButton() const { return m_runScript; }
    QLabel *statusLabel() const { return m_status; }

signals:
    void schemasLoaded();
    void compared();
    void scriptFinished(const QString &tenant, bool ok);

private:
    void buildUi();
    void showReport();
    void showRow(int row);
    void selectTenant(int row);
    orm::Database *database() const;
    QString templateName() const;

    QPointer<orm::Registry> m_registry;
    QString m_databaseName;
    QStringList m_schemas;
    bool m_loadingSchemas = false;
    bool m_comparing = false;
    bool m_runningScript = false;
    orm::DriftReport m_report;
    int m_selected = -1; // the tenant row selected

    QComboBox *m_database = nullptr;
    QComboBox *m_template = nullptr;
    QLineEdit *m_pattern = nullptr;
    QCheckBox *m_rowCounts = nullptr;
    QPushButton *m_compare = nullptr;
    QLabel *m_status = nullptr;
    QTableWidget *m_matrix = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QPlainTextEdit *m_script = nullptr;
    QPushButton *m_runScript = nullptr;
    QPointer<QMessageBox> m_confirm;
};

} // namespace strata::ui
