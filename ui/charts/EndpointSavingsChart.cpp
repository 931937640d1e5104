#include "EndpointSavingsChart.h"

#include "common/Format.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QToolTip>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace tl {

EndpointSavingsChart::EndpointSavingsChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"endpointSavingsChart"_s);
    chart()->setTitle(tr("Top endpoints by saving"));
    chart()->legend()->setVisible(false);
}

void EndpointSavingsChart::setBars(const QList<Bar> &bars, int maxBars)
{
    clearChart();
    m_bars = bars.mid(0, maxBars);
    const qsizetype n = m_bars.size();
    auto *series = new QHorizontalBarSeries;
    auto *set = new QBarSet(tr("Saving"));
    QStringList categories;
    NanoUsd max = 0, min = 0;
    // Highest at the top: horizontal bar categories run bottom-up.
    for (qsizetype i = n - 1; i >= 0; --i) {
        const Bar &b = m_bars.at(i);
        set->append(double(b.saving) / double(kNanoPerUsd));
        QString label = b.endpoint.isEmpty() ? tr("(no endpoint)") : b.endpoint;
        if (label.size() > 24)
            label = label.left(23) + u'…';
        label = label.toHtmlEscaped();
        while (categories.contains(label)) // category labels must be unique
            label += u' ';
        categories << label;
        max = std::max(max, b.saving);
        min = std::min(min, b.saving);
    }
    connect(set, &QBarSet::hovered, this, [this, n](bool on, int i) {
        if (!on || i < 0 || i >= n) {
            QToolTip::hideText();
            return;
        }
        const Bar &b = m_bars.at(n - 1 - i);
        const QString share = b.baseline > 0 ? Format::share(double(b.saving) / double(b.baseline)) : u"–"_s;
        QToolTip::showText(
            QCursor::pos(),
            tr("%1\nSaving: %2 (%3 of %4)").arg(b.endpoint, Format::usd(b.saving), share, Format::usd(b.baseline)));
    });
    series->append(set);
    series->setBarWidth(n <= 2 ? 0.45 : 0.7);
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
    series->setLabelsFormat(u"$@value"_s);
    chart()->addSeries(series);

    auto *y = new QBarCategoryAxis;
    y->append(categories);
    y->setGridLineVisible(false);
    chart()->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    auto *x = new QValueAxis;
    const double maxUsd = double(max) / double(kNanoPerUsd);
    const double minUsd = double(min) / double(kNanoPerUsd);
    x->setRange(minUsd < 0 ? minUsd * 1.05 : 0, maxUsd > 0 ? maxUsd * 1.05 : (minUsd < 0 ? 0 : 1.0));
    x->setTickCount(4);
    x->applyNiceNumbers();
    const double top = std::max(std::abs(x->max()), std::abs(x->min()));
    x->setLabelFormat(top >= 100 ? u"$%.0f"_s : top >= 1 ? u"$%.1f"_s : top >= 0.01 ? u"$%.3f"_s : u"$%.5f"_s);
    series->setLabelsPrecision(top >= 100 ? 5 : 3);
    chart()->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    restyle();
}

void EndpointSavingsChart::restyle()
{
    ChartPanel::restyle();
    const auto all = chart()->series();
    if (all.isEmpty())
        return;
    auto *series = static_cast<QHorizontalBarSeries *>(all.first());
    for (QBarSet *set : series->barSets()) {
        set->setColor(seriesColor(2, isDark()));
        set->setBorderColor(set->color());
        set->setLabelColor(isDark() ? QColor(0x10, 0x10, 0x10) : QColor(Qt::white));
    }
}

} // namespace tl
