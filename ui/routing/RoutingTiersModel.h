#pragma once

#include "routing/RouterConfig.h"

#include <QAbstractTableModel>
#include <QMap>

#include <array>
#include <memory>

namespace tl {

class PriceBook;

// The router's tiers as an editable table: three rows (nano, standard, premium) per provider family,
// in family order. EditRole of Model is the model id (QString), of ContextWindow the configured
// window in tokens (qint64; 0 = take it from the price book); capability columns are checkable
// (Qt::CheckStateRole). Read-only columns show what the price book says (context window, input and
// output price per million tokens, prices in force now, from the book given: genai-prices 0.1.8 for
// the built-in one). A model the book does not list for the family is marked: the router never
// routes to it (its window and prices are unknown). Emits tiersEdited() on every change made through
// the model. Thread affinity: GUI thread.
class RoutingTiersModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingTiersModel)

public:
    using Tiers = QMap<QString, std::array<routing::TierModel, 3>>;
    enum Column { Family, Tier, Model, ContextWindow, Images, Audio, Tools, StructuredOutput, Prices, ColumnCount };
    enum Role { FamilyRole = Qt::UserRole + 1 }; // the row's family id (QString)

    explicit RoutingTiersModel(std::shared_ptr<const PriceBook> book, QObject *parent = nullptr);

    void setTiers(const Tiers &tiers);
    const Tiers &tiers() const { return m_tiers; }
    // Adds a family with empty models (to be chosen) and returns its first row; -1 if it exists.
    int addFamily(const QString &family);
    bool removeFamily(const QString &family);
    QString familyAt(int row) const;

    // Model ids the price book lists for `family` (the editor's completion), sorted.
    QStringList modelsOf(const QString &family) const;
    // Price-book providers that have no tiers yet.
    QStringList familiesNotConfigured() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString tierName(routing::ModelTier t); // translated "Nano", "Standard", "Premium"

Q_SIGNALS:
    void tiersEdited();

private:
    struct Book; // what the price book says of one model
    Book lookup(const QString &family, const QString &model) const;
    std::pair<QString, int> at(int row) const;

    std::shared_ptr<const PriceBook> m_book;
    Tiers m_tiers;
};

} // namespace tl
