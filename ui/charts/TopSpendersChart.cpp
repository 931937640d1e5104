#include "TopSpendersChart.h"

#include "common/Format.h"

#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
QString elided(const QString &text, int max)
{
    return text.size() <= max ? text : text.left(max - 1) + u'…';
}
} // namespace

TopSpendersChart::TopSpendersChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"topSpendersChart"_s);
    chart()->setTitle(tr("Top spenders"));
    chart()->legend()->setVisible(false);
}

void TopSpendersChart::clickBar(int index)
{
    if (index >= 0 && index < m_bars.size())
        Q_EMIT barClicked(index);
}

void TopSpendersChart::setBars(const QList<Bar> &bars)
{
    clearChart();
    m_bars = bars;
    auto *series = new QHorizontalBarSeries;
    auto *set = new QBarSet(tr("Cost"));
    QStringList categories;
    NanoUsd max = 0;
    // Highest at the top: horizontal bar categories run bottom-up.
    for (qsizetype i = bars.size() - 1; i >= 0; --i) {
        set->append(double(bars.at(i).cost) / double(kNanoPerUsd));
        // Few bars: "endpoint · model" on two lines (axis labels take HTML) so long model names fit.
        // Many bars: one line, the endpoint first (the tooltip has the full name).
        QStringList parts = bars.at(i).label.split(u" · "_s);
        QString label;
        if (bars.size() <= 4) {
            for (QString &part : parts)
                part = elided(part, 30).toHtmlEscaped();
            label = parts.join(u"<br>"_s);
        } else {
            label = elided(bars.at(i).label, 22).toHtmlEscaped();
        }
        while (categories.contains(label)) // category labels must be unique
            label += u' ';
        categories << label;
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
