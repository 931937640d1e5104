#include "KpiPanel.h"

#include "common/Format.h"
#include "common/TileGrid.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl {

KpiTile::KpiTile(const QString &objectName, const QString &caption, QWidget *parent)
    : QFrame(parent)
    , m_value(new QLabel(u"–"_s, this))
    , m_detail(new QLabel(this))
{
    setObjectName(objectName);
    setFrameShape(QFrame::StyledPanel);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    auto *captionLabel = new QLabel(caption, this);
    QFont small = captionLabel->font();
    captionLabel->setForegroundRole(QPalette::PlaceholderText);
    captionLabel->setWordWrap(true);
    QFont big = m_value->font();
    big.setPointSizeF(big.pointSizeF() * 1.7);
    big.setBold(true);
    m_value->setFont(big);
    m_value->setObjectName(objectName + u"Value"_s);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setForegroundRole(QPalette::PlaceholderText);
    m_detail->setWordWrap(true);
    m_detail->setFont(small);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    layout->addWidget(captionLabel);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    layout->addStretch(1);
}

void KpiTile::setValue(const QString &value, const QString &detail)
{
    m_value->setText(value);
    m_detail->setText(detail);
}

QString KpiTile::value() const { return m_value->text(); }
QString KpiTile::detail() const { return m_detail->text(); }

QPushButton *KpiTile::addButton(const QString &objectName, const QString &text)
{
    auto *button = new QPushButton(text, this);
    button->setObjectName(objectName);
    button->setVisible(false);
    static_cast<QVBoxLayout *>(layout())->insertWidget(3, button, 0, Qt::AlignLeft);
    return button;
}

KpiPanel::KpiPanel(QWidget *parent)
    : QWidget(parent)
    , m_spend(new KpiTile(u"kpiSpend"_s, tr("Spend"), this))
    , m_calls(new KpiTile(u"kpiCalls"_s, tr("Calls"), this))
    , m_tokens(new KpiTile(u"kpiTokens"_s, tr("Tokens"), this))
    , m_per1k(new KpiTile(u"kpiPer1k"_s, tr("Cost per 1k calls"), this))
    , m_savings(new KpiTile(u"kpiSavings"_s, tr("Cache savings"), this))
    , m_unpriced(new KpiTile(u"kpiUnpriced"_s, tr("Unpriced calls"), this))
    , m_batch(new KpiTile(u"kpiBatch"_s, tr("Batch API spend"), this))
{
    m_addPrice = m_unpriced->addButton(u"addPriceButton"_s, tr("Add price…"));
    connect(m_addPrice, &QPushButton::clicked, this,
            [this] { Q_EMIT addPriceRequested(m_firstUnpriced.provider, m_firstUnpriced.model); });
    // One row where the tiles fit (about 8 lines of text wide each), else balanced rows (4 + 3, ...).
    m_grid = new TileGrid(fontMetrics().height() * 8, this);
    m_grid->setObjectName(u"kpiGrid"_s);
    for (KpiTile *tile : {m_spend, m_calls, m_tokens, m_per1k, m_savings, m_batch, m_unpriced})
        m_grid->addTile(tile);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_grid);
}


void KpiPanel::setData(const Aggregate &t, const QList<UnpricedModel> &unpriced)
{
    // "≈" marks a spend that is partly estimated (tokenizer counts, a price tier the data lacks). A range
    // without calls has nothing priced to speak of (its spend, if any, is provider report lines).
    m_spend->setValue((t.anyEstimated() ? u"≈"_s : QString()) + Format::usd(t.cost),
                      t.anyUnpriced()     ? tr("priced calls only")
                          : t.anyEstimated() ? tr("partly estimated")
                          : t.calls == 0     ? tr("no calls in this range")
                                             : tr("all calls priced"));
    m_spend->setToolTip(t.anyEstimated()
                            ? tr("≈ %n call(s) or report line(s) in this spend were priced from estimated usage or "
                                 "a price the data lacks; the rest is exact.",
                                 nullptr, int(std::min<qint64>(t.estimatedCalls + t.estimatedLines, INT_MAX)))
                            : QString());
    m_calls->setValue(Format::compactCount(t.calls),
                      t.errorCalls > 0 ? tr("%1 failed").arg(Format::count(t.errorCalls)) : Format::count(t.calls));
    m_tokens->setValue(Format::compactCount(t.promptTokens + t.completionTokens),
                       tr("%1 prompt · %2 completion")
                           .arg(Format::compactCount(t.promptTokens), Format::compactCount(t.completionTokens)));
    // Over priced calls only: an unpriced call has no cost, and report lines that count no calls
    // (cost report lines, Anthropic usage lines) are not in it (Aggregate::costPer1kCalls).
    m_per1k->setValue(t.pricedCalls() > 0 ? Format::usd(t.costPer1kCalls()) : u"–"_s,
                      t.latencyCalls > 0 ? tr("avg latency %1").arg(Format::latency(t.avgLatencyUs())) : QString());
    m_per1k->setToolTip(tr("Cost of the priced calls per 1,000 priced calls (%1 priced calls; unpriced calls and "
                           "provider report lines without a call count are left out).")
                            .arg(Format::count(t.pricedCalls())));
    m_savings->setValue(Format::usd(t.saved), tr("%n cache hit(s)", nullptr, int(std::min<qint64>(t.cacheHits, INT_MAX))));
    // Batch against real-time spend, and what the batch discount saved (list cost - batch cost).
    m_batch->setValue(Format::usd(t.batchCost),
                      t.batchCalls > 0 || t.batchCost != 0 ? tr("saved %1 · real-time %2").arg(Format::usd(t.batchSaved), Format::usd(t.cost - t.batchCost))
                                       : tr("no batch calls"));
    m_batch->setToolTip(tr("%n call(s) through a Batch API cost %1; at real-time prices they would have cost %2.", nullptr,
                           int(std::min<qint64>(t.batchCalls, INT_MAX)))
                            .arg(Format::usd(t.batchCost), Format::usd(t.batchCost + t.batchSaved)));
    // The example and "Add price…" name a model: calls with none (a forwarded files or batches call, a request
    // refused before its model was read) cannot get a price (session-17 trial: "e.g." with nothing after it).
    const auto named = std::find_if(unpriced.cbegin(), unpriced.cend(), [](const UnpricedModel &u) { return !u.model.isEmpty(); });
    m_unpriced->setValue(Format::count(t.unpricedCalls),
                         unpriced.isEmpty()       ? tr("every model has a price")
                         : named != unpriced.cend() ? tr("e.g. %1").arg(named->model)
                                                    : tr("calls without a model"));
    m_firstUnpriced = named != unpriced.cend() ? *named : UnpricedModel{};
    m_addPrice->setVisible(named != unpriced.cend());
}

} // namespace tl
