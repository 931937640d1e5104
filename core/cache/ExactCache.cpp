#include "ExactCache.h"

#include "common/PrivateFile.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace tl::cache {

namespace {

Error dbError(const QString &what, const QSqlError &e)
{
    return Error{ErrorCode::Database, what + u": "_s + e.text()};
}

qint64 nowUs() { return QDateTime::currentMSecsSinceEpoch() * 1000; }

} // namespace

ExactCache::ExactCache(QString connectionName, qint64 maxBytes)
    : m_connection(std::move(connectionName))
    , m_maxBytes(maxBytes)
{
}

ExactCache::~ExactCache()
{
    (void)flushTouches();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QString ExactCache::pathForLedger(const QString &ledgerPath)
{
    return ledgerPath + u".cache.sqlite"_s;
}

Result<std::unique_ptr<ExactCache>> ExactCache::open(const QString &path, qint64 maxBytes)
{
    const QString name = u"tl-cache-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<ExactCache> cache(new ExactCache(name, maxBytes));
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    createPrivateFileIfMissing(path); // whole answers: its owner's only (PrivateFile.h)
    db.setDatabaseName(path);
    if (!db.open())
        return std::unexpected(dbError(u"Cannot open the cache file %1"_s.arg(path), db.lastError()));
    QSqlQuery q(db);
    for (const QString &sql : {u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=NORMAL"_s,
                               uR"(CREATE TABLE IF NOT EXISTS exact_cache (
                                     key TEXT PRIMARY KEY, caller TEXT NOT NULL, api TEXT NOT NULL,
                                     body BLOB NOT NULL, served_model TEXT NOT NULL,
                                     created_us INTEGER NOT NULL, expires_us INTEGER NOT NULL,
                                     last_used_us INTEGER NOT NULL, bytes INTEGER NOT NULL))"_s}) {
        if (!q.exec(sql))
            return std::unexpected(dbError(u"Cannot prepare the cache file %1"_s.arg(path), q.lastError()));
    }
    if (auto r = cache->load(nowUs()); !r)
        return std::unexpected(r.error());
    return cache;
}

Result<void> ExactCache::load(qint64 now)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(u"DELETE FROM exact_cache WHERE expires_us <= :now"_s);
    q.bindValue(u":now"_s, now);
    if (!q.exec())
        return std::unexpected(dbError(u"Cannot expire cache entries"_s, q.lastError()));
    if (!q.exec(u"SELECT key, api, body, served_model, created_us, expires_us, last_used_us FROM exact_cache "
                "ORDER BY last_used_us ASC"_s))
        return std::unexpected(dbError(u"Cannot read the cache"_s, q.lastError()));
    while (q.next()) {
        const QString key = q.value(0).toString();
        Node node;
        node.answer = CachedAnswer{q.value(1).toString(), q.value(2).toByteArray(), q.value(3).toString(),
                                   q.value(4).toLongLong(), q.value(5).toLongLong(), std::nullopt, {}};
        node.lastUsedUs = q.value(6).toLongLong();
        m_bytes += node.answer.body.size();
        m_lru.push_back(key);
        node.lru = std::prev(m_lru.end());
        m_entries.insert(key, std::move(node));
    }
    // The limit may have shrunk since the last run.
    while (m_bytes > m_maxBytes && !m_lru.empty())
        removeEntry(m_lru.front());
    return {};
}

CachedAnswer *ExactCache::lookup(const QString &key, qint64 now)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        ++m_misses;
        return nullptr;
    }
    if (it->answer.expiresAtUs <= now) {
        removeEntry(key);
        ++m_misses;
        return nullptr;
    }
    ++m_hits;
    it->lastUsedUs = now;
    m_lru.splice(m_lru.end(), m_lru, it->lru);
    m_touched.insert(key);
    return &it->answer;
}

void ExactCache::removeEntry(QString key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    m_bytes -= it->answer.body.size();
    m_lru.erase(it->lru);
    m_entries.erase(it);
    m_touched.remove(key);
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(u"DELETE FROM exact_cache WHERE key = :key"_s);
    q.bindValue(u":key"_s, key);
    q.exec();
}

Result<void> ExactCache::store(const QString &key, const QString &callerId, CachedAnswer answer)
{
    if (answer.body.size() > m_maxBytes)
        return {};
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(uR"(INSERT OR REPLACE INTO exact_cache
                  (key, caller, api, body, served_model, created_us, expires_us, last_used_us, bytes)
                  VALUES (:key, :caller, :api, :body, :model, :created, :expires, :used, :bytes))"_s);
    q.bindValue(u":key"_s, key);
    // A call without any key (a local upstream that needs none) has the empty identity: stored as '',
    // not NULL, so those callers share one scope instead of never being cached.
    q.bindValue(u":caller"_s, callerId.isNull() ? QString::fromLatin1("") : callerId);
    q.bindValue(u":api"_s, answer.api);
    q.bindValue(u":body"_s, answer.body);
    q.bindValue(u":model"_s, answer.servedModel);
    q.bindValue(u":created"_s, answer.createdAtUs);
    q.bindValue(u":expires"_s, answer.expiresAtUs);
    q.bindValue(u":used"_s, answer.createdAtUs);
    q.bindValue(u":bytes"_s, answer.body.size());
    if (!q.exec())
        return std::unexpected(dbError(u"Cannot store a cache entry"_s, q.lastError()));
    if (m_entries.contains(key)) {
        m_bytes -= m_entries[key].answer.body.size();
        m_lru.erase(m_entries[key].lru);
        m_entries.remove(key);
    }
    Node node;
    node.lastUsedUs = answer.createdAtUs;
    m_bytes += answer.body.size();
    node.answer = std::move(answer);
    m_lru.push_back(key);
    node.lru = std::prev(m_lru.end());
    m_entries.insert(key, std::move(node));
    while (m_bytes > m_maxBytes && !m_lru.empty())
        removeEntry(m_lru.front());
    return {};
}

Result<void> ExactCache::clear()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(u"DELETE FROM exact_cache"_s))
        return std::unexpected(dbError(u"Cannot clear the cache"_s, q.lastError()));
    m_entries.clear();
    m_lru.clear();
    m_touched.clear();
    m_bytes = 0;
    return {};
}

Result<void> ExactCache::flushTouches()
{
    if (m_touched.isEmpty())
        return {};
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.isOpen())
        return {};
    db.transaction();
    QSqlQuery q(db);
    q.prepare(u"UPDATE exact_cache SET last_used_us = :used WHERE key = :key"_s);
    for (const QString &key : std::as_const(m_touched)) {
        const auto it = m_entries.constFind(key);
        if (it == m_entries.constEnd())
            continue;
        q.bindValue(u":used"_s, it->lastUsedUs);
        q.bindValue(u":key"_s, key);
        if (!q.exec()) {
            db.rollback();
            return std::unexpected(dbError(u"Cannot update cache use times"_s, q.lastError()));
        }
    }
    db.commit();
    m_touched.clear();
    return {};
}

void ExactCache::setMaxBytes(qint64 maxBytes)
{
    m_maxBytes = maxBytes;
    while (m_bytes > m_maxBytes && !m_lru.empty())
        removeEntry(m_lru.front());
}

CacheStats ExactCache::stats() const
{
    return CacheStats{qint64(m_entries.size()), m_bytes, m_hits, m_misses};
}

} // namespace tl::cache
