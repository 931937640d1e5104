#include "PriceBookModel.h"

#include "common/Format.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace tl {

QString priceText(const std::optional<TieredPrice> &price)
{
    if (!price)
        return u"–"_s;
    QString text = Format::usdPerMTok(price->base);
    if (!price->tiers.isEmpty())
        text += QCoreApplication::translate("tl::PriceBookModel", " +tiers");
    return text;
}

qint64 priceSortValue(const std::optional<TieredPrice> &price)
{
    return price ? price->base : -1;
}

PriceBookModel::PriceBookModel(std::shared_ptr<const PriceBook> book, QObject *parent)
    : QAbstractTableModel(parent)
    , m_book(std::move(book))
{
    for (const ProviderEntry &p : m_book->providers()) {
        for (const ModelEntry &m : p.models)
            m_rows.append({&p, &m});
    }
}

int PriceBookModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PriceBookModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PriceBookModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows.at(index.row());
    if (role == ProviderIdRole)
        return r.provider->id;
    if (role == ModelIdRole)
        return r.model->id;
    if (role == Qt::TextAlignmentRole)
        return index.column() <= Model ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                       : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    const ModelPrices empty;
    const ModelPrices &prices = r.model->variants.isEmpty() ? empty : r.model->variants.first().prices;
    if (role == Qt::ToolTipRole) {
        if (index.column() == Model && r.model->name != r.model->id)
            return r.model->name;
        if (r.model->variants.size() > 1)
            return tr("This model has %n dated or time-of-day price variant(s); the default is shown.", nullptr,
                      int(r.model->variants.size() - 1));
        return {};
    }
    const bool raw = role == SortRole;
    if (role != Qt::DisplayRole && !raw)
        return {};
    switch (Column(index.column())) {
    case Provider: return raw ? r.provider->id : r.provider->name;
    case Model: return r.model->id;
    case Input: return raw ? QVariant(priceSortValue(prices.input)) : priceText(prices.input);
    case CachedInput: return raw ? QVariant(priceSortValue(prices.cacheRead)) : priceText(prices.cacheRead);
    case CacheWrite: return raw ? QVariant(priceSortValue(prices.cacheWrite)) : priceText(prices.cacheWrite);
    case Output: return raw ? QVariant(priceSortValue(prices.output)) : priceText(prices.output);
    case ContextWindow:
        if (raw)
            return r.model->contextWindow;
        return r.model->contextWindow > 0 ? Format::count(r.model->contextWindow) : u"–"_s;
    case ColumnCount: break;
    }
    return {};
}

QVariant PriceBookModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case ContextWindow: return tr("Context window");
    case ColumnCount: break;
    }
    return {};
}

} // namespace tl
