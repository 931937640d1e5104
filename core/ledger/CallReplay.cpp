#include "CallReplay.h"

#include "ledger/UsageColumns.h"

#include <QObject>
#include <QScopeGuard>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <cstring>
#include <string>

using namespace Qt::StringLiterals;

namespace tl::CallReplay {

namespace {

// A zigzag LEB128 varint of `value` at `out` (at most 10 bytes); returns the end.
unsigned char *putVarint(unsigned char *out, qint64 value)
{
    // zigzag: small negative values (-1) stay one byte
    quint64 v = (quint64(value) << 1) ^ quint64(value >> 63);
    while (v >= 0x80) {
        *out++ = static_cast<unsigned char>(v | 0x80);
        v >>= 7;
    }
    *out++ = static_cast<unsigned char>(v);
    return out;
}

unsigned char *putText(unsigned char *out, std::string_view t)
{
    out = putVarint(out, qint64(t.size()));
    if (!t.empty())
        std::memcpy(out, t.data(), t.size());
    return out + t.size();
}

struct Reader
{
    const unsigned char *p;
    const unsigned char *end;
    bool ok = true;

    qint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p == end) {
                ok = false;
                return 0;
            }
            const unsigned char b = *p++;
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80))
                return qint64(v >> 1) ^ -qint64(v & 1);
        }
        ok = false;
        return 0;
    }

    std::string_view text()
    {
        const qint64 n = varint();
        if (!ok || n < 0 || n > end - p) {
            ok = false;
            return {};
        }
        const std::string_view t(reinterpret_cast<const char *>(p), size_t(n));
        p += n;
        return t;
    }
};

// The calls columns a change of which makes `fields` stale (cost_nano has its own trigger).
const char16_t kReplayedColumns[] = u"id, started_at_us, endpoint_id, provider_id, served_model_id, key_id, "
                                    u"prompt_tokens, cached_tokens, cache_write_5m_tokens, cache_write_1h_tokens, "
                                    u"completion_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, "
                                    u"image_input_tokens, batch, prompt_chars, http_status, cache_outcome, "
                                    u"call_count, message_count, has_tools, request_hash, task_type, error_kind, "
                                    u"usage_status, truncated, web_search_requests, cached_audio_tokens, "
                                    u"cached_image_tokens, output_image_tokens, citation_tokens, file_search_calls";
// The columns format 4 added to the trigger's list (schema 17): kUsagePartColumns.
constexpr QStringView kFormat4Columns = u", cached_audio_tokens, cached_image_tokens, output_image_tokens, "
                                        u"citation_tokens, file_search_calls";

} // namespace

void encode(const Fields &f, QByteArray &out)
{
    constexpr qsizetype kMaxVarint = 10;
    // The format byte, 27 integers and 2 texts with their lengths, written in place (no append per byte).
    const qsizetype most = 1 + 29 * kMaxVarint + qsizetype(f.requestHash.size() + f.taskType.size());
    out.resize(most);
    auto *const begin = reinterpret_cast<unsigned char *>(out.data());
    unsigned char *p = begin;
    *p++ = kFormat;
    for (qint64 v : {f.endpointId, f.providerId, f.servedModelId, f.keyId, f.usage.promptTokens, f.usage.cachedTokens,
                     f.usage.cacheWrite5mTokens, f.usage.cacheWrite1hTokens, f.usage.completionTokens,
                     f.usage.reasoningTokens, f.usage.audioInputTokens, f.usage.audioOutputTokens,
                     f.usage.imageInputTokens, f.batch, f.promptChars, f.httpStatus, f.cacheOutcome, f.callCount,
                     f.messageCount, f.hasTools, f.cacheable})
        p = putVarint(p, v);
    p = putText(p, f.requestHash);
    p = putText(p, f.taskType);
    for (qint64 v : {f.usage.webSearchRequests, f.usage.cachedAudioTokens, f.usage.cachedImageTokens,
                     f.usage.outputImageTokens, f.usage.citationTokens, f.usage.fileSearchCalls})
        p = putVarint(p, v);
    out.resize(p - begin);
}

bool decode(const void *data, std::size_t size, Fields &f)
{
    const auto *p = static_cast<const unsigned char *>(data);
    if (!p || size == 0 || (p[0] != kFormat && p[0] != kFormat3 && p[0] != kFormat2 && p[0] != kFormat1))
        return false;
    Reader r{p + 1, p + size};
    for (qint64 *v : {&f.endpointId, &f.providerId, &f.servedModelId, &f.keyId, &f.usage.promptTokens,
                      &f.usage.cachedTokens, &f.usage.cacheWrite5mTokens, &f.usage.cacheWrite1hTokens,
                      &f.usage.completionTokens, &f.usage.reasoningTokens, &f.usage.audioInputTokens,
                      &f.usage.audioOutputTokens, &f.usage.imageInputTokens, &f.batch, &f.promptChars, &f.httpStatus,
                      &f.cacheOutcome, &f.callCount, &f.messageCount, &f.hasTools})
        *v = r.varint();
    f.cacheable = p[0] == kFormat1 ? -1 : r.varint();
    f.requestHash = r.text();
    f.taskType = r.text();
    f.usage.webSearchRequests = p[0] >= kFormat3 ? r.varint() : 0;
    for (qint64 *v : {&f.usage.cachedAudioTokens, &f.usage.cachedImageTokens, &f.usage.outputImageTokens,
                      &f.usage.citationTokens, &f.usage.fileSearchCalls})
        *v = p[0] >= kFormat ? r.varint() : 0;
    return r.ok && r.p == r.end;
}

QStringList tableStatements(int version)
{
    QString columns = QString::fromUtf16(kReplayedColumns);
    if (version != 0 && version < 17)
        columns.chop(kFormat4Columns.size());
    if (version != 0 && version < 14)
        columns.chop(QStringView(u", web_search_requests").size());
    if (version != 0 && version < 12)
        columns.chop(QStringView(u", error_kind, usage_status, truncated").size());
    return {
        uR"(CREATE TABLE call_replay (
    started_at_us INTEGER NOT NULL,
    call_id INTEGER NOT NULL,
    cost_nano INTEGER,
    fields BLOB,
    PRIMARY KEY (started_at_us, call_id)) WITHOUT ROWID)"_s,
        uR"(CREATE TRIGGER call_replay_cost AFTER UPDATE OF cost_nano ON calls BEGIN
    UPDATE call_replay SET cost_nano = NEW.cost_nano WHERE started_at_us = NEW.started_at_us AND call_id = NEW.id;
END)"_s,
        uR"(CREATE TRIGGER call_replay_stale AFTER UPDATE OF %1 ON calls BEGIN
    DELETE FROM call_replay WHERE started_at_us = OLD.started_at_us AND call_id = OLD.id;
    INSERT INTO call_replay (started_at_us, call_id, cost_nano, fields) VALUES (NEW.started_at_us, NEW.id, NEW.cost_nano, NULL);
END)"_s.arg(columns),
        uR"(CREATE TRIGGER call_replay_delete AFTER DELETE ON calls BEGIN
    DELETE FROM call_replay WHERE started_at_us = OLD.started_at_us AND call_id = OLD.id;
END)"_s,
    };
}

Result<void> backfill(QSqlDatabase &db, const char *callsWhere)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    sqlite3 *raw = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0
        ? *static_cast<sqlite3 *const *>(handle.constData())
        : nullptr;
    if (!raw)
        return fail(ErrorCode::Database, QObject::tr("Database error: the ledger connection is not SQLite"));
    auto dbError = [&] {
        return fail(ErrorCode::Database, QObject::tr("Database error: %1").arg(QString::fromUtf8(sqlite3_errmsg(raw))));
    };
    sqlite3_stmt *select = nullptr, *insert = nullptr;
    auto finalize = qScopeGuard([&] {
        sqlite3_finalize(select);
        sqlite3_finalize(insert);
    });
    // The column order of Fields; id order (the writer's append order) keeps the inserts near the end
    // of call_replay's b-tree for ledgers recorded in time order.
    // calls.truncated exists from schema 12 on: a backfill while upgrading to 10 writes cacheable -1 (unknown).
    // calls.web_search_requests exists from schema 13 on, the usage parts from 15 (file_search_calls 16).
    auto hasColumn = [&](const QString &name) {
        QSqlQuery q(db);
        q.prepare(u"SELECT COUNT(*) FROM pragma_table_info('calls') WHERE name = ?"_s);
        q.addBindValue(name);
        return q.exec() && q.next() && q.value(0).toInt() > 0;
    };
    const bool hasTruncated = hasColumn(u"truncated"_s);
    const bool hasSearches = hasColumn(u"web_search_requests"_s);
    const bool hasParts = hasColumn(u"file_search_calls"_s);
    const std::string selectSql = std::string("SELECT id, started_at_us, cost_nano, endpoint_id, provider_id, served_model_id, key_id, "
                            "prompt_tokens, cached_tokens, cache_write_5m_tokens, cache_write_1h_tokens, "
                            "completion_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, "
                            "image_input_tokens, batch, prompt_chars, http_status, cache_outcome, call_count, "
                            "message_count, has_tools, ")
                            + (hasTruncated ? kCacheableSql : "-1") + ", request_hash, task_type, "
                            + (hasSearches ? "web_search_requests" : "0") + ", "
                            + (hasParts ? std::string(kUsagePartColumns.data(), size_t(kUsagePartColumns.size()))
                                        : std::string("0, 0, 0, 0, 0"))
                            + " FROM calls"
                            + (callsWhere ? std::string(" WHERE ") + callsWhere : std::string()) + " ORDER BY id";
    const char *insertSql = "INSERT INTO call_replay (started_at_us, call_id, cost_nano, fields) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT DO NOTHING";
    if (sqlite3_prepare_v2(raw, selectSql.c_str(), -1, &select, nullptr) != SQLITE_OK
        || sqlite3_prepare_v2(raw, insertSql, -1, &insert, nullptr) != SQLITE_OK)
        return dbError();
    auto text = [&](int column) {
        const auto *t = reinterpret_cast<const char *>(sqlite3_column_text(select, column));
        return t ? std::string_view(t, size_t(sqlite3_column_bytes(select, column))) : std::string_view();
    };
    QByteArray blob;
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        Fields f;
        int i = 3;
        for (qint64 *v : {&f.endpointId, &f.providerId, &f.servedModelId, &f.keyId, &f.usage.promptTokens,
                          &f.usage.cachedTokens, &f.usage.cacheWrite5mTokens, &f.usage.cacheWrite1hTokens,
                          &f.usage.completionTokens, &f.usage.reasoningTokens, &f.usage.audioInputTokens,
                          &f.usage.audioOutputTokens, &f.usage.imageInputTokens, &f.batch, &f.promptChars,
                          &f.httpStatus, &f.cacheOutcome, &f.callCount, &f.messageCount, &f.hasTools,
                          &f.cacheable})
            *v = sqlite3_column_int64(select, i++);
        f.requestHash = text(i++);
        f.taskType = text(i++);
        for (qint64 *v : {&f.usage.webSearchRequests, &f.usage.cachedAudioTokens, &f.usage.cachedImageTokens,
                          &f.usage.outputImageTokens, &f.usage.citationTokens, &f.usage.fileSearchCalls})
            *v = sqlite3_column_int64(select, i++);
        encode(f, blob);
        sqlite3_bind_int64(insert, 1, sqlite3_column_int64(select, 1));
        sqlite3_bind_int64(insert, 2, sqlite3_column_int64(select, 0));
        if (sqlite3_column_type(select, 2) == SQLITE_NULL)
            sqlite3_bind_null(insert, 3);
        else
            sqlite3_bind_int64(insert, 3, sqlite3_column_int64(select, 2));
        sqlite3_bind_blob(insert, 4, blob.constData(), int(blob.size()), SQLITE_STATIC);
        if (sqlite3_step(insert) != SQLITE_DONE)
            return dbError();
        sqlite3_reset(insert);
    }
    if (rc != SQLITE_DONE)
        return dbError();
    return {};
}

} // namespace tl::CallReplay
