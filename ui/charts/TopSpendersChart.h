#pragma once

#include "ChartPanel.h"
#include "common/Money.h"

#include <QStringList>

namespace tl {

// The top spenders as horizontal bars, highest at the top. Each bar is one group (e.g. an endpoint ·
// model pair); labels longer than the room are elided. Clicking a bar emits barClicked(index) with the
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
    int barCount() const { return int(m_bars.size()); }
    // Emits what a click on bar `index` emits (tests).
    void clickBar(int index);

Q_SIGNALS:
    void barClicked(int index);

protected:
    void restyle() override;

private:
    QList<Bar> m_bars;
};

} // namespace tl
