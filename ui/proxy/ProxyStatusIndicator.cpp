#include "ProxyStatusIndicator.h"

#include "proxy/Proxy.h"

namespace tl {

ProxyStatusIndicator::ProxyStatusIndicator(Proxy &proxy, QWidget *parent)
    : QLabel(parent)
    , m_proxy(proxy)
{
    setObjectName(QStringLiteral("proxyStatusIndicator"));
    connect(&m_proxy, &Proxy::runningChanged, this, [this](bool) {
        m_lastCount = m_proxy.stats().requests.load();
        refresh();
    });
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &ProxyStatusIndicator::refresh);
    m_timer.start();
    refresh();
}

void ProxyStatusIndicator::refresh()
{
    if (!m_proxy.isRunning()) {
        setText(tr("Proxy: off"));
        setToolTip(tr("The local proxy is not running."));
        return;
    }
    const qint64 count = m_proxy.stats().requests.load();
    const qint64 rate = std::max<qint64>(0, count - m_lastCount); // per 1 s tick
    m_lastCount = count;
    setText(tr("Proxy: :%1 · %2 req/s").arg(m_proxy.port()).arg(rate));
    setToolTip(tr("%n request(s) answered, %1 from the cache", nullptr, int(count))
                   .arg(m_proxy.stats().cacheHits.load()));
}

} // namespace tl
