#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <list>
#include <optional>

namespace tl::compress {

// A summary found for a prefix of the dropped messages.
struct SummaryHit
{
    QString summary;
    int coveredCount = 0; // how many of the plan's dropped messages it covers (1..droppedCount)
    QByteArray key;
};

// Conversation summaries by the history they cover (keys: TrimPlan::prefixKeys, hex SHA-256).
//
// Growing conversations: turn N drops messages m0..m9 and stores the summary under key(m0..m9); turn
// N+1 drops m0..m12, longestPrefix() finds key(m0..m9), the proxy asks the summary model to extend
// that summary with m10..m12 only, and stores the result under key(m0..m12). A turn that drops the
// same prefix again is a full hit and costs no summary call.
//
// Memory: an LRU of at most maxEntries summaries. Persistence (optional): openDatabase() keeps every
// summary in a small SQLite file too (table summaries(key TEXT PRIMARY KEY, summary, covered,
// model, created_utc), bound parameters only), trimmed to maxEntries x 4 rows, oldest first; a
// memory miss falls back to the file, so summaries survive a restart.
//
// Thread affinity: not thread-safe; use each instance from one thread, the one that called
// openDatabase() (its QSqlDatabase connection belongs to that thread). Errors: Database with the
// SQLite message when the file cannot be opened or written; a failed write leaves the memory cache
// working.
class SummaryCache
{
public:
    explicit SummaryCache(int maxEntries = 512);
    ~SummaryCache();
    SummaryCache(const SummaryCache &) = delete;
    SummaryCache &operator=(const SummaryCache &) = delete;

    Result<void> openDatabase(const QString &path);
    bool persistent() const { return !m_connection.isEmpty(); }

    std::optional<QString> find(const QByteArray &key);
    // The longest prefix of `prefixKeys` (TrimPlan::prefixKeys) with a stored summary.
    std::optional<SummaryHit> longestPrefix(const QList<QByteArray> &prefixKeys);
    Result<void> insert(const QByteArray &key, const QString &summary, int coveredCount, const QString &model);

    int size() const { return int(m_lru.size()); }
    qint64 hits() const { return m_hits; } // find/longestPrefix answers (full or prefix)
    qint64 misses() const { return m_misses; }

private:
    struct Entry
    {
        QByteArray key;
        QString summary;
        int covered = 0;
    };
    std::optional<Entry> lookup(const QByteArray &key);
    void remember(Entry e);

    int m_maxEntries;
    std::list<Entry> m_lru; // front = most recent
    QHash<QByteArray, std::list<Entry>::iterator> m_index;
    QString m_connection;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
};

} // namespace tl::compress
