#include "BatchHarness.h"

#include "importer/ReportImport.h"
#include "query/LedgerQueries.h"
#include "teamspend/AdminSync.h"
#include "teamspend/Reconciliation.h"
#include "teamspend/SyncScheduler.h"
#include "settings/Settings.h"

#include <QCoroTask>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QUrlQuery>
#include <QtTest>

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
        QCOMPARE(report.sources.size(), 2); // openai-usage and openai-costs; Anthropic has no key
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
        QCOMPARE(h.scalar(u"SELECT SUM(calls) FROM rollup_hour"_s).toLongLong(), 3 * (842 + 120));
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
        QCOMPARE(h.scalar(u"SELECT SUM(prompt_tokens) FROM rollup_hour"_s).toLongLong(), (1 + 1 + 2 + 1) * (1250000 + 98000));
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM rollup_hour"_s).toLongLong(),
                 h.scalar(u"SELECT SUM(cost_nano) FROM calls"_s).toLongLong());

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
        QCOMPARE(h.scalar(u"SELECT SUM(calls) FROM rollup_day"_s).toLongLong(),
                 h.scalar(u"SELECT SUM(call_count) FROM calls"_s).toLongLong());
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
        QTest::newRow("sub-nano precision is refused") << u"0.00000001"_s << qint64(-1);
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
