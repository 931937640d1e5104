#pragma once

#include "pricing/PriceBook.h"

#include <QAbstractTableModel>

#include <memory>

namespace tl {

// The built-in price book as a table: one row per (provider, model), with the default prices in USD
// per million tokens (the book's unconstrained variant). SortRole gives raw nano-USD per MTok, -1 when
// the book has no such price (a missing price is not a zero price). Source: genai-prices 0.1.8.
class PriceBookModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PriceBookModel)

public:
    enum Column { Provider, Model, Input, CachedInput, CacheWrite, Output, ContextWindow, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int ProviderIdRole = Qt::UserRole + 2;
    static constexpr int ModelIdRole = Qt::UserRole + 3;

    explicit PriceBookModel(std::shared_ptr<const PriceBook> book, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        const ProviderEntry *provider;
        const ModelEntry *model;
    };
    std::shared_ptr<const PriceBook> m_book;
    QList<Row> m_rows;
};

// Shared by the pricing tables: a price for display ("$2.50", "$3.00 +tiers", "–" when missing) and
// its raw sort value (-1 when missing).
QString priceText(const std::optional<TieredPrice> &price);
qint64 priceSortValue(const std::optional<TieredPrice> &price);

} // namespace tl
