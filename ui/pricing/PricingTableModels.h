#pragma once

#include "pricing/Pricer.h"
#include "query/LedgerQueries.h"

#include <QAbstractTableModel>

namespace tl {

// The user's price overrides (Pricer::overrides()), prices in USD per million tokens.
// SortRole gives raw values (nano-USD per MTok, -1 when not set).
class OverridesModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverridesModel)

public:
    enum Column { Provider, Model, Input, CachedInput, CacheWrite, Output, Revision, Note, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit OverridesModel(QObject *parent = nullptr);
    void setOverrides(const QList<PriceOverride> &overrides);
    const PriceOverride &at(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<PriceOverride> m_rows;
};

// Model aliases (an Azure deployment name -> a priced model).
class AliasesModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AliasesModel)

public:
    enum Column { Alias, Provider, Model, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit AliasesModel(QObject *parent = nullptr);
    void setAliases(const QList<ModelAlias> &aliases);
    const ModelAlias &at(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ModelAlias> m_rows;
};

// Models of the ledger that no price matched, with their call counts (SortRole: raw count).
class UnpricedModelsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnpricedModelsModel)

public:
    enum Column { Provider, Model, Calls, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit UnpricedModelsModel(QObject *parent = nullptr);
    void setModels(const QList<UnpricedModel> &models);
    const UnpricedModel &at(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<UnpricedModel> m_rows;
};

} // namespace tl
