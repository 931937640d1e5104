#include "MatchRule.h"

#include "common/Logging.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr int kExactBonus = 100000;
}

MatchRule MatchRule::equals(const QString &text)
{
    MatchRule rule;
    rule.m_kind = Kind::Equals;
    rule.m_text = text;
    return rule;
}

MatchRule MatchRule::fromJson(const QJsonValue &value)
{
    MatchRule rule;
    const QJsonObject obj = value.toObject();
    if (obj.size() != 1)
        return rule;
    const QString key = obj.begin().key();
    const QJsonValue arg = obj.begin().value();
    if (key == "equals"_L1) {
        rule.m_kind = Kind::Equals;
    } else if (key == "starts_with"_L1) {
        rule.m_kind = Kind::StartsWith;
    } else if (key == "ends_with"_L1) {
        rule.m_kind = Kind::EndsWith;
    } else if (key == "contains"_L1) {
        rule.m_kind = Kind::Contains;
    } else if (key == "regex"_L1) {
        rule.m_kind = Kind::Regex;
        auto re = std::make_shared<QRegularExpression>(arg.toString());
        if (!re->isValid()) {
            qCWarning(lcPricing) << "invalid regex in price book:" << arg.toString() << re->errorString();
            rule.m_kind = Kind::Never;
            return rule;
        }
        re->optimize();
        auto ci = std::make_shared<QRegularExpression>(re->pattern(), QRegularExpression::CaseInsensitiveOption);
        ci->optimize();
        rule.m_regex = std::move(re);
        rule.m_regexIgnoringCase = std::move(ci);
    } else if (key == "or"_L1 || key == "and"_L1) {
        rule.m_kind = key == "or"_L1 ? Kind::Or : Kind::And;
        const QJsonArray items = arg.toArray();
        for (const QJsonValue &item : items)
            rule.m_children.append(fromJson(item));
        return rule;
    } else {
        qCWarning(lcPricing) << "unknown match rule" << key;
        return rule;
    }
    rule.m_text = arg.toString();
    return rule;
}

int MatchRule::specificity(const QString &name, Qt::CaseSensitivity cs) const
{
    switch (m_kind) {
    case Kind::Never:
        return -1;
    case Kind::Equals:
        return name.compare(m_text, cs) == 0 ? kExactBonus + int(m_text.size()) : -1;
    case Kind::StartsWith:
        return name.startsWith(m_text, cs) ? int(m_text.size()) : -1;
    case Kind::EndsWith:
        return name.endsWith(m_text, cs) ? int(m_text.size()) : -1;
    case Kind::Contains:
        return name.contains(m_text, cs) ? int(m_text.size()) : -1;
    case Kind::Regex: {
        const QRegularExpressionMatch match = (cs == Qt::CaseSensitive ? m_regex : m_regexIgnoringCase)->match(name);
        return match.hasMatch() ? int(match.capturedLength()) : -1;
    }
    case Kind::Or: {
        int best = -1;
        for (const MatchRule &child : m_children)
            best = std::max(best, child.specificity(name, cs));
        return best;
    }
    case Kind::And: {
        int best = -1;
        for (const MatchRule &child : m_children) {
            const int s = child.specificity(name, cs);
            if (s < 0)
                return -1;
            best = std::max(best, s);
        }
        return best;
    }
    }
    return -1;
}

} // namespace tl
