// SemanticCache on a real SQLite file: hits and misses end to end (request key + local embedder + index),
// the issue's guard and scope cases, threshold, TTL, markWrong, eviction, persistence, bad files.
#include "TestSupport.h"

#include "semantic/LocalEmbedder.h"
#include "semantic/SemanticCache.h"
#include "semantic/SemanticKey.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::semantic;

namespace {

constexpr qint64 kT0 = 1'780'000'000'000'000; // us since the epoch (2026)
constexpr qint64 kSecond = 1'000'000;

QJsonObject chat(const QString &user, const QString &system = u"You are a helpful assistant."_s,
                 const QJsonArray &earlier = {}, const QString &model = u"gpt-4o-mini"_s)
{
    QJsonArray messages {QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, system}}};
    for (const QJsonValue &m : earlier)
        messages.append(m);
    messages.append(QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, user}});
    return QJsonObject {{u"model"_s, model}, {u"temperature"_s, 0}, {u"messages"_s, messages}};
}

StoredResponse answer(const QByteArray &text, NanoUsd cost = 1'234'567)
{
    StoredResponse r;
    r.body
        = R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":")"
        + text + R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}})";
    r.headers = "openai-processing-ms: 120\r\n";
    r.contentType = u"application/json"_s;
    r.servedModel = u"gpt-4o-mini-2024-07-18"_s;
    r.originalCost = cost;
    r.originalCostKnown = true;
    return r;
}

} // namespace

class SemanticCacheTest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    LocalEmbedder m_embedder;
    int m_fileNo = 0;

    QString freshPath() { return m_dir.filePath(u"ledger-%1.sqlite.semantic.sqlite"_s.arg(++m_fileNo)); }

    std::unique_ptr<SemanticCache> open(const QString &path, SemanticCache::Limits limits = {}, qint64 now = kT0)
    {
        auto c = SemanticCache::open(path, limits, now);
        if (!c)
            qFatal("open failed: %s", qPrintable(c.error().message));
        return std::move(*c);
    }

    SemanticKey key(const QJsonObject &body, const QByteArray &caller = "caller-a",
                    RequestFormat f = RequestFormat::OpenAiChat)
    {
        auto k = semanticKey(body, f, caller);
        if (!k)
            qFatal("key failed: %s", qPrintable(k.error().message));
        return *k;
    }

    qint64 storeChat(SemanticCache &cache, const QJsonObject &body, const QByteArray &answerText,
                     const QByteArray &caller = "caller-a", qint64 ttl = 3600, qint64 now = kT0)
    {
        const SemanticKey k = key(body, caller);
        auto id = cache.store(k, m_embedder.modelKey(), m_embedder.embed(k.text), answer(answerText), ttl, now);
        if (!id)
            qFatal("store failed: %s", qPrintable(id.error().message));
        return *id;
    }

    std::optional<SemanticHit> lookupChat(SemanticCache &cache, const QJsonObject &body,
                                          const QByteArray &caller = "caller-a", float threshold = 0.95f,
                                          qint64 now = kT0 + kSecond)
    {
        const SemanticKey k = key(body, caller);
        auto r = cache.lookup(k, m_embedder.modelKey(), m_embedder.embed(k.text), threshold, now);
        if (!r)
            qFatal("lookup failed: %s", qPrintable(r.error().message));
        return *r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void pathBesideLedger()
    {
        QCOMPARE(SemanticCache::pathForLedger(u"/data/ledger.sqlite"_s), u"/data/ledger.sqlite.semantic.sqlite"_s);
    }

    void hitOnNearDuplicateWithStoredAnswer()
    {
        auto cache = open(freshPath());
        const qint64 id = storeChat(*cache, chat(u"How do I reset my password?"_s), "Go to Settings > Security.");
        const auto hit = lookupChat(*cache, chat(u"how do I reset my password"_s), "caller-a", 0.95f);
        QVERIFY(hit);
        QCOMPARE(hit->entryId, id);
        QVERIFY(hit->similarity >= 0.95f);
        QVERIFY(hit->response.body.contains("Go to Settings > Security."));
        QCOMPARE(hit->response.contentType, u"application/json"_s);
        QCOMPARE(hit->response.servedModel, u"gpt-4o-mini-2024-07-18"_s);
        QCOMPARE(hit->response.headers, QByteArray("openai-processing-ms: 120\r\n"));
        QCOMPARE(hit->response.originalCost, NanoUsd(1'234'567));
        QVERIFY(hit->response.originalCostKnown);
        QCOMPARE(hit->hits, 1);
        QCOMPARE(lookupChat(*cache, chat(u"How do I reset my password?"_s))->hits, 2);
        QCOMPARE(cache->stats().hits, 2);
        // An unrelated question misses even at a low threshold.
        QVERIFY(!lookupChat(*cache, chat(u"What is the capital of France?"_s), "caller-a", 0.3f));
        QCOMPARE(cache->stats().misses, 1);
    }

    // The issue's cases: each differs from the stored request in one way that must prevent a hit,
    // although its text is very similar (all are looked up at a low threshold of 0.5).
    void guardAndScopeCasesMiss_data()
    {
        QTest::addColumn<QJsonObject>("stored");
        QTest::addColumn<QJsonObject>("asked");
        QTest::addColumn<QByteArray>("caller");
        QTest::newRow("negation: alarm on vs off")
            << chat(u"Turn the alarm on"_s) << chat(u"Turn the alarm off"_s) << QByteArray("caller-a");
        QTest::newRow("numbers: 2+3 vs 2+4")
            << chat(u"what is 2+3"_s) << chat(u"what is 2+4"_s) << QByteArray("caller-a");
        QTest::newRow("negation: is vs is not")
            << chat(u"Is this mushroom safe to eat?"_s) << chat(u"Is this mushroom not safe to eat?"_s)
            << QByteArray("caller-a");
        QTest::newRow("quoted literal") << chat(uR"(Translate "good morning" to French)"_s)
                                        << chat(uR"(Translate "good night" to French)"_s) << QByteArray("caller-a");
        QTest::newRow("Chinese 开 vs 关")
            << chat(u"帮我把客厅的灯开了"_s) << chat(u"帮我把客厅的灯关了"_s) << QByteArray("caller-a");
        QTest::newRow("Chinese 不") << chat(u"这个药可以和酒一起吃吗"_s) << chat(u"这个药不可以和酒一起吃吗"_s)
                                    << QByteArray("caller-a");
        QTest::newRow("different system prompt")
            << chat(u"Summarise the refund policy"_s, u"You are a support agent for Acme."_s)
            << chat(u"Summarise the refund policy"_s, u"You are a support agent for Globex."_s)
            << QByteArray("caller-a");
        QTest::newRow("different caller") << chat(u"Summarise the refund policy"_s)
                                          << chat(u"Summarise the refund policy"_s) << QByteArray("caller-b");
        const QJsonArray paris {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Pick a city"_s}},
                                QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, u"Paris"_s}}};
        const QJsonArray london {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Pick a city"_s}},
                                 QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, u"London"_s}}};
        QTest::newRow("different earlier conversation")
            << chat(u"What is the weather there?"_s, u"s"_s, paris)
            << chat(u"What is the weather there?"_s, u"s"_s, london) << QByteArray("caller-a");
        QTest::newRow("different model") << chat(u"Summarise the refund policy"_s)
                                         << chat(u"Summarise the refund policy"_s, u"You are a helpful assistant."_s,
                                                 {}, u"gpt-4o"_s)
                                         << QByteArray("caller-a");
        QJsonObject hot = chat(u"Summarise the refund policy"_s);
        hot.insert(u"temperature"_s, 1.2);
        QTest::newRow("different temperature")
            << chat(u"Summarise the refund policy"_s) << hot << QByteArray("caller-a");
    }
    void guardAndScopeCasesMiss()
    {
        QFETCH(QJsonObject, stored);
        QFETCH(QJsonObject, asked);
        QFETCH(QByteArray, caller);
        auto cache = open(freshPath());
        storeChat(*cache, stored, "stored answer");
        QVERIFY(lookupChat(*cache, stored, "caller-a", 0.95f)); // the stored request itself hits
        QVERIFY(!lookupChat(*cache, asked, caller, 0.5f));
        // ... and the texts really are similar: the guards and the scope are what stop the hit.
        const auto a = m_embedder.embed(key(stored).text);
        const auto b = m_embedder.embed(key(asked, caller).text);
        QVERIFY2(cosine(a.data(), b.data(), m_embedder.dims()) > 0.5f,
                 qPrintable(QString::number(cosine(a.data(), b.data(), m_embedder.dims()))));
    }

    // Within one scope everything but the final user message is identical, so a long shared context makes
    // two different final questions look alike on the whole-request vector; the focus vector (computed by
    // the cache for the local embedder) stops the hit.
    void differentFinalQuestionAfterSharedContextMisses()
    {
        auto cache = open(freshPath());
        const QJsonArray earlier {
            QJsonObject {{u"role"_s, u"user"_s},
                         {u"content"_s,
                          u"Tell me about travel options in Europe for a family of four in summer, "
                          "budget matters."_s}},
            QJsonObject {{u"role"_s, u"assistant"_s},
                         {u"content"_s,
                          u"Sure. Trains are usually the best value; consider rail passes, book early, "
                          "and pick cities close to each other."_s}}};
        const QString system = u"You are a travel agent. Answer in three sentences. "_s.repeated(5);
        storeChat(*cache, chat(u"What about Paris?"_s, system, earlier), "Paris answer");
        const auto paris = key(chat(u"What about Paris?"_s, system, earlier));
        const auto london = key(chat(u"What about London?"_s, system, earlier));
        QCOMPARE(paris.scope, london.scope);
        QCOMPARE(paris.guardSignature, london.guardSignature);
        const auto a = m_embedder.embed(paris.text), b = m_embedder.embed(london.text);
        QVERIFY(cosine(a.data(), b.data(), m_embedder.dims()) > 0.95f); // the whole-request vectors alone would hit
        QVERIFY(!lookupChat(*cache, chat(u"What about London?"_s, system, earlier), "caller-a", 0.95f));
        const auto hit = lookupChat(*cache, chat(u"what about Paris"_s, system, earlier), "caller-a", 0.95f);
        QVERIFY(hit);
        QVERIFY(hit->response.body.contains("Paris answer"));
    }

    void thresholdIsInclusive()
    {
        auto cache = open(freshPath());
        storeChat(*cache, chat(u"How do I reset my password?"_s), "a");
        const auto probe = lookupChat(*cache, chat(u"How can I reset my password please?"_s), "caller-a", 0.0f);
        QVERIFY(probe);
        const float s = probe->similarity;
        QVERIFY(s < 0.99f);
        QVERIFY(lookupChat(*cache, chat(u"How can I reset my password please?"_s), "caller-a", s));
        QVERIFY(
            !lookupChat(*cache, chat(u"How can I reset my password please?"_s), "caller-a", std::nextafter(s, 2.0f)));
    }

    void ttlExpiryAndPurge()
    {
        const QString path = freshPath();
        auto cache = open(path);
        storeChat(*cache, chat(u"short lived"_s), "a", "caller-a", 60);
        storeChat(*cache, chat(u"long lived"_s), "b", "caller-a", 3600);
        QVERIFY(lookupChat(*cache, chat(u"short lived"_s), "caller-a", 0.95f, kT0 + 59 * kSecond));
        QVERIFY(!lookupChat(*cache, chat(u"short lived"_s), "caller-a", 0.95f, kT0 + 60 * kSecond));
        QCOMPARE(*cache->purgeExpired(kT0 + 60 * kSecond), 1);
        QCOMPARE(cache->stats().entries, 1);
        cache.reset();
        // Reopened after the long-lived one expired: nothing is loaded, the rows are deleted.
        cache = open(path, {}, kT0 + 3600 * kSecond);
        QCOMPARE(cache->stats().entries, 0);
        QVERIFY(!cache->store(key(chat(u"x"_s)), m_embedder.modelKey(), m_embedder.embed(u"x"_s), answer("x"), 0, kT0));
    }

    void markWrongRemoves()
    {
        const QString path = freshPath();
        auto cache = open(path);
        const qint64 id = storeChat(*cache, chat(u"How do I reset my password?"_s), "wrong answer");
        QVERIFY(lookupChat(*cache, chat(u"How do I reset my password?"_s)));
        QVERIFY(cache->markWrong(id));
        QVERIFY(!lookupChat(*cache, chat(u"How do I reset my password?"_s), "caller-a", 0.0f));
        const auto again = cache->markWrong(id);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::NotFound);
        cache.reset();
        cache = open(path);
        QCOMPARE(cache->stats().entries, 0);
        // Ids are never reused: a new entry gets a new id.
        QVERIFY(storeChat(*cache, chat(u"How do I reset my password?"_s), "right answer") > id);
    }

    // A hit of an earlier run (the cache file reopened, as by a new proxy run) can be marked wrong from
    // its ledger record: the file remembers which entry answered which record.
    void markWrongFromTheRecordOfAnEarlierRun()
    {
        const QString path = freshPath();
        qint64 wrong = 0, other = 0;
        {
            auto cache = open(path);
            wrong = storeChat(*cache, chat(u"How do I reset my password?"_s), "wrong answer");
            other = storeChat(*cache, chat(u"Turn the alarm off"_s), "Alarm is off.");
            const auto hit = lookupChat(*cache, chat(u"How do I reset my password?"_s));
            QVERIFY(hit);
            QCOMPARE(hit->entryId, wrong);
            QVERIFY(cache->rememberHit(501, hit->entryId)); // ledger record 501 was this hit
            QVERIFY(cache->rememberHit(502, other));
            QVERIFY(!cache->rememberHit(0, wrong));        // not a record id
            QVERIFY(!cache->rememberHit(503, other + 100)); // no such entry
        }
        auto cache = open(path, {}, kT0 + kSecond); // the next run
        QCOMPARE(cache->entryForRecord(501).value(), std::optional<qint64>(wrong));
        QCOMPARE(cache->entryForRecord(999).value(), std::optional<qint64>());
        QVERIFY(cache->markRecordWrong(501));
        QVERIFY(!lookupChat(*cache, chat(u"How do I reset my password?"_s), "caller-a", 0.0f));
        QVERIFY(lookupChat(*cache, chat(u"Turn the alarm off"_s))); // the other entry stays
        // Gone with its entry: a second mark, or one for a record the cache never answered, is NotFound.
        for (qint64 record : {qint64(501), qint64(999)}) {
            const auto again = cache->markRecordWrong(record);
            QVERIFY(!again);
            QCOMPARE(again.error().code, ErrorCode::NotFound);
        }
        QCOMPARE(cache->entryForRecord(501).value(), std::optional<qint64>());
        // Removing an entry any other way forgets its records too (here: clear).
        QVERIFY(cache->clear());
        QCOMPARE(cache->entryForRecord(502).value(), std::optional<qint64>());
        cache.reset();
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"hits-check"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM semantic_hits"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 0);
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"hits-check"_s);
    }

    void persistsAcrossReopen()
    {
        const QString path = freshPath();
        qint64 id = 0;
        {
            auto cache = open(path);
            id = storeChat(*cache, chat(u"Turn the alarm off"_s), "Alarm is off.");
            storeChat(*cache, chat(u"Turn the alarm on"_s), "Alarm is on.");
        }
        auto cache = open(path, {}, kT0 + kSecond);
        QCOMPARE(cache->stats().entries, 2);
        const auto hit = lookupChat(*cache, chat(u"turn the alarm off"_s));
        QVERIFY(hit);
        QCOMPARE(hit->entryId, id);
        QVERIFY(hit->response.body.contains("Alarm is off."));
        QVERIFY(lookupChat(*cache, chat(u"turn the alarm on"_s))->response.body.contains("Alarm is on."));
    }

    void evictsOldestFirst()
    {
        const QString path = freshPath();
        auto cache = open(path, SemanticCache::Limits {3, 1LL << 30});
        std::vector<qint64> ids;
        for (int i = 0; i < 5; ++i)
            ids.push_back(storeChat(*cache, chat(u"question number %1 about topic"_s.arg(QChar(u'a' + i))), "x",
                                    "caller-a", 3600, kT0 + i));
        QCOMPARE(cache->stats().entries, 3);
        QVERIFY(!cache->contains(ids[0]));
        QVERIFY(!cache->contains(ids[1]));
        QVERIFY(cache->contains(ids[4]));
        // Byte limit: room for about two entries.
        const qint64 per = SemanticCache::entryBytes(answer("x"), 2 * m_embedder.dims()); // vector + focus
        cache->setLimits(SemanticCache::Limits {100, per * 2 + 10});
        storeChat(*cache, chat(u"one more question"_s), "x", "caller-a", 3600, kT0 + 10);
        QCOMPARE(cache->stats().entries, 2);
        QVERIFY(cache->stats().bytes <= per * 2 + 10);
        // An answer larger than the whole cache is refused, not stored.
        StoredResponse huge = answer(QByteArray(int(per * 3), 'y'));
        const auto k = key(chat(u"huge"_s));
        const auto r = cache->store(k, m_embedder.modelKey(), m_embedder.embed(k.text), huge, 60, kT0);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        cache.reset();
        // The file holds what memory held.
        cache = open(path);
        QCOMPARE(cache->stats().entries, 2);
    }

    // Empty (null) texts in the response are stored as '' (a null QString would bind as SQL NULL).
    void minimalResponseIsStored()
    {
        auto cache = open(freshPath());
        const auto k = key(chat(u"minimal"_s));
        StoredResponse r;
        r.body = "{}";
        const auto id = cache->store(k, m_embedder.modelKey(), m_embedder.embed(k.text), r, 60, kT0);
        QVERIFY2(id, id ? "" : qPrintable(id.error().message));
        const auto hit = cache->lookup(k, m_embedder.modelKey(), m_embedder.embed(k.text), 0.95f, kT0);
        QVERIFY(hit && hit->has_value());
        QVERIFY(!(*hit)->response.originalCostKnown); // unpriced: NULL, not 0
        QCOMPARE((*hit)->response.servedModel, QString());
    }

    void embeddingModelsAreNotMixed()
    {
        auto cache = open(freshPath());
        const auto k = key(chat(u"How do I reset my password?"_s));
        const auto v = m_embedder.embed(k.text);
        QVERIFY(cache->store(k, u"text-embedding-3-small"_s, v, answer("a"), 60, kT0));
        auto r = cache->lookup(k, m_embedder.modelKey(), v, 0.5f, kT0);
        QVERIFY(r && !r->has_value());
        r = cache->lookup(k, u"text-embedding-3-small"_s, v, 0.5f, kT0);
        QVERIFY(r && r->has_value());
    }

    void anthropicRequestsEndToEnd()
    {
        auto cache = open(freshPath());
        auto body = [](const QString &q) {
            return QJsonObject {
                {u"model"_s, u"claude-haiku-4-5"_s},
                {u"max_tokens"_s, 512},
                {u"system"_s, QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"Be brief."_s}}}},
                {u"messages"_s,
                 QJsonArray {
                     QJsonObject {{u"role"_s, u"user"_s},
                                  {u"content"_s, QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, q}}}}}}}};
        };
        const auto k = key(body(u"Disable the night mode"_s), "c", RequestFormat::AnthropicMessages);
        QVERIFY(cache->store(k, m_embedder.modelKey(), m_embedder.embed(k.text), answer("ok"), 60, kT0));
        const auto same = key(body(u"disable the night mode."_s), "c", RequestFormat::AnthropicMessages);
        const auto opposite = key(body(u"Enable the night mode"_s), "c", RequestFormat::AnthropicMessages);
        QVERIFY(cache->lookup(same, m_embedder.modelKey(), m_embedder.embed(same.text), 0.95f, kT0)->has_value());
        QVERIFY(
            !cache->lookup(opposite, m_embedder.modelKey(), m_embedder.embed(opposite.text), 0.5f, kT0)->has_value());
    }

    void corruptFileIsAnError()
    {
        const QString path = freshPath();
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'Z'));
        f.close();
        const auto r = SemanticCache::open(path, {}, kT0);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Database);
        QVERIFY(r.error().message.contains(path));
        const auto missingDir = SemanticCache::open(m_dir.filePath(u"no/such/dir/x.sqlite"_s), {}, kT0);
        QVERIFY(!missingDir);
        QCOMPARE(missingDir.error().code, ErrorCode::Io);
    }

    void newerSchemaIsRefused()
    {
        const QString path = freshPath();
        open(path).reset();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"bump"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"PRAGMA user_version = 99"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"bump"_s);
        const auto r = SemanticCache::open(path, {}, kT0);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Database);
    }

    void malformedVectorRowIsDroppedOnOpen()
    {
        const QString path = freshPath();
        qint64 badId = 0;
        {
            auto cache = open(path);
            storeChat(*cache, chat(u"good entry"_s), "ok");
            badId = storeChat(*cache, chat(u"bad entry"_s), "bad");
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"damage"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            q.prepare(u"UPDATE semantic_entries SET vector = x'0102' WHERE id = :id"_s);
            q.bindValue(u":id"_s, badId);
            QVERIFY(q.exec());
            QCOMPARE(q.numRowsAffected(), 1);
            db.close();
        }
        QSqlDatabase::removeDatabase(u"damage"_s);
        auto cache = open(path);
        QCOMPARE(cache->stats().entries, 1);
        QVERIFY(lookupChat(*cache, chat(u"good entry"_s)));
    }

    // Two instances on two files in one thread: connection names do not collide.
    void twoInstances()
    {
        auto a = open(freshPath());
        auto b = open(freshPath());
        storeChat(*a, chat(u"only in a"_s), "a");
        QVERIFY(lookupChat(*a, chat(u"only in a"_s)));
        QVERIFY(!lookupChat(*b, chat(u"only in a"_s)));
    }
};

QTEST_GUILESS_MAIN(SemanticCacheTest)
#include "SemanticCacheTest.moc"
