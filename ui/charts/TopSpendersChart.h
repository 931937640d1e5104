#pragma once

#include "ChartPanel.h"
#include "common/Money.h"

#include <QStringList>

namespace tl {

// The top spenders as horizontal bars, highest at the top. Each bar is one group (e.g. an endpoint ·
// model pair); labels longer than the room are elided with "…", and a chart too low for every bar's label
// shows the highest bars that have room. Clicking a bar emits barClicked(index) with the
// index into the list given to setBars (0 = highest).
class TopSpendersChart final : public ChartPanel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopSpendersChart)

public:
    struct Bar
    {
        QString label;
        NanoUsd cost = 0;
    };

    explicit TopSpendersChart(QWidget *parent = nullptr);

    void setBars(const QList<Bar> &bars);
    // Bars shown: the highest of those given that have room for their label at the chart's height.
    int barCount() const { return int(m_bars.size()); }
    // Emits what a click on bar `index` emits (tests).
    void clickBar(int index);

Q_SIGNALS:
    void barClicked(int index);

protected:
    void restyle() override;
    void fitLabels() override;

private:
    int barsWithRoom() const;
    void showBars(const QList<Bar> &bars);

    QList<Bar> m_all; // as given to setBars
    QList<Bar> m_bars; // shown

};

} // namespace tl
