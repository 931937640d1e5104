#pragma once

#include "routing/RecordedSamples.h"
#include "routing/RouterConfig.h"

#include <QAbstractTableModel>

namespace tl {

// One endpoint's complexity rules (routing::ComplexityRule) as an editable table, one row per rule in
// match order (first match wins). EditRole gives and takes the raw field: the name (QString),
// task types and keywords (comma-separated QString), character and token limits (qint64, -1 = no
// condition), the complexity (int of routing::Complexity). DisplayRole shows "any" for an absent
// condition. The Recorded column shows the last test against recorded requests for this rule list
// (setTallies), including "needs request text — not recorded" for keyword rules. Every change made
// through the model emits rulesEdited(); setRules() does not. Thread affinity: GUI thread.
class ComplexityRulesModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComplexityRulesModel)

public:
    enum Column { Name, TaskTypes, MinChars, MaxChars, MaxOutputTokens, Keywords, Result, Recorded, ColumnCount };

    explicit ComplexityRulesModel(QObject *parent = nullptr);

    void setRules(const QList<routing::ComplexityRule> &rules);
    const QList<routing::ComplexityRule> &rules() const { return m_rules; }

    // Inserts `rule` at `row` (clamped; -1 = append) and returns its row.
    int insertRule(int row, const routing::ComplexityRule &rule);
    bool removeRule(int row);
    // Moves row `row` by `delta` (-1 up, +1 down); false when it cannot move.
    bool moveRule(int row, int delta);
    // A name not used by any rule yet: "rule-1", "rule-2", ...
    QString unusedName() const;

    // Per-rule results of the last test (matched by rule name); empty clears the column.
    void setTallies(const QList<routing::RuleTally> &tallies);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString complexityName(routing::Complexity c); // translated "Low", "Medium", "High"
    // "needs request text — not recorded", ... for the MissingData flags (translated).
    static QString missingText(int missing);
    // The same, short: "needs request text", ... (per-call cells; the tooltip has missingText()).
    static QString briefMissingText(int missing);

Q_SIGNALS:
    void rulesEdited();

private:
    QList<routing::ComplexityRule> m_rules;
    QHash<QString, routing::RuleTally> m_tallies;
};

} // namespace tl
