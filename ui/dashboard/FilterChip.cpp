#include "FilterChip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace tl {

FilterChip::FilterChip(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_clear(new QPushButton(tr("✕ Clear filter"), this))
{
    setObjectName(u"filterChip"_s);
    m_label->setObjectName(u"filterChipText"_s);
    m_clear->setObjectName(u"clearFilter"_s);
    m_clear->setFlat(true);
    m_clear->setCursor(Qt::PointingHandCursor);
    setFrameShape(QFrame::StyledPanel);
    setBackgroundRole(QPalette::AlternateBase);
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_clear);
    connect(m_clear, &QPushButton::clicked, this, &FilterChip::clearRequested);
    setVisible(false);
}

void FilterChip::setFilter(const Filter &filter)
{
    QStringList parts;
    if (!filter.endpoint.isEmpty())
        parts << tr("Endpoint: %1").arg(filter.endpoint);
    if (!filter.model.isEmpty())
        parts << tr("Model: %1").arg(filter.model);
    if (!filter.provider.isEmpty())
        parts << tr("Provider: %1").arg(filter.provider);
    if (!filter.key.isEmpty())
        parts << tr("Key: %1").arg(filter.key);
    if (!filter.text.isEmpty())
        parts << tr("Text: %1").arg(filter.text);
    m_label->setText(parts.join(u" · "_s));
    setVisible(!parts.isEmpty());
}

QString FilterChip::text() const
{
    return m_label->text();
}

} // namespace tl
