#pragma once

#include "simulate/Simulator.h"

#include <QAbstractTableModel>

namespace tl {

// The seed design's expected-savings table, filled from a SimulationResult: one row per strategy in
// the simulator's fixed order (kStrategyOrder), then a "Combined" row (baseline minus the final
// projection). A strategy that is off reads "off"; one that is on but that the data cannot support
// reads "not simulated: <why>" (IsMutedRole true: drawn muted). SortRole gives raw values (nano-USD,
// calls, fractions). Thread affinity: GUI thread.
class StrategyOutcomeModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StrategyOutcomeModel)

public:
    enum Column { StrategyName, Saving, SavingShare, CallsAffected, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int IsMutedRole = Qt::UserRole + 2; // bool: off or not simulated
    static constexpr int NotSimulatedRole = Qt::UserRole + 3; // bool: on but not simulated (the row spans)

    explicit StrategyOutcomeModel(QObject *parent = nullptr);

    void setResult(const SimulationResult &result);
    // Row of the "Combined" line (the last row), -1 when empty.
    int combinedRow() const { return m_rows.isEmpty() ? -1 : int(m_rows.size()); }

    // A column's title: the full one ("Projected saving"), or the short one a narrow table shows ("Saving"),
    // whose tooltip is the full title. Translated.
    static QString columnTitle(Column column, bool compact);
    // The header shows the short titles (true) or the full ones (false, the default).
    void setCompactHeaders(bool compact);
    bool compactHeaders() const { return m_compactHeaders; }

    // Translated display name and one-line description of a strategy (shared with the editor).
    static QString displayName(Strategy s);
    static QString description(Strategy s);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<StrategyOutcome> m_rows;
    NanoUsd m_baseline = 0;
    NanoUsd m_combined = 0;
    bool m_compactHeaders = false;
};

} // namespace tl
