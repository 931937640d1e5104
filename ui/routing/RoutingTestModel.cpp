#include "RoutingTestModel.h"

#include "ComplexityRulesModel.h"
#include "common/Format.h"

#include <QDateTime>
#include <QPalette>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace tl {

using routing::RecordedOutcome;
using routing::RouteGuard;

namespace {

QString signedUsd(NanoUsd d)
{
    return d > 0 ? u"+"_s + Format::usd(d) : Format::usd(d);
}

QString joinDistinct(const QStringList &items, const QString &separator)
{
    QStringList out;
    for (const QString &s : items) {
        if (!out.contains(s))
            out << s;
    }
    return out.join(separator);
}

} // namespace

RoutingTestModel::RoutingTestModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString RoutingTestModel::guardName(RouteGuard g)
{
    switch (g) {
    case RouteGuard::None:
        return {};
    case RouteGuard::ModeOff:
        return tr("routing off");
    case RouteGuard::Pinned:
        return tr("pinned by the client");
    case RouteGuard::UnknownFamily:
        return tr("no tiers for this family");
    case RouteGuard::ForeignModel:
        return tr("model not in the price book");
    case RouteGuard::SameModel:
        return tr("already the tier's model");
    case RouteGuard::ContextWindow:
        return tr("context window");
    case RouteGuard::Images:
        return tr("images");
    case RouteGuard::Audio:
        return tr("audio");
    case RouteGuard::Tools:
        return tr("tools");
    case RouteGuard::StructuredOutput:
        return tr("structured output");
    case RouteGuard::Unpriced:
        return tr("unpriced");
    case RouteGuard::NotCheaper:
        return tr("not cheaper");
    case RouteGuard::OtherProvider:
        return tr("rule routes to another provider");
    case RouteGuard::NoRule:
        return tr("no routing rule matched");
    }
    return {};
}

void RoutingTestModel::setResults(const QList<routing::RecordedCall> &calls, const QList<routing::RecordedTest> &tests)
{
    beginResetModel();
    m_calls = calls;
    m_tests = tests;
    if (m_tests.size() != m_calls.size())
        m_tests.resize(std::min(m_tests.size(), m_calls.size()));
    m_calls.resize(m_tests.size());
    endResetModel();
}

void RoutingTestModel::clear()
{
    setResults({}, {});
}

int RoutingTestModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tests.size());
}

int RoutingTestModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoutingTestModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_tests.size())
        return {};
    const routing::RecordedCall &c = m_calls.at(index.row());
    const routing::RecordedTest &t = m_tests.at(index.row());
    const QList<RecordedOutcome> &outs = t.outcomes;
    const RecordedOutcome &first = outs.first();

    const auto range = t.differenceRange(); // nullopt when an outcome is unpriced
    const bool priced = range.has_value();

    if (role == SortRole) {
        switch (Column(index.column())) {
        case Time:
            return c.startedAtUs;
        case PromptChars:
            return c.promptChars;
        case MaxTokens:
            return c.maxTokens;
        case Tokens:
            return c.usage.promptTokens + c.usage.completionTokens;
        case Complexity:
            return t.determined() ? int(first.complexity) : -1;
        case Baseline:
            return first.baselineCost ? QVariant(*first.baselineCost) : QVariant();
        case Projected:
            return t.determined() && first.projectedCost ? QVariant(*first.projectedCost) : QVariant();
        case Difference:
            return priced ? QVariant(range->first) : QVariant();
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        QStringList parts;
        switch (Column(index.column())) {
        case Time:
            return QDateTime::fromMSecsSinceEpoch(c.startedAtUs / 1000, QTimeZone::utc())
                .toLocalTime()
                .toString(u"yyyy-MM-dd HH:mm"_s);
        case RequestedModel:
            return c.requestedModel;
        case TaskType:
            return c.taskType.isEmpty()
                ? (first.decision.taskType.isEmpty() ? QString() : first.decision.taskType + u"*"_s)
                : c.taskType;
        case PromptChars:
            return c.promptCharsKnown() ? Format::count(c.promptChars) : tr("not recorded");
        case MaxTokens:
            if (!c.maxTokensKnown())
                return tr("not recorded");
            return c.maxTokens > 0 ? Format::count(c.maxTokens) : tr("none");
        case Tokens:
            return tr("%1 / %2").arg(Format::count(c.usage.promptTokens), Format::count(c.usage.completionTokens));
        case Complexity:
            for (const RecordedOutcome &o : outs)
                parts << ComplexityRulesModel::complexityName(o.complexity);
            return joinDistinct(parts, tr(" or "));
        case Rule:
            if (!t.determined())
                return tr("undecided: %1 %2")
                    .arg(t.undecidedRules.join(u", "_s), ComplexityRulesModel::briefMissingText(t.missing));
            return first.matchedRule.isEmpty() ? tr("(no rule: medium)") : first.matchedRule;
        case Target:
            for (const RecordedOutcome &o : outs)
                parts << o.projectedModel;
            return joinDistinct(parts, tr(" or "));
        case Guard:
            for (const RecordedOutcome &o : outs)
                parts << guardName(o.decision.guard);
            parts.removeAll(QString());
            return joinDistinct(parts, u", "_s);
        case Baseline:
            return first.baselineCost ? Format::usd(*first.baselineCost) : tr("unpriced");
        case Projected: {
            for (const RecordedOutcome &o : outs)
                parts << (o.projectedCost ? Format::usd(*o.projectedCost) : tr("unpriced"));
            return joinDistinct(parts, tr(" or "));
        }
        case Difference:
            if (!priced)
                return tr("unpriced");
            return range->first == range->second ? signedUsd(range->first)
                                                 : tr("%1 to %2").arg(signedUsd(range->first), signedUsd(range->second));
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == Guard || index.column() == Target) {
            QStringList lines;
            for (const RecordedOutcome &o : outs) {
                if (!o.decision.guardText.isEmpty())
                    lines << o.decision.guardText;
            }
            return lines.join(u'\n');
        }
        if (index.column() == Rule && !t.determined())
            return tr("Undecided: %1 (%2). The call is shown with every outcome it could have and is not in the "
                      "decided totals.")
                .arg(t.undecidedRules.join(u", "_s), ComplexityRulesModel::missingText(t.missing));
        if (index.column() == TaskType && c.taskType.isEmpty() && !first.decision.taskType.isEmpty())
            return tr("* the endpoint's default task type (the call had no X-TokenLedger-Task header)");
        if (index.column() == Baseline || index.column() == Projected || index.column() == Difference)
            return tr("Priced now with the call's own token counts: the requested model against the router's target "
                      "(recorded cost: %1)")
                .arg(c.recordedCost ? Format::usd(*c.recordedCost) : tr("unpriced"));
        return {};
    }
    if (role == Qt::ForegroundRole && !t.determined()
        && (index.column() == Complexity || index.column() == Rule || index.column() == Target))
        return QPalette().brush(QPalette::PlaceholderText);
    if (role == Qt::TextAlignmentRole) {
        switch (Column(index.column())) {
        case PromptChars:
        case MaxTokens:
        case Tokens:
        case Baseline:
        case Projected:
        case Difference:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    return {};
}

QVariant RoutingTestModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::ToolTipRole && orientation == Qt::Horizontal && section == Tokens)
        return tr("Prompt / completion tokens");
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case RequestedModel:
        return tr("Requested model");
    case TaskType:
        return tr("Task type");
    case PromptChars:
        return tr("Prompt chars");
    case MaxTokens:
        return tr("Max tokens");
    case Tokens:
        return tr("Tokens");
    case Complexity:
        return tr("Complexity");
    case Rule:
        return tr("Matched rule");
    case Target:
        return tr("Would serve");
    case Guard:
        return tr("Guard that blocked");
    case Baseline:
        return tr("Cost as requested");
    case Projected:
        return tr("Cost routed");
    case Difference:
        return tr("Difference");
    default:
        return {};
    }
}

} // namespace tl
