#include "EndpointSavingsChart.h"

#include "common/Format.h"

#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QToolTip>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tl {

EndpointSavingsChart::EndpointSavingsChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"endpointSavingsChart"_s);
    setTitle(tr("Top endpoints by saving"));
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
    NanoUsd smallest = 0; // the smallest non-zero |saving|
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
        if (const NanoUsd magnitude = b.saving < 0 ? -b.saving : b.saving; magnitude > 0)
            smallest = smallest == 0 ? magnitude : std::min(smallest, magnitude);
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
    // Qt writes a bar's label with %g: under $0.0001 that is "$4.5e-06", so such bars go without one (the
    // axis and the tooltip tell their value).
    series->setLabelsVisible(smallest == 0 || smallest >= kNanoPerUsd / 10'000);
    series->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
    series->setLabelsFormat(u"$@value"_s);
    const double top = addHorizontalUsdBars(series, categories, min, max);
    // Bar labels: significant digits for whole dollars plus cents ("$12.35", not "$12.3").
    const int wholeDigits = top >= 1 ? int(std::floor(std::log10(top))) + 1 : 1;
    series->setLabelsPrecision(std::max(3, wholeDigits + 2));
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
