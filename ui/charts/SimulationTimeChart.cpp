#include "SimulationTimeChart.h"

#include "common/Format.h"

#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QLegendMarker>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
// Up to this many days the chart shows bars (a line needs at least two points to show anything).
constexpr int kMaxBarBuckets = 45;

double usd(NanoUsd v)
{
    return double(v) / double(kNanoPerUsd);
}
} // namespace

SimulationTimeChart::SimulationTimeChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"simulationTimeChart"_s);
    setTitle(tr("Baseline and projected cost per day"));
    chart()->setMargins(QMargins(4, 4, 28, 4)); // room for the last day's label
    // The legend is laid out after the plot area: its width, which fitLabels() fits the baseline entry to, can
    // change after the last plotAreaChanged (queued, as that one).
    connect(chart()->legend(), &QGraphicsWidget::geometryChanged, this, [this] { fitLabels(); }, Qt::QueuedConnection);
}

void SimulationTimeChart::setData(const QStringList &labels, const QList<NanoUsd> &baseline,
                                  const QList<NanoUsd> &projected)
{
    clearChart();
    m_labels = labels;
    m_baseline = baseline;
    m_projected = projected;
    const int n = int(labels.size());
    m_lines = n > kMaxBarBuckets;
    NanoUsd max = 0;
    for (NanoUsd v : baseline)
        max = std::max(max, v);
    for (NanoUsd v : projected)
        max = std::max(max, v);

    const QString baselineName = tr("Baseline (recorded)");
    const QString projectedName = tr("Projected");
    QList<QAbstractSeries *> added;
    if (m_lines) {
        auto *b = new QLineSeries;
        b->setName(baselineName);
        auto *p = new QLineSeries;
        p->setName(projectedName);
        for (int i = 0; i < n; ++i) {
            b->append(i, usd(baseline.value(i)));
            p->append(i, usd(projected.value(i)));
        }
        for (QLineSeries *s : {b, p}) {
            connect(s, &QLineSeries::hovered, this, [this](const QPointF &point, bool on) {
                const int i = int(std::lround(point.x()));
                if (!on || i < 0 || i >= m_labels.size()) {
                    QToolTip::hideText();
                    return;
                }
                QToolTip::showText(QCursor::pos(),
                                   u"%1\n%2: %3\n%4: %5"_s.arg(m_labels.at(i), tr("Baseline"),
                                                               Format::usd(m_baseline.value(i)), tr("Projected"),
                                                               Format::usd(m_projected.value(i))));
            });
            chart()->addSeries(s);
            added << s;
        }
    } else {
        auto *series = new QBarSeries;
        auto *b = new QBarSet(baselineName);
        auto *p = new QBarSet(projectedName);
        for (int i = 0; i < n; ++i) {
            b->append(usd(baseline.value(i)));
            p->append(usd(projected.value(i)));
        }
        series->append(b);
        series->append(p);
        series->setBarWidth(n == 1 ? 0.5 : 0.8);
        connect(series, &QBarSeries::hovered, this, [this](bool on, int i, QBarSet *) {
            if (!on || i < 0 || i >= m_labels.size()) {
                QToolTip::hideText();
                return;
            }
            QToolTip::showText(QCursor::pos(),
                               u"%1\n%2: %3\n%4: %5"_s.arg(m_labels.at(i), tr("Baseline"),
                                                           Format::usd(m_baseline.value(i)), tr("Projected"),
                                                           Format::usd(m_projected.value(i))));
        });
        chart()->addSeries(series);
        added << series;
    }

    auto *x = new QCategoryAxis;
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    x->setStartValue(-0.5);
    x->setRange(m_lines ? 0 : -0.5, m_lines ? std::max(1, n - 1) : std::max(0, n - 1) + 0.5);
    x->setGridLineVisible(false);
    chart()->addAxis(x, Qt::AlignBottom);
    auto *y = new QValueAxis;
    const double top = usd(max);
    y->setRange(0, top > 0 ? top * 1.08 : 1.0);
    y->applyNiceNumbers();
    setUsdLabelFormat(y);
    chart()->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : std::as_const(added)) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart()->legend()->setVisible(n > 0);
    restyle();
    relabel();
    fitLabels();
    // Again once the legend has laid out the new series' markers: new data whose plot area is the same as
    // before's brings no plotAreaChanged.
    QMetaObject::invokeMethod(this, &SimulationTimeChart::fitLabels, Qt::QueuedConnection);
}

void SimulationTimeChart::fitLabels()
{
    // Qt Charts puts the legend's entries in one row and cuts them to "..." when the row is too narrow: in a
    // narrow chart the baseline entry says "Baseline" (the title says what it is).
    const auto markers = chart()->legend()->markers();
    if (markers.size() != 2)
        return;
    const QFontMetrics fm(font());
    const QString full = tr("Baseline (recorded)");
    const int need = fm.horizontalAdvance(full) + fm.horizontalAdvance(markers.at(1)->label()) + 5 * fm.height();
    // The legend's own row once it is laid out (the view's width less the chart's margins overstated it by 18 px
    // at 900x600: 244 px of room for a 243 px row in a 226 px legend, cut "Baseline (recor..."), else the view's.
    const qreal legendWidth = chart()->legend()->geometry().width();
    const int room = legendWidth > 0 ? int(legendWidth)
                                     : view()->width() - chart()->margins().left() - chart()->margins().right();
    const QString label = need <= room ? full : tr("Baseline");
    if (markers.at(0)->label() != label) {
        markers.at(0)->setLabel(label);
        // Qt Charts 6.4 elides a marker's text when the legend lays it out: with the legend's size unchanged no new
        // layout comes, and the entry kept drawing "Baseline (recor..." under the new label (SmallWindowTest, about
        // a run in ten under load). Ask for one.
        if (QGraphicsLayout *layout = chart()->legend()->layout())
            layout->invalidate();
    }
}

void SimulationTimeChart::relabel()
{
    const auto axes = chart()->axes(Qt::Horizontal);
    if (axes.isEmpty())
        return;
    auto *x = static_cast<QCategoryAxis *>(axes.first());
    const QStringList old = x->categoriesLabels();
    for (const QString &l : old)
        x->remove(l);
    const int n = int(m_labels.size());
    if (n == 0)
        return;
    // One label per ~95 px ("2023-11-16" is the longest day label).
    const qreal width = chart()->plotArea().width() > 0 ? chart()->plotArea().width() : this->width();
    const int room = std::max(1, int(width / 95));
    const int step = std::max(1, int(std::ceil(double(n) / room)));
    for (int i = 0; i < n; i += step)
        x->append(m_labels.at(i), i);
}

void SimulationTimeChart::resizeEvent(QResizeEvent *event)
{
    ChartPanel::resizeEvent(event);
    relabel();
}

void SimulationTimeChart::restyle()
{
    ChartPanel::restyle();
    const bool dark = isDark();
    const QColor baseline = palette().color(QPalette::PlaceholderText);
    const QColor projected = seriesColor(2, dark); // green: what the scenario would cost
    const auto all = chart()->series();
    for (QAbstractSeries *s : all) {
        if (auto *bars = qobject_cast<QBarSeries *>(s)) {
            const auto sets = bars->barSets();
            for (int i = 0; i < sets.size(); ++i) {
                sets.at(i)->setColor(i == 0 ? baseline : projected);
                sets.at(i)->setBorderColor(sets.at(i)->color());
            }
        } else if (auto *line = qobject_cast<QLineSeries *>(s)) {
            const bool isBaseline = s == all.first();
            QPen pen(isBaseline ? baseline : projected);
            pen.setWidthF(2.0);
            if (isBaseline)
                pen.setStyle(Qt::DashLine);
            line->setPen(pen);
        }
    }
}

} // namespace tl
