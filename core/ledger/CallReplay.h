#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QStringList>

#include <string_view>

namespace tl::CallReplay {

// The what-if simulator's compact copy of every call (table call_replay, schema v10): the few calls
// columns the simulator replays, packed into one BLOB, so that its scan decodes 4 SQLite columns per
// call instead of ~26 (simulate::LedgerScan; docs/simulator.md "Speed").
//
//   call_replay(started_at_us, call_id, cost_nano, fields) WITHOUT ROWID, PRIMARY KEY (started_at_us, call_id)
//
// The primary key is the simulator's replay order, so a time range is read in order without the
// calls_started_at index and a table seek per call. cost_nano is calls.cost_nano (NULL: unpriced),
// kept as its own column so that re-pricing updates it in SQL. `fields` is encode()'s BLOB, or NULL
// when a call's replayed columns were changed in SQL after it was written (a reader then reads that
// call from calls).
//
// Who keeps it: LedgerWriter inserts the row with the call, in the same transaction (the writer is the
// only code that inserts calls). Triggers (tableStatements()) keep it right under any later SQL change
// of calls: cost_nano is copied (the re-pricer), a change to a replayed column sets `fields` to NULL
// (and moves the row if started_at_us or id changed), a deleted call deletes its row. Upgrading a
// version-9 ledger fills the table from calls (backfill(): a one-time scan, about 2-3 s per million
// calls here).
//
// Units as in calls: tokens, microseconds since the Unix epoch (UTC), nano-USD; label ids are labels.id.
// Thread affinity: none (pure functions), backfill() on the connection's thread.
struct Fields
{
    qint64 endpointId = 0;
    qint64 providerId = 0;
    qint64 servedModelId = 0;
    qint64 keyId = 0;
    Usage usage;
    qint64 batch = 0;
    qint64 promptChars = 0;
    qint64 httpStatus = 0;
    qint64 cacheOutcome = 0;
    qint64 callCount = 1;
    qint64 messageCount = 0;
    qint64 hasTools = 0;
    // 1: the live caches could have stored this call's answer (cacheable()); 0: they could not; -1:
    // unknown (a format-1 BLOB, written before schema 12).
    qint64 cacheable = -1;
    std::string_view requestHash; // UTF-8 bytes, as calls.request_hash ('' when none)
    std::string_view taskType;    // UTF-8 bytes, as calls.task_type
};

// The format byte that starts every `fields` BLOB. Then every integer of Fields in declaration order
// (usage: its nine token counts up to imageInputTokens, in Usage's order) as a zigzag LEB128 varint, then each
// text as a varint byte length and its bytes, then (format 3) usage.webSearchRequests, then (format 4)
// usage.cachedAudioTokens, cachedImageTokens, outputImageTokens, citationTokens and fileSearchCalls, each a
// varint. Format 2 (schema 12) added `cacheable` after hasTools; format 3 (schema 14) the web searches; format 4
// (schema 17) the usage parts some models price apart and the file search calls, so that the simulator re-prices
// a call with every priced part of it. decode() still reads formats 1 (cacheable -1, no searches), 2 (no
// searches) and 3 (no parts): the upgrades to schema 14 and 17 re-encode every row whose call has what the
// older format lacks, so an older BLOB stands for 0 of it.
inline constexpr unsigned char kFormat = 4;
inline constexpr unsigned char kFormat3 = 3;
inline constexpr unsigned char kFormat2 = 2;
inline constexpr unsigned char kFormat1 = 1;

// Whether the live exact and semantic caches (ClientConnection::maybeStoreInCache) could store the answer:
// an HTTP status below 400, no error kind (not cut, no error event), the provider's own usage (usage
// status Complete) and not truncated by a token limit (CacheConfig::storeTruncated is off by default).
inline qint64 cacheable(int httpStatus, bool noErrorKind, int usageStatus, bool truncated)
{
    return httpStatus < 400 && noErrorKind && usageStatus == int(UsageStatus::Complete) && !truncated ? 1 : 0;
}
// The same over calls' columns, as SQL (fixed text).
inline constexpr char kCacheableSql[]
    = "(http_status < 400 AND error_kind = '' AND usage_status = 0 AND truncated = 0)";

// Appends the BLOB for `f` to `out` (cleared first).
void encode(const Fields &f, QByteArray &out);

// Reads a BLOB written by encode(); the texts point into `data`. False if the BLOB is not of this format
// or is truncated (`out` is then unspecified).
bool decode(const void *data, std::size_t size, Fields &out);

// The calls columns whose SQL change makes `fields` stale (the trigger's column list), and the
// statements that create the table and its triggers (Schema: version 10 and latest()), as schema
// `version` had them: before 12 the stale trigger does not watch error_kind, usage_status and truncated
// (calls.truncated came with 12), before 14 not web_search_requests (format 3), before 17 not the usage parts
// (kUsagePartColumns, format 4). 0: the latest.
QStringList tableStatements(int version = 0);

// Fills call_replay from calls (an upgrade to version 10; re-encoding rows at 14 and 17): every call not yet in
// it, or only those matching `callsWhere` (an SQL condition over calls' columns, fixed text). Runs on
// `db`'s connection inside the caller's transaction. Errors: Database with SQLite's message.
Result<void> backfill(QSqlDatabase &db, const char *callsWhere = nullptr);

} // namespace tl::CallReplay
