#include "ChartPanel.h"

#include "common/Theme.h"

#include <QAbstractAxis>
#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFontMetrics>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tl {

ChartPanel::ChartPanel(QWidget *parent)
    : QWidget(parent)
    , m_chart(new QChart)
{
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(220);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    restyle();
    // The plot area settles after the chart's own layout has run (after a resize, a new series): labels
    // fitted to the room are fitted again then. Queued: fitting may change the axes, which lays out again.
    connect(m_chart, &QChart::plotAreaChanged, this, [this] { fitLabels(); }, Qt::QueuedConnection);
}

QColor ChartPanel::seriesColor(int index, bool dark)
{
    static const QColor light[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                                   QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9), QColor(0xd5, 0x5e, 0x00),
                                   QColor(0x88, 0x6f, 0xd1), QColor(0x8c, 0x8c, 0x3a), QColor(0x99, 0x99, 0x99)};
    static const QColor darkSet[] = {QColor(0x4f, 0xa3, 0xe0), QColor(0xf0, 0xb4, 0x29), QColor(0x2e, 0xc4, 0x99),
                                     QColor(0xe0, 0x98, 0xc2), QColor(0x8f, 0xd3, 0xf7), QColor(0xf0, 0x84, 0x3c),
                                     QColor(0xb0, 0x9c, 0xf0), QColor(0xc7, 0xc7, 0x6a), QColor(0x9a, 0x9f, 0xa6)};
    const int n = int(std::size(light));
    return dark ? darkSet[index % n] : light[index % n];
}

bool ChartPanel::isDark() const
{
    return Theme::isDark(palette());
}

void ChartPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyle();
}

void ChartPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTitle();
    fitLabels();
}

void ChartPanel::setTitle(const QString &title)
{
    m_title = title;
    fitTitle();
}

void ChartPanel::fitTitle()
{
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics fm(bold);
    const QMargins margins = m_chart->margins();
    // The title's room: the view less the chart's margins and Qt Charts' own padding around the background.
    const int room
        = std::max(fm.averageCharWidth() * 8, m_view->width() - margins.left() - margins.right() - 2 * fm.height());
    // Greedy wrap at spaces; a word wider than the room (Chinese has no spaces) breaks between characters.
    QStringList lines;
    QString line;
    const auto flush = [&] {
        if (!line.isEmpty())
            lines << line;
        line.clear();
    };
    const QStringList words = m_title.split(u' ');
    for (const QString &word : words) {
        const QString joined = line.isEmpty() ? word : line + u' ' + word;
        if (fm.horizontalAdvance(joined) <= room) {
            line = joined;
            continue;
        }
        flush();
        for (const QChar c : word) {
            if (!line.isEmpty() && fm.horizontalAdvance(line + c) > room)
                flush();
            line += c;
        }
    }
    flush();
    for (QString &l : lines)
        l = l.toHtmlEscaped();
    m_chart->setTitle(lines.join(u"<br>"_s));
}

int ChartPanel::axisLabelRoom(Qt::Orientation side) const
{
    const QMargins margins = m_chart->margins();
    const QFontMetrics fm(font());
    // 40% (Qt Charts' CartesianChartLayout, maxAxisPortion) of what the title, the legend and the margins
    // leave; the rest: tick marks, label padding, the label items' text margins.
    int extent = 0;
    if (side == Qt::Horizontal) {
        extent = m_view->width() - margins.left() - margins.right() - 2 * fm.height();
        if (m_chart->legend()->isVisible() && m_chart->legend()->alignment() & (Qt::AlignLeft | Qt::AlignRight))
            extent -= int(m_chart->legend()->geometry().width());
    } else {
        const int titleLines = int(m_chart->title().count(u"<br>"_s)) + 1;
        extent = m_view->height() - margins.top() - margins.bottom() - 2 * fm.height()
            - (m_chart->title().isEmpty() ? 0 : titleLines * fm.height() + fm.height());
        if (m_chart->legend()->isVisible() && m_chart->legend()->alignment() & (Qt::AlignTop | Qt::AlignBottom))
            extent -= 2 * fm.height();
    }
    return std::max(fm.averageCharWidth() * 4, extent * 2 / 5 - fm.height());
}

QString ChartPanel::elideLabel(const QString &text, int width) const
{
    return QFontMetrics(font()).elidedText(text, Qt::ElideRight, width);
}

void ChartPanel::replaceCategories(QBarCategoryAxis *axis, QStringList labels)
{
    for (qsizetype i = 0; i < labels.size(); ++i)
        while (labels.indexOf(labels.at(i)) < i)
            labels[i] += u' ';
    const QStringList old = axis->categories();
    if (old == labels || old.size() != labels.size())
        return;
    // Through temporary names first: a new label may equal another category's old one.
    for (qsizetype i = 0; i < old.size(); ++i)
        axis->replace(old.at(i), QString(u'\x1f') + QString::number(i));
    for (qsizetype i = 0; i < labels.size(); ++i)
        axis->replace(QString(u'\x1f') + QString::number(i), labels.at(i));
}

void ChartPanel::styleAxis(QAbstractAxis *axis) const
{
    const QPalette p = palette();
    axis->setLabelsBrush(p.color(QPalette::Text));
    axis->setTitleBrush(p.color(QPalette::Text));
    axis->setLinePenColor(p.color(QPalette::Mid));
    QColor grid = p.color(QPalette::Text);
    grid.setAlpha(40);
    axis->setGridLineColor(grid);
    QFont f = font();
    axis->setLabelsFont(f);
    axis->setTitleFont(f);
}

void ChartPanel::restyle()
{
    const QPalette p = palette();
    m_chart->setBackgroundBrush(p.color(QPalette::Base));
    m_chart->setBackgroundPen(QPen(p.color(QPalette::Mid)));
    m_chart->setPlotAreaBackgroundVisible(false);
    m_chart->setTitleBrush(p.color(QPalette::Text));
    QFont title = font();
    title.setBold(true);
    m_chart->setTitleFont(title);
    m_chart->legend()->setLabelColor(p.color(QPalette::Text));
    m_chart->legend()->setFont(font());
    m_view->setBackgroundBrush(p.color(QPalette::Window));
    const auto axes = m_chart->axes();
    for (QAbstractAxis *axis : axes)
        styleAxis(axis);
}

double ChartPanel::addHorizontalUsdBars(QHorizontalBarSeries *series, const QStringList &categories, NanoUsd min,
                                        NanoUsd max)
{
    using namespace Qt::StringLiterals;
    m_chart->addSeries(series);
    auto *y = new QBarCategoryAxis;
    y->append(categories);
    y->setGridLineVisible(false);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    auto *x = new QValueAxis;
    const double maxUsd = double(max) / double(kNanoPerUsd);
    const double minUsd = double(min) / double(kNanoPerUsd);
    x->setRange(minUsd < 0 ? minUsd * 1.05 : 0, maxUsd > 0 ? maxUsd * 1.05 : (minUsd < 0 ? 0 : 1.0));
    x->setTickCount(4);
    x->applyNiceNumbers();
    const double top = std::max(std::abs(x->max()), std::abs(x->min()));
    setUsdLabelFormat(x);
    m_chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    return top;
}

QString ChartPanel::usdLabelFormat(double min, double max, int tickCount)
{
    using namespace Qt::StringLiterals;
    const double step = (max - min) / double(std::max(2, tickCount) - 1);
    int decimals = 0;
    for (double scaled = step;
         step > 0 && decimals < 9 && std::abs(scaled - std::round(scaled)) > 1e-6 * std::max(1.0, scaled); scaled *= 10)
        ++decimals;
    return u"$%.%1f"_s.arg(decimals == 1 ? 2 : decimals);
}

void ChartPanel::setUsdLabelFormat(QValueAxis *axis)
{
    axis->setLabelFormat(usdLabelFormat(axis->min(), axis->max(), axis->tickCount()));
}

void ChartPanel::clearChart()
{
    m_chart->removeAllSeries();
    const auto axes = m_chart->axes();
    for (QAbstractAxis *axis : axes) {
        m_chart->removeAxis(axis);
        delete axis;
    }
}

} // namespace tl
