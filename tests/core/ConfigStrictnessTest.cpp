#include "TestSupport.h"

#include "proxy/ProxyConfig.h"
#include "simulate/Scenario.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}
} // namespace

// Files the user writes by hand (proxy --config, simulate --scenario): a key of the wrong type or an
// unknown (misspelt) key is an error naming the key and what was expected, never a silent default.
class ConfigStrictnessTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void proxyConfig_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // expected part of the message; empty = accepted
        QTest::addColumn<qint64>("ttlSeconds");
        QTest::newRow("valid") << QByteArray("{\"port\": 0, \"bind\": \"127.0.0.1\", \"cache\": {\"enabled\": true, \"ttlSeconds\": 2, \"maxBytes\": 1048576}, \"store_text_endpoints\": [\"chat\"], \"upstreams\": [{\"id\": \"openai\", \"kind\": \"openai\", \"baseUrl\": \"http://127.0.0.1:9/v1\", \"priceProvider\": \"openai\", \"keychainEntry\": \"k\"}], \"savings\": {\"default\": {}, \"record_embeddings\": false}}") << QString() << qint64(2);
        QTest::newRow("empty object keeps defaults") << QByteArray("{}") << QString() << qint64(3600);
        QTest::newRow("ttl as a string") << QByteArray("{\"cache\": {\"ttlSeconds\": \"2\"}}")
                                         << u"\"cache.ttlSeconds\" must be a whole number, got the string \"2\""_s << qint64(0);
        QTest::newRow("ttl with a fraction") << QByteArray("{\"cache\": {\"ttlSeconds\": 2.5}}")
                                             << u"\"cache.ttlSeconds\" must be a whole number, got the number 2.5"_s << qint64(0);
        QTest::newRow("ttl null") << QByteArray("{\"cache\": {\"ttlSeconds\": null}}")
                                  << u"\"cache.ttlSeconds\" must be a whole number, got null"_s << qint64(0);
        QTest::newRow("misspelt cache") << QByteArray("{\"cahce\": {\"ttlSeconds\": 2}}")
                                        << u"unknown key \"cahce\" (known: port, bind, upstreams, cache,"_s << qint64(0);
        QTest::newRow("misspelt cache key") << QByteArray("{\"cache\": {\"ttl_seconds\": 2}}")
                                            << u"unknown key \"cache.ttl_seconds\" (known: enabled, ttlSeconds, maxBytes, storeTruncated)"_s
                                            << qint64(0);
        QTest::newRow("enabled as a string") << QByteArray("{\"cache\": {\"enabled\": \"false\"}}")
                                             << u"\"cache.enabled\" must be true or false, got the string \"false\""_s << qint64(0);
        QTest::newRow("cache not an object") << QByteArray("{\"cache\": 5}")
                                             << u"\"cache\" must be an object, got the number 5"_s << qint64(0);
        QTest::newRow("port as a string") << QByteArray("{\"port\": \"8787\"}")
                                          << u"\"port\" must be a whole number, got the string \"8787\""_s << qint64(0);
        QTest::newRow("port out of range") << QByteArray("{\"port\": 70000}") << u"\"port\" needs a number from 0 to 65535"_s
                                           << qint64(0);
        QTest::newRow("negative ttl") << QByteArray("{\"cache\": {\"ttlSeconds\": -5}}")
                                      << u"need whole numbers above 0"_s << qint64(0);
        QTest::newRow("upstreams not a list") << QByteArray("{\"upstreams\": {\"id\": \"openai\"}}")
                                              << u"\"upstreams\" must be a list, got an object"_s << qint64(0);
        QTest::newRow("upstream misspelt key") << QByteArray("{\"upstreams\": [{\"id\": \"openai\", \"base_url\": \"http://x/v1\"}]}")
                                               << u"unknown key \"upstreams[0].base_url\""_s << qint64(0);
        QTest::newRow("upstream unknown kind") << QByteArray("{\"upstreams\": [{\"id\": \"a\", \"kind\": \"antrhopic\"}]}")
                                               << u"\"upstreams[0].kind\" must be one of openai, anthropic"_s << qint64(0);
        QTest::newRow("upstream not an object") << QByteArray("{\"upstreams\": [\"openai\"]}")
                                                << u"\"upstreams[0]\" must be an object"_s << qint64(0);
        QTest::newRow("a key in the file") << QByteArray("{\"upstreams\": [{\"id\": \"openai\", \"apiKey\": \"sk-x\"}]}")
                                           << u"Config files never hold keys"_s << qint64(0);
        QTest::newRow("store_text_endpoints not strings") << QByteArray("{\"store_text_endpoints\": [\"chat\", 3]}")
                                                          << u"\"store_text_endpoints\" must be a list of strings"_s << qint64(0);
        QTest::newRow("plainHttpClient unknown") << QByteArray("{\"plainHttpClient\": \"curl\"}")
                                                 << u"\"plainHttpClient\" needs \"builtin\" or \"libcurl\", got \"curl\""_s
                                                 << qint64(0);
        QTest::newRow("plainHttpClient not a string") << QByteArray("{\"plainHttpClient\": true}")
                                                      << u"\"plainHttpClient\""_s << qint64(0);
        QTest::newRow("savings misspelt key") << QByteArray("{\"savings\": {\"defualt\": {}}}")
                                              << u"unknown key \"savings.defualt\""_s << qint64(0);
        QTest::newRow("savings wrong type") << QByteArray("{\"savings\": {\"record_embeddings\": \"no\"}}")
                                            << u"\"savings.record_embeddings\" must be true or false"_s << qint64(0);
    }
    void proxyConfig()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        QFETCH(qint64, ttlSeconds);
        const QJsonObject o = parse(json);
        QVERIFY(!o.isEmpty() || json == "{}");
        ProxyConfig config;
        QJsonObject savings;
        const auto r = readProxyConfigJson(o, config, &savings);
        if (error.isEmpty()) {
            QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
            QCOMPARE(config.cache.ttlSeconds, ttlSeconds);
        } else {
            QVERIFY(!r);
            QVERIFY2(r.error().message.contains(error), qPrintable(r.error().message));
        }
    }

    void proxyConfigReadsWhatItAccepts()
    {
        ProxyConfig config;
        QJsonObject savings;
        const auto r = readProxyConfigJson(parse("{\"port\": 0, \"cache\": {\"enabled\": false, \"ttlSeconds\": 2, \"maxBytes\": 4096}, \"store_text_endpoints\": [\"chat\"], \"upstreams\": [{\"id\": \"local\", \"baseUrl\": \"http://127.0.0.1:9/v1\"}, {\"id\": \"anthropic\"}], \"savings\": {\"default\": {}}}"),
                                           config, &savings);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
        QCOMPARE(config.port, quint16(0));
        QCOMPARE(config.cache.enabled, false);
        QCOMPARE(config.cache.ttlSeconds, 2);
        QCOMPARE(config.cache.maxBytes, 4096);
        QCOMPARE(config.storeTextEndpoints, QSet<QString>{u"chat"_s});
        QCOMPARE(config.upstreams.size(), 2);
        QCOMPARE(toString(config.upstreams[0].kind), toString(UpstreamKind::OpenAiCompatible)); // any other id: compatible
        QCOMPARE(config.upstreams[0].baseUrl, QUrl(u"http://127.0.0.1:9/v1"_s));
        QCOMPARE(toString(config.upstreams[1].kind), toString(UpstreamKind::Anthropic)); // kind from the id
        QCOMPARE(savings, parse("{\"default\": {}}"));
        QVERIFY(config.plainHttpClient == PlainHttpClient::Builtin); // the default
        QVERIFY(readProxyConfigJson(parse(R"({"plainHttpClient": "libcurl"})"), config, nullptr).has_value());
        QVERIFY(config.plainHttpClient == PlainHttpClient::Libcurl);
        QVERIFY(readProxyConfigJson(parse(R"({"plainHttpClient": "builtin"})"), config, nullptr).has_value());
        QVERIFY(config.plainHttpClient == PlainHttpClient::Builtin);
    }

    // Every limit and timeout of the proxy (ProxyConfig, docs/proxy.md "Configuration"): a top-level key of
    // the same name, a whole number in the documented range, the low-water mark below the high-water mark.
    // The ranges are written out here, not read from proxyLimits(): this table is what the docs promise.
    void limitsAndTimeouts_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // expected part of the message; empty = accepted
        const auto row = [](const char *name, const char *json, const QString &error) {
            QTest::newRow(name) << QByteArray(json) << error;
        };
        row("maxBodyBytes as a string", R"({"maxBodyBytes": "5000"})", u"\"maxBodyBytes\" must be a whole number, got the string \"5000\""_s);
        row("maxBodyBytes below its range", R"({"maxBodyBytes": 1023})", u"\"maxBodyBytes\" needs 1024 to 1073741824 bytes, got 1023"_s);
        row("maxBodyBytes above its range", R"({"maxBodyBytes": 1073741825})", u"\"maxBodyBytes\" needs 1024 to 1073741824 bytes, got 1073741825"_s);
        row("maxHeaderBytes as a string", R"({"maxHeaderBytes": "5000"})", u"\"maxHeaderBytes\" must be a whole number, got the string \"5000\""_s);
        row("maxHeaderBytes below its range", R"({"maxHeaderBytes": 1023})", u"\"maxHeaderBytes\" needs 1024 to 81920 bytes, got 1023"_s);
        row("maxHeaderBytes above its range", R"({"maxHeaderBytes": 81921})", u"\"maxHeaderBytes\" needs 1024 to 81920 bytes, got 81921"_s);
        row("maxConnections as a string", R"({"maxConnections": "5000"})", u"\"maxConnections\" must be a whole number, got the string \"5000\""_s);
        row("maxConnections below its range", R"({"maxConnections": 0})", u"\"maxConnections\" needs 1 to 65536 connections, got 0"_s);
        row("maxConnections above its range", R"({"maxConnections": 65537})", u"\"maxConnections\" needs 1 to 65536 connections, got 65537"_s);
        row("headerTimeoutMs as a string", R"({"headerTimeoutMs": "5000"})", u"\"headerTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("headerTimeoutMs below its range", R"({"headerTimeoutMs": 99})", u"\"headerTimeoutMs\" needs 100 to 86400000 ms, got 99"_s);
        row("headerTimeoutMs above its range", R"({"headerTimeoutMs": 86400001})", u"\"headerTimeoutMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("bodyTimeoutMs as a string", R"({"bodyTimeoutMs": "5000"})", u"\"bodyTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("bodyTimeoutMs below its range", R"({"bodyTimeoutMs": 99})", u"\"bodyTimeoutMs\" needs 100 to 86400000 ms, got 99"_s);
        row("bodyTimeoutMs above its range", R"({"bodyTimeoutMs": 86400001})", u"\"bodyTimeoutMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("keepAliveIdleMs as a string", R"({"keepAliveIdleMs": "5000"})", u"\"keepAliveIdleMs\" must be a whole number, got the string \"5000\""_s);
        row("keepAliveIdleMs below its range", R"({"keepAliveIdleMs": 99})", u"\"keepAliveIdleMs\" needs 100 to 86400000 ms, got 99"_s);
        row("keepAliveIdleMs above its range", R"({"keepAliveIdleMs": 86400001})", u"\"keepAliveIdleMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("connectTimeoutMs as a string", R"({"connectTimeoutMs": "5000"})", u"\"connectTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("connectTimeoutMs below its range", R"({"connectTimeoutMs": 99})", u"\"connectTimeoutMs\" needs 100 to 86400000 ms, got 99"_s);
        row("connectTimeoutMs above its range", R"({"connectTimeoutMs": 86400001})", u"\"connectTimeoutMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("firstByteTimeoutMs as a string", R"({"firstByteTimeoutMs": "5000"})", u"\"firstByteTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("firstByteTimeoutMs below its range", R"({"firstByteTimeoutMs": 99})", u"\"firstByteTimeoutMs\" needs 100 to 86400000 ms, got 99"_s);
        row("firstByteTimeoutMs above its range", R"({"firstByteTimeoutMs": 86400001})", u"\"firstByteTimeoutMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("idleTimeoutMs as a string", R"({"idleTimeoutMs": "5000"})", u"\"idleTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("idleTimeoutMs below its range", R"({"idleTimeoutMs": 99})", u"\"idleTimeoutMs\" needs 100 to 86400000 ms, got 99"_s);
        row("idleTimeoutMs above its range", R"({"idleTimeoutMs": 86400001})", u"\"idleTimeoutMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("clientHighWaterBytes as a string", R"({"clientHighWaterBytes": "5000"})", u"\"clientHighWaterBytes\" must be a whole number, got the string \"5000\""_s);
        row("clientHighWaterBytes below its range", R"({"clientHighWaterBytes": 2047})", u"\"clientHighWaterBytes\" needs 2048 to 1073741824 bytes, got 2047"_s);
        row("clientHighWaterBytes above its range", R"({"clientHighWaterBytes": 1073741825})", u"\"clientHighWaterBytes\" needs 2048 to 1073741824 bytes, got 1073741825"_s);
        row("clientLowWaterBytes as a string", R"({"clientLowWaterBytes": "5000"})", u"\"clientLowWaterBytes\" must be a whole number, got the string \"5000\""_s);
        row("clientLowWaterBytes below its range", R"({"clientLowWaterBytes": 1023})", u"\"clientLowWaterBytes\" needs 1024 to 1073741823 bytes, got 1023"_s);
        row("clientLowWaterBytes above its range", R"({"clientLowWaterBytes": 1073741824})", u"\"clientLowWaterBytes\" needs 1024 to 1073741823 bytes, got 1073741824"_s);
        row("clientWriteTimeoutMs as a string", R"({"clientWriteTimeoutMs": "5000"})", u"\"clientWriteTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("clientWriteTimeoutMs below its range", R"({"clientWriteTimeoutMs": 99})", u"\"clientWriteTimeoutMs\" needs 100 to 86400000 ms, got 99"_s);
        row("clientWriteTimeoutMs above its range", R"({"clientWriteTimeoutMs": 86400001})", u"\"clientWriteTimeoutMs\" needs 100 to 86400000 ms, got 86400001"_s);
        row("drainTimeoutMs as a string", R"({"drainTimeoutMs": "5000"})", u"\"drainTimeoutMs\" must be a whole number, got the string \"5000\""_s);
        row("drainTimeoutMs below its range", R"({"drainTimeoutMs": -1})", u"\"drainTimeoutMs\" needs 0 to 86400000 ms, got -1"_s);
        row("drainTimeoutMs above its range", R"({"drainTimeoutMs": 86400001})", u"\"drainTimeoutMs\" needs 0 to 86400000 ms, got 86400001"_s);
        row("busyPollUs as a string", R"({"busyPollUs": "50"})", u"\"busyPollUs\" must be a whole number, got the string \"50\""_s);
        row("busyPollUs below its range", R"({"busyPollUs": -1})", u"\"busyPollUs\" needs 0 to 1000 us, got -1"_s);
        row("busyPollUs above its range", R"({"busyPollUs": 1001})", u"\"busyPollUs\" needs 0 to 1000 us, got 1001"_s);
        row("busyPollUs beyond a whole number's range", R"({"busyPollUs": 9e15})", u"\"busyPollUs\" is too large: got the number 9000000000000000"_s);
        row("a timeout with a fraction", R"({"idleTimeoutMs": 1500.5})",
            u"\"idleTimeoutMs\" must be a whole number, got the number 1500.5"_s);
        row("a timeout null", R"({"connectTimeoutMs": null})", u"\"connectTimeoutMs\" must be a whole number, got null"_s);
        row("a size as an object", R"({"maxBodyBytes": {"MiB": 32}})", u"\"maxBodyBytes\" must be a whole number, got an object"_s);
        row("a misspelt limit", R"({"idleTimeoutMS": 5000})", u"unknown key \"idleTimeoutMS\""_s);
        row("a limit inside cache", R"({"cache": {"maxBodyBytes": 5000}})", u"unknown key \"cache.maxBodyBytes\""_s);
        row("low water equal to high water", R"({"clientHighWaterBytes": 65536, "clientLowWaterBytes": 65536})",
            u"\"clientLowWaterBytes\" (65536 bytes) must be below \"clientHighWaterBytes\" (65536 bytes)"_s);
        row("low water above high water", R"({"clientHighWaterBytes": 65536, "clientLowWaterBytes": 131072})",
            u"\"clientLowWaterBytes\" (131072 bytes) must be below \"clientHighWaterBytes\" (65536 bytes)"_s);
        row("high water alone below the default low water", R"({"clientHighWaterBytes": 524288})",
            u"\"clientLowWaterBytes\" (1048576 bytes) must be below \"clientHighWaterBytes\" (524288 bytes)"_s);
        row("low water alone above the default high water", R"({"clientLowWaterBytes": 8388608})",
            u"\"clientLowWaterBytes\" (8388608 bytes) must be below \"clientHighWaterBytes\" (4194304 bytes)"_s);
        row("cache storeTruncated as a string", R"({"cache": {"storeTruncated": "yes"}})",
            u"\"cache.storeTruncated\" must be true or false, got the string \"yes\""_s);
        row("every limit at its minimum", R"({"maxBodyBytes": 1024, "maxHeaderBytes": 1024, "maxConnections": 1, "headerTimeoutMs": 100, "bodyTimeoutMs": 100, "keepAliveIdleMs": 100, "connectTimeoutMs": 100, "firstByteTimeoutMs": 100, "idleTimeoutMs": 100, "clientHighWaterBytes": 2048, "clientLowWaterBytes": 1024, "clientWriteTimeoutMs": 100, "drainTimeoutMs": 0, "busyPollUs": 0})",
            QString());
        row("every limit at its maximum", R"({"maxBodyBytes": 1073741824, "maxHeaderBytes": 81920, "maxConnections": 65536, "headerTimeoutMs": 86400000, "bodyTimeoutMs": 86400000, "keepAliveIdleMs": 86400000, "connectTimeoutMs": 86400000, "firstByteTimeoutMs": 86400000, "idleTimeoutMs": 86400000, "clientHighWaterBytes": 1073741824, "clientLowWaterBytes": 1073741823, "clientWriteTimeoutMs": 86400000, "drainTimeoutMs": 86400000, "busyPollUs": 1000})",
            QString());
        row("low water just below high water", R"({"clientHighWaterBytes": 65536, "clientLowWaterBytes": 65535})", QString());
    }
    void limitsAndTimeouts()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        const QJsonObject o = parse(json);
        QVERIFY(!o.isEmpty());
        ProxyConfig config;
        config.upstreams = {UpstreamConfig::defaults(UpstreamKind::OpenAi)};
        const ProxyConfig before = config;
        const auto r = readProxyConfigJson(o, config, nullptr);
        if (error.isEmpty()) {
            QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
            // What the file accepts, the proxy starts with.
            const auto v = config.validate();
            QVERIFY2(v.has_value(), qPrintable(v ? QString() : v.error().message));
            for (auto it = o.begin(); it != o.end(); ++it) {
                const ProxyLimit *limit = proxyLimit(QLatin1StringView(it.key().toLatin1()));
                QVERIFY2(limit, qPrintable(it.key()));
                QCOMPARE(limit->get(config), it.value().toInteger());
            }
        } else {
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
            QVERIFY2(r.error().message.contains(error), qPrintable(r.error().message));
            // A value the file refuses, validate() refuses too (the Proxy page's and Proxy::start's check).
            const QJsonObject top = o;
            if (!top.contains("cache"_L1) && error.contains(u" needs "_s)) {
                ProxyConfig direct = before;
                const ProxyLimit *limit = proxyLimit(QLatin1StringView(top.begin().key().toLatin1()));
                QVERIFY(limit);
                limit->set(direct, top.begin().value().toInteger());
                const auto v = direct.validate();
                QVERIFY(!v);
                QVERIFY2(v.error().message.contains(error), qPrintable(v.error().message));
            }
        }
    }

    // Each key reaches its own ProxyConfig member (named here, not through the table).
    void proxyLimitsReachTheirMembers()
    {
        ProxyConfig c;
        const auto r = readProxyConfigJson(parse(R"({"maxBodyBytes": 2000001, "maxHeaderBytes": 20002, "maxConnections": 303, "headerTimeoutMs": 4004, "bodyTimeoutMs": 5005, "keepAliveIdleMs": 6006, "connectTimeoutMs": 7007, "firstByteTimeoutMs": 8008, "idleTimeoutMs": 9009, "clientHighWaterBytes": 1000010, "clientLowWaterBytes": 100011, "clientWriteTimeoutMs": 12012, "drainTimeoutMs": 13013, "busyPollUs": 707, "cache": {"storeTruncated": true}})"),
                                           c, nullptr);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
        QCOMPARE(c.maxBodyBytes, 2000001);
        QCOMPARE(c.maxHeaderBytes, 20002);
        QCOMPARE(c.maxConnections, 303);
        QCOMPARE(c.headerTimeoutMs, 4004);
        QCOMPARE(c.bodyTimeoutMs, 5005);
        QCOMPARE(c.keepAliveIdleMs, 6006);
        QCOMPARE(c.connectTimeoutMs, 7007);
        QCOMPARE(c.firstByteTimeoutMs, 8008);
        QCOMPARE(c.idleTimeoutMs, 9009);
        QCOMPARE(c.clientHighWaterBytes, 1000010);
        QCOMPARE(c.clientLowWaterBytes, 100011);
        QCOMPARE(c.clientWriteTimeoutMs, 12012);
        QCOMPARE(c.drainTimeoutMs, 13013);
        QCOMPARE(c.busyPollUs, 707);
        QCOMPARE(c.cache.storeTruncated, true);
        // Left out: the defaults stay (ProxyConfig's, which docs/proxy.md lists).
        ProxyConfig d;
        QVERIFY(readProxyConfigJson(parse("{}"), d, nullptr).has_value());
        QCOMPARE(d.maxBodyBytes, 32ll * 1024 * 1024);
        QCOMPARE(d.clientHighWaterBytes, 4ll * 1024 * 1024);
        QCOMPARE(d.clientLowWaterBytes, 1ll * 1024 * 1024);
        QCOMPARE(d.clientWriteTimeoutMs, 120000);
        QCOMPARE(d.bodyTimeoutMs, 300000);
        QCOMPARE(d.cache.storeTruncated, false);
        QCOMPARE(d.busyPollUs, 50);
        QCOMPARE(qsizetype(proxyLimits().size()), 14);
    }

    // docs/proxy.md's Configuration table lists every limit with the code's unit, default and range.
    void docsTableMatchesTheLimits()
    {
        const QString doc = QString::fromUtf8(test::readFile(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/proxy.md"_s));
        QVERIFY(!doc.isEmpty());
        const QLocale en(QLocale::English, QLocale::UnitedStates);
        const ProxyConfig defaults;
        for (const ProxyLimit &limit : proxyLimits()) {
            const QString key = QString(limit.key);
            const qsizetype at = doc.indexOf(u"\n| `"_s + key + u"` |"_s);
            QVERIFY2(at >= 0, qPrintable(key));
            const QStringList cells = doc.mid(at + 1, doc.indexOf(u'\n', at + 1) - at - 1).split(u" | "_s);
            QVERIFY2(cells.size() >= 5, qPrintable(key));
            const QString unit = limit.unit == ProxyLimit::Unit::Milliseconds   ? u"ms"_s
                                 : limit.unit == ProxyLimit::Unit::Microseconds ? u"us"_s
                                 : limit.unit == ProxyLimit::Unit::Bytes        ? u"bytes"_s
                                                                                : u"connections"_s;
            QCOMPARE(cells[1], unit);
            QCOMPARE(cells[2].section(u' ', 0, 0), QString::number(limit.get(defaults)));
            QVERIFY2(cells[3].startsWith(en.toString(limit.min) + u"–"_s + en.toString(limit.max)), qPrintable(key + u": "_s + cells[3]));
        }
    }

    void scenario_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // empty = accepted
        QTest::addColumn<qint64>("exactTtl");
        QTest::newRow("valid") << QByteArray("{\"name\": \"n\", \"strategies\": {\"exact_cache\": {\"enabled\": true, \"ttl_seconds\": 5}, \"routing\": {\"enabled\": true, \"mode\": \"on\", \"rules\": [{\"model\": \"gpt-4o\", \"max_prompt_tokens\": 500, \"endpoints\": [\"chat\"], \"route_to\": \"gpt-4o-mini\"}]}, \"semantic_cache\": {\"enabled\": false, \"threshold\": 0.9}, \"compression\": {\"enabled\": false, \"budget_tokens\": 2000, \"summary_model\": \"m\", \"remove_redundancy\": true}, \"batch\": {\"enabled\": false, \"endpoints\": []}}, \"endpoints\": {\"chat\": {\"exact_cache\": {\"ttl_seconds\": 7}}}}")
                               << QString() << qint64(5);
        QTest::newRow("ttl as a string") << QByteArray("{\"strategies\": {\"exact_cache\": {\"ttl_seconds\": \"5\"}}}")
                                         << u"\"strategies.exact_cache.ttl_seconds\" must be a whole number, got the string \"5\""_s
                                         << qint64(0);
        QTest::newRow("misspelt ttl") << QByteArray("{\"strategies\": {\"exact_cache\": {\"ttl\": 5}}}")
                                      << u"unknown key \"strategies.exact_cache.ttl\" (known: enabled, ttl_seconds)"_s << qint64(0);
        QTest::newRow("misspelt top-level key") << QByteArray("{\"name\": \"n\", \"strategys\": {}}")
                                                << u"unknown key \"strategys\" (known: name, strategies, endpoints)"_s << qint64(0);
        QTest::newRow("misspelt strategy") << QByteArray("{\"strategies\": {\"semantic_cach\": {}}}")
                                           << u"unknown strategy \"semantic_cach\""_s << qint64(0);
        QTest::newRow("threshold as a string") << QByteArray("{\"strategies\": {\"semantic_cache\": {\"threshold\": \"0.9\"}}}")
                                               << u"\"strategies.semantic_cache.threshold\" must be a number"_s << qint64(0);
        QTest::newRow("enabled as a string") << QByteArray("{\"strategies\": {\"batch\": {\"enabled\": \"yes\"}}}")
                                             << u"\"strategies.batch.enabled\" must be true or false"_s << qint64(0);
        QTest::newRow("rule misspelt key") << QByteArray("{\"strategies\": {\"routing\": {\"rules\": [{\"route_to\": \"m\", \"max_prompt\": 5}]}}}")
                                           << u"unknown key \"strategies.routing.rules[0].max_prompt\""_s << qint64(0);
        QTest::newRow("rule bound as a string")
            << QByteArray("{\"strategies\": {\"routing\": {\"rules\": [{\"route_to\": \"m\", \"max_prompt_tokens\": \"500\"}]}}}")
            << u"\"strategies.routing.rules[0].max_prompt_tokens\" must be a whole number"_s << qint64(0);
        QTest::newRow("strategy not an object") << QByteArray("{\"strategies\": {\"exact_cache\": true}}")
                                                << u"\"strategies.exact_cache\" must be an object"_s << qint64(0);
        QTest::newRow("endpoint override wrong type")
            << QByteArray("{\"strategies\": {}, \"endpoints\": {\"chat\": {\"exact_cache\": {\"ttl_seconds\": \"5\"}}}}")
            << u"\"endpoints.chat.exact_cache.ttl_seconds\" must be a whole number"_s << qint64(0);
        QTest::newRow("name not a string") << QByteArray("{\"name\": 3, \"strategies\": {}}")
                                           << u"\"name\" must be a string, got the number 3"_s << qint64(0);
    }
    void scenario()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        QFETCH(qint64, exactTtl);
        const QJsonObject o = parse(json);
        QVERIFY(!o.isEmpty());
        const auto sc = Scenario::fromJson(o);
        if (error.isEmpty()) {
            QVERIFY2(sc.has_value(), qPrintable(sc ? QString() : sc.error().message));
            QCOMPARE(sc->exactCache.ttlSeconds, exactTtl);
            QCOMPARE(sc->forEndpoint(u"chat"_s).exactCache.ttlSeconds, 7);
            // What the app writes, it reads back.
            QVERIFY(Scenario::fromJson(sc->toJson()).has_value());
        } else {
            QVERIFY(!sc);
            QVERIFY2(sc.error().message.contains(error), qPrintable(sc.error().message));
        }
    }

    // The shipped example scenario stays valid under the strict reading.
    void exampleScenarioIsValid()
    {
        const QByteArray text = test::readFile(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s);
        QVERIFY(!text.isEmpty());
        const auto sc = Scenario::fromJson(parse(text));
        QVERIFY2(sc.has_value(), qPrintable(sc ? QString() : sc.error().message));
        QCOMPARE(sc->routing.rules.size(), 1);
    }
};

QTEST_GUILESS_MAIN(ConfigStrictnessTest)
#include "ConfigStrictnessTest.moc"
