#pragma once

#include "common/Money.h"

#include <QWidget>

class QChart;
class QChartView;
class QLabel;
class QAbstractAxis;
class QBarCategoryAxis;
class QHorizontalBarSeries;
class QValueAxis;

namespace tl {

// Base of the dashboard charts: a title, a QChartView and the colours of the current palette
// (light or dark), re-applied when the palette changes. Animations are off so a chart is complete as
// soon as its data is set (screenshots, tests). Every Qt Charts include stays in ui/charts/.
class ChartPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ChartPanel(QWidget *parent = nullptr);

    QChart *chart() const { return m_chart; }
    QChartView *view() const { return m_view; }

    // Series colours, the same order in every chart (colour-blind-safe Okabe-Ito-like set).
    static QColor seriesColor(int index, bool dark);
    // The printf format of a dollar axis from `min` to `max` (USD) with `tickCount` evenly spaced labels:
    // as many decimals as the tick step needs, so no two labels read the same ("$0.00001" twice on a tiny
    // scale), cents rather than tenths ("$2.50", not "$2.5"), at most 9 decimals (a nano-USD).
    static QString usdLabelFormat(double min, double max, int tickCount);

    // Sets the chart's title; where it is wider than the chart it goes on more lines (Qt Charts would cut it
    // to "..."). Keeps the text to re-wrap it at each resize.
    void setTitle(const QString &title);
    QString title() const { return m_title; }

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    // Called at each resize and after setTitle(): subclasses whose axis labels depend on the room fit them here.
    virtual void fitLabels() {}
    // The room, in pixels, that Qt Charts gives the labels of an axis at the chart's left or right (`side`
    // Qt::Horizontal) or at its bottom (Qt::Vertical), alone on its side: the chart layout squeezes the axes
    // of a side into 40% of the chart's width (height) and then cuts their labels to "...". Less the axis'
    // tick marks and label padding.
    int axisLabelRoom(Qt::Orientation side) const;
    // `text` shortened with "…" to at most `width` pixels in the axis label font.
    QString elideLabel(const QString &text, int width) const;
    // Replaces the categories of `axis` (in order) by `labels`, made unique with trailing spaces (Qt Charts
    // needs unique categories), keeping the axis' range.
    static void replaceCategories(QBarCategoryAxis *axis, QStringList labels);
    // Re-styles the chart for the current palette; subclasses style their own series after calling this.
    virtual void restyle();
    void styleAxis(QAbstractAxis *axis) const;
    bool isDark() const;
    // Removes every series and axis (a chart is replaced in one call).
    void clearChart();
    // Adds a horizontal bar series (values in USD) with its category axis on the left (`categories`
    // bottom-up) and a dollar value axis at the bottom spanning [min, max] nano-USD with 5% headroom
    // and nice numbers. Returns the largest magnitude on the value axis, in USD (for label precision).
    double addHorizontalUsdBars(QHorizontalBarSeries *series, const QStringList &categories, NanoUsd min,
                                NanoUsd max);
    // Sets the label format of a dollar value axis whose range and tick count are final (after
    // applyNiceNumbers()) to usdLabelFormat() of them.
    static void setUsdLabelFormat(QValueAxis *axis);

private:
    void fitTitle();

    QString m_title;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
};

} // namespace tl
