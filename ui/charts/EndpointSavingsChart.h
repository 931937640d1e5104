#pragma once

#include "ChartPanel.h"
#include "common/Money.h"

#include <QStringList>

namespace tl {

// The top endpoints by projected saving as horizontal bars, highest at the top (Simulator page).
// A negative saving (a scenario that costs more) draws to the left of zero. Labels longer than the
// room are elided; the tooltip has the full name, the saving and its share of the endpoint's baseline.
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

private:
    QList<Bar> m_bars;
};

} // namespace tl
