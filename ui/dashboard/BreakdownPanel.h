#pragma once

#include "query/LedgerQueries.h"

#include <QTimer>
#include <QWidget>

class QAction;
class QComboBox;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QLabel;

namespace tl {

class BreakdownModel;
class Prompter;

// The breakdown table with its filter box (a QSortFilterProxyModel over every column's text), copy
// (selected rows as tab-separated text, Ctrl+C) and CSV export (all visible rows, raw numbers, costs
// as exact decimal USD). A plain click on a row emits rowClicked with the row's group names. The
// "Group by" box chooses endpoint · model or API key (groupByChanged); grouped by key, the row's context
// menu has "Label this key…" (labelKeyRequested; the dashboard asks and applies it with undo).
class BreakdownPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BreakdownPanel)

public:
    BreakdownPanel(BreakdownModel *model, Prompter &prompter, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QLineEdit *filterBox() const { return m_filter; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }

    // Selected rows (or all visible rows when none is selected) as tab-separated text with a header.
    QString selectionText() const;
    // Writes the visible rows as CSV to `path`; false with `error` set on failure.
    bool exportCsv(const QString &path, QString *error) const;
    void setNote(const QString &note);

    QList<Dimension> groupBy() const;
    void setGroupBy(const QList<Dimension> &dims); // {Endpoint, Model} or {Key}; emits groupByChanged
    QComboBox *groupByBox() const { return m_groupBy; }
    QAction *labelKeyAction() const { return m_labelKey; }
    // Adds an action (e.g. undo/redo) to the table's context menu and shortcuts.
    void addTableAction(QAction *action);
    // Asks for a label of the current row's key (what "Label this key…" does).
    void requestLabelForCurrentRow();

    // Columns (BreakdownModel::Column) the table hides; the header's context menu shows and hides
    // them (columnsChanged). By default the ones that do not fit a 1440 px window beside the Pareto
    // chart; copy and CSV export always include every column.
    static QList<int> defaultHiddenColumns();
    QList<int> hiddenColumns() const;
    void setHiddenColumns(const QList<int> &columns);
    QAction *columnAction(int column) const; // the header menu's toggle for `column`; null if always shown

Q_SIGNALS:
    void rowClicked(const QStringList &keys);
    void groupByChanged(const QList<Dimension> &dims);
    void labelKeyRequested(const QString &keyId, const QString &currentLabel);
    void columnsChanged(const QList<int> &hiddenColumns);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // The endpoint and model columns give up width (their names elided, whole in the tooltip) before
    // the table scrolls sideways; never narrower than their titles. The other columns fit their contents.
    void fitNameColumns();
    void copySelection();
    void exportWithPicker();
    QList<int> visibleSourceRows(bool selectedOnly) const;
    void updateForGrouping();

    BreakdownModel *m_model;
    Prompter &m_prompter;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QLabel *m_note;
    QLabel *m_title;
    QComboBox *m_groupBy;
    QAction *m_labelKey;
    QList<QAction *> m_columnActions; // indexed by column; null for the name and cost columns
    QTimer m_fit; // coalesces fitNameColumns() after resizes and data changes
};

} // namespace tl
