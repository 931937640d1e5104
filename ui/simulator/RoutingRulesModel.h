#pragma once

#include "simulate/Scenario.h"

#include <QAbstractTableModel>

namespace tl {

// The routing rules of a scenario as an editable table, one row per tl::RoutingRule in match order
// (first match wins). Columns map one-to-one to RoutingRule fields; a condition left empty (text) or at
// -1 (token and character limits) matches everything and shows as "any". EditRole gives and takes the
// raw field (QString; comma-separated names for lists; qint64 limits), DisplayRole the text.
// Thread affinity: GUI thread.
class RoutingRulesModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingRulesModel)

public:
    enum Column {
        Model,
        MaxPromptTokens,
        MaxCompletionTokens,
        RouteTo,
        Endpoints,
        TaskTypes,
        MaxPromptChars,
        RouteToProvider,
        ColumnCount
    };

    explicit RoutingRulesModel(QObject *parent = nullptr);

    void setRules(const QList<RoutingRule> &rules);
    const QList<RoutingRule> &rules() const { return m_rules; }

    // Appends `rule` and returns its row.
    int addRule(const RoutingRule &rule);
    void removeRule(int row);
    // Moves row `row` by `delta` (-1 up, +1 down); false when it cannot move.
    bool moveRule(int row, int delta);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // Any edit, insertion, removal or move made through this model.
    void rulesEdited();

private:
    QList<RoutingRule> m_rules;
};

} // namespace tl
