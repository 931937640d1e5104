#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QTimeZone>

#include <functional>

namespace tl {

class Ledger;

enum class ImportFormat {
    Csv,              // any spreadsheet, with a column mapping and constant fields
    Jsonl,            // the app's own record format (RecordCodec), also the export format
    OpenAiUsage,      // OpenAI Admin API organization usage (completions) pages, saved as JSON
    OpenAiEmbeddingsUsage, // OpenAI Admin API organization usage (embeddings) pages, saved as JSON
    OpenAiCosts,      // OpenAI Admin API organization costs pages, saved as JSON
    AnthropicUsage,   // Anthropic Admin API usage report (messages), saved as JSON
    AnthropicCost,    // Anthropic Admin API cost report, saved as JSON (amounts: strings in cents)
};
// "csv", "jsonl", "openai-usage", "openai-embeddings-usage", "openai-costs", "anthropic-usage", "anthropic-cost".
// A report format's name is also the first field of its records' source keys ("<name>:..."), so no name may be
// followed by ':' inside another one: a sync's resync deletes its source's records by that prefix.
QString toString(ImportFormat f);
std::optional<ImportFormat> importFormatFromString(QStringView text);

struct ImportOptions
{
    ImportFormat format = ImportFormat::Csv;
    // CSV: record field -> column header, e.g. {"started_at": "TIMESTAMP", "prompt_tokens": "ContextTokens"}.
    // Fields: started_at, endpoint, tags, provider, requested_model, served_model, key_id, prompt_tokens,
    // cached_tokens, cache_write_5m_tokens, cache_write_1h_tokens, completion_tokens, reasoning_tokens,
    // latency_ms, ttft_ms, http_status, error_kind, batch, cost_usd (a known cost; else priced by the book),
    // task_type. A column headed with a field's own name maps that field unless given here or in `constants`
    // (CsvImport::run).
    QHash<QString, QString> columns;
    // Constant fields for every row, e.g. {"endpoint": "chat", "model": "gpt-4o-2024-08-06", "provider": "openai"}.
    // "model" sets both requested_model and served_model.
    QHash<QString, QString> constants;
    // Zone for timestamps without an offset (CSV); UTC by default.
    QTimeZone defaultZone = QTimeZone::utc();
    // The install's caller salt (Settings::callerSalt(), the proxy's): a key_id that looks like an API
    // key (keyIdLooksSecret) is stored as callerIdentity(callerSalt, key), the "k_..." id the proxy
    // gives calls made with that key, never as the key. Empty: hashed with an empty salt (still not the
    // key, stable across re-imports, but not the proxy's id).
    QByteArray callerSalt;
};

struct ImportRowError
{
    QString file;
    qint64 line = 0; // 1-based physical line where the row starts
    QString reason;
};

struct ImportProgress
{
    qint64 bytesRead = 0;
    qint64 totalBytes = 0;
    qint64 rowsRead = 0;
};

struct ImportReport
{
    qint64 rowsRead = 0;   // data rows (CSV) / lines (JSONL) / result buckets (reports)
    qint64 imported = 0;   // new records
    qint64 duplicates = 0; // already in the ledger (same source key): re-imports add nothing
    qint64 skipped = 0;    // bad rows, each in `errors`
    QList<ImportRowError> errors; // the first 1,000 reasons
    // Rows imported with something the user should check (an ambiguous local time: which instant was
    // taken); the first 1,000.
    QList<ImportRowError> warnings;
    NanoUsd costImported = 0;     // sum of the priced cost of the new records
    qint64 unpriced = 0;          // new records without a price
    // Rows whose key id looked like an API key and was stored as its salted hash ("k_...") instead.
    qint64 keysHashed = 0;
    // Rows with a label (endpoint, tag, task type) that looked like an API key (proxy::labelLooksSecret): the label
    // is stored as "redacted", as the proxy stores such an X-TokenLedger-* header.
    qint64 labelsRedacted = 0;
    bool cancelled = false;
    // Rows the ledger could not store (a full disk, an I/O error): every row read after the first failed
    // commit, and the rows of that commit. Not in `skipped`. `writeError` says why (SQLite's words,
    // e.g. "database or disk is full"); empty when every row was stored. importFile() returns an error
    // then (ErrorCode::Database) whose message gives these counts.
    qint64 notStored = 0;
    QString writeError;
    // That failure was another process's write lock on the ledger held past the busy timeout (SQLITE_BUSY,
    // SQLITE_LOCKED), not the storage: the error message then says so and to import again once it is released.
    bool writeLocked = false;

    void add(const ImportReport &other);
};

// Reads one file into the ledger. A bad row is reported with its file and line and skipped; nothing
// else is lost. Every record gets a source key (file name + content hash of the row) so importing the
// same file twice adds nothing the second time. Records are priced with the ledger's pricer unless
// they carry a cost: a CSV "cost_usd" column, a provider cost report, or a JSONL record with
// "cost_status" / "cost_nano" (the app's own export), which keeps its cost, status, price entry and
// version as exported, an unpriced one (cost null) included.
//
// Runs on the calling thread (blocking; from the GUI run it through QtConcurrent) and hands records to
// the ledger writer in batches. `progress` is called now and then; returning false cancels (records
// handed over before that stay imported; the report says cancelled). Errors: Io when the file cannot
// be read, InvalidArgument for a mapping that names a missing column, Parse for a file that is not
// the format at all (e.g. not JSON), Database when the ledger could not store the rows (a full disk, an
// I/O error, another process holding a write lock on it longer than the busy timeout): the import stops at the first failed commit of its own records, without waiting for space,
// and the message names the file, the ledger, the cause and how many rows were stored and not stored.
// Stored rows stay (consistent, with their rollups); importing the file again once the cause is fixed
// adds the rows not stored and counts the stored ones as already in the ledger.
// What importFile() would refuse before reading a row, checked without a ledger (so a failed import never
// creates one): Io "Cannot open PATH: ..." when the file cannot be opened; for CSV, InvalidArgument when the
// mapping names a column the header lacks or maps no time or model (CsvImport::checkHeader). Reads only the
// header. Other problems (not JSON, bad rows) are importFile()'s to report.
Result<void> checkInput(const QString &path, const ImportOptions &options);

Result<ImportReport> importFile(Ledger &ledger, const QString &path, const ImportOptions &options,
                                const std::function<bool(const ImportProgress &)> &progress = {});

} // namespace tl
