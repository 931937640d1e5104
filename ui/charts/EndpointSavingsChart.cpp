#include "EndpointSavingsChart.h"

#include "common/Format.h"

#include <QBarSet>
#include <QChart>
#include <QFontMetrics>
#include <QGraphicsSimpleTextItem>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QToolTip>

#include <algorithm>

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
    // The value labels are drawn here (placeValueLabels), not by Qt Charts: its labels sit inside the bar's end
    // whatever the bar's length, so a short bar's label ran past the bar's base, over the axis or in the bar's
    // label colour on the chart's background ("2" of "$0.42"), and it wrote them with %g ("$-0.3").
    series->setLabelsVisible(false);
    addHorizontalUsdBars(series, categories, min, max);
    qDeleteAll(m_valueLabels);
    m_valueLabels.clear();
    for (const Bar &b : std::as_const(m_bars)) {
        auto *label = new QGraphicsSimpleTextItem(Format::usd(b.saving), chart());
        label->setZValue(100); // above the bars
        m_valueLabels << label;
    }
    restyle();
}

void EndpointSavingsChart::fitLabels()
{
    placeValueLabels();
}

void EndpointSavingsChart::placeValueLabels()
{
    const auto all = chart()->series();
    if (all.isEmpty() || m_valueLabels.size() != m_bars.size())
        return;
    auto *series = static_cast<QHorizontalBarSeries *>(all.first());
    const QRectF plot = chart()->plotArea();
    const QFontMetrics fm(font());
    const int pad = std::max(3, fm.averageCharWidth() / 2);
    const qsizetype n = m_bars.size();
    const double half = series->barWidth() / 2;
    for (qsizetype i = 0; i < n; ++i) {
        QGraphicsSimpleTextItem *label = m_valueLabels.at(i);
        const double category = double(n - 1 - i); // horizontal bar categories run bottom-up
        const double usd = double(m_bars.at(i).saving) / double(kNanoPerUsd);
        const QRectF bar = QRectF(chart()->mapToPosition(QPointF(0, category - half), series),
                                  chart()->mapToPosition(QPointF(usd, category + half), series))
                               .normalized();
        const qreal width = fm.horizontalAdvance(label->text());
        const qreal y = bar.center().y() - fm.height() / 2.0;
        const bool negative = m_bars.at(i).saving < 0;
        if (plot.isEmpty() || bar.height() <= 0) {
            label->setVisible(false);
        } else if (bar.width() >= width + 2 * pad && bar.height() >= fm.height()) {
            // Inside the bar's end, in the bar's label colour.
            label->setPos(negative ? bar.left() + pad : bar.right() - pad - width, y);
            label->setBrush(insideLabelColor());
            label->setVisible(true);
        } else {
            // After the bar's end, in the text colour, where the plot area has room; else left out (the bar's
            // tooltip tells its value).
            const qreal x = negative ? bar.left() - pad - width : bar.right() + pad;
            label->setPos(x, y);
            label->setBrush(palette().color(QPalette::Text));
            label->setVisible(x >= plot.left() && x + width <= plot.right());
        }
    }
}

QColor EndpointSavingsChart::insideLabelColor() const
{
    return isDark() ? QColor(0x10, 0x10, 0x10) : QColor(Qt::white);
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
    }
    for (QGraphicsSimpleTextItem *label : std::as_const(m_valueLabels))
        label->setFont(font());
    placeValueLabels();
}

} // namespace tl
