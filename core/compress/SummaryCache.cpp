#include "SummaryCache.h"

#include <QObject>
#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace tl::compress {

namespace {

Error dbError(const QString &what, const QSqlError &e)
{
    return Error {ErrorCode::Database, what + u": "_s + e.text()};
}

} // namespace

SummaryCache::SummaryCache(int maxEntries)
    : m_maxEntries(std::max(1, maxEntries))
{
}

SummaryCache::~SummaryCache()
{
    if (!m_connection.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

Result<void> SummaryCache::openDatabase(const QString &path)
{
    if (!m_connection.isEmpty())
        return fail(ErrorCode::InvalidArgument, QObject::tr("the summary cache already has a database"));
    const QString name = u"tokenledger-summary-cache-%1"_s.arg(quintptr(this), 0, 16);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (!db.open()) {
            const Error e = dbError(QObject::tr("cannot open the summary cache %1").arg(path), db.lastError());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            return std::unexpected(e);
        }
        QSqlQuery q(db);
        if (!q.exec(uR"(CREATE TABLE IF NOT EXISTS summaries (
                           key TEXT PRIMARY KEY,
                           summary TEXT NOT NULL,
                           covered INTEGER NOT NULL,
                           model TEXT NOT NULL,
                           created_utc INTEGER NOT NULL))"_s)) {
            const Error e
                = dbError(QObject::tr("cannot create the summary cache table in %1").arg(path), q.lastError());
            q = QSqlQuery();
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            return std::unexpected(e);
        }
    }
    m_connection = name;
    return {};
}

void SummaryCache::remember(Entry e)
{
    auto it = m_index.find(e.key);
    if (it != m_index.end()) {
        m_lru.erase(it.value());
        m_index.erase(it);
    }
    m_lru.push_front(std::move(e));
    m_index.insert(m_lru.front().key, m_lru.begin());
    while (int(m_lru.size()) > m_maxEntries) {
        m_index.remove(m_lru.back().key);
        m_lru.pop_back();
    }
}

std::optional<SummaryCache::Entry> SummaryCache::lookup(const QByteArray &key)
{
    auto it = m_index.find(key);
    if (it != m_index.end()) {
        m_lru.splice(m_lru.begin(), m_lru, it.value()); // most recent
        return *it.value();
    }
    if (m_connection.isEmpty())
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(u"SELECT summary, covered FROM summaries WHERE key = :key"_s);
    q.bindValue(u":key"_s, QString::fromLatin1(key));
    if (!q.exec() || !q.next())
        return std::nullopt;
    Entry e {key, q.value(0).toString(), q.value(1).toInt()};
    remember(e);
    return e;
}

std::optional<QString> SummaryCache::find(const QByteArray &key)
{
    if (auto e = lookup(key)) {
        ++m_hits;
        return e->summary;
    }
    ++m_misses;
    return std::nullopt;
}

std::optional<SummaryHit> SummaryCache::longestPrefix(const QList<QByteArray> &prefixKeys)
{
    // Memory first, longest prefix first.
    qsizetype best = -1;
    for (qsizetype i = prefixKeys.size() - 1; i >= 0; --i) {
        if (m_index.contains(prefixKeys[i])) {
            best = i;
            break;
        }
    }
    // Longer prefixes only the file may hold: one query per 400 keys instead of one per key.
    if (!m_connection.isEmpty() && best + 1 < prefixKeys.size()) {
        constexpr qsizetype kChunk = 400; // well under SQLite's bound-parameter limit
        QHash<QByteArray, qsizetype> position;
        for (qsizetype i = best + 1; i < prefixKeys.size(); ++i)
            position.insert(prefixKeys[i], i);
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        for (qsizetype from = best + 1; from < prefixKeys.size(); from += kChunk) {
            const qsizetype count = std::min(kChunk, prefixKeys.size() - from);
            QStringList names;
            for (qsizetype j = 0; j < count; ++j)
                names << u":k%1"_s.arg(j);
            QSqlQuery q(db);
            q.prepare(u"SELECT key FROM summaries WHERE key IN ("_s + names.join(u',') + u")"_s);
            for (qsizetype j = 0; j < count; ++j)
                q.bindValue(names[j], QString::fromLatin1(prefixKeys[from + j]));
            if (!q.exec())
                break; // the memory answer stands
            while (q.next())
                best = std::max(best, position.value(q.value(0).toString().toLatin1(), -1));
        }
    }
    if (best >= 0) {
        if (auto e = lookup(prefixKeys[best])) {
            ++m_hits;
            return SummaryHit {e->summary, int(best) + 1, e->key};
        }
    }
    ++m_misses;
    return std::nullopt;
}

Result<void> SummaryCache::insert(const QByteArray &key, const QString &summary, int coveredCount, const QString &model)
{
    remember(Entry {key, summary, coveredCount});
    if (m_connection.isEmpty())
        return {};
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(uR"(INSERT OR REPLACE INTO summaries (key, summary, covered, model, created_utc)
                  VALUES (:key, :summary, :covered, :model, :created))"_s);
    q.bindValue(u":key"_s, QString::fromLatin1(key));
    q.bindValue(u":summary"_s, summary);
    q.bindValue(u":covered"_s, coveredCount);
    q.bindValue(u":model"_s, model);
    q.bindValue(u":created"_s, QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return std::unexpected(dbError(QObject::tr("cannot store a conversation summary"), q.lastError()));
    // Keep the file small: at most 4 x maxEntries rows, oldest removed first.
    QSqlQuery trim(db);
    trim.prepare(uR"(DELETE FROM summaries WHERE rowid IN (
                         SELECT rowid FROM summaries ORDER BY created_utc DESC, rowid DESC
                         LIMIT -1 OFFSET :keep))"_s);
    trim.bindValue(u":keep"_s, qint64(m_maxEntries) * 4);
    if (!trim.exec())
        return std::unexpected(dbError(QObject::tr("cannot trim the summary cache"), trim.lastError()));
    return {};
}

} // namespace tl::compress
