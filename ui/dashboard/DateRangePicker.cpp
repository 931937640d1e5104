#include "DateRangePicker.h"

#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>

using namespace Qt::StringLiterals;

namespace tl {

DateRangePicker::DateRangePicker(QWidget *parent)
    : QWidget(parent)
    , m_preset(new QComboBox(this))
    , m_from(new QDateEdit(QDate::currentDate().addDays(-6), this))
    , m_to(new QDateEdit(QDate::currentDate(), this))
{
    m_preset->setObjectName(u"rangePreset"_s);
    m_from->setObjectName(u"rangeFrom"_s);
    m_to->setObjectName(u"rangeTo"_s);
    m_preset->addItem(tr("Last 24 hours"), DateRange::id(DateRange::Preset::Last24h));
    m_preset->addItem(tr("Last 7 days"), DateRange::id(DateRange::Preset::Last7d));
    m_preset->addItem(tr("Last 30 days"), DateRange::id(DateRange::Preset::Last30d));
    m_preset->addItem(tr("Last 90 days"), DateRange::id(DateRange::Preset::Last90d));
    m_preset->addItem(tr("All time"), DateRange::id(DateRange::Preset::All));
    m_preset->addItem(tr("Custom…"), DateRange::id(DateRange::Preset::Custom));
    for (QDateEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd"_s);
    }
    auto *label = new QLabel(tr("&Range:"), this);
    label->setBuddy(m_preset);
    auto *dash = new QLabel(u"–"_s, this);
    dash->setObjectName(u"rangeDash"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label);
    layout->addWidget(m_preset);
    layout->addWidget(m_from);
    layout->addWidget(dash);
    layout->addWidget(m_to);
    updateCustomVisibility();

    connect(m_preset, &QComboBox::currentIndexChanged, this, [this] {
        updateCustomVisibility();
        if (!m_updating)
            Q_EMIT rangeChanged(range());
    });
    auto dateChanged = [this] {
        if (!m_updating && m_preset->currentData().toString() == DateRange::id(DateRange::Preset::Custom))
            Q_EMIT rangeChanged(range());
    };
    connect(m_from, &QDateEdit::dateChanged, this, dateChanged);
    connect(m_to, &QDateEdit::dateChanged, this, dateChanged);
}

DateRange DateRangePicker::range() const
{
    DateRange r;
    r.preset = DateRange::fromId(m_preset->currentData().toString()).value_or(DateRange::Preset::Last30d);
    if (r.preset == DateRange::Preset::Custom) {
        r.customFrom = m_from->date();
        r.customTo = m_to->date();
    }
    return r;
}

void DateRangePicker::setRange(const DateRange &range)
{
    m_updating = true;
    m_preset->setCurrentIndex(std::max(0, m_preset->findData(DateRange::id(range.preset))));
    if (range.customFrom.isValid())
        m_from->setDate(range.customFrom);
    if (range.customTo.isValid())
        m_to->setDate(range.customTo);
    updateCustomVisibility();
    m_updating = false;
}

void DateRangePicker::updateCustomVisibility()
{
    const bool custom = m_preset->currentData().toString() == DateRange::id(DateRange::Preset::Custom);
    m_from->setVisible(custom);
    m_to->setVisible(custom);
    findChild<QLabel *>(u"rangeDash"_s)->setVisible(custom);
}

} // namespace tl
