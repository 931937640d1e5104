#pragma once

#include "routing/RecordedSamples.h"

#include <QAbstractTableModel>

namespace tl {

// The per-call results of testing routing rules against recorded requests: one row per call (newest
// first), what the ledger recorded and what the edited rules decide. A call an undecidable rule
// (keywords need request text, which is not recorded) leaves open shows every possible outcome
// ("medium or low"), its target models and the range of its cost difference. Costs are nano-USD,
// formatted here; SortRole gives raw values (numbers, not text). Thread affinity: GUI thread.
class RoutingTestModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingTestModel)

public:
    enum Column {
        Time,
        RequestedModel,
        TaskType,
        PromptChars,
        MaxTokens,
        Tokens,
        Complexity,
        Rule,
        Target,
        Difference,
        Guard,
        Baseline,
        Projected,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit RoutingTestModel(QObject *parent = nullptr);

    // `tests` has one entry per call, in the same order.
    void setResults(const QList<routing::RecordedCall> &calls, const QList<routing::RecordedTest> &tests);
    void clear();
    const routing::RecordedTest &testAt(int row) const { return m_tests.at(row); }
    const routing::RecordedCall &callAt(int row) const { return m_calls.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Translated guard names for the user ("context window", "not cheaper", ...).
    static QString guardName(routing::RouteGuard g);

private:
    QList<routing::RecordedCall> m_calls;
    QList<routing::RecordedTest> m_tests;
};

} // namespace tl
