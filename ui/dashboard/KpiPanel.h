#pragma once

#include "query/LedgerQueries.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace tl {

class TileGrid;

// One KPI tile: a caption, a large value and a detail line.
class KpiTile final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KpiTile)

public:
    KpiTile(const QString &objectName, const QString &caption, QWidget *parent = nullptr);
    void setValue(const QString &value, const QString &detail = {});
    QString value() const;
    QString detail() const;
    // Adds a small action button under the value (e.g. "Add price…"); hidden until shown.
    QPushButton *addButton(const QString &objectName, const QString &text);

private:
    QLabel *m_value;
    QLabel *m_detail;
};

// The dashboard's KPI row: spend, calls, tokens, cost per 1k calls, cache savings, batch spend, unpriced
// calls; it wraps into two or more rows in a narrow window.
// "Add price…" on the unpriced tile emits addPriceRequested for the model with most unpriced calls.
class KpiPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KpiPanel)

public:
    explicit KpiPanel(QWidget *parent = nullptr);
    // `unpriced`: the unpriced models of the range, most calls first.
    void setData(const Aggregate &totals, const QList<UnpricedModel> &unpriced);

    KpiTile *spend() const { return m_spend; }
    KpiTile *calls() const { return m_calls; }
    KpiTile *tokens() const { return m_tokens; }
    KpiTile *perThousand() const { return m_per1k; }
    KpiTile *savings() const { return m_savings; }
    KpiTile *unpriced() const { return m_unpriced; }
    KpiTile *batch() const { return m_batch; }

Q_SIGNALS:
    void addPriceRequested(const QString &provider, const QString &model);

private:
    TileGrid *m_grid = nullptr;
    KpiTile *m_spend;
    KpiTile *m_calls;
    KpiTile *m_tokens;
    KpiTile *m_per1k;
    KpiTile *m_savings;
    KpiTile *m_unpriced;
    KpiTile *m_batch;
    QPushButton *m_addPrice;
    UnpricedModel m_firstUnpriced;
};

} // namespace tl
