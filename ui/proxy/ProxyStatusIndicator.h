#pragma once

#include <QLabel>
#include <QTimer>

namespace tl {

class Proxy;

// Status-bar indicator: whether the proxy runs, its port and its request rate (requests/s over the
// last second, from Proxy::stats()). Thread affinity: GUI thread.
class ProxyStatusIndicator final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyStatusIndicator)

public:
    explicit ProxyStatusIndicator(Proxy &proxy, QWidget *parent = nullptr);

private:
    void refresh();

    Proxy &m_proxy;
    QTimer m_timer;
    qint64 m_lastCount = 0;
};

} // namespace tl
