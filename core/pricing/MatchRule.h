#pragma once

#include <QJsonValue>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <memory>

namespace tl {

// A model-name matching rule in the genai-prices format: {"equals": s}, {"starts_with": s},
// {"ends_with": s}, {"contains": s}, {"regex": s}, {"or": [...]}, {"and": [...]}.
// Comparison is case-sensitive, as in genai-prices, unless a caller asks for Qt::CaseInsensitive (PriceBook's
// fallback for a name that differs from the book's only in case). Immutable after parsing; thread-safe to use.
class MatchRule
{
public:
    enum class Kind { Never, Equals, StartsWith, EndsWith, Contains, Regex, Or, And };

    static MatchRule fromJson(const QJsonValue &value);
    static MatchRule equals(const QString &text);

    // How specifically this rule matches `name`: -1 for no match; otherwise a score where an exact
    // match beats any prefix, and a longer prefix/suffix/substring beats a shorter one, so that
    // "gpt-4o-mini" wins over a "gpt-4o" prefix rule. For `or`, the best matching branch counts;
    // for `and`, every branch must match and the best one counts.
    int specificity(const QString &name, Qt::CaseSensitivity cs = Qt::CaseSensitive) const;
    bool matches(const QString &name, Qt::CaseSensitivity cs = Qt::CaseSensitive) const { return specificity(name, cs) >= 0; }

private:
    Kind m_kind = Kind::Never;
    QString m_text;
    std::shared_ptr<const QRegularExpression> m_regex;
    std::shared_ptr<const QRegularExpression> m_regexIgnoringCase; // the same pattern, CaseInsensitiveOption
    QList<MatchRule> m_children;
};

} // namespace tl
