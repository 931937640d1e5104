#include "PricingTableModels.h"

#include "PriceBookModel.h"
#include "common/Format.h"

using namespace Qt::StringLiterals;

namespace tl {

namespace {
QVariant alignment(bool numeric)
{
    return numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
}
} // namespace

OverridesModel::OverridesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void OverridesModel::setOverrides(const QList<PriceOverride> &overrides)
{
    beginResetModel();
    m_rows = overrides;
    endResetModel();
}

int OverridesModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int OverridesModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant OverridesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const PriceOverride &o = m_rows.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return alignment(index.column() >= Input && index.column() <= Revision);
    const bool raw = role == SortRole;
    if (role != Qt::DisplayRole && !raw)
        return {};
    switch (Column(index.column())) {
    case Provider: return o.provider.isEmpty() && !raw ? tr("any") : o.provider;
    case Model: return o.model;
    case Input: return raw ? QVariant(priceSortValue(o.prices.input)) : priceText(o.prices.input);
    case CachedInput: return raw ? QVariant(priceSortValue(o.prices.cacheRead)) : priceText(o.prices.cacheRead);
    case CacheWrite: return raw ? QVariant(priceSortValue(o.prices.cacheWrite)) : priceText(o.prices.cacheWrite);
    case Output: return raw ? QVariant(priceSortValue(o.prices.output)) : priceText(o.prices.output);
    case Revision: return raw ? QVariant(o.revision) : QVariant(QString::number(o.revision));
    case Note: return o.note;
    case ColumnCount: break;
    }
    return {};
}

QVariant OverridesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Provider: return tr("Provider");
    case Model: return tr("Model");
    case Input: return tr("Input $/MTok");
    case CachedInput: return tr("Cached input $/MTok");
    case CacheWrite: return tr("Cache write $/MTok");
    case Output: return tr("Output $/MTok");
    case Revision: return tr("Revision");
    case Note: return tr("Note");
    case ColumnCount: break;
    }
    return {};
}

AliasesModel::AliasesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void AliasesModel::setAliases(const QList<ModelAlias> &aliases)
{
    beginResetModel();
    m_rows = aliases;
    endResetModel();
}

int AliasesModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int AliasesModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AliasesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || (role != Qt::DisplayRole && role != SortRole))
        return {};
    const ModelAlias &a = m_rows.at(index.row());
    switch (Column(index.column())) {
    case Alias: return a.alias;
    case Provider: return a.provider.isEmpty() && role == Qt::DisplayRole ? tr("any") : a.provider;
    case Model: return a.model;
    case ColumnCount: break;
    }
    return {};
}

QVariant AliasesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Alias: return tr("Name as reported");
    case Provider: return tr("Provider");
    case Model: return tr("Priced as model");
    case ColumnCount: break;
    }
    return {};
}

UnpricedModelsModel::UnpricedModelsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void UnpricedModelsModel::setModels(const QList<UnpricedModel> &models)
{
    beginResetModel();
    m_rows = models;
    endResetModel();
}

int UnpricedModelsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int UnpricedModelsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant UnpricedModelsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const UnpricedModel &m = m_rows.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return alignment(index.column() == Calls);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (Column(index.column())) {
    case Provider: return m.provider;
    case Model: return m.model;
    case Calls: return role == SortRole ? QVariant(m.calls) : QVariant(Format::count(m.calls));
    case ColumnCount: break;
    }
    return {};
}

QVariant UnpricedModelsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Provider: return tr("Provider");
    case Model: return tr("Model");
    case Calls: return tr("Calls");
    case ColumnCount: break;
    }
    return {};
}

} // namespace tl
