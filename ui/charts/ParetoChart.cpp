#include "ParetoChart.h"

#include "common/Format.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace tl {

ParetoChart::ParetoChart(QWidget *parent)
    : ChartPanel(parent)
{
    setObjectName(u"paretoChart"_s);
    setTitle(tr("Pareto (80/20)"));
}

void ParetoChart::clickBar(int index)
{
    if (index >= 0 && index < m_names.size())
        Q_EMIT barClicked(m_names.at(index));
}

void ParetoChart::setPareto(const Pareto &pareto, const QString &groupNoun, int maxBars)
{
    clearChart();
    m_names.clear();
    const qsizetype n = std::min<qsizetype>(pareto.points.size(), maxBars);
    if (pareto.total > 0)
        setTitle(tr("Pareto: %1 of %2 %3 carry 80% of the cost")
                     .arg(pareto.countFor80)
                     .arg(pareto.points.size())
                     .arg(groupNoun));
    else
        setTitle(tr("Pareto (80/20)"));

    auto *bars = new QBarSeries;
    auto *set = new QBarSet(tr("Cost"));
    auto *cumulative = new QLineSeries;
    cumulative->setName(tr("Cumulative share"));
    cumulative->setPointsVisible(true);
    auto *mark = new QLineSeries;
    mark->setName(tr("80%"));
    QStringList categories;
    NanoUsd max = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const ParetoPoint &p = pareto.points.at(i);
        m_names << p.name;
        set->append(double(p.cost) / double(kNanoPerUsd));
        categories << QString::number(i); // fitLabels() puts the names, as they fit
        cumulative->append(double(i), p.cumulativeShare * 100.0);
        max = std::max(max, p.cost);
    }
    mark->append(-0.5, 80.0);
    mark->append(double(std::max<qsizetype>(n, 1)) - 0.5, 80.0);
    connect(set, &QBarSet::clicked, this, [this](int i) { clickBar(i); });
    connect(set, &QBarSet::hovered, this, [this, pareto](bool on, int i) {
        if (!on || i < 0 || i >= pareto.points.size()) {
            QToolTip::hideText();
            return;
        }
        const ParetoPoint &p = pareto.points.at(i);
        QToolTip::showText(QCursor::pos(), tr("%1\n%2, cumulative %3")
                                               .arg(p.name, Format::usd(p.cost), Format::share(p.cumulativeShare)));
    });
    bars->append(set);
    bars->setBarWidth(0.7);
    chart()->addSeries(bars);
    chart()->addSeries(cumulative);
    chart()->addSeries(mark);

    auto *x = new QBarCategoryAxis;
    x->append(categories.isEmpty() ? QStringList{u" "_s} : categories);
    x->setGridLineVisible(false);
    chart()->addAxis(x, Qt::AlignBottom);
    bars->attachAxis(x);
    cumulative->attachAxis(x);
    mark->attachAxis(x);

    auto *y = new QValueAxis;
    const double maxUsd = double(max) / double(kNanoPerUsd);
    y->setRange(0, maxUsd > 0 ? maxUsd * 1.05 : 1.0);
    y->setTickCount(5);
    y->applyNiceNumbers(); // after setTickCount, which would otherwise split the nice range unevenly
    setUsdLabelFormat(y);
    chart()->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(y);

    auto *share = new QValueAxis;
    share->setRange(0, 100);
    share->setTickCount(5);
    share->setLabelFormat(u"%.0f%%"_s);
    chart()->addAxis(share, Qt::AlignRight);
    cumulative->attachAxis(share);
    mark->attachAxis(share);
    restyle();
    fitLabels();
}

void ParetoChart::fitLabels()
{
    const auto axes = chart()->axes(Qt::Horizontal);
    auto *x = axes.isEmpty() ? nullptr : qobject_cast<QBarCategoryAxis *>(axes.first());
    if (!x || m_names.isEmpty())
        return;
    // The names across when the longest fits its bar's share of the plot (Qt Charts gives each label the
    // axis' width over one more than the bars, less padding), else up the bars, cut with "…" to the
    // height the chart lets the axis have (the tooltip has the full name).
    const QFontMetrics fm(font());
    int longest = 0;
    for (const QString &name : std::as_const(m_names))
        longest = std::max(longest, fm.horizontalAdvance(name));
    const qreal plot = chart()->plotArea().width() > 0 ? chart()->plotArea().width() : view()->width() * 0.6;
    const bool across = longest + 2 * fm.height() <= int(plot / double(m_names.size() + 1));
    x->setLabelsAngle(across ? 0 : -90);
    QStringList labels;
    for (const QString &name : std::as_const(m_names))
        labels << (across ? name : elideLabel(name, axisLabelRoom(Qt::Vertical)));
    replaceCategories(x, labels);
}

void ParetoChart::restyle()
{
    ChartPanel::restyle();
    const bool dark = isDark();
    const auto all = chart()->series();
    for (QAbstractSeries *s : all) {
        if (auto *bars = qobject_cast<QBarSeries *>(s)) {
            for (QBarSet *set : bars->barSets()) {
                set->setColor(seriesColor(0, dark));
                set->setBorderColor(set->color());
            }
        } else if (auto *line = qobject_cast<QLineSeries *>(s)) {
            const bool isMark = line->count() == 2 && line->at(0).y() == 80.0 && line->at(1).y() == 80.0
                && line->name() == tr("80%");
            QPen pen(isMark ? seriesColor(5, dark) : seriesColor(1, dark));
            pen.setWidthF(2.0);
            if (isMark)
                pen.setStyle(Qt::DashLine);
            line->setPen(pen);
            if (!isMark)
                line->setColor(pen.color());
        }
    }
}

} // namespace tl
