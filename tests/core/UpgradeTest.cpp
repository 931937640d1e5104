#include "TestSupport.h"

#include "ledger/CallReplay.h"
#include "ledger/LatencyHistogram.h"
#include "ledger/Ledger.h"
#include "ledger/RollupPeriods.h"
#include "ledger/Schema.h"
#include "query/LedgerQueries.h"
#include "simulate/Simulator.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QtTest>

#include <array>
#include <map>
#include <tuple>

using namespace Qt::StringLiterals;
using namespace tl;

// A ledger built the way an older build left it: the real migrations up to an older schema version
// (Schema::migrateTo), rows written as that version wrote them (calls with only the columns it had, the
// rollups with or without provider report lines, call_savings with or without embedding_of, call_replay
// BLOBs of the format it wrote), then opened with the current code (Schema::ensure through Ledger) and
// checked row by row: nothing lost or changed, costs equal to the nano-USD, new columns at their
// documented defaults, rollups equal to a rebuild from the raw rows, spend totals by the SpendCoverage rule.
namespace {

// One calls row as column -> value; columns the version lacks are left out (and must be 0/default).
using Row = std::map<QString, QVariant>;

QStringList columnsOf(QSqlDatabase &db, const QString &table)
{
    QStringList columns;
    QSqlQuery q(db);
    q.exec(u"SELECT name FROM pragma_table_info('%1') ORDER BY cid"_s.arg(table));
    while (q.next())
        columns << q.value(0).toString();
    return columns;
}

// A zigzag LEB128 varint, as CallReplay writes them.
void putVarint(QByteArray &out, qint64 value)
{
    quint64 v = (quint64(value) << 1) ^ quint64(value >> 63);
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

// call_replay's BLOB as the writer of schema 10/11 (format 1) or 12/13 (format 2) wrote it, without web searches,
// or 14/15 (format 3) with them at the end.
QByteArray oldReplayBlob(int format, const CallReplay::Fields &f)
{
    QByteArray out(1, char(format));
    for (qint64 v : {f.endpointId, f.providerId, f.servedModelId, f.keyId, f.usage.promptTokens, f.usage.cachedTokens,
                     f.usage.cacheWrite5mTokens, f.usage.cacheWrite1hTokens, f.usage.completionTokens,
                     f.usage.reasoningTokens, f.usage.audioInputTokens, f.usage.audioOutputTokens,
                     f.usage.imageInputTokens, f.batch, f.promptChars, f.httpStatus, f.cacheOutcome, f.callCount,
                     f.messageCount, f.hasTools})
        putVarint(out, v);
    if (format >= 2)
        putVarint(out, f.cacheable);
    for (std::string_view t : {f.requestHash, f.taskType}) {
        putVarint(out, qint64(t.size()));
        out.append(t.data(), qsizetype(t.size()));
    }
    if (format >= 3)
        putVarint(out, f.usage.webSearchRequests);
    return out;
}

// Every row of every rollup table, as text, sorted: for comparing two states of the rollups.
QStringList dumpRollups(QSqlDatabase &db)
{
    QStringList tables;
    QSqlQuery t(db);
    t.exec(u"SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rollup_%' ORDER BY name"_s);
    while (t.next())
        tables << t.value(0).toString();
    QStringList rows;
    for (const QString &table : std::as_const(tables)) {
        QSqlQuery q(db);
        q.exec(u"SELECT * FROM "_s + table);
        while (q.next()) {
            QStringList cols;
            for (int i = 0; i < q.record().count(); ++i)
                cols << q.value(i).toString();
            rows << table + u": "_s + cols.join(u',');
        }
    }
    rows.sort();
    return rows;
}

// The rollups as the writer of `version` maintained them: per UTC hour, day and week (from 8) of every
// calls row, provider report lines included before version 12 (which took them out), with the latency
// histograms (version 6 on).
bool writeOldRollups(QSqlDatabase &db, int version)
{
    const QString reports = version < 12 ? QString() : u" WHERE source_kind <> 3"_s;
    const QString hour = u"(started_at_us - ((started_at_us % 3600000000) + 3600000000) % 3600000000)"_s;
    // The writer's metrics (LedgerQueries' rebuild uses the same definitions).
    const QString metrics = uR"(SUM(call_count), SUM(prompt_tokens), SUM(cached_tokens),
        SUM(cache_write_5m_tokens + cache_write_1h_tokens), SUM(completion_tokens), SUM(reasoning_tokens),
        SUM(COALESCE(cost_nano, 0)), SUM((cost_nano IS NULL) * call_count), SUM((cost_status = 1) * call_count),
        SUM(saved_nano), SUM((cache_outcome IN (2, 3)) * call_count),
        SUM((http_status >= 400 OR error_kind <> '') * call_count), SUM(latency_us >= 0), SUM(MAX(latency_us, 0)))"_s;
    const QString sums = uR"(SUM(calls), SUM(prompt_tokens), SUM(cached_tokens), SUM(cache_write_tokens),
        SUM(completion_tokens), SUM(reasoning_tokens), SUM(cost_nano), SUM(unpriced_calls), SUM(estimated_calls),
        SUM(saved_nano), SUM(cache_hits), SUM(error_calls), SUM(latency_calls), SUM(latency_sum_us))"_s;
    const QString day = u"(hour_us - ((hour_us % 86400000000) + 86400000000) % 86400000000)"_s;
    QStringList statements{
        u"INSERT INTO rollup_hour SELECT "_s + hour + u", endpoint_id, served_model_id, key_id, provider_id, batch, "_s
            + metrics + u" FROM calls"_s + reports + u" GROUP BY 1, 2, 3, 4, 5, 6"_s,
        u"INSERT INTO rollup_day SELECT "_s + day + u", endpoint_id, model_id, key_id, provider_id, batch, "_s + sums
            + u" FROM rollup_hour GROUP BY 1, 2, 3, 4, 5, 6"_s};
    if (version >= 8)
        statements << u"INSERT INTO rollup_week SELECT "_s + QString::fromUtf16(RollupPeriods::kSqlWeekOf).arg(u"day_us"_s)
                          + u", endpoint_id, model_id, key_id, provider_id, batch, "_s + sums
                          + u" FROM rollup_day GROUP BY 1, 2, 3, 4, 5, 6"_s;
    for (const QString &sql : std::as_const(statements)) {
        QSqlQuery q(db);
        if (!q.exec(sql)) {
            qWarning() << q.lastError().text() << sql;
            return false;
        }
    }
    // Latency histograms per (period, endpoint, model, key).
    using Key = std::tuple<QString, qint64, qint64, qint64, qint64>; // table, period, endpoint, model, key
    std::map<Key, std::array<qint64, LatencyHistogram::kBuckets>> hist;
    QSqlQuery q(db);
    q.exec(u"SELECT started_at_us, endpoint_id, served_model_id, key_id, latency_us FROM calls WHERE latency_us >= 0"_s
           + (version < 12 ? QString() : u" AND source_kind <> 3"_s));
    while (q.next()) {
        const qint64 at = q.value(0).toLongLong();
        QList<std::pair<QString, qint64>> periods{{u"hour"_s, RollupPeriods::hourOf(at)}, {u"day"_s, RollupPeriods::dayOf(at)}};
        if (version >= 8)
            periods.append({u"week"_s, RollupPeriods::weekOf(at)});
        for (const auto &[level, start] : periods) {
            auto [it, added] = hist.try_emplace(Key{level, start, q.value(1).toLongLong(), q.value(2).toLongLong(),
                                                    q.value(3).toLongLong()});
            if (added)
                it->second.fill(0);
            it->second[size_t(LatencyHistogram::bucketOf(q.value(4).toLongLong()))] += 1;
        }
    }
    for (const auto &[k, counts] : hist) {
        QSqlQuery ins(db);
        ins.prepare(u"INSERT INTO rollup_latency_hist_%1 VALUES (?, ?, ?, ?, ?)"_s.arg(std::get<0>(k)));
        ins.addBindValue(std::get<1>(k));
        ins.addBindValue(std::get<2>(k));
        ins.addBindValue(std::get<3>(k));
        ins.addBindValue(std::get<4>(k));
        ins.addBindValue(QString::fromLatin1(LatencyHistogram::encode(counts.data())));
        if (!ins.exec()) {
            qWarning() << ins.lastError().text();
            return false;
        }
    }
    return true;
}

} // namespace

class UpgradeTest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void olderLedgersUpgradeWithNothingLost_data()
    {
        QTest::addColumn<int>("version");
        QTest::newRow("v7 (daily rollups, call_savings, no weekly rollups, no call_replay)") << 7;
        QTest::newRow("v11 (call_replay format 1, embedding_of, report lines in the rollups)") << 11;
        QTest::newRow("v13 (call_replay format 2 without web searches, report lines out of the rollups)") << 13;
        QTest::newRow("v15 (call_replay format 3, usage parts, no file search calls)") << 15;
    }
    void olderLedgersUpgradeWithNothingLost()
    {
        QFETCH(int, version);
        QVERIFY(version < Schema::currentVersion());
        const QString path = m_dir.filePath(u"v%1.sqlite"_s.arg(version));
        const qint64 day1 = test::usFromIso(u"2026-11-03T00:00:00Z"_s);
        const qint64 day2 = day1 + RollupPeriods::kUsPerDay;
        const qint64 h = RollupPeriods::kUsPerHour;

        // The 4-float embedding the proxy call and its exact-cache hit share.
        const std::array<float, 4> vector{0.5f, 0.5f, 0.5f, 0.5f};
        const QByteArray embedding(reinterpret_cast<const char *>(vector.data()), sizeof(float) * 4);

        QStringList oldCallColumns;
        QList<QList<QVariant>> oldCalls; // every row, every column the old version had
        qint64 missId = 0;
        {
            const QString connection = u"old-%1"_s.arg(version);
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
                db.setDatabaseName(path);
                QVERIFY(db.open());
                const auto migrated = Schema::migrateTo(db, version);
                QVERIFY2(migrated.has_value(), migrated ? "" : qPrintable(migrated.error().message));
                {
                    QSqlQuery q(db);
                    QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
                    QCOMPARE(q.value(0).toInt(), version);
                }
                oldCallColumns = columnsOf(db, u"calls"_s);
                QCOMPARE(oldCallColumns.contains(u"context_window"_s), version >= 13);
                QCOMPARE(oldCallColumns.contains(u"web_search_requests"_s), version >= 13);
                QCOMPARE(oldCallColumns.contains(u"truncated"_s), version >= 12);
                QCOMPARE(oldCallColumns.contains(u"citation_tokens"_s), version >= 15);
                QCOMPARE(oldCallColumns.contains(u"file_search_calls"_s), false); // v16
                QVERIFY(db.transaction());

                std::map<std::pair<int, QString>, qint64> labelIds;
                auto label = [&](int kind, const QString &name) {
                    auto [it, added] = labelIds.try_emplace({kind, name}, 0);
                    if (added) {
                        QSqlQuery q(db);
                        q.prepare(u"INSERT INTO labels (kind, name) VALUES (?, ?)"_s);
                        q.addBindValue(kind);
                        q.addBindValue(name);
                        if (!q.exec())
                            qWarning() << q.lastError().text();
                        it->second = q.lastInsertId().toLongLong();
                    }
                    return it->second;
                };
                std::vector<std::string> texts; // keeps the Fields' text views alive
                texts.reserve(32);
                auto insertCall = [&](Row row, const QString &endpoint, const QString &provider, const QString &model,
                                      const QString &key) -> qint64 {
                    row[u"endpoint_id"_s] = label(1, endpoint);
                    row[u"provider_id"_s] = label(2, provider);
                    row[u"requested_model_id"_s] = label(3, model);
                    row[u"served_model_id"_s] = label(3, model);
                    row[u"key_id"_s] = label(4, key);
                    QStringList cols, marks;
                    QVariantList values;
                    for (const auto &[col, value] : row) {
                        if (!oldCallColumns.contains(col))
                            continue; // this version did not have it (the test data's value must be its default)
                        cols << col;
                        marks << u"?"_s;
                        values << value;
                    }
                    QSqlQuery q(db);
                    q.prepare(u"INSERT INTO calls ("_s + cols.join(u", "_s) + u") VALUES ("_s + marks.join(u", "_s)
                              + u')');
                    for (const QVariant &v : std::as_const(values))
                        q.addBindValue(v);
                    if (!q.exec()) {
                        qWarning() << q.lastError().text();
                        return 0;
                    }
                    const qint64 id = q.lastInsertId().toLongLong();
                    if (version >= 10) { // the writer's call_replay row, in the format of its version
                        CallReplay::Fields f;
                        f.endpointId = row[u"endpoint_id"_s].toLongLong();
                        f.providerId = row[u"provider_id"_s].toLongLong();
                        f.servedModelId = row[u"served_model_id"_s].toLongLong();
                        f.keyId = row[u"key_id"_s].toLongLong();
                        f.usage.promptTokens = row[u"prompt_tokens"_s].toLongLong();
                        f.usage.cachedTokens = row[u"cached_tokens"_s].toLongLong();
                        f.usage.cacheWrite5mTokens = row[u"cache_write_5m_tokens"_s].toLongLong();
                        f.usage.completionTokens = row[u"completion_tokens"_s].toLongLong();
                        f.usage.reasoningTokens = row[u"reasoning_tokens"_s].toLongLong();
                        f.usage.webSearchRequests = row.count(u"web_search_requests"_s) ? row[u"web_search_requests"_s].toLongLong() : 0;
                        f.batch = row[u"batch"_s].toLongLong();
                        f.httpStatus = row[u"http_status"_s].toLongLong();
                        f.cacheOutcome = row[u"cache_outcome"_s].toLongLong();
                        f.callCount = row.count(u"call_count"_s) ? row[u"call_count"_s].toLongLong() : 1;
                        f.messageCount = row[u"message_count"_s].toLongLong();
                        f.cacheable = f.httpStatus < 400 ? 1 : 0;
                        texts.push_back(row[u"request_hash"_s].toString().toStdString());
                        f.requestHash = texts.back();
                        texts.push_back(std::string());
                        f.taskType = texts.back();
                        QSqlQuery r(db);
                        r.prepare(u"INSERT INTO call_replay (started_at_us, call_id, cost_nano, fields) VALUES (?, ?, ?, ?)"_s);
                        r.addBindValue(row[u"started_at_us"_s]);
                        r.addBindValue(id);
                        r.addBindValue(row[u"cost_nano"_s]);
                        r.addBindValue(oldReplayBlob(version >= 14 ? 3 : version >= 12 ? 2 : 1, f));
                        if (!r.exec())
                            qWarning() << r.lastError().text();
                    }
                    return id;
                };
                const QVariant nullCost(QMetaType::fromType<qlonglong>());
                auto call = [](qint64 at, qint64 prompt, qint64 completion, QVariant cost, int sourceKind) {
                    return Row{{u"started_at_us"_s, at},
                               {u"prompt_tokens"_s, prompt},
                               {u"completion_tokens"_s, completion},
                               {u"cached_tokens"_s, 0},
                               {u"cache_write_5m_tokens"_s, 0},
                               {u"reasoning_tokens"_s, 0},
                               {u"batch"_s, 0},
                               {u"cost_nano"_s, cost},
                               {u"cost_status"_s, cost.isNull() ? 2 : 0},
                               {u"price_entry"_s, cost.isNull() ? u""_s : u"openai/gpt-4o"_s},
                               {u"price_version"_s, u"genai-prices-0.1.8"_s},
                               {u"http_status"_s, 200},
                               {u"cache_outcome"_s, 0},
                               {u"message_count"_s, 0},
                               {u"latency_us"_s, -1},
                               {u"source_kind"_s, sourceKind},
                               {u"request_hash"_s, u""_s}};
                };
                // Day 1, openai: a proxy call (a cache miss, stored) and its exact-cache hit (cost 0, saved
                // 3,500,000), both with latencies and a savings row; an imported unpriced call.
                Row miss = call(day1 + 10 * h, 1000, 100, qint64(3'500'000), 0);
                miss[u"latency_us"_s] = 812'000;
                miss[u"cache_outcome"_s] = 1;
                miss[u"request_hash"_s] = u"h1"_s;
                miss[u"message_count"_s] = 3;
                missId = insertCall(miss, u"chat"_s, u"openai"_s, u"gpt-4o"_s, u"k1"_s);
                Row hit = call(day1 + 10 * h + 60'000'000, 1000, 100, qint64(0), 0);
                hit[u"latency_us"_s] = 2'000;
                hit[u"cache_outcome"_s] = 2;
                hit[u"saved_nano"_s] = 3'500'000;
                hit[u"request_hash"_s] = u"h1"_s;
                hit[u"message_count"_s] = 3;
                const qint64 hitId = insertCall(hit, u"chat"_s, u"openai"_s, u"gpt-4o"_s, u"k1"_s);
                Row unpriced = call(day1 + 11 * h, 500, 50, nullCost, 1);
                unpriced[u"source_key"_s] = u"file.csv:2"_s;
                insertCall(unpriced, u"import"_s, u"openai"_s, u"in-house-9"_s, u""_s);
                // Day 1, anthropic: a proxy call with cache reads and writes (3,000 prompt = 2,000 read +
                // 500 written + 500 uncached, 300 completion) and that day's usage report line, which counts
                // instead of it: 500 * 3,000 + 2,000 * 300 + 500 * 3,750 + 300 * 15,000 = 8,475,000.
                Row sonnet = call(day1 + 12 * h, 3000, 300, qint64(8'475'000), 0);
                sonnet[u"cached_tokens"_s] = 2000;
                sonnet[u"cache_write_5m_tokens"_s] = 500;
                sonnet[u"latency_us"_s] = 1'500'000;
                insertCall(sonnet, u"chat"_s, u"anthropic"_s, u"claude-sonnet-4-5"_s, u"k2"_s);
                Row usageLine = call(day1, 30'000, 3'000, qint64(84'750'000), 3);
                usageLine[u"call_count"_s] = 0;
                usageLine[u"source_key"_s] = u"anthropic-usage:2026-11-03"_s;
                insertCall(usageLine, u"workspace:default"_s, u"anthropic"_s, u"claude-sonnet-4-5"_s, u""_s);
                // Day 2, openai: a batch call and that day's cost report line (what was billed), which counts
                // instead of it. A version with web searches also has a call billed for 2 searches on day 2,
                // anthropic (no report that day): 1,000 * 3,000 + 100 * 15,000 + 2 * 10,000,000 = 24,500,000.
                Row batch = call(day2 + 9 * h, 2000, 200, qint64(2'500'000), 2);
                batch[u"batch"_s] = 1;
                batch[u"saved_nano"_s] = 2'500'000;
                batch[u"source_ref"_s] = u"batch:b1"_s;
                insertCall(batch, u"nightly"_s, u"openai"_s, u"gpt-4o"_s, u"k1"_s);
                Row costLine = call(day2, 0, 0, qint64(9'876'543), 3);
                costLine[u"call_count"_s] = 0;
                costLine[u"price_entry"_s] = u"given:openai-costs"_s;
                costLine[u"source_key"_s] = u"openai-costs:2026-11-04"_s;
                insertCall(costLine, u"workspace:default"_s, u"openai"_s, u"gpt-4o"_s, u""_s);
                // A version with the usage parts (15) also has an image call on day 1, openai (no report that
                // day), its image output at gpt-image-1.5's $32 per M: 100 * 5,000 + 100 * 10,000 + 900 * 32,000 =
                // 30,300,000; its call_replay row in format 3, without the part (re-encoded by the upgrade to 17).
                if (version >= 15) {
                    Row imaged = call(day1 + 13 * h, 100, 1000, qint64(30'300'000), 0);
                    imaged[u"output_image_tokens"_s] = 900;
                    insertCall(imaged, u"images"_s, u"openai"_s, u"gpt-image-1.5"_s, u"k1"_s);
                }
                if (version >= 13) {
                    Row searched = call(day2 + 14 * h, 1000, 100, qint64(24'500'000), 0);
                    searched[u"web_search_requests"_s] = 2;
                    searched[u"latency_us"_s] = 9'000'000;
                    insertCall(searched, u"research"_s, u"anthropic"_s, u"claude-sonnet-4-5"_s, u"k2"_s);
                }
                // call_savings (version 5 on): the miss holds the embedding; the hit refers to it (version 11
                // on: embedding_of) or holds its own copy (before).
                for (const auto &[id, own] : {std::pair{missId, true}, std::pair{hitId, false}}) {
                    QSqlQuery q(db);
                    const bool refers = !own && version >= 11;
                    q.prepare(u"INSERT INTO call_savings (call_id, semantic_scope, embedding_model, embedding"_s
                              + (refers ? u", embedding_of"_s : QString()) + u") VALUES (?, 's1', 'test/4', ?"_s
                              + (refers ? u", ?"_s : QString()) + u')');
                    q.addBindValue(id);
                    q.addBindValue(refers ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(embedding));
                    if (refers)
                        q.addBindValue(missId);
                    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
                }
                QVERIFY(writeOldRollups(db, version));
                QVERIFY(db.commit());

                QSqlQuery all(db);
                QVERIFY(all.exec(u"SELECT * FROM calls ORDER BY id"_s));
                while (all.next()) {
                    QList<QVariant> row;
                    for (int i = 0; i < all.record().count(); ++i)
                        row << all.value(i);
                    oldCalls << row;
                }
                QCOMPARE(oldCalls.size(), version >= 15 ? 9 : version >= 13 ? 8 : 7);
                db.close();
            }
            QSqlDatabase::removeDatabase(connection);
        }

        // Upgrade with the current code.
        auto ledger = test::openLedger(path);
        struct After
        {
            int version = 0;
            QStringList callColumns;
            QList<QList<QVariant>> calls; // every column, the new ones included
            QStringList rollups;
            QString schema;
            QList<std::tuple<qint64, qint64, QVariant, QByteArray>> replay; // call_id, started_at_us, cost, fields
            QList<QStringList> newColumns; // truncated, web_search_requests, context_window, file_search_calls
        };
        auto dump = [&](After &a) {
            return ledger->read<bool>([&a](QSqlDatabase &db) {
                QSqlQuery q(db);
                q.exec(u"PRAGMA user_version"_s);
                a.version = q.next() ? q.value(0).toInt() : -1;
                a.callColumns = columnsOf(db, u"calls"_s);
                a.calls.clear();
                q.exec(u"SELECT * FROM calls ORDER BY id"_s);
                while (q.next()) {
                    QList<QVariant> row;
                    for (int i = 0; i < q.record().count(); ++i)
                        row << q.value(i);
                    a.calls << row;
                }
                a.newColumns.clear();
                q.exec(u"SELECT truncated, web_search_requests, context_window, file_search_calls FROM calls ORDER BY id"_s);
                while (q.next())
                    a.newColumns << QStringList{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                                q.value(3).toString()};
                a.replay.clear();
                q.exec(u"SELECT call_id, started_at_us, cost_nano, fields FROM call_replay ORDER BY call_id"_s);
                while (q.next())
                    a.replay.append({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2), q.value(3).toByteArray()});
                a.rollups = dumpRollups(db);
                a.schema = Schema::dump(db);
                return true;
            }).result();
        };
        After after;
        QVERIFY(dump(after));
        // The rollups a rebuild from the raw rows gives.
        QStringList rebuilt;
        ledger->writer()
            .runExclusive([&rebuilt](QSqlDatabase &db) {
                QVERIFY(db.transaction());
                QVERIFY(LedgerQueries::rebuildRollups(db).has_value());
                QVERIFY(db.commit());
                rebuilt = dumpRollups(db);
            })
            .waitForFinished();
        QCOMPARE(after.version, Schema::currentVersion());

        // Every row and every column it had, unchanged (costs to the nano-USD, NULL stays NULL).
        QCOMPARE(after.calls.size(), oldCalls.size());
        for (qsizetype i = 0; i < oldCalls.size(); ++i) {
            for (qsizetype c = 0; c < oldCallColumns.size(); ++c) {
                QCOMPARE(after.callColumns[c], oldCallColumns[c]); // new columns are added at the end
                const QVariant &was = oldCalls[i][c], &is = after.calls[i][c];
                QVERIFY2(was.isNull() == is.isNull() && was.toString() == is.toString(),
                         qPrintable(u"row %1 column %2: %3 -> %4"_s.arg(i).arg(oldCallColumns[c], was.toString(),
                                                                         is.toString())));
            }
        }
        // New columns at their documented defaults (CallRecord: not truncated, no web searches, no band, no
        // file search calls: v16); the web searches a version-13 call had are kept.
        for (qsizetype i = 0; i < after.newColumns.size(); ++i) {
            const qint64 searches = version >= 13 && i == after.newColumns.size() - 1 ? 2 : 0;
            QCOMPARE(after.newColumns[i], (QStringList{u"0"_s, QString::number(searches), QString(), u"0"_s}));
        }

        // The schema equals a fresh ledger's.
        {
            QSqlDatabase fresh = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"fresh"_s);
            fresh.setDatabaseName(m_dir.filePath(u"fresh-%1.sqlite"_s.arg(version)));
            QVERIFY(fresh.open());
            QVERIFY(Schema::ensure(fresh).has_value());
            const QString freshSchema = Schema::dump(fresh);
            fresh.close();
            fresh = QSqlDatabase();
            QSqlDatabase::removeDatabase(u"fresh"_s);
            QCOMPARE(after.schema, freshSchema);
        }

        // call_replay: one row per call, its cost and fields those of the call (a call with web searches
        // re-encoded with them by the upgrade to 14, one with usage parts with them by the upgrade to 17; older
        // BLOBs still read).
        QCOMPARE(after.replay.size(), oldCalls.size());
        const qsizetype idColumn = oldCallColumns.indexOf(u"id"_s);
        const qsizetype costColumn = oldCallColumns.indexOf(u"cost_nano"_s);
        const qsizetype promptColumn = oldCallColumns.indexOf(u"prompt_tokens"_s);
        const qsizetype cachedColumn = oldCallColumns.indexOf(u"cached_tokens"_s);
        for (qsizetype i = 0; i < after.replay.size(); ++i) {
            const auto &[callId, startedAt, cost, bytes] = after.replay[i];
            QCOMPARE(callId, oldCalls[i][idColumn].toLongLong());
            QCOMPARE(startedAt, oldCalls[i][oldCallColumns.indexOf(u"started_at_us"_s)].toLongLong());
            QCOMPARE(cost.isNull(), oldCalls[i][costColumn].isNull());
            QCOMPARE(cost.toLongLong(), oldCalls[i][costColumn].toLongLong());
            CallReplay::Fields f;
            QVERIFY(CallReplay::decode(bytes.constData(), size_t(bytes.size()), f));
            QCOMPARE(f.usage.promptTokens, oldCalls[i][promptColumn].toLongLong());
            QCOMPARE(f.usage.cachedTokens, oldCalls[i][cachedColumn].toLongLong());
            QCOMPARE(f.usage.webSearchRequests, after.newColumns[i][1].toLongLong());
            const qsizetype imageColumn = after.callColumns.indexOf(u"output_image_tokens"_s);
            QCOMPARE(f.usage.outputImageTokens, after.calls[i][imageColumn].toLongLong());
            QCOMPARE(f.usage.fileSearchCalls, 0);
            QCOMPARE(f.cacheable, version >= 12 ? 1 : -1); // format 1 rows (and the v10 backfill) say "unknown"
        }

        // Rollups: what a rebuild from the raw rows gives (so report lines are out of them after 12).
        QVERIFY(!rebuilt.isEmpty());
        QCOMPARE(after.rollups, rebuilt);

        // Spend by the SpendCoverage rule. Day 1: openai's calls count (3,500,000 + the hit's 0; the
        // unpriced call unknown), anthropic's usage line (84,750,000) instead of its call. Day 2: openai's
        // cost line (9,876,543) instead of the batch call; the web-search call (24,500,000) from 13 on.
        const NanoUsd expected = 3'500'000 + 84'750'000 + 9'876'543 + (version >= 13 ? 24'500'000 : 0)
            + (version >= 15 ? 30'300'000 : 0);
        BreakdownQuery bq;
        bq.fromUs = day1;
        bq.toUs = day2 + RollupPeriods::kUsPerDay;
        bq.groupBy = {Dimension::Provider};
        const auto spend = ledger->breakdown(bq).result();
        QVERIFY(spend.has_value());
        QCOMPARE(spend->totals.cost, expected);
        QCOMPARE(spend->totals.unpricedCalls, 1);
        QCOMPARE(spend->totals.saved, 3'500'000); // the cache hit's saving (the batch discount is apart)
        QCOMPARE(spend->totals.batchSaved, 0);    // the batch call is superseded by the cost report
        QCOMPARE(spend->sources.supersededCalls, 2);
        QCOMPARE(spend->sources.supersededRecordedCost, 8'475'000 + 2'500'000);
        // Whole days read from the rollups: the same total.
        bq.groupBy = {Dimension::Endpoint, Dimension::Model};
        const auto byEndpoint = ledger->breakdown(bq).result();
        QVERIFY(byEndpoint.has_value());
        QCOMPARE(byEndpoint->totals.cost, expected);

        // The records read back: the hit's embedding is the miss's, whichever way it was stored.
        RecordQuery rq;
        rq.fromUs = day1;
        rq.toUs = day1 + RollupPeriods::kUsPerDay;
        const auto records = ledger->records(rq).result();
        QVERIFY(records.has_value());
        int withEmbedding = 0;
        for (const CallRecord &r : *records) {
            if (r.requestHash == u"h1"_s) {
                QCOMPARE(r.savings.embedding, embedding);
                ++withEmbedding;
            }
        }
        QCOMPARE(withEmbedding, 2);

        // The simulator's baseline is the same spend, from call_replay.
        SimulationRequest req;
        req.fromUs = bq.fromUs;
        req.toUs = bq.toUs;
        req.scenario.exactCache.enabled = true;
        const auto pricer = ledger->pricer();
        const auto sim = ledger->read<Result<SimulationResult>>([&](QSqlDatabase &db) {
                                    return Simulator::run(db, *pricer, req);
                                }).result();
        QVERIFY2(sim.has_value(), sim ? "" : qPrintable(sim.error().message));
        QCOMPARE(sim->baseline, expected);
        QCOMPARE(sim->reportLines, 2);
        // The two calls the reports cover (8,475,000 under the 84,750,000 usage line, 2,500,000 under the
        // 9,876,543 cost line) are replayed, their cost not in the baseline again (before: left out).
        QCOMPARE(sim->coveredCalls, 2);
        QCOMPARE(sim->coveredCost, 8'475'000 + 2'500'000);
        QCOMPARE(sim->supersededCalls, 0);
        QCOMPARE(sim->overReportCalls, 0);
        QCOMPARE(sim->unpricedRecords, 1);
    }

    void migrateToRefusesWhatItCannotDo()
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"refuse"_s);
        db.setDatabaseName(m_dir.filePath(u"refuse.sqlite"_s));
        QVERIFY(db.open());
        QVERIFY(Schema::migrateTo(db, 9).has_value());
        QCOMPARE(Schema::migrateTo(db, 8).error().code, ErrorCode::InvalidArgument); // no downgrade
        QCOMPARE(Schema::migrateTo(db, Schema::currentVersion() + 1).error().code, ErrorCode::InvalidArgument);
        QVERIFY(Schema::migrateTo(db, 9).has_value()); // already there
        QVERIFY(Schema::ensure(db).has_value());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), Schema::currentVersion());
        q = QSqlQuery();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"refuse"_s);
    }
};

QTEST_GUILESS_MAIN(UpgradeTest)
#include "UpgradeTest.moc"
