#pragma once

#include "teamspend/Reconciliation.h"

#include <QAbstractTableModel>

namespace tl {

// Reconciliation rows (core/teamspend): per day and model, billed against recorded and the
// attribution of the difference. Display text in USD; the sort role gives nano-USD integers.
class ReconciliationModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReconciliationModel)

public:
    enum Column { Day, Provider, Model, Billed, Recorded, Difference, Percent, OutsideProxy, PriceDifference, Unpriced, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit ReconciliationModel(QObject *parent = nullptr);
    void setRows(const QList<ReconciliationRow> &rows);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ReconciliationRow> m_rows;
};

} // namespace tl
