#pragma once

#include "query/LedgerQueries.h"

#include <QAbstractTableModel>

namespace tl {

// The dashboard's breakdown table: one row per group of a Breakdown (endpoint · model by default).
// DisplayRole gives formatted text, SortRole raw numbers (calls, tokens, nano-USD, microseconds,
// shares), so sorting is numeric. Money columns are nano-USD in SortRole. Replaced in one call by
// setBreakdown(). Grouped by key, the two name columns are the user's key label (Breakdown::keyLabels;
// placeholder text when there is none) and the key identity (the salted hash, never the key).
// Thread affinity: GUI thread.
class BreakdownModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BreakdownModel)

public:
    enum Column {
        Endpoint,
        Model,
        Calls,
        PromptTokens,
        CachedTokens,
        CompletionTokens,
        ReasoningTokens,
        Cost,
        CostPer1kCalls,
        AvgLatency,
        P95Latency,
        Share,
        CumulativeShare,
        UnpricedCalls,
        CostStatus, // exact / estimated / partly estimated / unpriced / partly unpriced (costStatusName)
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int KeysRole = Qt::UserRole + 2; // QStringList of the row's group names
    static constexpr int KeyIdRole = Qt::UserRole + 3; // grouped by key: the row's key identity; else invalid
    static constexpr int KeyLabelRole = Qt::UserRole + 4; // grouped by key: its label ("" when none)

    explicit BreakdownModel(QObject *parent = nullptr);

    void setBreakdown(const Breakdown &breakdown);
    const Breakdown &breakdown() const { return m_data; }
    const BreakdownRow &row(int r) const { return m_data.rows.at(r); }
    bool groupedByKey() const { return m_data.groupBy == QList<Dimension>{Dimension::Key}; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The rows (in the given order, display text) as CSV with a header, for copy and export.
    QList<QStringList> csvRows(const QList<int> &rows, bool rawNumbers) const;

    // costStatusName() translated, "≈" before the estimated kinds.
    static QString costStatusText(const Aggregate &a);

private:
    QString keyAt(const BreakdownRow &row, Dimension d) const;
    Breakdown m_data;
};

} // namespace tl
