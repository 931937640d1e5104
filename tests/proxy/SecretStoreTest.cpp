// The real OS keychain: gnome-keyring's Secret Service under a private D-Bus session (see
// with-keyring.sh), through KeychainSecretStore (QtKeychain). Then a proxy upstream key read from it.
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "secrets/SecretStore.h"

#include <QDirIterator>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

template<typename T>
T await(QFuture<T> f)
{
    QDeadlineTimer deadline(15000);
    while (!f.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    if (!f.isFinished())
        qFatal("keychain call did not finish"); // test setup only
    return f.result();
}

// `tokenledger ARGS` (the real binary, in this D-Bus session and keyring) with `input` on its standard input.
CommandRun runTokenLedger(const QStringList &args, const QByteArray &input = {})
{
    return runCommand(qEnvironmentVariable("TOKENLEDGER_BIN"), args, input);
}

} // namespace

class SecretStoreTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"),
                 "run through tests/proxy/with-keyring.sh (dbus-run-session + gnome-keyring-daemon)");
    }

    void writeReadRemoveRoundTrip()
    {
        KeychainSecretStore store(u"TokenLedgerTest"_s);
        const QByteArray key = "sk-PLANTED-keychain-0123456789";
        QVERIFY(await(store.write(u"proxy/upstream/openai"_s, key)).has_value());
        const Result<QByteArray> read = await(store.read(u"proxy/upstream/openai"_s));
        QVERIFY2(read.has_value(), read ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, key);
        QVERIFY(await(store.remove(u"proxy/upstream/openai"_s)).has_value());
        // A missing entry is an error, never an empty key.
        const Result<QByteArray> gone = await(store.read(u"proxy/upstream/openai"_s));
        QVERIFY(!gone.has_value());
        QCOMPARE(gone.error().code, ErrorCode::NotFound);
        QVERIFY(gone.error().message.contains(u"No key is stored"_s));
        QVERIFY(!gone.error().message.contains(u"PLANTED"_s));
    }

    void proxyUsesTheKeychainKeyAndKeepsItOutOfFiles()
    {
        KeychainSecretStore store(u"TokenLedgerTest"_s);
        const QByteArray key = "sk-PLANTED-from-the-keychain-42";
        QVERIFY(await(store.write(u"proxy/upstream/anthropic"_s, key)).has_value());
        const Result<QByteArray> read = await(store.read(u"proxy/upstream/anthropic"_s));
        QVERIFY(read.has_value());
        ProxyHarness h([&](ProxyConfig &c) {
            c.upstreams[1].keychainEntry = u"proxy/upstream/anthropic"_s;
            c.upstreams[1].apiKey = *read;
        });
        QVERIFY2(h.ok(), qPrintable(h.error()));
        const HttpResult r = h.curl("/v1/messages",
                                    R"({"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})",
                                    {u"anthropic-version: 2023-06-01"_s});
        QCOMPARE(r.status, 200);
        QCOMPARE(headerValue(h.upstream().lastRequest().headers, "x-api-key"), key);
        QCOMPARE(h.records().size(), 1);
        QVERIFY(h.stop());
        QDirIterator it(h.dir(), QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            QVERIFY2(!readFile(path).contains("PLANTED"), qPrintable(path));
        }
        QVERIFY(await(store.remove(u"proxy/upstream/anthropic"_s)).has_value());
    }

    // Headless: `tokenledger proxy --set-key` stores an upstream's key, `--keychain-key` has the proxy add it
    // to requests that bring none, `--remove-key` takes it out again; the key is in no output and no file.
    void commandLineStoresUsesAndRemovesAnUpstreamKey()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("TOKENLEDGER_BIN"), "TOKENLEDGER_BIN is not set");
        const QByteArray key = "sk-PLANTED-headless-7f3a9c";
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LoopbackUpstream upstream;
        const QString db = dir.filePath(u"ledger.sqlite"_s);
        const QStringList proxyArgs{u"proxy"_s, u"--db"_s, db, u"--port"_s, u"0"_s, u"--no-cache"_s, u"--upstream"_s,
                                    u"openai="_s + QString::fromLatin1(upstream.baseUrl()), u"--keychain-key"_s, u"openai"_s};

        const CommandRun stored = runTokenLedger({u"proxy"_s, u"--set-key"_s, u"openai"_s}, key + "\n");
        QVERIFY2(stored.exitCode == 0, qPrintable(stored.err));
        QVERIFY2(stored.out.contains(u"entry \"proxy/upstream/openai\""_s), qPrintable(stored.out));
        // The entry is the one the Proxy page reads.
        KeychainSecretStore appStore;
        const Result<QByteArray> read = await(appStore.read(UpstreamConfig::defaultKeychainEntry(u"openai"_s)));
        QVERIFY2(read.has_value(), read ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, key);

        QProcess proxy;
        proxy.start(qEnvironmentVariable("TOKENLEDGER_BIN"), proxyArgs);
        QVERIFY(proxy.waitForStarted(10'000));
        QByteArray printed;
        quint16 port = 0;
        const QRegularExpression listening(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
        for (QElapsedTimer waited; !port && proxy.state() == QProcess::Running;) {
            if (!waited.isValid())
                waited.start();
            QVERIFY2(waited.elapsed() < 15'000, printed.constData());
            proxy.waitForReadyRead(200);
            printed += proxy.readAllStandardOutput();
            port = quint16(listening.match(QString::fromUtf8(printed)).captured(1).toUInt());
        }
        QVERIFY2(port != 0, proxy.readAllStandardError().constData());
        // The start-up lines say where the key comes from.
        QVERIFY2(printed.contains(QByteArray("upstream openai (openai) -> " + upstream.baseUrl() + ", key from the keychain")), printed.constData());

        // A request without a key of its own gets the stored one upstream; one with its own keeps it.
        QNetworkAccessManager network;
        auto post = [&](const QByteArray &authorization) {
            QNetworkRequest req(QUrl(u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)));
            req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            if (!authorization.isEmpty())
                req.setRawHeader("Authorization", authorization);
            QNetworkReply *reply = network.post(req, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})");
            QSignalSpy done(reply, &QNetworkReply::finished);
            done.wait(15'000);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            reply->deleteLater();
            return status;
        };
        QCOMPARE(post({}), 200);
        QCOMPARE(headerValue(upstream.lastRequest().headers, "authorization"), "Bearer " + key);
        QCOMPARE(post("Bearer sk-client-own-key"), 200);
        QCOMPARE(headerValue(upstream.lastRequest().headers, "authorization"), QByteArray("Bearer sk-client-own-key"));
        proxy.terminate();
        QVERIFY(proxy.waitForFinished(30'000));
        QCOMPARE(proxy.exitCode(), 0);
        printed += proxy.readAllStandardOutput();
        const QByteArray errors = proxy.readAllStandardError();
        QVERIFY(!printed.contains("PLANTED"));
        QVERIFY(!errors.contains("PLANTED"));
        QVERIFY(!stored.out.contains(u"PLANTED"_s) && !stored.err.contains(u"PLANTED"_s));
        QDirIterator it(dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            ++files;
            QVERIFY2(!readFile(path).contains("PLANTED"), qPrintable(path));
        }
        QVERIFY(files > 0); // the ledger at least

        // A misspelt name removes nothing and says so (it said "removed" and exited 0).
        const CommandRun misspelt = runTokenLedger({u"proxy"_s, u"--remove-key"_s, u"opneai"_s});
        QCOMPARE(misspelt.exitCode, 1);
        QVERIFY2(misspelt.err.contains(u"No key is stored in the keychain for \"proxy/upstream/opneai\""_s), qPrintable(misspelt.err));
        QVERIFY(await(appStore.read(UpstreamConfig::defaultKeychainEntry(u"openai"_s))).has_value());
        const CommandRun removed = runTokenLedger({u"proxy"_s, u"--remove-key"_s, u"openai"_s});
        QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
        const Result<QByteArray> gone = await(appStore.read(UpstreamConfig::defaultKeychainEntry(u"openai"_s)));
        QVERIFY(!gone.has_value());
        QCOMPARE(gone.error().code, ErrorCode::NotFound);
        // Without the key the proxy does not start, and says how to store it.
        const CommandRun missing = runTokenLedger(proxyArgs);
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains(u"tokenledger proxy --set-key openai"_s), qPrintable(missing.err));
        // Usage errors: no key on standard input; an upstream that is not configured.
        QCOMPARE(runTokenLedger({u"proxy"_s, u"--set-key"_s, u"openai"_s}, "\n").exitCode, 2);
        const CommandRun unknown = runTokenLedger({u"proxy"_s, u"--db"_s, db, u"--keychain-key"_s, u"opnai"_s});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains(u"the upstreams are: openai, anthropic"_s), qPrintable(unknown.err));
    }
};

QTEST_GUILESS_MAIN(SecretStoreTest)
#include "SecretStoreTest.moc"
