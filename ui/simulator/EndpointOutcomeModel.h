#pragma once

#include "simulate/Simulator.h"

#include <QAbstractTableModel>

namespace tl {

// Per-endpoint results of a simulation: baseline, projected cost, saving and its share of the
// endpoint's baseline. DisplayRole is formatted text; SortRole raw values (nano-USD, calls, fractions)
// so a QSortFilterProxyModel sorts numerically. Thread affinity: GUI thread.
class EndpointOutcomeModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointOutcomeModel)

public:
    enum Column { Endpoint, Calls, Baseline, Projected, Saving, SavingShare, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit EndpointOutcomeModel(QObject *parent = nullptr);

    void setResult(const SimulationResult &result);
    const QList<EndpointOutcome> &endpoints() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<EndpointOutcome> m_rows;
};

} // namespace tl
