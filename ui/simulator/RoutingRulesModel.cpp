#include "RoutingRulesModel.h"

#include "common/Format.h"

#include <QColor>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

QStringList splitNames(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString name = part.trimmed();
        if (!name.isEmpty() && !out.contains(name))
            out << name;
    }
    return out;
}

} // namespace

RoutingRulesModel::RoutingRulesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RoutingRulesModel::setRules(const QList<RoutingRule> &rules)
{
    beginResetModel();
    m_rules = rules;
    endResetModel();
}

int RoutingRulesModel::addRule(const RoutingRule &rule)
{
    const int row = int(m_rules.size());
    beginInsertRows({}, row, row);
    m_rules.append(rule);
    endInsertRows();
    Q_EMIT rulesEdited();
    return row;
}

void RoutingRulesModel::removeRule(int row)
{
    if (row < 0 || row >= m_rules.size())
        return;
    beginRemoveRows({}, row, row);
    m_rules.removeAt(row);
    endRemoveRows();
    Q_EMIT rulesEdited();
}

bool RoutingRulesModel::moveRule(int row, int delta)
{
    const int to = row + delta;
    if (row < 0 || row >= m_rules.size() || to < 0 || to >= m_rules.size() || delta == 0)
        return false;
    // beginMoveRows takes the destination as the row *before which* the moved row lands.
    if (!beginMoveRows({}, row, row, {}, delta > 0 ? to + 1 : to))
        return false;
    m_rules.move(row, to);
    endMoveRows();
    Q_EMIT rulesEdited();
    return true;
}

int RoutingRulesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rules.size());
}

int RoutingRulesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoutingRulesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RoutingRule &r = m_rules.at(index.row());
    if (role == Qt::EditRole) {
        switch (Column(index.column())) {
        case Model:
            return r.model;
        case Endpoints:
            return r.endpoints.join(u", "_s);
        case MaxPromptTokens:
            return r.maxPromptTokens;
        case MaxCompletionTokens:
            return r.maxCompletionTokens;
        case RouteTo:
            return r.routeTo;
        case TaskTypes:
            return r.taskTypes.join(u", "_s);
        case MaxPromptChars:
            return r.maxPromptChars;
        case RouteToProvider:
            return r.routeToProvider;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        const QString any = tr("any");
        auto limit = [&](qint64 v) { return v < 0 ? any : Format::count(v); };
        auto text = [&](const QString &s) { return s.isEmpty() ? any : s; };
        switch (Column(index.column())) {
        case Model:
            return text(r.model);
        case Endpoints:
            return text(r.endpoints.join(u", "_s));
        case MaxPromptTokens:
            return limit(r.maxPromptTokens);
        case MaxCompletionTokens:
            return limit(r.maxCompletionTokens);
        case RouteTo:
            return r.routeTo.isEmpty() ? tr("(choose a model)") : r.routeTo;
        case TaskTypes:
            return text(r.taskTypes.join(u", "_s));
        case MaxPromptChars:
            return limit(r.maxPromptChars);
        case RouteToProvider:
            return r.routeToProvider.isEmpty() ? tr("same provider") : r.routeToProvider;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        const int c = index.column();
        if (c == MaxPromptTokens || c == MaxCompletionTokens || c == MaxPromptChars)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == RouteTo && r.routeTo.isEmpty())
        return QColor(0xd9, 0x53, 0x4f); // a rule without a target is not valid yet
    return {};
}

bool RoutingRulesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    RoutingRule &r = m_rules[index.row()];
    auto limit = [](const QVariant &v) {
        bool ok = false;
        const qint64 n = v.toLongLong(&ok);
        return ok && n >= 0 ? n : qint64(-1);
    };
    switch (Column(index.column())) {
    case Model:
        r.model = value.toString().trimmed();
        break;
    case Endpoints:
        r.endpoints = splitNames(value.toString());
        break;
    case MaxPromptTokens:
        r.maxPromptTokens = limit(value);
        break;
    case MaxCompletionTokens:
        r.maxCompletionTokens = limit(value);
        break;
    case RouteTo:
        r.routeTo = value.toString().trimmed();
        break;
    case TaskTypes:
        r.taskTypes = splitNames(value.toString());
        break;
    case MaxPromptChars:
        r.maxPromptChars = limit(value);
        break;
    case RouteToProvider:
        r.routeToProvider = value.toString().trimmed();
        break;
    case ColumnCount:
        return false;
    }
    Q_EMIT dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole, Qt::ForegroundRole});
    Q_EMIT rulesEdited();
    return true;
}

Qt::ItemFlags RoutingRulesModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemIsEditable | Qt::ItemNeverHasChildren;
}

QVariant RoutingRulesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case Model:
            return tr("Model");
        case Endpoints:
            return tr("Endpoints");
        case MaxPromptTokens:
            return tr("Max prompt\ntokens");
        case MaxCompletionTokens:
            return tr("Max completion\ntokens");
        case RouteTo:
            return tr("Route to");
        case TaskTypes:
            return tr("Task types");
        case MaxPromptChars:
            return tr("Max prompt\ncharacters");
        case RouteToProvider:
            return tr("Target provider");
        case ColumnCount:
            break;
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case Model:
            return tr("Only calls served by this model (empty: any model)");
        case Endpoints:
            return tr("Only calls of these endpoints, comma-separated (empty: any endpoint)");
        case MaxPromptTokens:
            return tr("Only calls with at most this many prompt tokens (any: no limit). Applied to the proxy: "
                      "the local tokenizer's count of the request");
        case MaxCompletionTokens:
            return tr("Only calls with at most this many completion tokens (any: no limit). Applied to the "
                      "proxy: requests whose max_tokens (max_completion_tokens, max_output_tokens) is at most "
                      "this; a request without one never matches");
        case RouteTo:
            return tr("The model the matching calls are re-priced on (a price-book model name)");
        case TaskTypes:
            return tr("Only calls of these task types, e.g. classification (needs calls recorded by the proxy)");
        case MaxPromptChars:
            return tr("Only calls with at most this many prompt characters (needs calls recorded by the proxy)");
        case RouteToProvider:
            return tr("The target model's provider (empty: the call's own provider)");
        case ColumnCount:
            break;
        }
    }
    return {};
}

} // namespace tl
