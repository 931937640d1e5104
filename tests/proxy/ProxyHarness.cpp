#include "ProxyHarness.h"

#include "TestSupport.h"
#include "proxy/CallerIdentity.h"
#include "tokenizer/Tokenizers.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl::test {

bool waitFor(const QFuture<void> &f, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!f.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    return f.isFinished();
}

ProxyHarness::ProxyHarness(const std::function<void(ProxyConfig &)> &tweak,
                           std::shared_ptr<const tokenizer::Tokenizers> tokenizers)
{
    auto ledger = Ledger::open(m_dir.filePath(u"ledger.sqlite"_s), builtInBook());
    if (!ledger) {
        m_error = ledger.error().message;
        return;
    }
    m_ledger = std::move(*ledger);
    // One registry for the process, as the app has one: each proxy's start loads o200k_base in the
    // background, once here rather than once a test.
    static const auto shared = std::make_shared<const tokenizer::Tokenizers>();
    m_proxy = std::make_unique<Proxy>(*m_ledger, tokenizers ? std::move(tokenizers) : shared);
    ProxyConfig config;
    config.port = 0;
    // A fixed salt, not a new one per harness as an install has: the local embedder is keyed by it, and the
    // similarity of two texts moves with the key by a few hundredths (hash collisions; LocalEmbedder.h), which
    // would make threshold tests depend on the draw.
    config.callerSalt = "proxy-harness-caller-salt-0123456789abcdef";
    UpstreamConfig openai = UpstreamConfig::defaults(UpstreamKind::OpenAi);
    openai.baseUrl = QUrl(QString::fromLatin1(m_upstream.baseUrl("/v1")));
    UpstreamConfig anthropic = UpstreamConfig::defaults(UpstreamKind::Anthropic);
    anthropic.baseUrl = QUrl(QString::fromLatin1(m_upstream.baseUrl("")));
    config.upstreams = {openai, anthropic};
    // The suite runs once on each plain-HTTP client (tests/proxy/CMakeLists.txt: ProxyTest and
    // ProxyTestLibcurl); a tweak may still choose one.
    if (qgetenv("TOKENLEDGER_TEST_PLAIN_HTTP_CLIENT") == "libcurl")
        config.plainHttpClient = PlainHttpClient::Libcurl;
    if (tweak)
        tweak(config);
    m_callerSalt = config.callerSalt;
    auto future = m_proxy->start(config);
    QDeadlineTimer deadline(10000);
    while (!future.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    if (!future.isFinished()) {
        m_error = u"proxy did not start"_s;
        return;
    }
    const Result<quint16> port = future.result();
    if (!port) {
        m_error = port.error().message;
        return;
    }
    m_ok = true;
}

ProxyHarness::~ProxyHarness()
{
    m_proxy.reset();
    m_ledger.reset();
}

bool ProxyHarness::stop()
{
    return waitFor(m_proxy->stop(), 40000);
}

QByteArray ProxyHarness::url(const QByteArray &path) const
{
    return "http://127.0.0.1:" + QByteArray::number(port()) + path;
}

HttpResult ProxyHarness::curl(const QByteArray &path, const QByteArray &body, const QStringList &headers, int timeoutMs)
{
    HttpResult result;
    const QString bodyFile = m_dir.filePath(u"curl-body-%1"_s.arg(QDateTime::currentMSecsSinceEpoch()));
    const QString reqFile = bodyFile + u".req"_s;
    QStringList args{u"-s"_s, u"-N"_s, u"-D"_s, u"-"_s, u"-o"_s, bodyFile, u"--max-time"_s,
                     QString::number(timeoutMs / 1000 + 1)};
    if (!body.isEmpty()) {
        QFile f(reqFile);
        f.open(QIODevice::WriteOnly);
        f.write(body);
        f.close();
        args << u"--data-binary"_s << (u"@"_s + reqFile) << u"-H"_s << u"Content-Type: application/json"_s;
    }
    for (const QString &h : headers)
        args << u"-H"_s << h;
    args << QString::fromLatin1(url(path));
    QProcess p;
    p.start(u"curl"_s, args);
    p.waitForFinished(timeoutMs + 5000);
    result.exitCode = p.exitCode();
    const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
    for (const QByteArray &raw : lines) {
        const QByteArray line = raw.trimmed();
        if (line.startsWith("HTTP/")) {
            result.status = line.split(' ').value(1).toInt();
            result.headers.clear();
        } else if (const qsizetype c = line.indexOf(':'); c > 0) {
            result.headers.insert(line.left(c).toLower(), line.mid(c + 1).trimmed());
        }
    }
    QFile f(bodyFile);
    if (f.open(QIODevice::ReadOnly))
        result.body = f.readAll();
    return result;
}

QList<CallRecord> ProxyHarness::records()
{
    // Poll, never waitForFinished(): a waiting QFuture may run the job on this thread.
    waitFor(m_ledger->writer().flush());
    RecordQuery q;
    q.fromUs = 0;
    q.toUs = std::numeric_limits<qint64>::max();
    q.limit = 100000;
    auto f = m_ledger->records(q);
    QDeadlineTimer deadline(10000);
    while (!f.isFinished() && !deadline.hasExpired())
        QTest::qWait(2);
    Result<QList<CallRecord>> r = f.result();
    if (!r)
        return {};
    QList<CallRecord> list = *r;
    std::sort(list.begin(), list.end(), [](const CallRecord &a, const CallRecord &b) { return a.id < b.id; });
    return list;
}

} // namespace tl::test
