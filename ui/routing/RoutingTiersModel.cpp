#include "RoutingTiersModel.h"

#include "common/Format.h"
#include "pricing/PriceBook.h"

#include <QDateTime>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace tl {

using routing::ModelTier;
using routing::TierModel;

struct RoutingTiersModel::Book
{
    bool known = false;
    qint64 contextWindow = 0;
    std::optional<NanoUsdPerMillion> input;
    std::optional<NanoUsdPerMillion> output;
};

RoutingTiersModel::RoutingTiersModel(std::shared_ptr<const PriceBook> book, QObject *parent)
    : QAbstractTableModel(parent)
    , m_book(std::move(book))
{
}

QString RoutingTiersModel::tierName(ModelTier t)
{
    switch (t) {
    case ModelTier::Nano:
        return tr("Nano");
    case ModelTier::Standard:
        return tr("Standard");
    case ModelTier::Premium:
        return tr("Premium");
    }
    return {};
}

void RoutingTiersModel::setTiers(const Tiers &tiers)
{
    beginResetModel();
    m_tiers = tiers;
    endResetModel();
}

int RoutingTiersModel::addFamily(const QString &family)
{
    if (family.isEmpty() || m_tiers.contains(family))
        return -1;
    // QMap keeps families sorted: the new rows go where the family sorts.
    const int first = int(std::distance(m_tiers.begin(), m_tiers.lowerBound(family))) * 3;
    beginInsertRows({}, first, first + 2);
    m_tiers.insert(family, {});
    endInsertRows();
    Q_EMIT tiersEdited();
    return first;
}

bool RoutingTiersModel::removeFamily(const QString &family)
{
    const auto it = m_tiers.find(family);
    if (it == m_tiers.end())
        return false;
    const int first = int(std::distance(m_tiers.begin(), it)) * 3;
    beginRemoveRows({}, first, first + 2);
    m_tiers.erase(it);
    endRemoveRows();
    Q_EMIT tiersEdited();
    return true;
}

std::pair<QString, int> RoutingTiersModel::at(int row) const
{
    if (row < 0 || row >= m_tiers.size() * 3)
        return {QString(), -1};
    auto it = m_tiers.cbegin();
    std::advance(it, row / 3);
    return {it.key(), row % 3};
}

QString RoutingTiersModel::familyAt(int row) const
{
    return at(row).first;
}

RoutingTiersModel::Book RoutingTiersModel::lookup(const QString &family, const QString &model) const
{
    Book b;
    if (!m_book || model.isEmpty())
        return b;
    const auto match = m_book->resolve(family, model);
    if (!match || !match->provider || match->provider->id != family)
        return b;
    b.known = true;
    b.contextWindow = match->model->contextWindow;
    const ModelPrices &p = match->model->pricesAt(QDateTime::currentDateTimeUtc());
    if (p.input)
        b.input = p.input->base;
    if (p.output)
        b.output = p.output->base;
    return b;
}

QStringList RoutingTiersModel::modelsOf(const QString &family) const
{
    QStringList out;
    if (!m_book)
        return out;
    if (const ProviderEntry *p = m_book->provider(family)) {
        for (const ModelEntry &m : p->models) {
            if (!m.deprecated)
                out << m.id;
        }
    }
    out.sort();
    return out;
}

QStringList RoutingTiersModel::familiesNotConfigured() const
{
    QStringList out;
    if (!m_book)
        return out;
    for (const ProviderEntry &p : m_book->providers()) {
        if (!m_tiers.contains(p.id))
            out << p.id;
    }
    return out;
}

int RoutingTiersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tiers.size()) * 3;
}

int RoutingTiersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoutingTiersModel::data(const QModelIndex &index, int role) const
{
    const auto [family, t] = at(index.row());
    if (!index.isValid() || t < 0)
        return {};
    const TierModel m = m_tiers.value(family)[size_t(t)];
    if (role == FamilyRole)
        return family;
    const auto capability = [&]() -> std::optional<bool> {
        switch (Column(index.column())) {
        case Images:
            return m.capabilities.images;
        case Audio:
            return m.capabilities.audio;
        case Tools:
            return m.capabilities.tools;
        case StructuredOutput:
            return m.capabilities.structuredOutput;
        default:
            return std::nullopt;
        }
    }();
    if (role == Qt::CheckStateRole)
        return capability ? QVariant(*capability ? Qt::Checked : Qt::Unchecked) : QVariant();
    if (role == Qt::EditRole) {
        if (index.column() == Model)
            return m.model;
        if (index.column() == ContextWindow)
            return m.contextWindow;
        return {};
    }
    const Book book = lookup(family, m.model);
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case Family:
            return t == 0 ? family : QString();
        case Tier:
            return tierName(ModelTier(t));
        case Model:
            return m.model.isEmpty() ? tr("(choose a model)") : m.model;
        case ContextWindow:
            if (m.contextWindow > 0)
                return Format::count(m.contextWindow);
            return book.contextWindow > 0 ? tr("%1 (price book)").arg(Format::count(book.contextWindow))
                                          : tr("unknown");
        case Prices:
            if (!book.known)
                return m.model.isEmpty() ? QString() : tr("not in the price book");
            return tr("%1 in / %2 out per MTok")
                .arg(book.input ? Format::usdPerMTok(*book.input) : tr("unpriced"),
                     book.output ? Format::usdPerMTok(*book.output) : tr("unpriced"));
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (!m.model.isEmpty() && !book.known && (index.column() == Model || index.column() == Prices))
            return tr("%1 is not a %2 model in the price book: its context window and prices are unknown, so the "
                      "router never routes to it.")
                .arg(m.model, family);
        if (index.column() == ContextWindow)
            return tr("Tokens. 0 takes the window from the price book; a request is only moved to this model when "
                      "its prompt plus max tokens fit.");
        return {};
    }
    if (role == Qt::ForegroundRole && !book.known && (index.column() == Model || index.column() == Prices))
        return QPalette().brush(QPalette::PlaceholderText);
    return {};
}

bool RoutingTiersModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const auto [family, t] = at(index.row());
    if (!index.isValid() || t < 0)
        return false;
    TierModel m = m_tiers.value(family)[size_t(t)];
    if (role == Qt::CheckStateRole) {
        const bool on = value.toInt() == Qt::Checked;
        switch (Column(index.column())) {
        case Images:
            m.capabilities.images = on;
            break;
        case Audio:
            m.capabilities.audio = on;
            break;
        case Tools:
            m.capabilities.tools = on;
            break;
        case StructuredOutput:
            m.capabilities.structuredOutput = on;
            break;
        default:
            return false;
        }
    } else if (role == Qt::EditRole && index.column() == Model) {
        m.model = value.toString().trimmed();
    } else if (role == Qt::EditRole && index.column() == ContextWindow) {
        bool ok = false;
        const qint64 n = value.toLongLong(&ok);
        if (!ok || n < 0)
            return false;
        m.contextWindow = n;
    } else {
        return false;
    }
    if (m == m_tiers.value(family)[size_t(t)])
        return true;
    m_tiers[family][size_t(t)] = m;
    Q_EMIT dataChanged(index.siblingAtColumn(0), index.siblingAtColumn(ColumnCount - 1));
    Q_EMIT tiersEdited();
    return true;
}

Qt::ItemFlags RoutingTiersModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    switch (Column(index.column())) {
    case Model:
    case ContextWindow:
        return f | Qt::ItemIsEditable;
    case Images:
    case Audio:
    case Tools:
    case StructuredOutput:
        return f | Qt::ItemIsUserCheckable;
    default:
        return f;
    }
}

QVariant RoutingTiersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (Column(section)) {
    case Family:
        return tr("Provider family");
    case Tier:
        return tr("Tier");
    case Model:
        return tr("Model");
    case ContextWindow:
        return tr("Context window");
    case Images:
        return tr("Images");
    case Audio:
        return tr("Audio");
    case Tools:
        return tr("Tools");
    case StructuredOutput:
        return tr("Structured output");
    case Prices:
        return tr("Price (price book)");
    default:
        return {};
    }
}

} // namespace tl
