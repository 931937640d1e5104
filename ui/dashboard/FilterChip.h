#pragma once

#include "query/LedgerQueries.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace tl {

// Shows the dashboard's narrowing filter ("Endpoint: chat · Model: gpt-4o") with a "Clear filter"
// button; hidden when the filter is empty.
class FilterChip final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterChip)

public:
    explicit FilterChip(QWidget *parent = nullptr);
    void setFilter(const Filter &filter);
    QString text() const;
    QPushButton *clearButton() const { return m_clear; }

Q_SIGNALS:
    void clearRequested();

private:
    QLabel *m_label;
    QPushButton *m_clear;
};

} // namespace tl
