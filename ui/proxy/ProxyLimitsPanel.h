#pragma once

#include "proxy/ProxyConfig.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace tl {

class Settings;

// The Proxy page's collapsible "Limits and timeouts" group: one spin box per ProxyLimit (proxyLimits(), the
// same keys and units as the `--config` file: ms, bytes, connections), each with the limit's range, a unit
// suffix and a tooltip saying what it does, its default and its config key. The spin boxes refuse values
// out of range themselves, and keep the low-water mark below the high-water mark (each bounds the other).
// Collapsed by default; the header is a keyboard-focusable tool button (Space toggles). Settings keys:
// "proxy/<key>" (e.g. proxy/idleTimeoutMs), whole numbers in the key's unit; a stored value out of range
// is shown clamped into it. Thread affinity: GUI thread.
class ProxyLimitsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyLimitsPanel)

public:
    explicit ProxyLimitsPanel(QWidget *parent = nullptr);

    // Shows `config`'s limits (clamped into their ranges, low water below high water).
    void setValues(const ProxyConfig &config);
    // Writes the shown limits into `config`; other fields are left alone.
    void applyTo(ProxyConfig &config) const;
    void load(const Settings &settings);
    void save(Settings &settings) const;
    // Locked while the proxy runs (limits take effect at start); the group still opens and closes.
    void setLocked(bool locked);
    bool isExpanded() const;
    void setExpanded(bool expanded);
    QSpinBox *spinBox(QLatin1StringView key) const;

Q_SIGNALS:
    // A value changed by the user (not by setValues/load).
    void edited();
    // The group opened or closed.
    void expandedChanged(bool expanded);

private:
    void keepWaterMarksApart();

    QToolButton *m_toggle = nullptr;
    QWidget *m_body = nullptr;
    QLabel *m_note = nullptr;
    QPushButton *m_defaults = nullptr;
    QList<QSpinBox *> m_boxes; // in proxyLimits() order
};

} // namespace tl
