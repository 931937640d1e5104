#pragma once

#include "ChartPanel.h"
#include "common/Money.h"

#include <QStringList>

class QGraphicsSimpleTextItem;

namespace tl {

// The top endpoints by projected saving as horizontal bars, highest at the top (Simulator page).
// A negative saving (a scenario that costs more) draws to the left of zero. Labels longer than the
// room are elided; the tooltip has the full name, the saving and its share of the endpoint's baseline.
// Each bar's saving (USD, Format::usd) is written inside the bar's end where it fits there, else after the
// bar's end where the plot area has room, else left out (the tooltip has it).
// Thread affinity: GUI thread.
class EndpointSavingsChart final : public ChartPanel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointSavingsChart)

public:
    struct Bar
    {
        QString endpoint;
        NanoUsd saving = 0;
        NanoUsd baseline = 0;
    };

    explicit EndpointSavingsChart(QWidget *parent = nullptr);

    // Shows the first `maxBars` of `bars` (callers pass them highest saving first).
    void setBars(const QList<Bar> &bars, int maxBars = 8);
    int barCount() const { return int(m_bars.size()); }

protected:
    void restyle() override;
    void fitLabels() override;

private:
    // Puts each value label inside its bar, after it, or hides it, for the current plot area.
    void placeValueLabels();
    QColor insideLabelColor() const;

    QList<Bar> m_bars;
    QList<QGraphicsSimpleTextItem *> m_valueLabels; // one per bar, in m_bars' order; children of chart()
};

} // namespace tl
