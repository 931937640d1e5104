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
                                            << u"unknown key \"cache.ttl_seconds\" (known: enabled, ttlSeconds, maxBytes)"_s
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
