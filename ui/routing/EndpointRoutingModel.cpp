#include "EndpointRoutingModel.h"

using namespace Qt::StringLiterals;

namespace tl {

using routing::EndpointRouting;
using routing::RouteMode;

EndpointRoutingModel::EndpointRoutingModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString EndpointRoutingModel::modeName(RouteMode m)
{
    switch (m) {
    case RouteMode::Off:
        return tr("Off");
    case RouteMode::Shadow:
        return tr("Shadow (record only)");
    case RouteMode::On:
        return tr("On");
    }
    return {};
}

QString EndpointRoutingModel::displayName(const QString &endpoint)
{
    return endpoint == u"*" ? tr("(other endpoints)") : endpoint;
}

QStringList EndpointRoutingModel::order() const
{
    QStringList names = m_endpoints.keys();
    names.removeAll(u"*"_s);
    names.prepend(u"*"_s);
    return names;
}

void EndpointRoutingModel::setEndpoints(const Endpoints &endpoints)
{
    beginResetModel();
    m_endpoints = endpoints;
    if (!m_endpoints.contains(u"*"_s))
        m_endpoints.insert(u"*"_s, EndpointRouting {});
    endResetModel();
}

QString EndpointRoutingModel::nameAt(int row) const
{
    return order().value(row);
}

int EndpointRoutingModel::rowOf(const QString &name) const
{
    return m_endpoints.contains(name) ? int(order().indexOf(name)) : -1;
}

int EndpointRoutingModel::addEndpoint(const QString &name)
{
    const QString n = name.trimmed();
    if (n.isEmpty() || m_endpoints.contains(n))
        return -1;
    QStringList names = order();
    names.append(n);
    std::sort(names.begin() + 1, names.end());
    const int row = int(names.indexOf(n));
    beginInsertRows({}, row, row);
    m_endpoints.insert(n, m_endpoints.value(u"*"_s));
    endInsertRows();
    Q_EMIT endpointsEdited();
    return row;
}

bool EndpointRoutingModel::removeEndpoint(const QString &name)
{
    const int row = rowOf(name);
    if (name == u"*" || row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_endpoints.remove(name);
    endRemoveRows();
    Q_EMIT endpointsEdited();
    return true;
}

void EndpointRoutingModel::setRules(const QString &name, const std::optional<QList<routing::ComplexityRule>> &rules)
{
    const int row = rowOf(name);
    if (row < 0 || m_endpoints.value(name).rules == rules)
        return;
    m_endpoints[name].rules = rules;
    Q_EMIT dataChanged(index(row, Rules), index(row, Rules));
    Q_EMIT endpointsEdited();
}

int EndpointRoutingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_endpoints.size());
}

int EndpointRoutingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EndpointRoutingModel::data(const QModelIndex &index, int role) const
{
    const QString name = nameAt(index.row());
    if (!index.isValid() || name.isEmpty())
        return {};
    const EndpointRouting e = m_endpoints.value(name);
    if (role == NameRole)
        return name;
    if (role == Qt::CheckStateRole && index.column() == AllowCostIncrease)
        return e.allowCostIncrease ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::EditRole) {
        if (index.column() == Mode)
            return int(e.mode);
        if (index.column() == TaskType)
            return e.defaultTaskType;
        if (index.column() == Endpoint)
            return name;
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case Endpoint:
            return displayName(name);
        case Mode:
            return modeName(e.mode);
        case TaskType:
            return e.defaultTaskType.isEmpty() ? tr("none") : e.defaultTaskType;
        case Rules:
            return e.rules ? tr("own (%n rule(s))", nullptr, int(e.rules->size())) : tr("built-in defaults");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (Column(index.column())) {
        case Mode:
            return tr("Off: the router does nothing. Shadow: it decides and records what it would have served, "
                      "changing nothing. On: it serves the routed model.");
        case AllowCostIncrease:
            return tr("Unchecked: a request only moves to a model that is not dearer in input and output price. "
                      "Checked: complexity decides alone, so a simple request may move to a dearer premium model.");
        case TaskType:
            return tr("Used when a request has no X-TokenLedger-Task header.");
        default:
            return {};
        }
    }
    return {};
}

bool EndpointRoutingModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const QString name = nameAt(index.row());
    if (!index.isValid() || name.isEmpty())
        return false;
    EndpointRouting e = m_endpoints.value(name);
    if (role == Qt::CheckStateRole && index.column() == AllowCostIncrease) {
        e.allowCostIncrease = value.toInt() == Qt::Checked;
    } else if (role == Qt::EditRole && index.column() == Mode) {
        const int m = value.toInt();
        if (m < 0 || m > 2)
            return false;
        e.mode = RouteMode(m);
    } else if (role == Qt::EditRole && index.column() == TaskType) {
        e.defaultTaskType = value.toString().trimmed();
    } else {
        return false;
    }
    if (e == m_endpoints.value(name))
        return true;
    m_endpoints[name] = e;
    Q_EMIT dataChanged(index.siblingAtColumn(0), index.siblingAtColumn(ColumnCount - 1));
    Q_EMIT endpointsEdited();
    return true;
}

Qt::ItemFlags EndpointRoutingModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    const Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    switch (Column(index.column())) {
    case Mode:
    case TaskType:
        return f | Qt::ItemIsEditable;
    case AllowCostIncrease:
        return f | Qt::ItemIsUserCheckable;
    default:
        return f;
    }
}

QVariant EndpointRoutingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (Column(section)) {
    case Endpoint:
        return tr("Endpoint");
    case Mode:
        return tr("Mode");
    case AllowCostIncrease:
        return tr("Allow cost increase");
    case TaskType:
        return tr("Default task type");
    case Rules:
        return tr("Rules");
    default:
        return {};
    }
}

} // namespace tl
