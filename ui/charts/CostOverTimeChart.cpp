#include "CostOverTimeChart.h"

#include "common/Format.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QFontMetrics>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl {

CostOverTimeChart::CostOverTimeChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"costOverTimeChart"_s);
    setTitle(tr("Cost over time"));
    chart()->setMargins(QMargins(4, 4, 28, 4)); // room for the last bucket's label
    // One legend entry per line at the right: at the bottom, Qt Charts puts every entry on one row and elides
    // long model names ("gpt-4o-mini-2024-…") once there are more than a few series.
    chart()->legend()->setAlignment(Qt::AlignRight);
    chart()->legend()->setShowToolTips(true);
}

int CostOverTimeChart::seriesCount() const
{
    const auto all = chart()->series();
    if (all.isEmpty())
        return 0;
    return int(static_cast<QStackedBarSeries *>(all.first())->count());
}

void CostOverTimeChart::clickSeries(int index)
{
    const auto all = chart()->series();
    if (all.isEmpty())
        return;
    auto *bars = static_cast<QStackedBarSeries *>(all.first());
    if (index >= 0 && index < bars->count())
        Q_EMIT bars->barSets().at(index)->clicked(0);
}

void CostOverTimeChart::setSeries(const TimeSeries &series, const QString &otherLabel)
{
    clearChart();
    m_data = series;
    m_otherLabel = otherLabel;
    m_buckets = int(series.bucketStartsUs.size());

    auto *bars = new QStackedBarSeries;
    bars->setBarWidth(0.85);
    NanoUsd maxStack = 0;
    for (NanoUsd c : series.costPerBucket)
        maxStack = std::max(maxStack, c);
    const bool dark = isDark();
    for (qsizetype s = 0; s < series.seriesNames.size(); ++s) {
        const QString &name = series.seriesNames.at(s);
        const bool isOther = s == series.seriesNames.size() - 1 && name == u"Other";
        // Calls without the grouped field (no served model: a request refused before any upstream answered, a
        // 503 at a drain) get a visible name instead of a blank legend entry (session-9 trial).
        auto *set = new QBarSet(isOther ? otherLabel : name.isEmpty() ? tr("(none)") : name);
        set->setColor(isOther ? seriesColor(8, dark) : seriesColor(int(s), dark));
        set->setBorderColor(set->color());
        for (NanoUsd c : series.cost.at(s))
            set->append(double(c) / double(kNanoPerUsd));
        connect(set, &QBarSet::clicked, this, [this, name, isOther](int) {
            if (!isOther && !name.isEmpty())
                Q_EMIT seriesClicked(name);
        });
        connect(set, &QBarSet::hovered, this, [this, set, s](bool on, int bucket) {
            if (!on || bucket < 0 || bucket >= m_data.bucketLabels.size()) {
                QToolTip::hideText();
                return;
            }
            const NanoUsd cost = m_data.cost.at(s).value(bucket);
            QToolTip::showText(QCursor::pos(), u"%1\n%2: %3"_s.arg(set->label(), m_data.bucketLabels.at(bucket),
                                                                 Format::usd(cost)));
        });
        bars->append(set);
    }
    chart()->addSeries(bars);

    auto *x = new QCategoryAxis;
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    x->setStartValue(-0.5);
    x->setRange(-0.5, std::max(0, m_buckets - 1) + 0.5);
    x->setGridLineVisible(false);
    chart()->addAxis(x, Qt::AlignBottom);
    bars->attachAxis(x);

    auto *y = new QValueAxis;
    const double maxUsd = double(maxStack) / double(kNanoPerUsd);
    y->setRange(0, maxUsd > 0 ? maxUsd * 1.08 : 1.0);
    y->applyNiceNumbers();
    setUsdLabelFormat(y);
    chart()->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(y);
    chart()->legend()->setVisible(series.seriesNames.size() > 0);
    restyle();
    relabel();
}

void CostOverTimeChart::relabel()
{
    const auto axes = chart()->axes(Qt::Horizontal);
    if (axes.isEmpty())
        return;
    auto *x = static_cast<QCategoryAxis *>(axes.first());
    const QStringList labels = x->categoriesLabels();
    for (const QString &l : labels)
        x->remove(l);
    if (m_buckets == 0)
        return;
    // Room for one label per its width in the axis font plus a gap (hour labels are the longest: "2023-11-16
    // 18:00"; a fixed 110 px let Qt elide them to "2023-11-16 08..." at the 24 h range, session-17 look-over).
    const QFontMetrics metrics(x->labelsFont());
    int widest = 0;
    for (int i = 0; i < m_buckets; i += std::max(1, m_buckets / 32)) // the labels of one range share a shape
        widest = std::max(widest, metrics.horizontalAdvance(m_data.bucketLabels.value(i)));
    const int slot = std::max(60, widest + 24);
    const int room = std::max(1, int(chart()->plotArea().width() > 0 ? chart()->plotArea().width() : width()) / slot);
    const int step = std::max(1, int(std::ceil(double(m_buckets) / room)));
    for (int i = 0; i < m_buckets; i += step) {
        QString label = m_data.bucketLabels.value(i);
        // Hour buckets after the first of a day show the time only.
        if (i > 0 && label.size() == 16 && label.left(10) == m_data.bucketLabels.value(i - step).left(10)
            && !x->categoriesLabels().contains(label.mid(11)))
            label = label.mid(11);
        x->append(label, i);
    }
}

void CostOverTimeChart::resizeEvent(QResizeEvent *event)
{
    ChartPanel::resizeEvent(event);
    relabel();
}

void CostOverTimeChart::restyle()
{
    ChartPanel::restyle();
    const auto all = chart()->series();
    if (all.isEmpty())
        return;
    auto *bars = static_cast<QStackedBarSeries *>(all.first());
    const bool dark = isDark();
    const auto sets = bars->barSets();
    for (int i = 0; i < sets.size(); ++i) {
        const bool isOther = !m_otherLabel.isEmpty() && i == sets.size() - 1 && sets.at(i)->label() == m_otherLabel;
        sets.at(i)->setColor(seriesColor(isOther ? 8 : i, dark));
        sets.at(i)->setBorderColor(sets.at(i)->color());
    }
}

} // namespace tl
