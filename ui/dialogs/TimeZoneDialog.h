#pragma once

#include <QDialog>

class QComboBox;

namespace tl {

// Chooses the dashboard's time zone: the system's (stored as "") or an IANA id.
class TimeZoneDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeZoneDialog)

public:
    explicit TimeZoneDialog(const QString &current, QWidget *parent = nullptr);
    QString zoneId() const; // "" = system

private:
    QComboBox *m_zone;
};

} // namespace tl
