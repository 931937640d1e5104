#include "semantic/SemanticCache.h"

#include "common/PrivateFile.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtEndian>

#include <cstring>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcSemantic)

namespace tl::semantic {

namespace {

constexpr int kSchemaVersion = 1;

Error dbError(const QString &what, const QSqlError &e)
{
    return Error {ErrorCode::Database, what + u": "_s + e.text()};
}

QString indexKey(const QString &embeddingModel, qsizetype dims)
{
    return embeddingModel + u'#' + QString::number(dims);
}

QByteArray encodeVector(const std::vector<float> &v)
{
    QByteArray out(qsizetype(v.size() * 4), Qt::Uninitialized);
    char *p = out.data();
    for (float f : v) {
        quint32 bits;
        std::memcpy(&bits, &f, 4);
        qToLittleEndian(bits, p);
        p += 4;
    }
    return out;
}

std::vector<float> decodeVector(const QByteArray &blob)
{
    std::vector<float> v(std::size_t(blob.size() / 4));
    const char *p = blob.constData();
    for (float &f : v) {
        const quint32 bits = qFromLittleEndian<quint32>(p);
        std::memcpy(&f, &bits, 4);
        p += 4;
    }
    return v;
}

} // namespace

SemanticCache::SemanticCache(QString connectionName, Limits limits, SemanticIndex::Options indexOptions)
    : m_connection(std::move(connectionName))
    , m_limits(limits)
    , m_indexOptions(indexOptions)
{
}

SemanticCache::~SemanticCache()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QString SemanticCache::pathForLedger(const QString &ledgerPath)
{
    return ledgerPath + u".semantic.sqlite"_s;
}

qint64 SemanticCache::entryBytes(const StoredResponse &response, qsizetype floats)
{
    return response.body.size() + response.headers.size() + qint64(floats) * 4 + 256;
}

Result<std::unique_ptr<SemanticCache>> SemanticCache::open(const QString &path, Limits limits, qint64 nowUs,
                                                           SemanticIndex::Options indexOptions)
{
    const QFileInfo dir(QFileInfo(path).absolutePath());
    if (!dir.isDir())
        return fail(ErrorCode::Io, QObject::tr("The folder of the semantic cache file %1 does not exist.").arg(path));
    const QString name = u"tl-semantic-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<SemanticCache> cache(new SemanticCache(name, limits, indexOptions));
    if (auto r = cache->init(path, nowUs); !r)
        return std::unexpected(r.error());
    return cache;
}

Result<void> SemanticCache::init(const QString &path, qint64 nowUs)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    createPrivateFileIfMissing(path); // whole answers: its owner's only (PrivateFile.h)
    db.setDatabaseName(path);
    if (!db.open())
        return std::unexpected(
            dbError(QObject::tr("Cannot open the semantic cache file %1").arg(path), db.lastError()));
    QSqlQuery q(db);
    if (!q.exec(u"PRAGMA user_version"_s) || !q.next())
        return std::unexpected(dbError(QObject::tr("The semantic cache file %1 is not readable (corrupt, or not a "
                                                   "database); move it away to start an empty cache")
                                           .arg(path),
                                       q.lastError()));
    const int version = q.value(0).toInt();
    if (version > kSchemaVersion)
        return fail(ErrorCode::Database,
                    QObject::tr("The semantic cache file %1 was written by a newer TokenLedger "
                                "(schema %2, this build knows %3).")
                        .arg(path)
                        .arg(version)
                        .arg(kSchemaVersion));
    for (const QString &sql : {u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=NORMAL"_s,
                               // AUTOINCREMENT: an id is never reused, so "mark wrong" on an old hit in the
                               // request log can never remove a newer, unrelated entry.
                               uR"(CREATE TABLE IF NOT EXISTS semantic_entries (
                                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                                     scope TEXT NOT NULL, guard TEXT NOT NULL,
                                     embedding_model TEXT NOT NULL, dims INTEGER NOT NULL, vector BLOB NOT NULL,
                                     focus_vector BLOB,
                                     request_model TEXT NOT NULL,
                                     response_body BLOB NOT NULL, response_headers BLOB NOT NULL,
                                     content_type TEXT NOT NULL, served_model TEXT NOT NULL,
                                     created_us INTEGER NOT NULL, expires_us INTEGER NOT NULL,
                                     hits INTEGER NOT NULL DEFAULT 0, last_hit_us INTEGER,
                                     cost_nano_usd INTEGER, bytes INTEGER NOT NULL))"_s,
                               u"CREATE INDEX IF NOT EXISTS semantic_entries_expires ON semantic_entries(expires_us)"_s,
                               // Which entry answered which ledger record (a semantic hit), so "mark wrong" works
                               // on hits of earlier proxy runs. Added in the same schema version: a file without
                               // it gets it here, and an older build ignores it.
                               uR"(CREATE TABLE IF NOT EXISTS semantic_hits (
                                     record_id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL))"_s,
                               u"CREATE INDEX IF NOT EXISTS semantic_hits_entry ON semantic_hits(entry_id)"_s,
                               u"PRAGMA user_version = 1"_s}) {
        if (!q.exec(sql))
            return std::unexpected(
                dbError(QObject::tr("Cannot prepare the semantic cache file %1").arg(path), q.lastError()));
    }
    q.prepare(u"DELETE FROM semantic_entries WHERE expires_us <= :now"_s);
    q.bindValue(u":now"_s, nowUs);
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("Cannot expire semantic cache entries"), q.lastError()));
    if (!q.exec(u"DELETE FROM semantic_hits WHERE entry_id NOT IN (SELECT id FROM semantic_entries)"_s))
        return std::unexpected(dbError(QObject::tr("Cannot expire semantic cache entries"), q.lastError()));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT id, scope, guard, embedding_model, dims, vector, created_us, expires_us, bytes, focus_vector "
                "FROM semantic_entries ORDER BY id"_s))
        return std::unexpected(dbError(QObject::tr("Cannot read the semantic cache"), q.lastError()));
    std::vector<qint64> broken;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        const int dims = q.value(4).toInt();
        const QByteArray blob = q.value(5).toByteArray();
        if (dims <= 0 || blob.size() != qsizetype(dims) * 4) {
            broken.push_back(id);
            continue;
        }
        const std::vector<float> v = decodeVector(blob);
        const QByteArray focusBlob = q.value(9).toByteArray();
        if (!focusBlob.isEmpty() && focusBlob.size() != blob.size()) {
            broken.push_back(id);
            continue;
        }
        const std::vector<float> focus = decodeVector(focusBlob);
        Meta meta {indexKey(q.value(3).toString(), dims), q.value(6).toLongLong(), q.value(7).toLongLong(),
                   q.value(8).toLongLong()};
        if (!indexFor(q.value(3).toString(), dims)
                 .insert(id, q.value(1).toString(), v.data(), q.value(2).toString(), meta.createdUs, meta.expiresUs,
                         focus.empty() ? nullptr : focus.data())) {
            broken.push_back(id);
            continue;
        }
        m_bytes += meta.bytes;
        m_byAge.insert({meta.createdUs, id});
        m_meta.emplace(id, std::move(meta));
    }
    q.finish();
    if (!broken.empty()) {
        qCWarning(lcSemantic) << "semantic cache: dropping" << broken.size() << "entries with a malformed vector";
        if (auto r = deleteRows(broken); !r)
            return r;
    }
    // The limits may have shrunk since the last run.
    return enforceLimits();
}

SemanticIndex &SemanticCache::indexFor(const QString &embeddingModel, int dims)
{
    auto &slot = m_indexes[indexKey(embeddingModel, dims)];
    if (!slot)
        slot = std::make_unique<SemanticIndex>(dims, m_indexOptions);
    return *slot;
}

void SemanticCache::forget(qint64 entryId)
{
    const auto it = m_meta.find(entryId);
    if (it == m_meta.end())
        return;
    const auto idx = m_indexes.find(it->second.indexKey);
    if (idx != m_indexes.end())
        idx->second->remove(entryId);
    m_bytes -= it->second.bytes;
    m_byAge.erase({it->second.createdUs, entryId});
    m_meta.erase(it);
}

Result<void> SemanticCache::deleteRows(const std::vector<qint64> &ids)
{
    if (ids.empty())
        return {};
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction())
        return std::unexpected(dbError(QObject::tr("Cannot delete semantic cache entries"), db.lastError()));
    QSqlQuery q(db), hits(db);
    q.prepare(u"DELETE FROM semantic_entries WHERE id = :id"_s);
    hits.prepare(u"DELETE FROM semantic_hits WHERE entry_id = :id"_s);
    for (qint64 id : ids) {
        q.bindValue(u":id"_s, id);
        hits.bindValue(u":id"_s, id);
        if (!q.exec() || !hits.exec()) {
            const Error e = dbError(QObject::tr("Cannot delete semantic cache entries"),
                                    q.lastError().isValid() ? q.lastError() : hits.lastError());
            db.rollback();
            return std::unexpected(e);
        }
    }
    if (!db.commit()) {
        const Error e = dbError(QObject::tr("Cannot delete semantic cache entries"), db.lastError());
        db.rollback();
        return std::unexpected(e);
    }
    for (qint64 id : ids)
        forget(id);
    return {};
}

Result<void> SemanticCache::enforceLimits()
{
    std::vector<qint64> evict;
    qint64 entries = qint64(m_meta.size());
    qint64 bytes = m_bytes;
    for (auto it = m_byAge.begin(); it != m_byAge.end() && (entries > m_limits.maxEntries || bytes > m_limits.maxBytes);
         ++it) {
        evict.push_back(it->second);
        --entries;
        bytes -= m_meta.at(it->second).bytes;
    }
    return deleteRows(evict);
}

std::vector<float> SemanticCache::focusFor(const SemanticKey &key, const QString &embeddingModel,
                                           const std::vector<float> &vector, const std::vector<float> &given) const
{
    if (!given.empty())
        return given.size() == vector.size() ? given : std::vector<float>();
    if (embeddingModel == m_local.modelKey() && vector.size() == std::size_t(m_local.dims()))
        return m_local.embed(key.lastUserText);
    return {};
}

Result<std::optional<SemanticHit>> SemanticCache::lookup(const SemanticKey &key, const QString &embeddingModel,
                                                         const std::vector<float> &vector, float threshold,
                                                         qint64 nowUs, const std::vector<float> &focusVector)
{
    const auto idx = m_indexes.find(indexKey(embeddingModel, qsizetype(vector.size())));
    std::optional<SemanticIndex::Match> match;
    if (idx != m_indexes.end()) {
        const std::vector<float> focus = focusFor(key, embeddingModel, vector, focusVector);
        match = idx->second->best(key.scope, vector.data(), key.guardSignature, threshold, nowUs,
                                  focus.empty() ? nullptr : focus.data());
    }
    if (!match) {
        ++m_misses;
        return std::optional<SemanticHit>();
    }
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(u"UPDATE semantic_entries SET hits = hits + 1, last_hit_us = :now WHERE id = :id"_s);
    q.bindValue(u":now"_s, nowUs);
    q.bindValue(u":id"_s, match->entryId);
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("Cannot record a semantic cache hit"), q.lastError()));
    q.prepare(u"SELECT response_body, response_headers, content_type, served_model, cost_nano_usd, created_us, "
              "expires_us, hits FROM semantic_entries WHERE id = :id"_s);
    q.bindValue(u":id"_s, match->entryId);
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("Cannot read a semantic cache entry"), q.lastError()));
    if (!q.next()) {
        // The row is gone (the file was changed behind our back): forget it and report a miss.
        forget(match->entryId);
        ++m_misses;
        return std::optional<SemanticHit>();
    }
    SemanticHit hit;
    hit.entryId = match->entryId;
    hit.similarity = match->similarity;
    hit.response.body = q.value(0).toByteArray();
    hit.response.headers = q.value(1).toByteArray();
    hit.response.contentType = q.value(2).toString();
    hit.response.servedModel = q.value(3).toString();
    hit.response.originalCostKnown = !q.value(4).isNull();
    hit.response.originalCost = q.value(4).toLongLong();
    hit.createdUs = q.value(5).toLongLong();
    hit.expiresUs = q.value(6).toLongLong();
    hit.hits = q.value(7).toLongLong();
    ++m_hits;
    return std::optional<SemanticHit>(std::move(hit));
}

Result<qint64> SemanticCache::store(const SemanticKey &key, const QString &embeddingModel,
                                    const std::vector<float> &vector, const StoredResponse &response, qint64 ttlSeconds,
                                    qint64 nowUs, const std::vector<float> &focusVector)
{
    if (vector.empty())
        return fail(ErrorCode::InvalidArgument, QObject::tr("No embedding to store."));
    if (ttlSeconds <= 0)
        return fail(ErrorCode::InvalidArgument, QObject::tr("The semantic cache TTL must be positive."));
    const std::vector<float> focus = focusFor(key, embeddingModel, vector, focusVector);
    const qint64 bytes = entryBytes(response, qsizetype(vector.size() + focus.size()));
    if (bytes > m_limits.maxBytes)
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("The answer (%1 bytes) is larger than the semantic cache limit (%2 bytes).")
                        .arg(bytes)
                        .arg(m_limits.maxBytes));
    const qint64 expiresUs = nowUs + ttlSeconds * 1'000'000;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(uR"(INSERT INTO semantic_entries
                  (scope, guard, embedding_model, dims, vector, focus_vector, request_model, response_body, response_headers,
                   content_type, served_model, created_us, expires_us, hits, cost_nano_usd, bytes)
                  VALUES (:scope, :guard, :emodel, :dims, :vector, :focus, :rmodel, :body, :headers, :ctype, :smodel,
                          :created, :expires, 0, :cost, :bytes))"_s);
    q.bindValue(u":scope"_s, key.scope);
    q.bindValue(u":guard"_s, key.guardSignature);
    q.bindValue(u":emodel"_s, embeddingModel);
    q.bindValue(u":dims"_s, qint64(vector.size()));
    q.bindValue(u":vector"_s, encodeVector(vector));
    q.bindValue(u":focus"_s,
                focus.empty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(encodeVector(focus)));
    q.bindValue(u":rmodel"_s, key.model.isNull() ? u""_s : key.model);
    q.bindValue(u":body"_s, response.body);
    q.bindValue(u":headers"_s, response.headers.isNull() ? QByteArray("") : response.headers);
    // A null QString binds as SQL NULL: empty texts are stored as ''.
    q.bindValue(u":ctype"_s, response.contentType.isNull() ? u""_s : response.contentType);
    q.bindValue(u":smodel"_s, response.servedModel.isNull() ? u""_s : response.servedModel);
    q.bindValue(u":created"_s, nowUs);
    q.bindValue(u":expires"_s, expiresUs);
    q.bindValue(u":cost"_s, response.originalCostKnown ? QVariant(qint64(response.originalCost)) : QVariant());
    q.bindValue(u":bytes"_s, bytes);
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("Cannot store a semantic cache entry"), q.lastError()));
    const qint64 id = q.lastInsertId().toLongLong();
    Meta meta {indexKey(embeddingModel, qsizetype(vector.size())), nowUs, expiresUs, bytes};
    if (!indexFor(embeddingModel, int(vector.size()))
             .insert(id, key.scope, vector.data(), key.guardSignature, nowUs, expiresUs,
                     focus.empty() ? nullptr : focus.data())) {
        // Keep the file consistent with memory.
        QSqlQuery del(db);
        del.prepare(u"DELETE FROM semantic_entries WHERE id = :id"_s);
        del.bindValue(u":id"_s, id);
        del.exec();
        return fail(ErrorCode::InvalidArgument, QObject::tr("The embedding could not be indexed."));
    }
    m_bytes += bytes;
    m_byAge.insert({nowUs, id});
    m_meta.emplace(id, std::move(meta));
    if (auto r = enforceLimits(); !r)
        return std::unexpected(r.error());
    return id;
}

Result<void> SemanticCache::markWrong(qint64 entryId)
{
    if (!contains(entryId))
        return fail(ErrorCode::NotFound,
                    QObject::tr("Semantic cache entry %1 no longer exists (expired, evicted or already removed).")
                        .arg(entryId));
    return deleteRows({entryId});
}

Result<void> SemanticCache::rememberHit(qint64 recordId, qint64 entryId)
{
    if (recordId <= 0 || !contains(entryId))
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("Cannot remember semantic hit: record %1, entry %2").arg(recordId).arg(entryId));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(u"INSERT OR REPLACE INTO semantic_hits (record_id, entry_id) VALUES (:record, :entry)"_s);
    q.bindValue(u":record"_s, recordId);
    q.bindValue(u":entry"_s, entryId);
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("Cannot remember a semantic cache hit"), q.lastError()));
    return {};
}

Result<std::optional<qint64>> SemanticCache::entryForRecord(qint64 recordId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(u"SELECT entry_id FROM semantic_hits WHERE record_id = :record"_s);
    q.bindValue(u":record"_s, recordId);
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("Cannot read the semantic cache"), q.lastError()));
    if (!q.next())
        return std::optional<qint64>();
    const qint64 entryId = q.value(0).toLongLong();
    return contains(entryId) ? std::optional<qint64>(entryId) : std::optional<qint64>();
}

Result<void> SemanticCache::markRecordWrong(qint64 recordId)
{
    auto entry = entryForRecord(recordId);
    if (!entry)
        return std::unexpected(entry.error());
    if (!*entry)
        return fail(ErrorCode::NotFound,
                    QObject::tr("Record %1 has no semantic cache entry to remove: it was not answered by the semantic "
                                "cache, or its entry has expired, been evicted or already been removed.")
                        .arg(recordId));
    return markWrong(**entry);
}

Result<qint64> SemanticCache::purgeExpired(qint64 nowUs)
{
    std::vector<qint64> expired;
    for (const auto &[id, meta] : m_meta) {
        if (meta.expiresUs <= nowUs)
            expired.push_back(id);
    }
    if (auto r = deleteRows(expired); !r)
        return std::unexpected(r.error());
    return qint64(expired.size());
}

Result<void> SemanticCache::clear()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(u"DELETE FROM semantic_entries"_s) || !q.exec(u"DELETE FROM semantic_hits"_s))
        return std::unexpected(dbError(QObject::tr("Cannot clear the semantic cache"), q.lastError()));
    m_indexes.clear();
    m_meta.clear();
    m_byAge.clear();
    m_bytes = 0;
    return {};
}

void SemanticCache::setLimits(Limits limits)
{
    m_limits = limits;
}

SemanticCacheStats SemanticCache::stats() const
{
    return SemanticCacheStats {qint64(m_meta.size()), m_bytes, m_hits, m_misses};
}

bool SemanticCache::contains(qint64 entryId) const
{
    return m_meta.find(entryId) != m_meta.end();
}

} // namespace tl::semantic
