#include "ui/help_texts.h"

#include "orm/drivers/library_versions.h"

#include <QAction>
#include <QCoreApplication>
#include <QKeySequence>
#include <QMap>
#include <QWidget>

namespace strata::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("HelpTexts", text);
}

QString row(const QString &keys, const QString &what)
{
    return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
        .arg(keys.toHtmlEscaped(), what.toHtmlEscaped());
}

} // namespace

QString keyboardShortcutsHtml(const QWidget *window)
{
    // By shortcut text, so an action reachable from two places is listed once.
    QMap<QString, QString> seen;
    for (const QAction *action : window->findChildren<QAction *>()) {
        const QString keys = action->shortcut().toString(QKeySequence::NativeText);
        if (keys.isEmpty() || seen.contains(keys))
            continue;
        QString name = action->text();
        name.remove(QLatin1Char('&'));
        name.remove(QStringLiteral("…"));
        if (!action->toolTip().isEmpty() && action->toolTip() != name && name.isEmpty())
            name = action->toolTip();
        seen.insert(keys, name);
    }
    // Keys the editor and the grid handle themselves, not through actions.
    const QList<std::pair<QString, QString>> fixed = {
        {tr("Ctrl+Return"), tr("Console: run the statement at the cursor")},
        {tr("Esc"), tr("Console: cancel what runs")},
        {tr("Ctrl+Space"), tr("Console: complete a keyword or name")},
        {tr("Ctrl+Z / Ctrl+Shift+Z"), tr("Console: undo / redo in the editor")},
        {tr("Ctrl+C"), tr("Grid and results: copy the selected cells (tab-separated)")},
        {tr("Ctrl+End / Ctrl+Home"), tr("Grid: the last / first row of the table")},
        {tr("Ctrl+click"), tr("Grid: go to the row a foreign-key cell references")},
        {tr("Enter, double-click"), tr("Tree: open the table")},
    };
    QString html = QStringLiteral("<table cellspacing='4'>");
    for (auto it = seen.cbegin(); it != seen.cend(); ++it)
        html += row(it.key(), it.value());
    for (const auto &[keys, what] : fixed)
        if (!seen.contains(keys))
            html += row(keys, what);
    return html + QStringLiteral("</table>");
}

QString filterSyntaxHtml()
{
    QString html = tr("<p>Type under a column's header to filter the grid by that column; "
                      "filters on several columns must all hold. The filter is checked against "
                      "the column's type before anything runs.</p>");
    html += QStringLiteral("<table cellspacing='4'>");
    html += row(QStringLiteral("abc"), tr("text: contains abc, any case; other types: equals"));
    html += row(QStringLiteral("=abc"), tr("equals exactly"));
    html += row(QStringLiteral("!abc"), tr("not: the same test, negated"));
    html += row(QStringLiteral(">5  >=5  <5  <=5"), tr("compares"));
    html += row(QStringLiteral("1..10"), tr("between, both ends included"));
    html += row(QStringLiteral("NULL  !NULL"), tr("is NULL / is not NULL"));
    html += row(QStringLiteral("2022  2022-05  2022-05-03"),
                tr("dates and timestamps: that year, month or whole day"));
    html += row(QStringLiteral("2022-01..2022-03"),
                tr("from the start of January to the end of March"));
    html += row(QStringLiteral(">2022"), tr("from 2023 on"));
    html += QStringLiteral("</table>");
    html += tr("<p>Enums, arrays, inet, interval and tsvector columns are matched by their text. "
               "Click a header to sort by it; the status bar says when a filter is on.</p>");
    return html;
}

QString aboutHtml()
{
    const orm::LibraryVersions versions = orm::libraryVersions();
    QString html = tr("<h3>Strata %1</h3><p>A fast, native explorer for PostgreSQL and "
                      "SQLite.</p>")
                       .arg(QCoreApplication::applicationVersion().toHtmlEscaped());
    html += QStringLiteral("<table cellspacing='4'>");
    html += row(QStringLiteral("Qt"), versions.qt);
    html += row(QStringLiteral("QCoro"), versions.qcoro);
    html += row(QStringLiteral("libpq"), versions.libpq);
    html += row(QStringLiteral("SQLite"), versions.sqlite);
    return html + QStringLiteral("</table>");
}

} // namespace strata::ui
