#pragma once

#include "ChartPanel.h"
#include "query/LedgerQueries.h"

namespace tl {

// Cost over time as stacked bars, one stack per time bucket and one colour per series (model or
// endpoint, as the time series was stacked). Bucket labels come from the series (already in the
// user's time zone); when there are many buckets only every k-th is labelled so labels never overlap.
// Y axis in USD. Clicking a segment emits seriesClicked(name) ("Other" is not clickable).
class CostOverTimeChart final : public ChartPanel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CostOverTimeChart)

public:
    explicit CostOverTimeChart(QWidget *parent = nullptr);

    void setSeries(const TimeSeries &series, const QString &otherLabel);
    // Number of bar sets (series) shown and buckets; for tests.
    int seriesCount() const;
    int bucketCount() const { return m_buckets; }
    // What a click on series `index` would emit (tests drive this like a click).
    void clickSeries(int index);

Q_SIGNALS:
    void seriesClicked(const QString &name);

protected:
    void restyle() override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void relabel();

    TimeSeries m_data;
    QString m_otherLabel;
    int m_buckets = 0;
};

} // namespace tl
