#include "ComplexityRulesModel.h"

#include "common/Format.h"

#include <QBrush>
#include <QLocale>
#include <QPalette>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl {

using routing::Complexity;
using routing::ComplexityRule;

namespace {

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString item = part.trimmed();
        if (!item.isEmpty() && !out.contains(item))
            out << item;
    }
    return out;
}

// The keywords in the UI language's script first (Chinese ones in Chinese, the others in English), each
// group in its own order: a cell cut short still starts with words its reader reads.
QStringList inUiScriptFirst(QStringList keywords)
{
    const QLocale ui;
    const bool hanUi = ui.language() == QLocale::Chinese || ui.language() == QLocale::Japanese
        || ui.script() == QLocale::HanScript || ui.script() == QLocale::SimplifiedHanScript
        || ui.script() == QLocale::TraditionalHanScript;
    const auto isHan = [](const QString &word) {
        return std::any_of(word.cbegin(), word.cend(), [](QChar c) { return c.script() == QChar::Script_Han; });
    };
    std::stable_partition(keywords.begin(), keywords.end(), [&](const QString &w) { return isHan(w) == hanUi; });
    return keywords;
}

std::optional<qint64> limitFrom(const QVariant &v)
{
    bool ok = false;
    const qint64 n = v.toLongLong(&ok);
    if (!ok || n < 0)
        return std::nullopt;
    return n;
}

} // namespace

ComplexityRulesModel::ComplexityRulesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString ComplexityRulesModel::complexityName(Complexity c)
{
    switch (c) {
    case Complexity::Low:
        return tr("Low");
    case Complexity::Medium:
        return tr("Medium");
    case Complexity::High:
        return tr("High");
    }
    return {};
}

QString ComplexityRulesModel::briefMissingText(int missing)
{
    QStringList parts;
    if (missing & int(routing::MissingData::RequestText))
        parts << tr("needs request text");
    if (missing & int(routing::MissingData::PromptChars))
        parts << tr("needs prompt characters");
    if (missing & int(routing::MissingData::MaxTokens))
        parts << tr("needs max tokens");
    return parts.join(u", "_s);
}

QString ComplexityRulesModel::missingText(int missing)
{
    QStringList parts;
    if (missing & int(routing::MissingData::RequestText))
        parts << tr("needs request text — not recorded");
    if (missing & int(routing::MissingData::PromptChars))
        parts << tr("needs prompt characters — not recorded for imported calls");
    if (missing & int(routing::MissingData::MaxTokens))
        parts << tr("needs max tokens — not recorded for imported calls");
    return parts.join(u"; "_s);
}

void ComplexityRulesModel::setRules(const QList<ComplexityRule> &rules)
{
    beginResetModel();
    m_rules = rules;
    endResetModel();
}

int ComplexityRulesModel::insertRule(int row, const ComplexityRule &rule)
{
    if (row < 0 || row > m_rules.size())
        row = int(m_rules.size());
    beginInsertRows({}, row, row);
    m_rules.insert(row, rule);
    endInsertRows();
    Q_EMIT rulesEdited();
    return row;
}

bool ComplexityRulesModel::removeRule(int row)
{
    if (row < 0 || row >= m_rules.size())
        return false;
    beginRemoveRows({}, row, row);
    m_rules.removeAt(row);
    endRemoveRows();
    Q_EMIT rulesEdited();
    return true;
}

bool ComplexityRulesModel::moveRule(int row, int delta)
{
    const int to = row + delta;
    if (delta == 0 || row < 0 || row >= m_rules.size() || to < 0 || to >= m_rules.size())
        return false;
    // beginMoveRows takes the row before which the moved row lands.
    if (!beginMoveRows({}, row, row, {}, delta > 0 ? to + 1 : to))
        return false;
    m_rules.move(row, to);
    endMoveRows();
    Q_EMIT rulesEdited();
    return true;
}

QString ComplexityRulesModel::unusedName() const
{
    for (int n = 1;; ++n) {
        const QString name = u"rule-%1"_s.arg(n);
        if (std::none_of(m_rules.cbegin(), m_rules.cend(), [&](const ComplexityRule &r) { return r.name == name; }))
            return name;
    }
}

void ComplexityRulesModel::setTallies(const QList<routing::RuleTally> &tallies)
{
    m_tallies.clear();
    for (const routing::RuleTally &t : tallies)
        m_tallies.insert(t.rule, t);
    if (!m_rules.isEmpty())
        Q_EMIT dataChanged(index(0, Recorded), index(int(m_rules.size()) - 1, Recorded));
}

int ComplexityRulesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rules.size());
}

int ComplexityRulesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComplexityRulesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rules.size())
        return {};
    const ComplexityRule &r = m_rules.at(index.row());
    const auto limitDisplay = [](const std::optional<qint64> &v, const QString &prefix) -> QVariant {
        return v ? QVariant(prefix + Format::count(*v)) : QVariant(tr("any"));
    };
    if (role == Qt::EditRole) {
        switch (Column(index.column())) {
        case Name:
            return r.name;
        case TaskTypes:
            return r.taskTypes.join(u", "_s);
        case MinChars:
            return r.minInputChars.value_or(-1);
        case MaxChars:
            return r.maxInputChars.value_or(-1);
        case MaxOutputTokens:
            return r.maxOutputTokens.value_or(-1);
        case Keywords:
            return r.keywords.join(u", "_s);
        case Result:
            return int(r.result);
        default:
            return {};
        }
    }
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case Name:
            return r.name;
        case TaskTypes:
            return r.taskTypes.isEmpty() ? tr("any") : r.taskTypes.join(u", "_s);
        case MinChars:
            return limitDisplay(r.minInputChars, u"≥ "_s);
        case MaxChars:
            return limitDisplay(r.maxInputChars, u"< "_s);
        case MaxOutputTokens:
            return limitDisplay(r.maxOutputTokens, u"< "_s);
        case Keywords:
            return r.keywords.isEmpty() ? tr("any") : inUiScriptFirst(r.keywords).join(u", "_s);
        case Result:
            return complexityName(r.result);
        case Recorded: {
            const auto it = m_tallies.constFind(r.name);
            if (it == m_tallies.cend())
                return {};
            const QString matched = tr("%n call(s) matched", nullptr, int(it->matched));
            if (it->undecided == 0)
                return matched;
            // The undecided part first: it is what an elided cell must still show.
            return QString(tr("%n undecided: %1", nullptr, int(it->undecided)).arg(missingText(it->missing)) + u" · "_s
                           + matched);
        }
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (Column(index.column())) {
        case MinChars:
        case MaxChars:
            return tr("Characters of the request's text (system and every message), counted as Unicode code points");
        case MaxOutputTokens:
            return tr("The request's max tokens (max_tokens, max_completion_tokens or max_output_tokens); a request "
                      "without one never matches this condition");
        case Keywords:
            return QString(
                tr("Any of these words in the request's text (case-insensitive; a Latin word must start at a word "
                   "boundary). Request text is not recorded, so recorded calls cannot be tested against them.")
                + (r.keywords.isEmpty() ? QString() : QString(u"\n\n"_s + inUiScriptFirst(r.keywords).join(u", "_s))));
        case TaskTypes:
            return r.taskTypes.join(u", "_s);
        case Recorded: {
            const auto it = m_tallies.constFind(r.name);
            return it != m_tallies.cend() && it->undecided > 0 ? missingText(it->missing) : QVariant();
        }
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Recorded) {
        const auto it = m_tallies.constFind(r.name);
        if (it != m_tallies.cend() && it->undecided > 0)
            return QPalette().brush(QPalette::PlaceholderText);
    }
    if (role == Qt::AccessibleTextRole && index.column() == Name)
        return tr("Rule %1: %2").arg(index.row() + 1).arg(r.name);
    return {};
}

bool ComplexityRulesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || index.row() >= m_rules.size())
        return false;
    ComplexityRule r = m_rules.at(index.row());
    switch (Column(index.column())) {
    case Name: {
        const QString name = value.toString().trimmed();
        if (name.isEmpty()) // RouterConfig rejects a rule without a name
            return false;
        r.name = name;
        break;
    }
    case TaskTypes:
        r.taskTypes = splitList(value.toString());
        break;
    case MinChars:
        r.minInputChars = limitFrom(value);
        break;
    case MaxChars:
        r.maxInputChars = limitFrom(value);
        break;
    case MaxOutputTokens:
        r.maxOutputTokens = limitFrom(value);
        break;
    case Keywords:
        r.keywords = splitList(value.toString());
        break;
    case Result: {
        const int c = value.toInt();
        if (c < 0 || c > 2)
            return false;
        r.result = Complexity(c);
        break;
    }
    default:
        return false;
    }
    if (r == m_rules.at(index.row()))
        return true;
    m_rules[index.row()] = r;
    Q_EMIT dataChanged(index.siblingAtColumn(0), index.siblingAtColumn(ColumnCount - 1));
    Q_EMIT rulesEdited();
    return true;
}

Qt::ItemFlags ComplexityRulesModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() != Recorded)
        f |= Qt::ItemIsEditable;
    return f;
}

QVariant ComplexityRulesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (Column(section)) {
    case Name:
        return tr("Rule");
    case TaskTypes:
        return tr("Task types");
    case MinChars:
        return tr("Input chars from");
    case MaxChars:
        return tr("Input chars under");
    case MaxOutputTokens:
        return tr("Max tokens under");
    case Keywords:
        return tr("Keywords");
    case Result:
        return tr("Complexity");
    case Recorded:
        return tr("Recorded calls");
    default:
        return {};
    }
}

} // namespace tl
