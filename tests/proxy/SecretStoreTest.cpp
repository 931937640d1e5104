// The real OS keychain: gnome-keyring's Secret Service under a private D-Bus session (see
// with-keyring.sh), through KeychainSecretStore (QtKeychain). Then a proxy upstream key read from it.
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "secrets/SecretStore.h"

#include <QDirIterator>
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
};

QTEST_GUILESS_MAIN(SecretStoreTest)
#include "SecretStoreTest.moc"
