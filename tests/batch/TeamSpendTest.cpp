#include "BatchHarness.h"

#include "importer/Importer.h"
#include "importer/ReportImport.h"
#include "query/LedgerQueries.h"
#include "teamspend/AdminSync.h"
#include "teamspend/Reconciliation.h"
#include "teamspend/SyncScheduler.h"
#include "proxy/CallerIdentity.h"
#include "settings/Settings.h"

#include <QCoroTask>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QUrlQuery>
#include <QtTest>

#include <numeric>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace std::chrono_literals;

namespace {

const QByteArray kOpenAiAdminKey = "sk-admin-TEST-openai-5f2c9e";
const QByteArray kAnthropicAdminKey = "sk-ant-admin01-TEST-anthropic-77aa";
constexpr qint64 kDay = 86'400'000'000;
constexpr qint64 kD0 = 1764288000ll * 1'000'000; // 2025-11-28T00:00:00Z, the first bucket of fixture f1

const QString kUsagePath = u"/v1/organization/usage/completions"_s;
const QString kCostsPath = u"/v1/organization/costs"_s;
const QString kAnthropicCostPath = u"/v1/organizations/cost_report"_s;
const QString kAnthropicUsagePath = u"/v1/organizations/usage_report/messages"_s;
const QString kEmbeddingsPath = u"/v1/organization/usage/embeddings"_s;
const QString kEmbeddingsFixture = u"teamspend/openai-admin-usage-embeddings.json"_s;

// The records of tests/fixtures/teamspend/openai-admin-usage-embeddings.json, as recordsOf() shows them:
// "day (from kD0), endpoint, key, model, prompt tokens, completion tokens, requests, cost (nano-USD)".
// Prices per MTok from the built-in book (genai-prices 0.1.8): text-embedding-3-small $0.02,
// text-embedding-3-large $0.13, text-embedding-ada-002 $0.10; the preview model is not in the book.
const QStringList kEmbeddingRecords{
    u"0,project:proj_SYNTHalpha,key_SYNTHrag01,text-embedding-3-small,4200000,0,1310,84000000"_s,  // 4.2M x 20
    u"0,project:proj_SYNTHbeta,key_SYNTHsearch02,text-embedding-3-large,650000,0,212,84500000"_s, // 650k x 130
    u"1,project:proj_SYNTHalpha,,text-embedding-ada-002,120000,0,40,12000000"_s,                  // 120k x 100
    u"1,project:proj_SYNTHalpha,key_SYNTHrag01,text-embedding-3-small,3900000,0,1188,78000000"_s,  // 3.9M x 20
    u"2,project:proj_SYNTHalpha,key_SYNTHrag01,text-embedding-3-small,1500000,0,455,30000000"_s,   // 1.5M x 20
    u"2,project:proj_SYNTHgamma,key_SYNTHlab03,text-embedding-synth-preview,75000,0,9,unpriced"_s,
};

template<typename T>
T await(QCoro::Task<T> &&task)
{
    return QCoro::waitFor(std::move(task));
}

QJsonObject fixture(const QString &name) { return QJsonDocument::fromJson(test::readFile(test::providerFixture(name))).object(); }

// A page of fixture f1's first bucket moved to `dayUs`, with its token counts multiplied by `scale`.
QJsonObject usagePage(qint64 dayUs, int scale = 1)
{
    QJsonObject bucket = fixture(u"f1-openai-admin-usage-completions.json"_s).value("data"_L1).toArray().at(0).toObject();
    bucket[u"start_time"_s] = dayUs / 1'000'000;
    bucket[u"end_time"_s] = (dayUs + kDay) / 1'000'000;
    QJsonArray results;
    for (const QJsonValue &v : bucket.value("results"_L1).toArray()) {
        QJsonObject r = v.toObject();
        for (const auto key : {"input_tokens"_L1, "input_cached_tokens"_L1, "output_tokens"_L1, "num_model_requests"_L1})
            r[key] = r.value(key).toInteger() * scale;
        results.append(r);
    }
    bucket[u"results"_s] = results;
    return QJsonObject{{u"object"_s, u"page"_s}, {u"data"_s, QJsonArray{bucket}}};
}

// The two pages of the embeddings fixture (days kD0 and kD0 + 1 | kD0 + 2), as the loopback server serves them.
QList<QJsonObject> embeddingsPages()
{
    QList<QJsonObject> pages;
    for (const QJsonValue &v : QJsonDocument::fromJson(test::readFile(test::fixture(kEmbeddingsFixture))).array())
        pages.append(v.toObject());
    return pages;
}

// One embeddings usage page with one bucket at `dayUs`: text-embedding-3-small, proj_SYNTHalpha, key_SYNTHrag01.
QJsonObject embeddingsPage(qint64 dayUs, qint64 inputTokens, qint64 requests)
{
    const QJsonObject result{{u"object"_s, u"organization.usage.embeddings.result"_s}, {u"input_tokens"_s, inputTokens},
                             {u"num_model_requests"_s, requests}, {u"project_id"_s, u"proj_SYNTHalpha"_s},
                             {u"user_id"_s, QJsonValue()}, {u"api_key_id"_s, u"key_SYNTHrag01"_s},
                             {u"model"_s, u"text-embedding-3-small"_s}};
    const QJsonObject bucket{{u"object"_s, u"bucket"_s}, {u"start_time"_s, dayUs / 1'000'000},
                             {u"end_time"_s, (dayUs + kDay) / 1'000'000}, {u"results"_s, QJsonArray{result}}};
    return QJsonObject{{u"object"_s, u"page"_s}, {u"data"_s, QJsonArray{bucket}}};
}

QJsonObject emptyPage() { return QJsonObject{{u"object"_s, u"page"_s}, {u"data"_s, QJsonArray{}}}; }

struct SyncHarness : test::BatchHarness
{
    std::shared_ptr<qint64> now = std::make_shared<qint64>(kD0 + 2 * kDay + 12 * 3'600'000'000ll);

    AdminSyncConfig config(int firstSyncDays = 2)
    {
        AdminSyncConfig c;
        c.openAiBaseUrl = QUrl(server.base());
        c.anthropicBaseUrl = QUrl(server.base());
        c.firstSyncDays = firstSyncDays;
        c.retry = fastRetry(3);
        c.sleeper = sleeper();
        auto clock = now;
        c.nowUs = [clock] { return *clock; };
        return c;
    }
    void storeAdminKeys()
    {
        secrets.write(u"admin/openai"_s, kOpenAiAdminKey);
        secrets.write(u"admin/anthropic"_s, kAnthropicAdminKey);
    }
    QUrlQuery query(int requestIndex) const
    {
        return QUrlQuery(QUrl(QString::fromUtf8(server.requests().at(requestIndex).target)));
    }
    // Records whose source key starts with "<source>:" (compared as text, not LIKE), in day and key order:
    // "day (from kD0), endpoint, key, model, prompt tokens, completion tokens, requests, cost or unpriced".
    QStringList recordsOf(const QString &source)
    {
        const QString rows = scalar(uR"(SELECT group_concat(r, ' | ') FROM (SELECT
            ((c.started_at_us - %1) / 86400000000) || ',' || e.name || ',' || k.name || ',' || m.name || ',' ||
            c.prompt_tokens || ',' || c.completion_tokens || ',' || c.call_count || ',' || COALESCE(c.cost_nano, 'unpriced') AS r
            FROM calls c JOIN labels e ON e.id = c.endpoint_id JOIN labels k ON k.id = c.key_id
            JOIN labels m ON m.id = c.served_model_id
            WHERE substr(c.source_key, 1, %2) = '%3' ORDER BY c.started_at_us, c.source_key))"_s
                                       .arg(kD0)
                                       .arg(source.size() + 1)
                                       .arg(source + u':'))
                                 .toString();
        return rows.isEmpty() ? QStringList{} : rows.split(u" | "_s);
    }
    qint64 countOf(const QString &source)
    {
        return scalar(u"SELECT COUNT(*) FROM calls WHERE substr(source_key, 1, %1) = '%2'"_s.arg(source.size() + 1).arg(source + u':'))
            .toLongLong();
    }
};

} // namespace

class TeamSpendTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void scheduleRule_data()
    {
        QTest::addColumn<qint64>("lastUs");
        QTest::addColumn<int>("hours");
        QTest::addColumn<qint64>("nowUs");
        QTest::addColumn<qint64>("dueUs");
        const qint64 h = 3'600'000'000;
        QTest::newRow("off") << kD0 << 0 << kD0 + 10 * h << qint64(0);
        QTest::newRow("never synced: due now") << qint64(0) << 6 << kD0 << kD0;
        QTest::newRow("6 h after the last") << kD0 << 6 << kD0 + h << kD0 + 6 * h;
        QTest::newRow("overdue stays in the past") << kD0 << 1 << kD0 + 5 * h << kD0 + h;
        QTest::newRow("daily") << kD0 << 24 << kD0 << kD0 + kDay;
    }
    void scheduleRule()
    {
        QFETCH(qint64, lastUs);
        QFETCH(int, hours);
        QFETCH(qint64, nowUs);
        QFETCH(qint64, dueUs);
        QCOMPARE(SyncScheduler::nextDueUs(lastUs, hours, nowUs), dueUs);
    }

    void scheduledSyncRunsOnceDueAndOnlyForStoredKeys()
    {
        SyncHarness h;
        h.server.reportPages[kUsagePath] = {usagePage(kD0)};
        h.server.reportPages[kCostsPath] = {fixture(u"f2-openai-admin-costs.json"_s)};
        h.secrets.write(u"admin/openai"_s, kOpenAiAdminKey); // no Anthropic key
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        Settings settings(h.dir.filePath(u"settings.ini"_s));
        const qint64 lastSync = *h.now - 7 * 3'600'000'000ll; // 7 h ago
        settings.setValue(QString::fromLatin1(SyncScheduler::lastSyncKey), lastSync);
        auto clock = h.now;
        SyncScheduler scheduler(sync, settings, [clock] { return *clock; });
        scheduler.setStartDelayMs(0);
        QSignalSpy finished(&scheduler, &SyncScheduler::finished);
        QSignalSpy started(&scheduler, &SyncScheduler::started);

        scheduler.start(); // off by default: nothing happens
        QVERIFY(!finished.wait(300));
        QCOMPARE(h.server.requests().size(), 0);

        scheduler.setIntervalHours(6); // overdue by 1 h: runs at once
        QVERIFY(started.wait(5'000));
        QVERIFY(scheduler.isRunning());
        QVERIFY(!scheduler.syncNow()); // one sync at a time
        QVERIFY(finished.wait(10'000));
        const SyncReport report = finished.takeFirst().at(0).value<SyncReport>();
        QCOMPARE(report.sources.size(), 3); // openai-usage, openai-embeddings-usage, openai-costs; Anthropic has no key
        QCOMPARE(toString(report.sources.at(1).source), u"openai-embeddings-usage"_s);
        QVERIFY(report.ok());
        QCOMPARE(h.server.count("GET", u"/v1/organizations/"_s), 0);
        QCOMPARE(scheduler.lastSyncUs(), *h.now);
        QCOMPARE(scheduler.nextDueUs(), *h.now + 6 * 3'600'000'000ll);
        QVERIFY(!finished.wait(300)); // not due again for 6 h

        // With no key at all, a due sync does nothing and says so.
        h.secrets.remove(u"admin/openai"_s);
        QVERIFY(scheduler.syncNow());
        QTRY_COMPARE(finished.size(), 1); // the keychain answers at once here: may finish before syncNow returns
        const SyncReport none = finished.takeFirst().at(0).value<SyncReport>();
        QVERIFY(none.sources.isEmpty());
        QVERIFY(none.summary().contains("nothing to sync"_L1));
    }

    // Session-13: AdminSync imported the report with an empty salt, so a key id that looks like a key (someone's
    // report with the key itself in it) got an identity that was not the proxy's for the same key (and an unsalted
    // hash of a secret). With the install's salt in AdminSyncConfig it gets the proxy's id; the key is nowhere.
    void aKeyLikeKeyIdGetsTheProxysSaltedIdentity()
    {
        SyncHarness h;
        const QByteArray key = "sk-proj-TESTsyncKey0123456789abcdef";
        QJsonObject page = usagePage(kD0);
        QJsonArray data = page.value("data"_L1).toArray();
        QJsonObject bucket = data.at(0).toObject();
        QJsonArray results = bucket.value("results"_L1).toArray();
        QJsonObject first = results.at(0).toObject();
        first[u"api_key_id"_s] = QString::fromLatin1(key);
        results[0] = first;
        bucket[u"results"_s] = results;
        data[0] = bucket;
        page[u"data"_s] = data;
        h.server.reportPages[kUsagePath] = {page};
        h.storeAdminKeys();
        AdminSyncConfig c = h.config();
        c.callerSalt = "install-salt-0123456789";
        AdminSync sync(*h.ledger, h.secrets, h.network, c);
        const SyncReport report = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY2(report.ok(), qPrintable(report.summary()));
        const QString expected = callerIdentity(c.callerSalt, key);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls c JOIN labels k ON k.id = c.key_id WHERE k.name = '%1'"_s.arg(expected))
                     .toLongLong(),
                 1);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM labels WHERE name = '%1'"_s.arg(callerIdentity({}, key))).toLongLong(), 0);
        QVERIFY(!test::readFile(h.path).contains(key));
        QVERIFY(!test::readFile(h.path + u"-wal"_s).contains(key));
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE instr(source_key, '%1') > 0 OR instr(source_ref, '%1') > 0"_s
                              .arg(QString::fromLatin1(key)))
                     .toLongLong(),
                 0);
    }

    void syncFollowsPagesThroughA429()
    {
        SyncHarness h;
        h.storeAdminKeys();
        h.server.reportPages[kUsagePath] = {usagePage(kD0), usagePage(kD0 + kDay), usagePage(kD0 + 2 * kDay)};
        h.server.rateLimited[kUsagePath + u"#1"_s] = 1;
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        const SyncReport report = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY2(report.ok(), qPrintable(report.summary()));
        const SourceSyncReport &s = report.sources.front();
        QCOMPARE(s.pages, 3);
        QCOMPARE(s.imported, 6);
        QCOMPARE(s.replaced, 0);
        QCOMPARE(s.fromUs, kD0);
        QCOMPARE(s.toUs, kD0 + 3 * kDay);
        QCOMPARE(s.completeBeforeUs, kD0 + 2 * kDay); // the current day is not complete yet
        // The 429 was retried after its Retry-After (7 s), asked of the injected sleeper.
        QCOMPARE(*h.sleeps, (QList<std::chrono::milliseconds>{7000ms}));
        QCOMPARE(h.server.count("GET", kUsagePath), 4);
        const QUrlQuery first = h.query(0);
        QCOMPARE(first.queryItemValue(u"start_time"_s).toLongLong(), kD0 / 1'000'000);
        QCOMPARE(first.queryItemValue(u"end_time"_s).toLongLong(), (kD0 + 3 * kDay) / 1'000'000);
        QCOMPARE(first.queryItemValue(u"bucket_width"_s), u"1d"_s);
        QCOMPARE(first.allQueryItemValues(u"group_by"_s), (QStringList{u"project_id"_s, u"api_key_id"_s, u"model"_s, u"batch"_s}));
        QVERIFY(!first.hasQueryItem(u"page"_s));
        QCOMPARE(h.query(1).queryItemValue(u"page"_s), u"page-1"_s);
        QCOMPARE(h.query(3).queryItemValue(u"page"_s), u"page-2"_s);
        QCOMPARE(headerValue(h.server.requests().at(0).headers, "authorization"), "Bearer " + kOpenAiAdminKey);

        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE source_kind = 3"_s).toLongLong(), 6);
        QCOMPARE(h.scalar(u"SELECT SUM(prompt_tokens) FROM calls"_s).toLongLong(), 3 * (1250000 + 98000));
        QCOMPARE(h.scalar(u"SELECT SUM(call_count) FROM calls"_s).toLongLong(), 3 * (842 + 120));
        // Report lines stay out of the rollups (schema v12: the spend views read them from calls by the rule of
        // query/SpendCoverage.h), so the rollups hold only what is not a report line: here nothing.
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(calls), 0) FROM rollup_hour"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(call_count), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());
    }

    void retriesUpToTheLimitThenFailsLeavingDataIntact()
    {
        SyncHarness h;
        h.storeAdminKeys();
        h.server.reportPages[kUsagePath] = {usagePage(kD0), usagePage(kD0 + kDay), usagePage(kD0 + 2 * kDay)};
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        QVERIFY(await(sync.sync({ReportSource::OpenAiUsage})).ok());
        const qint64 tokensBefore = h.scalar(u"SELECT SUM(prompt_tokens) FROM calls"_s).toLongLong();

        // A day later: the last day has grown, a new day started, and page 2 keeps failing.
        *h.now += kDay;
        h.server.reportPages[kUsagePath] = {usagePage(kD0 + 2 * kDay, 2), usagePage(kD0 + 3 * kDay)};
        h.server.broken.insert(kUsagePath + u"#1"_s);
        h.sleeps->clear();
        const SyncReport failed = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY(!failed.ok());
        const QString error = failed.sources.front().error;
        QVERIFY2(error.contains("page 2"_L1) && error.contains("HTTP 500"_L1) && error.contains("3 tries"_L1), qPrintable(error));
        QVERIFY(!error.contains(QString::fromLatin1(kOpenAiAdminKey)));
        QVERIFY(failed.summary().contains("earlier data kept"_L1));
        QCOMPARE(*h.sleeps, (QList<std::chrono::milliseconds>{1000ms, 2000ms})); // exponential backoff
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 6);
        QCOMPARE(h.scalar(u"SELECT SUM(prompt_tokens) FROM calls"_s).toLongLong(), tokensBefore);

        // Resumed: only from the first incomplete day; that day is replaced, not duplicated.
        h.server.broken.clear();
        const int before = h.server.requests().size();
        const SyncReport resumed = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY2(resumed.ok(), qPrintable(resumed.summary()));
        QCOMPARE(h.query(before).queryItemValue(u"start_time"_s).toLongLong(), (kD0 + 2 * kDay) / 1'000'000);
        QCOMPARE(resumed.sources.front().replaced, 2);
        QCOMPARE(resumed.sources.front().imported, 4);
        QCOMPARE(resumed.sources.front().completeBeforeUs, kD0 + 3 * kDay);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 8);
        QCOMPARE(h.scalar(u"SELECT SUM(prompt_tokens) FROM calls"_s).toLongLong(), (1 + 1 + 2 + 1) * (1250000 + 98000));
        // The rollups hold what is not a report line (schema v12).
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(prompt_tokens), 0) FROM rollup_hour"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(prompt_tokens), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(cost_nano), 0) FROM rollup_hour"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(cost_nano), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());

        // Syncing again the same day re-fetches only the incomplete day and changes nothing.
        const SyncReport again = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY(again.ok());
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 8);
    }

    void resyncRebuildsOnlyTheSyncedDaysAndEqualsABruteForceRebuild()
    {
        SyncHarness h;
        h.storeAdminKeys();
        // Proxy records before the sync window, inside it and on the day a resync replaces.
        QList<CallRecord> proxied;
        for (const qint64 at : {kD0 - 10 * kDay + 5 * 3'600'000'000ll, kD0 + 3'600'000'000ll,
                                kD0 + 2 * kDay + 2 * 3'600'000'000ll, kD0 + 2 * kDay + 23 * 3'600'000'000ll}) {
            CallRecord r = test::makeRecord(at, u"chat"_s, u"openai"_s, u"gpt-4o-mini-2024-07-18"_s, 1200, 300);
            r.sourceKind = SourceKind::Proxy;
            r.latencyUs = 850'000;
            proxied.append(r);
        }
        QVERIFY(h.ledger->writer().submitBatch(proxied).result().failed == 0);
        h.server.reportPages[kUsagePath] = {usagePage(kD0), usagePage(kD0 + kDay), usagePage(kD0 + 2 * kDay)};
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        QVERIFY(await(sync.sync({ReportSource::OpenAiUsage})).ok());

        // A marker in the rollups of a day the resync does not touch (kD0 - 10 days, in an earlier UTC week
        // than the synced days, so no coarser rollup of the synced range is derived from it): a
        // ledger-wide rebuild would erase it, a rebuild of the synced days keeps it.
        const qint64 outside = kD0 - 10 * kDay;
        auto mark = [&](int delta) {
            h.ledger->writer()
                .runExclusive([outside, delta](QSqlDatabase &db) {
                    QSqlQuery q(db);
                    q.prepare(u"UPDATE rollup_hour SET error_calls = error_calls + :d WHERE hour_us >= :a AND hour_us < :b"_s);
                    q.bindValue(u":d"_s, delta);
                    q.bindValue(u":a"_s, outside);
                    q.bindValue(u":b"_s, outside + kDay);
                    q.exec();
                    q.prepare(u"UPDATE rollup_day SET error_calls = error_calls + :d WHERE day_us = :a"_s);
                    q.bindValue(u":d"_s, delta);
                    q.bindValue(u":a"_s, outside);
                    q.exec();
                })
                .waitForFinished();
        };
        mark(7);
        *h.now += kDay;
        h.server.reportPages[kUsagePath] = {usagePage(kD0 + 2 * kDay, 2), usagePage(kD0 + 3 * kDay)};
        const SyncReport resynced = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY2(resynced.ok(), qPrintable(resynced.summary()));
        QCOMPARE(resynced.sources.front().replaced, 2);
        QCOMPARE(h.scalar(u"SELECT error_calls FROM rollup_day WHERE day_us = %1"_s.arg(outside)).toLongLong(), 7);
        mark(-7);

        // Every rollup table equals a rebuild of the whole ledger from the raw rows.
        // Every rollup table of the schema (hourly, daily and coarser ones, with their latency histograms).
        const QStringList tables = h.scalar(u"SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                                            "WHERE type = 'table' AND name LIKE 'rollup%' ORDER BY name)"_s)
                                       .toString()
                                       .split(u',');
        QVERIFY(tables.size() >= 4);
        auto dump = [&] {
            QStringList out;
            for (const QString &t : tables)
                out << t + u": "_s + h.scalar(u"SELECT group_concat(r, ' | ') FROM (SELECT %1 AS r FROM %2 ORDER BY 1)"_s
                                                  .arg(columnsOf(h, t).join(u" || ',' || "_s), t))
                                         .toString();
            return out;
        };
        const QStringList incremental = dump();
        QVERIFY(incremental.at(0).contains(u"|"_s));
        auto rebuilt = std::make_shared<bool>(false);
        h.ledger->writer()
            .runExclusive([rebuilt](QSqlDatabase &db) { *rebuilt = LedgerQueries::rebuildRollups(db).has_value(); })
            .waitForFinished();
        QVERIFY(*rebuilt);
        QCOMPARE(incremental, dump());
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(calls), 0) FROM rollup_day"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(call_count), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());
    }

    void embeddingsUsageReportIsImportedAndPricedToTheNano()
    {
        SyncHarness h;
        ImportOptions o;
        o.format = *importFormatFromString(u"openai-embeddings-usage"_s);
        QVERIFY(o.format == ImportFormat::OpenAiEmbeddingsUsage);
        const QString file = test::fixture(kEmbeddingsFixture);
        const auto report = importFile(*h.ledger, file, o);
        QVERIFY2(report.has_value(), report ? "" : qPrintable(report.error().message));
        QCOMPARE(report->rowsRead, 6);
        QCOMPARE(report->imported, 6);
        QCOMPARE(report->skipped, 0);
        QCOMPARE(report->unpriced, 1); // text-embedding-synth-preview: no price, not $0
        QCOMPARE(report->costImported, 84'000'000 + 84'500'000 + 12'000'000 + 78'000'000 + 30'000'000);
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), kEmbeddingRecords);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE source_kind = %1"_s.arg(int(SourceKind::ProviderReport))).toLongLong(), 6);
        QCOMPARE(h.scalar(u"SELECT price_entry FROM calls WHERE cost_nano = 84500000"_s).toString(), u"openai/text-embedding-3-large"_s);
        QCOMPARE(h.scalar(u"SELECT cost_status FROM calls WHERE cost_nano IS NULL"_s).toInt(), int(CostStatus::Unpriced));
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE cost_status = %1"_s.arg(int(CostStatus::Exact))).toLongLong(), 5);
        const auto again = importFile(*h.ledger, file, o);
        QVERIFY(again.has_value());
        QCOMPARE(again->imported, 0);
        QCOMPARE(again->duplicates, 6);
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), kEmbeddingRecords);
        // Not completions usage: the completions prefix finds none of them.
        QCOMPARE(h.countOf(u"openai-usage"_s), 0);
    }

    void embeddingsSyncFollowsPagesThroughA429AndResyncsWithoutDuplicates()
    {
        SyncHarness h;
        h.storeAdminKeys();
        h.server.reportPages[kEmbeddingsPath] = embeddingsPages();
        h.server.rateLimited[kEmbeddingsPath + u"#1"_s] = 1;
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        const SyncReport report = await(sync.sync({ReportSource::OpenAiEmbeddingsUsage}));
        QVERIFY2(report.ok(), qPrintable(report.summary()));
        const SourceSyncReport &s = report.sources.front();
        QCOMPARE(toString(s.source), u"openai-embeddings-usage"_s);
        QCOMPARE(s.pages, 2);
        QCOMPARE(s.imported, 6);
        QCOMPARE(s.replaced, 0);
        QCOMPARE(s.fromUs, kD0);
        QCOMPARE(s.toUs, kD0 + 3 * kDay);
        QCOMPARE(s.completeBeforeUs, kD0 + 2 * kDay);
        QVERIFY2(report.summary().contains("openai-embeddings-usage: 2 page(s), 6 record(s) added, 0 replaced"_L1),
                 qPrintable(report.summary()));
        QCOMPARE(*h.sleeps, (QList<std::chrono::milliseconds>{7000ms})); // the 429's Retry-After
        QCOMPARE(h.server.count("GET", kEmbeddingsPath), 3);
        QCOMPARE(h.server.count("GET", kUsagePath), 0);
        const QUrlQuery first = h.query(0);
        QCOMPARE(first.queryItemValue(u"start_time"_s).toLongLong(), kD0 / 1'000'000);
        QCOMPARE(first.queryItemValue(u"end_time"_s).toLongLong(), (kD0 + 3 * kDay) / 1'000'000);
        QCOMPARE(first.queryItemValue(u"bucket_width"_s), u"1d"_s);
        QCOMPARE(first.allQueryItemValues(u"group_by"_s), (QStringList{u"project_id"_s, u"api_key_id"_s, u"model"_s}));
        QCOMPARE(first.queryItemValue(u"limit"_s), u"31"_s);
        QVERIFY(!first.hasQueryItem(u"page"_s));
        QCOMPARE(h.query(1).queryItemValue(u"page"_s), u"page-1"_s); // the 429
        QCOMPARE(h.query(2).queryItemValue(u"page"_s), u"page-1"_s);
        QCOMPARE(headerValue(h.server.requests().at(0).headers, "authorization"), "Bearer " + kOpenAiAdminKey);
        // The same records, keys and costs as importing the saved report.
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), kEmbeddingRecords);
        // Report lines are read from calls by the spend views (schema v12 keeps them out of the rollups).
        QCOMPARE(h.scalar(u"SELECT SUM(call_count) FROM calls"_s).toLongLong(), 1310 + 212 + 1188 + 40 + 455 + 9);
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM calls"_s).toLongLong(), 288'500'000);
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(calls), 0) FROM rollup_hour"_s).toLongLong(), 0);

        // A day later: day 2 grew and day 3 started. Only day 2 on is fetched; day 2's two records are replaced.
        *h.now += kDay;
        h.server.reportPages[kEmbeddingsPath] = {embeddingsPage(kD0 + 2 * kDay, 2'000'000, 610),
                                                 embeddingsPage(kD0 + 3 * kDay, 800'000, 240)};
        const int before = h.server.requests().size();
        const SyncReport resynced = await(sync.sync({ReportSource::OpenAiEmbeddingsUsage}));
        QVERIFY2(resynced.ok(), qPrintable(resynced.summary()));
        QCOMPARE(h.query(before).queryItemValue(u"start_time"_s).toLongLong(), (kD0 + 2 * kDay) / 1'000'000);
        QCOMPARE(resynced.sources.front().replaced, 2);
        QCOMPARE(resynced.sources.front().imported, 2);
        QCOMPARE(resynced.sources.front().duplicates, 0);
        QCOMPARE(resynced.sources.front().completeBeforeUs, kD0 + 3 * kDay);
        const QStringList afterResync = kEmbeddingRecords.mid(0, 4)
            + QStringList{u"2,project:proj_SYNTHalpha,key_SYNTHrag01,text-embedding-3-small,2000000,0,610,40000000"_s,
                          u"3,project:proj_SYNTHalpha,key_SYNTHrag01,text-embedding-3-small,800000,0,240,16000000"_s};
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), afterResync);
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM calls"_s).toLongLong(),
                 84'000'000 + 84'500'000 + 12'000'000 + 78'000'000 + 40'000'000 + 16'000'000);

        // Again the same day: only day 3 is fetched and replaced; nothing is added twice.
        h.server.reportPages[kEmbeddingsPath] = {embeddingsPage(kD0 + 3 * kDay, 800'000, 240)};
        const SyncReport again = await(sync.sync({ReportSource::OpenAiEmbeddingsUsage}));
        QVERIFY2(again.ok(), qPrintable(again.summary()));
        QCOMPARE(again.sources.front().replaced, 1);
        QCOMPARE(again.sources.front().imported, 1);
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), afterResync);
    }

    void completionsAndEmbeddingsResyncsLeaveEachOthersRecords()
    {
        SyncHarness h;
        h.storeAdminKeys();
        h.server.reportPages[kUsagePath] = {usagePage(kD0), usagePage(kD0 + kDay), usagePage(kD0 + 2 * kDay)};
        h.server.reportPages[kEmbeddingsPath] = embeddingsPages();
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        const SyncReport first = await(sync.sync({ReportSource::OpenAiUsage, ReportSource::OpenAiEmbeddingsUsage}));
        QVERIFY2(first.ok(), qPrintable(first.summary()));
        const QStringList completions = h.recordsOf(u"openai-usage"_s);
        QCOMPARE(completions.size(), 6); // two models a day, days 0 to 2
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), kEmbeddingRecords);

        // A day later both sources fetch day 2 again. The embeddings resync replaces its own two records of
        // day 2 and leaves the completions records of that day as they were.
        *h.now += kDay;
        h.server.reportPages[kEmbeddingsPath] = {embeddingsPage(kD0 + 2 * kDay, 2'000'000, 610)};
        const SyncReport embeddings = await(sync.sync({ReportSource::OpenAiEmbeddingsUsage}));
        QVERIFY2(embeddings.ok(), qPrintable(embeddings.summary()));
        QCOMPARE(embeddings.sources.front().replaced, 2);
        QCOMPARE(h.recordsOf(u"openai-usage"_s), completions);
        const QStringList embeddingsAfter = kEmbeddingRecords.mid(0, 4)
            + QStringList{u"2,project:proj_SYNTHalpha,key_SYNTHrag01,text-embedding-3-small,2000000,0,610,40000000"_s};
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), embeddingsAfter);

        // And the completions resync of day 2 (tokens tripled) replaces only completions records.
        h.server.reportPages[kUsagePath] = {usagePage(kD0 + 2 * kDay, 3)};
        const SyncReport usage = await(sync.sync({ReportSource::OpenAiUsage}));
        QVERIFY2(usage.ok(), qPrintable(usage.summary()));
        QCOMPARE(usage.sources.front().replaced, 2);
        QCOMPARE(usage.sources.front().imported, 2);
        QCOMPARE(h.recordsOf(u"openai-embeddings-usage"_s), embeddingsAfter);
        const QStringList completionsAfter = h.recordsOf(u"openai-usage"_s);
        QCOMPARE(completionsAfter.size(), 6);
        QCOMPARE(completionsAfter.mid(0, 4), completions.mid(0, 4));
        // Day 2 at three times fixture f1: gpt-4o 2,550,000 x 2,500 + 1,200,000 x 1,250 + 930,000 x 10,000;
        // gpt-4o-mini 294,000 x 150 + 123,000 x 600 (nano-USD per token).
        QCOMPARE(completionsAfter.mid(4), (QStringList{u"2,project:proj_SYNTHalpha,,gpt-4o-2024-08-06,3750000,930000,2526,17175000000"_s,
                                                       u"2,project:proj_SYNTHbeta,,gpt-4o-mini-2024-07-18,294000,123000,360,117900000"_s}));
        QCOMPARE(h.scalar(u"SELECT SUM(prompt_tokens) FROM calls WHERE substr(source_key, 1, 13) = 'openai-usage:'"_s).toLongLong(),
                 (1 + 1 + 3) * (1250000 + 98000));
        // The rollups follow the raw rows that are not report lines (schema v12).
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(cost_nano), 0) FROM rollup_hour"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(cost_nano), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(calls), 0) FROM rollup_day"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(call_count), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());
    }

    void aResyncDeletesOnlyItsOwnSourcesRecords_data()
    {
        QTest::addColumn<ReportSource>("source");
        QTest::addColumn<QString>("path");
        QTest::newRow("completions usage") << ReportSource::OpenAiUsage << kUsagePath;
        QTest::newRow("embeddings usage") << ReportSource::OpenAiEmbeddingsUsage << kEmbeddingsPath;
        QTest::newRow("OpenAI costs") << ReportSource::OpenAiCosts << kCostsPath;
        QTest::newRow("Anthropic usage") << ReportSource::AnthropicUsage << kAnthropicUsagePath;
        QTest::newRow("Anthropic cost") << ReportSource::AnthropicCost << kAnthropicCostPath;
    }

    void aResyncDeletesOnlyItsOwnSourcesRecords()
    {
        QFETCH(ReportSource, source);
        QFETCH(QString, path);
        SyncHarness h;
        h.storeAdminKeys();
        // One saved report of every source in the ledger (the same parser and source keys as a sync).
        const QList<std::pair<ReportSource, QString>> files{
            {ReportSource::OpenAiUsage, test::providerFixture(u"f1-openai-admin-usage-completions.json"_s)},
            {ReportSource::OpenAiEmbeddingsUsage, test::fixture(kEmbeddingsFixture)},
            {ReportSource::OpenAiCosts, test::providerFixture(u"f2-openai-admin-costs.json"_s)},
            {ReportSource::AnthropicUsage, test::providerFixture(u"g1-anthropic-admin-usage-report-messages.json"_s)},
            {ReportSource::AnthropicCost, test::providerFixture(u"g2-anthropic-admin-cost-report.json"_s)},
        };
        QCOMPARE(files.size(), allReportSources().size());
        QHash<QString, qint64> before;
        for (const auto &[s, file] : files) {
            ImportOptions o;
            o.format = *importFormatFromString(toString(s));
            const auto imported = importFile(*h.ledger, file, o);
            QVERIFY2(imported && imported->imported > 0, qPrintable(file));
            before.insert(toString(s), h.countOf(toString(s)));
            QCOMPARE(before.value(toString(s)), imported->imported);
        }
        const qint64 total = h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong();
        QCOMPARE(total, std::accumulate(before.cbegin(), before.cend(), qint64(0)));

        // The provider now reports nothing for this source over a window covering every fixture day.
        h.server.reportPages[path] = {emptyPage()};
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config(3650));
        const SyncReport report = await(sync.sync({source}));
        QVERIFY2(report.ok(), qPrintable(report.summary()));
        QCOMPARE(report.sources.front().replaced, before.value(toString(source)));
        for (ReportSource other : allReportSources())
            QCOMPARE(h.countOf(toString(other)), other == source ? 0 : before.value(toString(other)));
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), total - before.value(toString(source)));
        QCOMPARE(h.scalar(u"SELECT COALESCE(SUM(cost_nano), 0) FROM rollup_hour"_s).toLongLong(),
                 h.scalar(u"SELECT COALESCE(SUM(cost_nano), 0) FROM calls WHERE source_kind <> 3"_s).toLongLong());
    }

    void reconciliationPutsProxiedEmbeddingsNextToTheReport()
    {
        SyncHarness h;
        h.storeAdminKeys();
        h.server.reportPages[kEmbeddingsPath] = embeddingsPages();
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        QVERIFY(await(sync.sync({ReportSource::OpenAiEmbeddingsUsage})).ok());

        // The proxy recorded three text-embedding-3-small calls of 10,000 tokens on day 0 (200,000 nano-USD
        // each) and one call of the preview model on day 2 (unpriced).
        const auto pricer = h.ledger->pricer();
        for (int i = 0; i < 3; ++i) {
            CallRecord r = test::makeRecord(kD0 + 3'600'000'000ll * (i + 1), u"embeddings"_s, u"openai"_s,
                                            u"text-embedding-3-small"_s, 10'000, 0);
            r.sourceKind = SourceKind::Proxy;
            pricer->apply(r);
            QCOMPARE(r.cost.value_or(-1), 200'000);
            h.ledger->writer().submit(r);
        }
        CallRecord preview = test::makeRecord(kD0 + 2 * kDay + 3'600'000'000ll, u"embeddings"_s, u"openai"_s,
                                              u"text-embedding-synth-preview"_s, 5'000, 0);
        preview.sourceKind = SourceKind::Proxy;
        pricer->apply(preview);
        QVERIFY(!preview.cost);
        h.ledger->writer().submit(preview);
        h.ledger->writer().flush().waitForFinished();

        auto future = h.ledger->read<Result<Reconciliation>>([](QSqlDatabase &db) { return Reconcile::compute(db, kD0, kD0 + 3 * kDay); });
        const Result<Reconciliation> rec = future.result();
        QVERIFY(rec);
        QHash<QString, ReconciliationRow> rows;
        for (const ReconciliationRow &row : rec->rows)
            rows.insert(QString::number((row.dayUs - kD0) / kDay) + u' ' + row.model, row);
        QCOMPARE(rows.size(), 6); // (day, model) pairs of the report
        const ReconciliationRow small = rows.value(u"0 text-embedding-3-small"_s);
        QCOMPARE(small.provider, u"openai"_s);
        QVERIFY(small.billedFromUsage); // no cost line: the usage report priced with the book stands in
        QCOMPARE(small.usageCost.value_or(-1), 84'000'000);
        QCOMPARE(small.billed, 84'000'000);
        QCOMPARE(small.reportedCalls, 1310);
        QCOMPARE(small.recorded, 600'000);
        QCOMPARE(small.recordedCalls, 3);
        QCOMPARE(small.difference, 83'400'000);
        QCOMPARE(small.outsideProxy, 83'400'000);
        QCOMPARE(small.priceDifference, 0);
        QCOMPARE(small.unpriced, 0);
        QVERIFY(small.differencePercent && qAbs(*small.differencePercent - 100.0 * 83'400'000 / 84'000'000) < 1e-9);
        const ReconciliationRow large = rows.value(u"0 text-embedding-3-large"_s);
        QCOMPARE(large.recorded, 0);
        QCOMPARE(large.outsideProxy, 84'500'000);
        const ReconciliationRow unknown = rows.value(u"2 text-embedding-synth-preview"_s);
        QVERIFY(!unknown.usageCost); // unpriced, not $0
        QCOMPARE(unknown.reportedCalls, 9);
        QCOMPARE(unknown.recordedUnpricedCalls, 1);
        QCOMPARE(unknown.outsideProxy, 0);
        QCOMPARE(unknown.unpriced, unknown.difference);
        QCOMPARE(rec->outsideProxy, 84'000'000 + 84'500'000 + 12'000'000 + 78'000'000 + 30'000'000 - 600'000);
        QCOMPARE(rec->outsideProxy + rec->priceDifference + rec->unpriced, rec->difference);
        QCOMPARE(rec->billedUnknownRows, 1); // the unknown model's billed 0 is counted apart, not as a cost
        QCOMPARE(rec->billed, 84'000'000 + 84'500'000 + 12'000'000 + 78'000'000 + 30'000'000);
    }

    void aSyncServiceKeepsItsKeychainAndNetworkAlive()
    {
        // The app hands the services shared owners of the keychain and the network manager, so a sync
        // never depends on what else (the window) is still alive.
        SyncHarness h;
        h.server.reportPages[kUsagePath] = {usagePage(kD0)};
        auto secrets = std::make_shared<test::MemorySecretStore>();
        secrets->write(u"admin/openai"_s, kOpenAiAdminKey);
        auto network = std::make_shared<QNetworkAccessManager>();
        std::weak_ptr<SecretStore> secretsAlive = secrets;
        std::weak_ptr<QNetworkAccessManager> networkAlive = network;
        {
            auto sync = std::make_unique<AdminSync>(*h.ledger, std::move(secrets), std::move(network), h.config());
            QVERIFY(!secretsAlive.expired() && !networkAlive.expired());
            const SyncReport report = await(sync->sync({ReportSource::OpenAiUsage}));
            QVERIFY2(report.ok(), qPrintable(report.summary()));
            QCOMPARE(report.sources.front().imported, 2);
        }
        QVERIFY(secretsAlive.expired() && networkAlive.expired()); // and they go with the last service
    }

    static QStringList columnsOf(SyncHarness &h, const QString &table)
    {
        const QString list = h.scalar(u"SELECT group_concat(name, ',') FROM pragma_table_info('%1')"_s.arg(table)).toString();
        QStringList cols = list.split(u',');
        for (QString &c : cols)
            c = u"quote("_s + c + u')';
        return cols;
    }

    void centsToNano_data()
    {
        QTest::addColumn<QString>("cents");
        QTest::addColumn<qint64>("nano");
        QTest::newRow("the report's 45.00000 cents") << u"45.00000"_s << qint64(450'000'000);
        QTest::newRow("a fraction of a cent") << u"12.5"_s << qint64(125'000'000);
        QTest::newRow("one ten-thousandth of a cent") << u"0.0001"_s << qint64(1'000);
        QTest::newRow("a large amount") << u"123456789.01"_s << qint64(1'234'567'890'100'000); // $1,234,567.8901
        // Session-8 trial finding 10: finer than a nano-USD is rounded half away from zero, not refused.
        QTest::newRow("sub-nano precision is rounded") << u"0.00000001"_s << qint64(0);
        QTest::newRow("half a nano-USD rounds up") << u"0.00000005"_s << qint64(1);
        QTest::newRow("not a number") << u"12,5"_s << qint64(-1);
    }

    void centsToNano()
    {
        QFETCH(QString, cents);
        QFETCH(qint64, nano);
        QCOMPARE(ReportImport::centsToNano(cents).value_or(-1), nano);
    }

    void costReportsInCentsAndDollars()
    {
        SyncHarness h;
        h.storeAdminKeys();
        h.server.reportPages[kAnthropicCostPath] = {fixture(u"g2-anthropic-admin-cost-report.json"_s)};
        h.server.reportPages[kAnthropicUsagePath] = {fixture(u"g1-anthropic-admin-usage-report-messages.json"_s)};
        h.server.reportPages[kCostsPath] = {fixture(u"f2-openai-admin-costs.json"_s)};
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        const SyncReport report = await(sync.sync({ReportSource::AnthropicCost, ReportSource::AnthropicUsage, ReportSource::OpenAiCosts}));
        QVERIFY2(report.ok(), qPrintable(report.summary()));
        // Anthropic: 45 + 27 + 90 + 12 cents = $1.74; OpenAI: $2.125 + $0.50 + $3.10 = $5.725.
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM calls WHERE price_entry = 'given:anthropic-cost'"_s).toLongLong(), 1'740'000'000);
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM calls WHERE price_entry = 'given:openai-costs'"_s).toLongLong(), 5'725'000'000);
        QCOMPARE(h.scalar(u"SELECT SUM(cached_tokens) FROM calls WHERE source_key LIKE 'anthropic-usage:%'"_s).toLongLong(), 900000);
        QCOMPARE(h.scalar(u"SELECT SUM(cache_write_5m_tokens + cache_write_1h_tokens) FROM calls"_s).toLongLong(), 100000);
        const HttpRequest anthropic = h.server.requests().at(0);
        QCOMPARE(headerValue(anthropic.headers, "x-api-key"), kAnthropicAdminKey);
        QCOMPARE(headerValue(anthropic.headers, "anthropic-version"), QByteArray("2023-06-01"));
        const QUrlQuery q(QUrl(QString::fromUtf8(anthropic.target)));
        QCOMPARE(q.queryItemValue(u"starting_at"_s), u"2025-11-28T00:00:00Z"_s);
        QCOMPARE(q.queryItemValue(u"ending_at"_s), u"2025-12-01T00:00:00Z"_s);
        QCOMPARE(q.allQueryItemValues(u"group_by[]"_s), (QStringList{u"workspace_id"_s, u"description"_s}));
    }

    void reconciliationArithmetic_data()
    {
        QTest::addColumn<qint64>("billed");   // -1: no cost line
        QTest::addColumn<qint64>("usage");    // -1: unpriced
        QTest::addColumn<qint64>("recorded");
        QTest::addColumn<qint64>("difference");
        QTest::addColumn<qint64>("outside");
        QTest::addColumn<qint64>("priceDiff");
        QTest::addColumn<qint64>("unpriced");
        QTest::addColumn<double>("percent"); // NaN: none
        QTest::newRow("all of it through the proxy at book prices") << 100ll << 100ll << 100ll << 0ll << 0ll << 0ll << 0ll << 0.0;
        QTest::newRow("a quarter outside the proxy") << 400ll << 400ll << 300ll << 100ll << 100ll << 0ll << 0ll << 25.0;
        QTest::newRow("a provider discount") << 900ll << 1000ll << 1000ll << -100ll << 0ll << -100ll << 0ll << -100.0 / 9.0;
        QTest::newRow("both at once") << 5'625'000'000ll << 5'725'000'000ll << 15'000'000ll << 5'610'000'000ll
                                      << 5'710'000'000ll << -100'000'000ll << 0ll << 100.0 * 5'610'000'000.0 / 5'625'000'000.0;
        QTest::newRow("an unpriced model") << 1'000'000'000ll << -1ll << 0ll << 1'000'000'000ll << 0ll << 0ll << 1'000'000'000ll << 100.0;
        QTest::newRow("no cost line: usage stands in") << -1ll << 39'300'000ll << 0ll << 39'300'000ll << 39'300'000ll << 0ll << 0ll << 100.0;
        QTest::newRow("nothing billed") << 0ll << 0ll << 0ll << 0ll << 0ll << 0ll << 0ll << qQNaN();
    }

    void reconciliationArithmetic()
    {
        QFETCH(qint64, billed);
        QFETCH(qint64, usage);
        QFETCH(qint64, recorded);
        ReconciliationRow row;
        row.usageCost = usage >= 0 ? std::optional<NanoUsd>(usage) : std::nullopt;
        row.recorded = recorded;
        Reconcile::attribute(row, billed >= 0 ? std::optional<NanoUsd>(billed) : std::nullopt);
        QTEST(row.difference, "difference");
        QTEST(row.outsideProxy, "outside");
        QTEST(row.priceDifference, "priceDiff");
        QTEST(row.unpriced, "unpriced");
        QCOMPARE(row.outsideProxy + row.priceDifference + row.unpriced, row.difference);
        QFETCH(double, percent);
        if (qIsNaN(percent)) {
            QVERIFY(!row.differencePercent);
        } else {
            QVERIFY(row.differencePercent);
            QVERIFY2(qAbs(*row.differencePercent - percent) < 1e-9, qPrintable(QString::number(*row.differencePercent)));
        }
    }

    void reconciliationFromTheLedger()
    {
        SyncHarness h;
        h.storeAdminKeys();
        // Usage: fixture f1 (gpt-4o 1.25M in / 400k cached / 310k out; gpt-4o-mini 98k / 41k).
        // Costs: fixture f2 with the output line at $3.00 instead of the book's $3.10, plus an unpriced
        // fine-tune billed $1.00.
        QJsonObject costs = fixture(u"f2-openai-admin-costs.json"_s);
        QJsonObject bucket = costs.value("data"_L1).toArray().at(0).toObject();
        QJsonArray lines = bucket.value("results"_L1).toArray();
        QJsonObject output = lines.at(2).toObject();
        output[u"amount"_s] = QJsonObject{{u"value"_s, 3.0}, {u"currency"_s, u"usd"_s}};
        lines[2] = output;
        QJsonObject finetune = lines.at(0).toObject();
        finetune[u"line_item"_s] = u"ft:acme-classifier-7, input"_s;
        finetune[u"amount"_s] = QJsonObject{{u"value"_s, 1.0}, {u"currency"_s, u"usd"_s}};
        lines.append(finetune);
        bucket[u"results"_s] = lines;
        costs[u"data"_s] = QJsonArray{bucket};
        h.server.reportPages[kUsagePath] = {fixture(u"f1-openai-admin-usage-completions.json"_s)};
        h.server.reportPages[kCostsPath] = {costs};
        AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
        QVERIFY(await(sync.sync({ReportSource::OpenAiUsage, ReportSource::OpenAiCosts})).ok());

        // The proxy recorded two gpt-4o calls (1,000 in / 500 out: $0.0075 each) and one fine-tune call (unpriced).
        const auto pricer = h.ledger->pricer();
        for (int i = 0; i < 2; ++i) {
            CallRecord r = test::makeRecord(kD0 + 3'600'000'000ll * (i + 1), u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s, 1000, 500);
            r.sourceKind = SourceKind::Proxy;
            pricer->apply(r);
            h.ledger->writer().submit(r);
        }
        CallRecord ft = test::makeRecord(kD0 + 7'200'000'000ll, u"chat"_s, u"openai"_s, u"ft:acme-classifier-7"_s, 300, 10);
        ft.sourceKind = SourceKind::Proxy;
        pricer->apply(ft);
        QVERIFY(!ft.cost);
        h.ledger->writer().submit(ft);
        h.ledger->writer().flush().waitForFinished();

        auto future = h.ledger->read<Result<Reconciliation>>([](QSqlDatabase &db) { return Reconcile::compute(db, kD0, kD0 + kDay); });
        const Result<Reconciliation> rec = future.result();
        QVERIFY(rec);
        QCOMPARE(rec->rows.size(), 3);
        QHash<QString, ReconciliationRow> byModel;
        for (const ReconciliationRow &row : rec->rows) {
            QCOMPARE(row.dayUs, kD0);
            byModel.insert(row.model, row);
        }
        const ReconciliationRow gpt4o = byModel.value(u"gpt-4o-2024-08-06"_s);
        QCOMPARE(gpt4o.billed, 5'625'000'000);
        QCOMPARE(gpt4o.usageCost.value_or(-1), 5'725'000'000); // 850k x $2.50 + 400k x $1.25 + 310k x $10 per MTok
        QCOMPARE(gpt4o.recorded, 15'000'000);
        QCOMPARE(gpt4o.recordedCalls, 2);
        QCOMPARE(gpt4o.reportedCalls, 842);
        QCOMPARE(gpt4o.difference, 5'610'000'000);
        QCOMPARE(gpt4o.outsideProxy, 5'710'000'000);
        QCOMPARE(gpt4o.priceDifference, -100'000'000);
        const ReconciliationRow mini = byModel.value(u"gpt-4o-mini-2024-07-18"_s);
        QVERIFY(mini.billedFromUsage);
        QCOMPARE(mini.billed, 98000 * 150 + 41000 * 600);
        QCOMPARE(mini.outsideProxy, mini.billed);
        const ReconciliationRow tuned = byModel.value(u"ft:acme-classifier-7"_s);
        QCOMPARE(tuned.billed, 1'000'000'000);
        QCOMPARE(tuned.recordedUnpricedCalls, 1);
        QCOMPARE(tuned.unpriced, 1'000'000'000);
        QCOMPARE(rec->difference, gpt4o.difference + mini.difference + tuned.difference);
        QCOMPARE(rec->outsideProxy + rec->priceDifference + rec->unpriced, rec->difference);
    }

    void adminKeysAppearNowhereButTheKeychain()
    {
        SyncHarness h;
        QtMessageHandler previous = qInstallMessageHandler(nullptr);
        static QStringList logged;
        logged.clear();
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &msg) { logged << msg; });
        {
            AdminSync sync(*h.ledger, h.secrets, h.network, h.config());
            // Without keys: an error that names the entry, never an empty key sent.
            const SyncReport none = await(sync.sync({ReportSource::OpenAiUsage}));
            QVERIFY(!none.ok());
            QVERIFY(none.sources.front().error.contains("admin/openai"_L1));
            QCOMPARE(h.server.requests().size(), 0);

            QVERIFY(await(sync.setAdminKey(u"openai"_s, kOpenAiAdminKey + "\n")));
            QVERIFY(await(sync.setAdminKey(u"anthropic"_s, kAnthropicAdminKey)));
            QVERIFY(!await(sync.setAdminKey(u"mistral"_s, "x")));
            QCOMPARE(h.secrets.entries().value(u"admin/openai"_s), kOpenAiAdminKey);
            QCOMPARE(h.secrets.entries().value(u"admin/anthropic"_s), kAnthropicAdminKey);

            h.server.reportPages[kUsagePath] = {usagePage(kD0)};
            h.server.reportPages[kAnthropicUsagePath] = {fixture(u"g1-anthropic-admin-usage-report-messages.json"_s)};
            h.server.broken.insert(kCostsPath + u"#0"_s);
            const SyncReport report = await(sync.sync());
            QVERIFY(!report.ok()); // costs broken, cost report has no pages
            QVERIFY(!report.summary().contains(QString::fromLatin1(kOpenAiAdminKey)));
            QVERIFY(!report.summary().contains(QString::fromLatin1(kAnthropicAdminKey)));
            QVERIFY(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong() > 0);
        }
        h.ledger.reset(); // close the file (WAL checkpoint)
        qInstallMessageHandler(previous);
        for (const QString &line : std::as_const(logged)) {
            QVERIFY(!line.contains(QString::fromLatin1(kOpenAiAdminKey)));
            QVERIFY(!line.contains(QString::fromLatin1(kAnthropicAdminKey)));
        }
        // Not in the ledger file, its WAL, or anything else in its folder; only sent on the wire.
        QDirIterator it(h.dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY2(!bytes.contains(kOpenAiAdminKey) && !bytes.contains(kAnthropicAdminKey), qPrintable(f.fileName()));
            ++files;
        }
        QVERIFY(files >= 1);
        QVERIFY(h.server.received().contains(QByteArray("Bearer " + kOpenAiAdminKey)));
    }
};

QTEST_MAIN(TeamSpendTest)
#include "TeamSpendTest.moc"
