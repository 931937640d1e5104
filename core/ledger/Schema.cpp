#include "Schema.h"

#include "common/Logging.h"
#include "ledger/CallReplay.h"
#include "ledger/LatencyHistogram.h"
#include "ledger/RollupPeriods.h"
#include "query/LedgerQueries.h" // rebuildRollups, as the Repricer uses it

#include <QSqlError>
#include <QSqlQuery>

#include <array>
#include <map>
#include <tuple>

using namespace Qt::StringLiterals;

namespace tl::Schema {

namespace {

// Labels: one row per distinct endpoint, provider, model or key identity; calls and rollups refer to
// them by id so that grouping works on integers. kind: 1 endpoint, 2 provider, 3 model, 4 key.
const char16_t kLabelsV1[] = uR"(CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (kind, name)))";

const char16_t kCallsV1[] = uR"(CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    started_at_us INTEGER NOT NULL,
    endpoint_id INTEGER NOT NULL REFERENCES labels(id),
    provider_id INTEGER NOT NULL REFERENCES labels(id),
    requested_model_id INTEGER NOT NULL REFERENCES labels(id),
    served_model_id INTEGER NOT NULL REFERENCES labels(id),
    key_id INTEGER NOT NULL REFERENCES labels(id),
    tags TEXT NOT NULL DEFAULT '',
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    cached_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    audio_input_tokens INTEGER NOT NULL DEFAULT 0,
    audio_output_tokens INTEGER NOT NULL DEFAULT 0,
    image_input_tokens INTEGER NOT NULL DEFAULT 0,
    usage_status INTEGER NOT NULL DEFAULT 0,
    cost_nano INTEGER,
    cost_status INTEGER NOT NULL,
    price_entry TEXT NOT NULL DEFAULT '',
    price_version TEXT NOT NULL DEFAULT '',
    latency_us INTEGER NOT NULL DEFAULT -1,
    ttft_us INTEGER NOT NULL DEFAULT -1,
    http_status INTEGER NOT NULL DEFAULT 0,
    error_kind TEXT NOT NULL DEFAULT '',
    cache_outcome INTEGER NOT NULL DEFAULT 0,
    saved_nano INTEGER NOT NULL DEFAULT 0,
    batch INTEGER NOT NULL DEFAULT 0,
    source_kind INTEGER NOT NULL,
    source_ref TEXT NOT NULL DEFAULT '',
    source_key TEXT UNIQUE))";

const char16_t kCallsIndexV1[] = u"CREATE INDEX calls_started_at ON calls (started_at_us)";

// Hourly rollup of calls (UTC hours), maintained by the writer in the same transaction as the raw rows.
const char16_t kRollupV1[] = uR"(CREATE TABLE rollup_hour (
    hour_us INTEGER NOT NULL,
    endpoint_id INTEGER NOT NULL,
    model_id INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    provider_id INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_nano INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    estimated_calls INTEGER NOT NULL,
    saved_nano INTEGER NOT NULL,
    cache_hits INTEGER NOT NULL,
    error_calls INTEGER NOT NULL,
    latency_calls INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    PRIMARY KEY (hour_us, endpoint_id, model_id, key_id, provider_id, batch)) WITHOUT ROWID)";

const char16_t kMetaV1[] = u"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID";

// Version 2: request features for the proxy and the simulator, the number of calls an aggregate
// record stands for (provider usage reports), the latency histogram rollup,
// the user's price overrides and model aliases, key labels and the re-pricing log.
const QStringList kV2Columns = {
    u"ALTER TABLE calls ADD COLUMN similarity REAL NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN request_bytes INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN response_bytes INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN request_hash TEXT NOT NULL DEFAULT ''"_s,
    u"ALTER TABLE calls ADD COLUMN prompt_chars INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN max_tokens INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN has_tools INTEGER NOT NULL DEFAULT 0"_s,
    u"ALTER TABLE calls ADD COLUMN task_type TEXT NOT NULL DEFAULT ''"_s,
    u"ALTER TABLE calls ADD COLUMN call_count INTEGER NOT NULL DEFAULT 1"_s,
};

// Day-level copies of the hourly rollups (UTC days), so that long ranges read 24 times fewer rows.
QString dayTable(const QString &hourTable)
{
    return QString(hourTable).replace(u"_hour"_s, u"_day"_s).replace(u"hour_us"_s, u"day_us"_s);
}

const QString kLatencyHour = uR"(CREATE TABLE rollup_latency_hour (
    hour_us INTEGER NOT NULL,
    endpoint_id INTEGER NOT NULL,
    model_id INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (hour_us, endpoint_id, model_id, key_id, bucket)) WITHOUT ROWID)"_s;

const QStringList kV2Tables = {
    kLatencyHour,
    uR"(CREATE TABLE price_overrides (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL,
    prices_json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_at_us INTEGER NOT NULL,
    UNIQUE (provider, model)))"_s,
    uR"(CREATE TABLE model_aliases (
    alias TEXT PRIMARY KEY,
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL) WITHOUT ROWID)"_s,
    uR"(CREATE TABLE key_labels (
    key_hash TEXT PRIMARY KEY,
    label TEXT NOT NULL) WITHOUT ROWID)"_s,
    uR"(CREATE TABLE reprice_log (
    id INTEGER PRIMARY KEY,
    at_us INTEGER NOT NULL,
    price_version TEXT NOT NULL,
    override_revision INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    cost_before_nano INTEGER NOT NULL,
    cost_after_nano INTEGER NOT NULL))"_s,
};

// Version 3: Batch API jobs (state survives restarts; polling resumes), their per-request results,
// and the Admin API sync watermark per report source (days before it are complete).
const QStringList kV3Tables = {
    uR"(CREATE TABLE batch_jobs (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    status TEXT NOT NULL,
    endpoint TEXT NOT NULL DEFAULT '',
    api_url TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    input_file_id TEXT NOT NULL DEFAULT '',
    output_file_id TEXT NOT NULL DEFAULT '',
    error_file_id TEXT NOT NULL DEFAULT '',
    total INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    results_recorded INTEGER NOT NULL DEFAULT 0,
    UNIQUE (provider, remote_id)))"_s,
    uR"(CREATE TABLE batch_results (
    job_id INTEGER NOT NULL REFERENCES batch_jobs(id),
    custom_id TEXT NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    ok INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    record_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, custom_id)) WITHOUT ROWID)"_s,
    uR"(CREATE TABLE report_sync (
    source TEXT PRIMARY KEY,
    complete_before_us INTEGER NOT NULL,
    last_sync_at_us INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '') WITHOUT ROWID)"_s,
};

bool run(QSqlDatabase &db, const QString &sql, Error *error)
{
    QSqlQuery q(db);
    if (!q.exec(sql)) {
        *error = Error{ErrorCode::Database, QObject::tr("Database error: %1").arg(q.lastError().text())};
        qCWarning(lcLedger) << "schema statement failed:" << q.lastError().text() << sql.left(80);
        return false;
    }
    return true;
}

int readVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    q.exec(u"PRAGMA user_version"_s);
    return q.next() ? q.value(0).toInt() : 0;
}

// Version 4: daily rollups, filled from the hourly ones when an older ledger is upgraded.
const QStringList kV4Tables = {
    dayTable(QString::fromUtf16(kRollupV1)),
    dayTable(kLatencyHour),
};
const QStringList kV4Data = {
    uR"(INSERT INTO rollup_day SELECT hour_us - ((hour_us % 86400000000) + 86400000000) % 86400000000,
        endpoint_id, model_id, key_id, provider_id, batch, SUM(calls), SUM(prompt_tokens), SUM(cached_tokens),
        SUM(cache_write_tokens), SUM(completion_tokens), SUM(reasoning_tokens), SUM(cost_nano), SUM(unpriced_calls),
        SUM(estimated_calls), SUM(saved_nano), SUM(cache_hits), SUM(error_calls), SUM(latency_calls),
        SUM(latency_sum_us) FROM rollup_hour GROUP BY 1, 2, 3, 4, 5, 6)"_s,
    uR"(INSERT INTO rollup_latency_day SELECT hour_us - ((hour_us % 86400000000) + 86400000000) % 86400000000,
        endpoint_id, model_id, key_id, bucket, SUM(calls) FROM rollup_latency_hour GROUP BY 1, 2, 3, 4, 5)"_s,
};

// Version 5: what the savings pipeline did per call (routing, compression, few-shot, semantic-cache keys
// and the request embedding), one row per proxy call that has any; imports write none.
const QStringList kV5Tables = {
    uR"(CREATE TABLE call_savings (
    call_id INTEGER PRIMARY KEY,
    complexity TEXT NOT NULL DEFAULT '',
    route_mode TEXT NOT NULL DEFAULT '',
    routed_model TEXT NOT NULL DEFAULT '',
    tokens_before_compression INTEGER NOT NULL DEFAULT -1,
    tokens_after_compression INTEGER NOT NULL DEFAULT -1,
    fewshot_set TEXT NOT NULL DEFAULT '',
    fewshot_examples INTEGER NOT NULL DEFAULT 0,
    fewshot_tokens INTEGER NOT NULL DEFAULT 0,
    fewshot_set_tokens INTEGER NOT NULL DEFAULT 0,
    semantic_scope TEXT NOT NULL DEFAULT '',
    guard_signature TEXT NOT NULL DEFAULT '',
    embedding_model TEXT NOT NULL DEFAULT '',
    embedding BLOB))"_s,
};

// Version 6: the latency histograms as one row per (period, endpoint, model, key) holding the non-zero
// buckets as text ("bucket:count,...", LatencyHistogram::encode) instead of one row per bucket: a 90-day
// breakdown read ~120,000 bucket rows and now reads ~9,000 histogram rows; the writer upserts one row
// per key and batch instead of one per bucket. Old rows are converted, then the bucket tables dropped.
const QString kLatencyHistHour = uR"(CREATE TABLE rollup_latency_hist_hour (
    hour_us INTEGER NOT NULL,
    endpoint_id INTEGER NOT NULL,
    model_id INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (hour_us, endpoint_id, model_id, key_id)) WITHOUT ROWID)"_s;

const QStringList kV6Tables = {
    kLatencyHistHour,
    QString(kLatencyHistHour).replace(u"_hour"_s, u"_day"_s).replace(u"hour_us"_s, u"day_us"_s),
};
const QStringList kV6Data = {
    uR"(INSERT INTO rollup_latency_hist_hour SELECT hour_us, endpoint_id, model_id, key_id,
        group_concat(bucket || ':' || calls, ',') FROM (SELECT * FROM rollup_latency_hour
        WHERE calls <> 0 ORDER BY hour_us, endpoint_id, model_id, key_id, bucket) GROUP BY 1, 2, 3, 4)"_s,
    uR"(INSERT INTO rollup_latency_hist_day SELECT day_us, endpoint_id, model_id, key_id,
        group_concat(bucket || ':' || calls, ',') FROM (SELECT * FROM rollup_latency_day
        WHERE calls <> 0 ORDER BY day_us, endpoint_id, model_id, key_id, bucket) GROUP BY 1, 2, 3, 4)"_s,
    u"DROP TABLE rollup_latency_hour"_s,
    u"DROP TABLE rollup_latency_day"_s,
};

// Version 7: token-count calibration pairs (core/tokenizer/CalibrationSampler): for a sample of proxy calls
// to providers whose tokenizer is not public, TokenLedger's own count of the request's prompt (closest
// public encoding) next to the prompt tokens the provider reported for the same call.
const QStringList kV7Tables = {
    uR"(CREATE TABLE token_calibration (
    call_id INTEGER PRIMARY KEY,
    at_us INTEGER NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    encoding TEXT NOT NULL,
    estimated_tokens INTEGER NOT NULL,
    reported_tokens INTEGER NOT NULL))"_s,
};

// Version 8: weekly rollups (UTC weeks from Monday 00:00, RollupPeriods::weekOf), so that a 90-day
// breakdown reads ~13 weeks of rows instead of ~90 days. Filled from the daily rollups on upgrade; the
// weekly latency histograms are merged in C++ (fillWeeklyLatency) to keep the stored form canonical.
QString weekTable(const QString &dayTableSql)
{
    return QString(dayTableSql).replace(u"_day"_s, u"_week"_s).replace(u"day_us"_s, u"week_us"_s);
}

const QStringList kV8Tables = {
    weekTable(dayTable(QString::fromUtf16(kRollupV1))),
    weekTable(kV6Tables[1]),
};
const QStringList kV8Data = {
    u"INSERT INTO rollup_week SELECT "_s + QString::fromUtf16(RollupPeriods::kSqlWeekOf).arg(u"day_us"_s)
        + uR"(, endpoint_id, model_id, key_id, provider_id, batch, SUM(calls), SUM(prompt_tokens),
        SUM(cached_tokens), SUM(cache_write_tokens), SUM(completion_tokens), SUM(reasoning_tokens), SUM(cost_nano),
        SUM(unpriced_calls), SUM(estimated_calls), SUM(saved_nano), SUM(cache_hits), SUM(error_calls),
        SUM(latency_calls), SUM(latency_sum_us) FROM rollup_day GROUP BY 1, 2, 3, 4, 5, 6)"_s,
};

// Version 9: the request and response bodies of proxy calls on endpoints where the user turned text
// storage on (ProxyConfig::storeTextEndpoints; off everywhere by default). One row per such call:
// request_body is the JSON the client sent (headers, and so keys, are never stored); response_body is
// the upstream's JSON answer, or for a stream the answer assembled from its events.
const QStringList kV9Tables = {
    uR"(CREATE TABLE call_text (
    call_id INTEGER PRIMARY KEY,
    request_body BLOB NOT NULL,
    response_body BLOB NOT NULL))"_s,
};

// Sums the daily latency histograms into weekly ones (canonical encoding: LatencyHistogram::encode).
bool fillWeeklyLatency(QSqlDatabase &db, Error *error)
{
    using Key = std::tuple<qint64, qint64, qint64, qint64>;
    std::map<Key, std::array<qint64, LatencyHistogram::kBuckets>> weeks;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT day_us, endpoint_id, model_id, key_id, counts FROM rollup_latency_hist_day"_s)) {
        *error = Error{ErrorCode::Database, QObject::tr("Database error: %1").arg(q.lastError().text())};
        return false;
    }
    while (q.next()) {
        const Key key{RollupPeriods::weekOf(q.value(0).toLongLong()), q.value(1).toLongLong(),
                      q.value(2).toLongLong(), q.value(3).toLongLong()};
        auto [it, added] = weeks.try_emplace(key);
        if (added)
            it->second.fill(0);
        const QByteArray text = q.value(4).toString().toLatin1();
        if (!LatencyHistogram::addEncoded(text.constData(), text.size(), it->second.data())) {
            *error = Error{ErrorCode::Database, QObject::tr("Database error: malformed latency histogram")};
            return false;
        }
    }
    QSqlQuery ins(db);
    ins.prepare(u"INSERT INTO rollup_latency_hist_week (week_us, endpoint_id, model_id, key_id, counts) "
                u"VALUES (?, ?, ?, ?, ?)"_s);
    for (const auto &[k, counts] : weeks) {
        ins.addBindValue(std::get<0>(k));
        ins.addBindValue(std::get<1>(k));
        ins.addBindValue(std::get<2>(k));
        ins.addBindValue(std::get<3>(k));
        ins.addBindValue(QString::fromLatin1(LatencyHistogram::encode(counts.data())));
        if (!ins.exec()) {
            *error = Error{ErrorCode::Database, QObject::tr("Database error: %1").arg(ins.lastError().text())};
            return false;
        }
    }
    return true;
}

// Version 10: the simulator's compact copy of each call (CallReplay.h), kept by the writer and triggers;
// filled from calls on upgrade (fillCallReplay).
bool fillCallReplay(QSqlDatabase &db, Error *error)
{
    if (auto r = CallReplay::backfill(db); !r) {
        *error = r.error();
        return false;
    }
    return true;
}

// Version 11: an exact-cache hit's call_savings row refers to the embedding of an earlier call of the same
// request instead of holding another copy of it (~4 KiB per hit with the local embedder's 2 x 512 floats):
// embedding_of is the call_id of the call_savings row whose `embedding` holds the bytes (that row's own
// embedding_of is NULL); NULL when `embedding` is this call's own (or it has none). Older rows keep their
// own copies. Readers: kSavingsColumns (UsageColumns.h) and simulate::LedgerScan.
const QString kV11SavingsColumn = u"embedding_of INTEGER"_s;
const QStringList kV11Columns = {u"ALTER TABLE call_savings ADD COLUMN "_s + kV11SavingsColumn};

// Version 12: provider report lines (source_kind 3, SourceKind::ProviderReport) leave the rollups; the
// spend views read them from the raw rows through this partial index (only report rows are in it, so
// the proxy's inserts do not pay for it) and count them by the rule of query/SpendCoverage.h. On upgrade
// the rollups of the UTC days that have report rows are rebuilt without them (fillV12Rollups).
const QStringList kV12Indexes = {
    u"CREATE INDEX IF NOT EXISTS calls_reports ON calls (started_at_us) WHERE source_kind = 3"_s,
};
// Also version 12: calls.truncated (CallRecord::truncated), which call_replay's `fields` now carry as
// `cacheable` (CallReplay.h format 2; older rows keep format 1), so its stale trigger watches it too.
const QString kV12TruncatedColumn = u"truncated INTEGER NOT NULL DEFAULT 0"_s;
QStringList v12Statements()
{
    return QStringList{u"ALTER TABLE calls ADD COLUMN "_s + kV12TruncatedColumn, u"DROP TRIGGER call_replay_stale"_s,
                       CallReplay::tableStatements(12).at(2)}
        + kV12Indexes;
}

bool fillV12Rollups(QSqlDatabase &db, Error *error)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT DISTINCT started_at_us - ((started_at_us % 86400000000) + 86400000000) % 86400000000 "
                u"FROM calls WHERE source_kind = 3 ORDER BY 1"_s)) {
        *error = Error{ErrorCode::Database, QObject::tr("Database error: %1").arg(q.lastError().text())};
        return false;
    }
    QList<qint64> days;
    while (q.next())
        days << q.value(0).toLongLong();
    q.finish();
    // Consecutive days rebuilt together.
    for (qsizetype i = 0; i < days.size();) {
        qsizetype j = i + 1;
        while (j < days.size() && days[j] == days[j - 1] + RollupPeriods::kUsPerDay)
            ++j;
        if (auto r = LedgerQueries::rebuildRollups(db, days[i], days[j - 1] + RollupPeriods::kUsPerDay); !r) {
            *error = r.error();
            return false;
        }
        i = j;
    }
    return true;
}
// Version 13: server-side web searches a call (or report line) was billed for (Usage::webSearchRequests,
// priced per search), and the context-window band of a provider usage-report line ("0-200k", "200k-1M";
// CallRecord::contextWindow) that selects the long-context tier when the line is re-priced.
const QString kV13CallColumns = uR"(web_search_requests INTEGER NOT NULL DEFAULT 0,
    context_window TEXT NOT NULL DEFAULT '')"_s;
const QStringList kV13Columns = {u"ALTER TABLE calls ADD COLUMN web_search_requests INTEGER NOT NULL DEFAULT 0"_s,
                                 u"ALTER TABLE calls ADD COLUMN context_window TEXT NOT NULL DEFAULT ''"_s};


// Version 14: call_replay's `fields` carry the call's web searches (CallReplay.h format 3), so that the
// simulator re-prices them with the call; its stale trigger watches web_search_requests too. The rows of
// calls with web searches (written in format 2 by schema 13, which lacked them) are written again
// (fillV14CallReplay); every other older BLOB stands for 0 searches.
QStringList v14Statements()
{
    return {u"DROP TRIGGER call_replay_stale"_s, CallReplay::tableStatements(14).at(2),
            u"DELETE FROM call_replay WHERE (started_at_us, call_id) IN "
            u"(SELECT started_at_us, id FROM calls WHERE web_search_requests > 0)"_s};
}

bool fillV14CallReplay(QSqlDatabase &db, Error *error)
{
    if (auto r = CallReplay::backfill(db, "web_search_requests > 0"); !r) {
        *error = r.error();
        return false;
    }
    return true;
}

// Version 15: the usage parts some models price apart (Usage): the cached audio and image input tokens
// (cache_audio_read_mtok, cache_image_read_mtok), the image output tokens (output_image_mtok) and Perplexity's
// citation tokens (output_citation_mtok). Older rows had none recorded: 0.
const QString kV15CallColumns = uR"(cached_audio_tokens INTEGER NOT NULL DEFAULT 0,
    cached_image_tokens INTEGER NOT NULL DEFAULT 0,
    output_image_tokens INTEGER NOT NULL DEFAULT 0,
    citation_tokens INTEGER NOT NULL DEFAULT 0)"_s;
const QStringList kV15Columns = {u"ALTER TABLE calls ADD COLUMN cached_audio_tokens INTEGER NOT NULL DEFAULT 0"_s,
                                 u"ALTER TABLE calls ADD COLUMN cached_image_tokens INTEGER NOT NULL DEFAULT 0"_s,
                                 u"ALTER TABLE calls ADD COLUMN output_image_tokens INTEGER NOT NULL DEFAULT 0"_s,
                                 u"ALTER TABLE calls ADD COLUMN citation_tokens INTEGER NOT NULL DEFAULT 0"_s};

// Version 16: the file search tool calls a call was billed for (Usage::fileSearchCalls: OpenAI Responses
// file_search_call items, priced per call by storage_searches_kcount). Older rows had none recorded: 0.
const QString kV16CallColumns = u"file_search_calls INTEGER NOT NULL DEFAULT 0"_s;
const QStringList kV16Columns = {u"ALTER TABLE calls ADD COLUMN file_search_calls INTEGER NOT NULL DEFAULT 0"_s};

// Version 17: call_replay's `fields` carry the usage parts and file search calls (CallReplay.h format 4), so that
// the simulator re-prices a call with every part its cost has (image output at output_image_mtok, cached audio at
// cache_audio_read_mtok, file searches per call, ...); the stale trigger watches those columns too. The rows of
// calls with any of them (written in format 3, without) are written again (fillV17CallReplay); every other older
// BLOB stands for none.
const char kV17PartsWhere[] = "cached_audio_tokens > 0 OR cached_image_tokens > 0 OR output_image_tokens > 0 "
                              "OR citation_tokens > 0 OR file_search_calls > 0";

QStringList v17Statements()
{
    return {u"DROP TRIGGER call_replay_stale"_s, CallReplay::tableStatements(17).at(2),
            u"DELETE FROM call_replay WHERE (started_at_us, call_id) IN (SELECT started_at_us, id FROM calls WHERE "_s
                + QLatin1StringView(kV17PartsWhere) + u')'};
}

bool fillV17CallReplay(QSqlDatabase &db, Error *error)
{
    if (auto r = CallReplay::backfill(db, kV17PartsWhere); !r) {
        *error = r.error();
        return false;
    }
    return true;
}

} // namespace

int currentVersion() { return 17; }

QStringList version1()
{
    return {QString::fromUtf16(kLabelsV1), QString::fromUtf16(kCallsV1), QString::fromUtf16(kCallsIndexV1),
            QString::fromUtf16(kRollupV1), QString::fromUtf16(kMetaV1)};
}

QList<QStringList> migrations()
{
    return {kV2Columns + kV2Tables, kV3Tables, kV4Tables + kV4Data, kV5Tables, kV6Tables + kV6Data, kV7Tables,
            kV8Tables + kV8Data, kV9Tables, CallReplay::tableStatements(10), kV11Columns, v12Statements(),
            kV13Columns, v14Statements(), kV15Columns, kV16Columns, v17Statements()};
}

QStringList latest()
{
    // Written out in full rather than replayed, so that a mistake in a migration shows up as a
    // difference in DatabaseTest rather than silently defining the schema.
    QString calls = QString::fromUtf16(kCallsV1);
    calls.chop(1); // drop the closing parenthesis
    calls += uR"(,
    similarity REAL NOT NULL DEFAULT 0,
    request_bytes INTEGER NOT NULL DEFAULT 0,
    response_bytes INTEGER NOT NULL DEFAULT 0,
    request_hash TEXT NOT NULL DEFAULT '',
    prompt_chars INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    max_tokens INTEGER NOT NULL DEFAULT 0,
    has_tools INTEGER NOT NULL DEFAULT 0,
    task_type TEXT NOT NULL DEFAULT '',
    call_count INTEGER NOT NULL DEFAULT 1,
    )"_s + kV12TruncatedColumn + u",\n    "_s + kV13CallColumns + u",\n    "_s + kV15CallColumns + u",\n    "_s
             + kV16CallColumns + u')';
    QString savings = kV5Tables[0];
    savings.chop(1); // the closing parenthesis
    savings += u",\n    "_s + kV11SavingsColumn + u')';
    return QStringList{QString::fromUtf16(kLabelsV1), calls, QString::fromUtf16(kCallsIndexV1),
                       QString::fromUtf16(kRollupV1), QString::fromUtf16(kMetaV1)}
        // Without the per-bucket latency tables of versions 2 and 4, which version 6 replaced.
        + kV2Tables.mid(1) + kV3Tables + kV4Tables.mid(0, 1) + QStringList{savings} + kV6Tables + kV7Tables + kV8Tables
        + kV9Tables + CallReplay::tableStatements() + kV12Indexes;
}

namespace {
Result<void> upgrade(QSqlDatabase &db, int target);

// A ledger of a later schema than this build knows: refused, never downgraded.
Result<void> newerSchema(int version)
{
    return fail(ErrorCode::Unsupported,
                QObject::tr("This ledger was written by a newer TokenLedger (schema %1; this build knows %2). "
                            "Update TokenLedger to open it.")
                    .arg(version)
                    .arg(currentVersion()));
}
} // namespace

Result<void> ensure(QSqlDatabase &db)
{
    const int version = readVersion(db);
    if (version > currentVersion())
        return newerSchema(version);
    if (version == currentVersion())
        return {};
    return upgrade(db, currentVersion());
}

Result<void> migrateTo(QSqlDatabase &db, int target)
{
    const int version = readVersion(db);
    if (target < 1 || target > currentVersion() || target < version)
        return fail(ErrorCode::InvalidArgument, QObject::tr("Cannot migrate a schema %1 ledger to schema %2 (this build "
                                                            "knows 1 to %3)")
                                                    .arg(version)
                                                    .arg(target)
                                                    .arg(currentVersion()));
    if (version == target)
        return {};
    return upgrade(db, target);
}

namespace {
// To `target` from the version the database has (0: empty), one transaction per version. Each step takes the write
// lock first (BEGIN IMMEDIATE, waiting up to the connection's busy timeout) and reads the version under it:
// another process may have created or upgraded the ledger since the caller read the version (session-19 trial:
// two imports into a new --db at once, and the second failed with "table labels already exists"). A step
// another process has done is not done again.
Result<void> upgrade(QSqlDatabase &db, int target)
{
    const QList<QStringList> steps = migrations();
    for (;;) {
        Error error;
        if (!run(db, u"BEGIN IMMEDIATE"_s, &error))
            return std::unexpected(error);
        const int now = readVersion(db);
        if (now >= target) {
            db.rollback(); // nothing written; done by another process (or a newer schema: ensure()'s check)
            if (now > currentVersion())
                return newerSchema(now);
            return {};
        }
        // A new database is created at the target directly when that is the latest schema; else from version 1 on.
        const bool fresh = now == 0;
        const int toVersion = fresh ? (target == currentVersion() ? target : 1) : now + 1;
        const QStringList &statements = fresh ? (toVersion == 1 ? version1() : latest()) : steps[now - 1];
        // Data a statement cannot compute (canonical histogram text) is filled after the step's SQL.
        bool (*after)(QSqlDatabase &, Error *) = fresh ? nullptr
            : toVersion == 8                           ? fillWeeklyLatency
            : toVersion == 10                          ? fillCallReplay
            : toVersion == 12                          ? fillV12Rollups
            : toVersion == 14                          ? fillV14CallReplay
            : toVersion == 17                          ? fillV17CallReplay
                                                       : nullptr;
        bool ok = true;
        for (const QString &sql : statements) {
            if (!(ok = run(db, sql, &error)))
                break;
        }
        ok = ok && (!after || after(db, &error));
        ok = ok && run(db, u"PRAGMA user_version = %1"_s.arg(toVersion), &error);
        if (ok && !db.commit()) {
            error = Error{ErrorCode::Database, QObject::tr("Database error: %1").arg(db.lastError().text())};
            ok = false;
        }
        if (!ok) {
            db.rollback();
            return std::unexpected(error);
        }
        qCInfo(lcLedger) << "ledger schema now at version" << toVersion;
    }
}
} // namespace

QString dump(QSqlDatabase &db)
{
    // Columns as SQLite reports them (pragma table_info), so that a migrated table and a freshly
    // created one compare equal when they have the same columns, types, defaults and constraints.
    QStringList lines;
    QSqlQuery tables(db);
    tables.exec(u"SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"_s);
    while (tables.next()) {
        const QString type = tables.value(0).toString();
        const QString name = tables.value(1).toString();
        lines << type + u' ' + name + u" on "_s + tables.value(2).toString();
        if (type != "table"_L1)
            continue;
        QSqlQuery cols(db);
        cols.prepare(u"SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(:t)"_s);
        cols.bindValue(u":t"_s, name);
        cols.exec();
        QStringList colLines;
        while (cols.next()) {
            colLines << u"  %1 %2 notnull=%3 default=%4 pk=%5"_s.arg(cols.value(1).toString(), cols.value(2).toString(),
                                                                     cols.value(3).toString(), cols.value(4).toString(),
                                                                     cols.value(5).toString());
        }
        colLines.sort();
        lines << colLines;
        QSqlQuery idx(db);
        idx.prepare(u"SELECT seq, name, \"unique\", origin FROM pragma_index_list(:t)"_s);
        idx.bindValue(u":t"_s, name);
        idx.exec();
        QStringList idxLines;
        while (idx.next())
            idxLines << u"  index unique=%1 origin=%2"_s.arg(idx.value(2).toString(), idx.value(3).toString());
        idxLines.sort();
        lines << idxLines;
    }
    return lines.join(u'\n');
}

} // namespace tl::Schema
