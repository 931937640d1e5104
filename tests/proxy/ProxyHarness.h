#pragma once

#include "LoopbackUpstream.h"
#include "ledger/Ledger.h"
#include "proxy/Proxy.h"

#include <QMap>
#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace tl::test {

struct HttpResult
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    int exitCode = 0;
};

// A ledger on a real SQLite file in a temp dir, the loopback upstream, and a started Proxy on an
// ephemeral port pointing its "openai" and "anthropic" upstreams at the loopback server.
class ProxyHarness
{
public:
    // `tokenizers`: the proxy's registry; null, the process's one shared by every harness.
    explicit ProxyHarness(const std::function<void(ProxyConfig &)> &tweak = {},
                          std::shared_ptr<const tokenizer::Tokenizers> tokenizers = nullptr);
    ~ProxyHarness();

    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    quint16 port() const { return m_proxy->port(); }
    QByteArray url(const QByteArray &path) const;
    Ledger &ledger() { return *m_ledger; }
    Proxy &proxy() { return *m_proxy; }
    LoopbackUpstream &upstream() { return m_upstream; }
    QString dir() const { return m_dir.path(); }
    // The proxy's caller salt (random per harness unless a tweak sets one): the key of its local embedder.
    QByteArray callerSalt() const { return m_callerSalt; }

    // curl: POST (when body non-empty) or GET to the proxy; headers as "Name: value".
    HttpResult curl(const QByteArray &path, const QByteArray &body, const QStringList &headers = {},
                    int timeoutMs = 20000);
    // All records, oldest first, after the writer committed everything submitted.
    QList<CallRecord> records();
    bool stop();

private:
    QTemporaryDir m_dir;
    LoopbackUpstream m_upstream;
    std::unique_ptr<Ledger> m_ledger;
    std::unique_ptr<Proxy> m_proxy;
    bool m_ok = false;
    QByteArray m_callerSalt;
    QString m_error;
};

// Blocks (running the event loop) until the future is finished or `ms` passed.
bool waitFor(const QFuture<void> &f, int ms = 10000);

} // namespace tl::test
