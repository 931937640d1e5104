#pragma once

#include "common/DateRange.h"

#include <QWidget>

class QComboBox;
class QDateEdit;

namespace tl {

// The dashboard's range picker: a combo box of presets (24 h, 7 d, 30 d, 90 d, all, custom) and, for
// "custom", two date edits (inclusive local days). Emits rangeChanged on every user change.
class DateRangePicker final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DateRangePicker)

public:
    explicit DateRangePicker(QWidget *parent = nullptr);

    DateRange range() const;
    void setRange(const DateRange &range); // no signal

    QComboBox *presetBox() const { return m_preset; }
    QDateEdit *fromEdit() const { return m_from; }
    QDateEdit *toEdit() const { return m_to; }

Q_SIGNALS:
    void rangeChanged(const tl::DateRange &range);

private:
    void updateCustomVisibility();

    QComboBox *m_preset;
    QDateEdit *m_from;
    QDateEdit *m_to;
    bool m_updating = false;
};

} // namespace tl
