#pragma once

#include "ChartPanel.h"
#include "common/Money.h"

#include <QStringList>

namespace tl {

// Baseline against projected cost over time for the Simulator page: one pair of bars per day while
// there are few days (a single day stays readable), two lines beyond that. Bucket labels come from the
// simulation (already in the user's time zone); only every k-th is shown when they would overlap.
// Amounts in nano-USD, shown in USD. Thread affinity: GUI thread.
class SimulationTimeChart final : public ChartPanel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimulationTimeChart)

public:
    explicit SimulationTimeChart(QWidget *parent = nullptr);

    // `baseline` and `projected` have one value per label.
    void setData(const QStringList &labels, const QList<NanoUsd> &baseline, const QList<NanoUsd> &projected);
    int bucketCount() const { return int(m_labels.size()); }
    bool showsLines() const { return m_lines; }

protected:
    void restyle() override;
    void resizeEvent(QResizeEvent *event) override;
    void fitLabels() override;

private:
    void relabel();

    QStringList m_labels;
    QList<NanoUsd> m_baseline;
    QList<NanoUsd> m_projected;
    bool m_lines = false;
};

} // namespace tl
