#pragma once

#include "ChartPanel.h"
#include "query/LedgerQueries.h"

namespace tl {

// The 80/20 view: bars of cost per group (highest first), the cumulative share as a line on a
// 0–100% axis, and a dashed line at 80%. Shows at most `maxBars` groups; the title says how many
// groups carry 80% of the cost. Clicking a bar emits barClicked(name).
class ParetoChart final : public ChartPanel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParetoChart)

public:
    explicit ParetoChart(QWidget *parent = nullptr);

    // `groupNoun`: what the groups are, plural and translated ("endpoints").
    void setPareto(const Pareto &pareto, const QString &groupNoun, int maxBars = 12);
    int barCount() const { return int(m_names.size()); }
    void clickBar(int index);

Q_SIGNALS:
    void barClicked(const QString &name);

protected:
    void restyle() override;
    void fitLabels() override;

private:
    QStringList m_names;
};

} // namespace tl
