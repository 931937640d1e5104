#include "TimeZoneDialog.h"

#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace tl {

TimeZoneDialog::TimeZoneDialog(const QString &current, QWidget *parent)
    : QDialog(parent)
    , m_zone(new QComboBox(this))
{
    setObjectName(u"timeZoneDialog"_s);
    setWindowTitle(tr("Time zone"));
    m_zone->setObjectName(u"timeZoneBox"_s);
    m_zone->setEditable(true);
    m_zone->addItem(tr("System (%1)").arg(QString::fromUtf8(QTimeZone::systemTimeZoneId())), QString());
    const auto ids = QTimeZone::availableTimeZoneIds();
    for (const QByteArray &id : ids)
        m_zone->addItem(QString::fromUtf8(id), QString::fromUtf8(id));
    m_zone->completer()->setFilterMode(Qt::MatchContains);
    m_zone->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_zone->setCurrentIndex(std::max(0, m_zone->findData(current)));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *form = new QFormLayout(this);
    auto *note = new QLabel(tr("Days and hours on the dashboard start in this zone (daylight-saving aware)."), this);
    note->setWordWrap(true);
    form->addRow(note);
    form->addRow(tr("&Time zone:"), m_zone);
    form->addRow(buttons);
}

QString TimeZoneDialog::zoneId() const
{
    const int i = m_zone->findText(m_zone->currentText());
    if (i >= 0)
        return m_zone->itemData(i).toString();
    const QString typed = m_zone->currentText().trimmed();
    return QTimeZone(typed.toUtf8()).isValid() ? typed : QString();
}

} // namespace tl
