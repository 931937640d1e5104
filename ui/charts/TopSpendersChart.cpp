#include "TopSpendersChart.h"

#include "common/Format.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHorizontalBarSeries>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace tl {

TopSpendersChart::TopSpendersChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"topSpendersChart"_s);
    setTitle(tr("Top spenders"));
    chart()->legend()->setVisible(false);
}

void TopSpendersChart::clickBar(int index)
{
    if (index >= 0 && index < m_bars.size())
        Q_EMIT barClicked(index);
}

void TopSpendersChart::setBars(const QList<Bar> &bars)
{
    m_all = bars;
    m_bars.clear();
    if (bars.isEmpty())
        showBars({});
    fitLabels();
}

int TopSpendersChart::barsWithRoom() const
{
    // Qt Charts gives each category label the plot's height over one more than the bars, less padding, and
    // cuts a label with less room to "...": show the highest bars that have room for a line of text each.
    const QFontMetrics fm(font());
    const int lines = m_all.size() <= 4 ? 2 : 1;
    const int perBar = lines * fm.height() + 12; // and the label's text item margins and padding
    const qreal plot = chart()->plotArea().height();
    if (!isVisible() || plot <= 0)
        return int(m_all.size()); // not laid out yet: fitted at the first resize
    return int(std::clamp<qsizetype>(qsizetype(plot / perBar) - 1, 1, m_all.size()));
}

void TopSpendersChart::showBars(const QList<Bar> &bars)
{
    clearChart();
    m_bars = bars;
    auto *series = new QHorizontalBarSeries;
    auto *set = new QBarSet(tr("Cost"));
    QStringList categories;
    NanoUsd max = 0;
    // Highest at the top: horizontal bar categories run bottom-up. The labels are set to fit in fitLabels().
    for (qsizetype i = bars.size() - 1; i >= 0; --i) {
        set->append(double(bars.at(i).cost) / double(kNanoPerUsd));
        categories << QString::number(i);
        max = std::max(max, bars.at(i).cost);
    }
    const qsizetype n = bars.size();
    connect(set, &QBarSet::clicked, this, [this, n](int i) { Q_EMIT barClicked(int(n - 1 - i)); });
    connect(set, &QBarSet::hovered, this, [this, n](bool on, int i) {
        if (!on || i < 0 || i >= n) {
            QToolTip::hideText();
            return;
        }
        const Bar &b = m_bars.at(n - 1 - i);
        QToolTip::showText(QCursor::pos(), u"%1\n%2"_s.arg(b.label, Format::usd(b.cost)));
    });
    series->append(set);
    series->setBarWidth(0.7);
    addHorizontalUsdBars(series, categories, 0, max);
    restyle();
}

void TopSpendersChart::fitLabels()
{
    if (m_all.isEmpty())
        return;
    if (const int n = barsWithRoom(); n != m_bars.size())
        showBars(m_all.mid(0, n));
    const auto axes = chart()->axes(Qt::Vertical);
    auto *y = axes.isEmpty() ? nullptr : qobject_cast<QBarCategoryAxis *>(axes.first());
    if (!y)
        return;
    // As wide as the chart lets the axis be (cut with "…"; the tooltip has the full name). Few bars:
    // "endpoint · model" on two lines (axis labels take HTML) so long model names fit; many: one line.
    const int room = axisLabelRoom(Qt::Horizontal);
    QStringList labels;
    for (qsizetype i = m_bars.size() - 1; i >= 0; --i) {
        QStringList parts = m_bars.at(i).label.split(u" · "_s);
        if (m_bars.size() <= 4) {
            for (QString &part : parts)
                part = elideLabel(part, room).toHtmlEscaped();
            labels << parts.join(u"<br>"_s);
        } else {
            labels << elideLabel(m_bars.at(i).label, room).toHtmlEscaped();
        }
    }
    replaceCategories(y, labels);
}

void TopSpendersChart::restyle()
{
    ChartPanel::restyle();
    const auto all = chart()->series();
    if (all.isEmpty())
        return;
    auto *series = static_cast<QHorizontalBarSeries *>(all.first());
    for (QBarSet *set : series->barSets()) {
        set->setColor(seriesColor(0, isDark()));
        set->setBorderColor(set->color());
    }
}

} // namespace tl
