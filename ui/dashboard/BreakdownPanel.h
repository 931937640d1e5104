#pragma once

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QLabel;

namespace tl {

class BreakdownModel;
class Prompter;

// The breakdown table with its filter box (a QSortFilterProxyModel over every column's text), copy
// (selected rows as tab-separated text, Ctrl+C) and CSV export (all visible rows, raw numbers, costs
// as exact decimal USD). A plain click on a row emits rowClicked with the row's group names.
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

Q_SIGNALS:
    void rowClicked(const QStringList &keys);

private:
    void copySelection();
    void exportWithPicker();
    QList<int> visibleSourceRows(bool selectedOnly) const;

    BreakdownModel *m_model;
    Prompter &m_prompter;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QLabel *m_note;
};

} // namespace tl
