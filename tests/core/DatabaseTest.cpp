#include "TestSupport.h"

#include "cache/ExactCache.h"
#include "ledger/CallReplay.h"
#include "settings/Settings.h"
#include "ledger/Database.h"
#include "ledger/LatencyHistogram.h"
#include "ledger/Schema.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <array>

using namespace Qt::StringLiterals;
using namespace tl;

class DatabaseTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Session-17 trial: the README's ~/.local/share/TokenLedger/ledger.sqlite was in fact
    // ~/.local/share/TokenLedger/TokenLedger/ledger.sqlite (AppDataLocation is <data>/<organisation>/<application>,
    // both "TokenLedger"). Now one folder; a ledger at the old place stays the default while there is none at the new.
    void defaultLedgerPathHasOneTokenLedgerFolder()
    {
        const QString org = QCoreApplication::organizationName(), app = QCoreApplication::applicationName();
        QCoreApplication::setOrganizationName(u"TokenLedger"_s); // as app/main.cpp
        QCoreApplication::setApplicationName(u"TokenLedger"_s);
        const QString fresh = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/TokenLedger/ledger.sqlite"_s;
        const QString legacy = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/ledger.sqlite"_s;
        QVERIFY2(legacy.endsWith(u"/TokenLedger/TokenLedger/ledger.sqlite"_s), qPrintable(legacy));
        QVERIFY(!QFileInfo::exists(fresh) || QFile::remove(fresh)); // test mode: under ~/.qttest, not the user's data
        QVERIFY(!QFileInfo::exists(legacy) || QFile::remove(legacy));
        QCOMPARE(Database::defaultPath(), fresh);
        QVERIFY(QDir().mkpath(QFileInfo(legacy).absolutePath()));
        {
            QFile f(legacy);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QCOMPARE(Database::defaultPath(), legacy);
        QVERIFY(QDir().mkpath(QFileInfo(fresh).absolutePath()));
        {
            QFile f(fresh);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QCOMPARE(Database::defaultPath(), fresh);
        QVERIFY(QFile::remove(fresh) && QFile::remove(legacy));
        QCoreApplication::setOrganizationName(org);
        QCoreApplication::setApplicationName(app);
    }

    // Session-16 trial: a new ledger and its caches were 0644 (other local users could read every call and, in the
    // caches, whole answers). A new one is its owner's only, its WAL too; an existing file keeps its permissions.
    void newLedgerAndCacheFilesAreTheOwnersOnly()
    {
#ifdef Q_OS_UNIX
        QTemporaryDir dir;
        const QString path = dir.filePath(u"private/ledger.sqlite"_s);
        {
            auto ledger = test::openLedger(path);
            CallRecord r = test::makeRecord(test::usFromIso(u"2026-11-01T00:00:00Z"_s), u"chat"_s, u"openai"_s,
                                            u"gpt-4o"_s, 10, 5);
            ledger->pricer()->apply(r);
            QCOMPARE(ledger->writer().submitBatch({r}).result().inserted, 1);
            auto cache = cache::ExactCache::open(cache::ExactCache::pathForLedger(path), 1 << 20);
            QVERIFY(cache.has_value());
            const QFileDevice::Permissions owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
            for (const QString &file : QStringList{path, path + u"-wal"_s, cache::ExactCache::pathForLedger(path)}) {
                QVERIFY2(QFileInfo::exists(file), qPrintable(file));
                const QFileDevice::Permissions p = QFile::permissions(file)
                                                   & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
                QVERIFY2(p == owner, qPrintable(file + u": "_s + QString::number(int(p), 16)));
            }
        }
        // The settings file that holds the caller salt (which keys the caller identities) is the owner's only too.
        {
            Settings settings(dir.filePath(u"settings.ini"_s));
            QVERIFY(!settings.callerSalt().isEmpty());
        }
        const QFileDevice::Permissions settingsPermissions = QFile::permissions(dir.filePath(u"settings.ini"_s))
            & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
        QCOMPARE(int(settingsPermissions), int(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        // An existing file keeps the permissions it has.
        const QString shared = dir.filePath(u"shared.sqlite"_s);
        QFile f(shared);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QVERIFY(QFile::setPermissions(shared, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                                                  | QFileDevice::ReadOther));
        { auto ledger = test::openLedger(shared); }
        QVERIFY(QFile::permissions(shared) & QFileDevice::ReadOther);
#else
        QSKIP("POSIX permissions");
#endif
    }

    // Migrating a version-1 ledger step by step must give exactly the schema a new ledger gets.
    void migratingFromTheFirstSchemaEqualsCreatingFresh()
    {
        QTemporaryDir dir;
        const QString oldPath = dir.filePath(u"old.sqlite"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v1"_s);
            db.setDatabaseName(oldPath);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const QString &sql : Schema::version1())
                QVERIFY2(q.exec(sql), qPrintable(sql));
            QVERIFY(q.exec(u"PRAGMA user_version = 1"_s));
            // A row written by version 1 must survive the migration.
            QVERIFY(q.exec(u"INSERT INTO labels (id, kind, name) VALUES (1, 1, 'chat')"_s));
            QVERIFY(q.exec(u"INSERT INTO calls (id, started_at_us, endpoint_id, provider_id, requested_model_id, "
                           u"served_model_id, key_id, cost_nano, cost_status, source_kind) VALUES (1, 5, 1, 1, 1, 1, 1, 42, 0, 1)"_s));
            QVERIFY(q.exec(u"INSERT INTO rollup_hour VALUES (0, 1, 1, 1, 1, 0, 1, 10, 0, 0, 5, 0, 42, 0, 0, 0, 0, 0, 0, 0)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"v1"_s);

        auto migrated = Database::open(oldPath, u"migrated"_s);
        QVERIFY2(migrated.has_value(), migrated ? "" : qPrintable(migrated.error().message));
        auto fresh = Database::open(dir.filePath(u"fresh.sqlite"_s), u"fresh"_s);
        QVERIFY(fresh.has_value());
        const QString a = Schema::dump(*migrated);
        const QString b = Schema::dump(*fresh);
        QVERIFY(a.contains(u"table calls"_s));
        QCOMPARE(a, b);

        QSqlQuery q(*migrated);
        QVERIFY(q.exec(u"SELECT cost_nano, call_count, request_hash FROM calls WHERE id = 1"_s));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), 42);
        QCOMPARE(q.value(1).toLongLong(), 1);
        QCOMPARE(q.value(2).toString(), QString());
        // The daily rollups (version 4) are filled from the hourly ones on upgrade.
        QVERIFY(q.exec(u"SELECT calls, cost_nano FROM rollup_day WHERE day_us = 0"_s) && q.next());
        QCOMPARE(q.value(0).toLongLong(), 1);
        QCOMPARE(q.value(1).toLongLong(), 42);
        // And the weekly ones (version 8) from the daily ones: hour 0 (a Thursday) is in the UTC week
        // that starts on Monday 1969-12-29.
        QVERIFY(q.exec(u"SELECT week_us, calls, cost_nano FROM rollup_week"_s) && q.next());
        QCOMPARE(q.value(0).toLongLong(), -3 * 86'400'000'000LL);
        QCOMPARE(q.value(1).toLongLong(), 1);
        QCOMPARE(q.value(2).toLongLong(), 42);
        QVERIFY(!q.next());
        // And the simulator's call_replay (version 10) from calls: the version-1 call, its cost in its own
        // column, the replayed columns (defaults added by later versions included) in the BLOB.
        QVERIFY(q.exec(u"SELECT started_at_us, call_id, cost_nano, fields FROM call_replay"_s) && q.next());
        QCOMPARE(q.value(0).toLongLong(), 5);
        QCOMPARE(q.value(1).toLongLong(), 1);
        QCOMPARE(q.value(2).toLongLong(), 42);
        const QByteArray fields = q.value(3).toByteArray();
        CallReplay::Fields f;
        QVERIFY(CallReplay::decode(fields.constData(), size_t(fields.size()), f));
        QCOMPARE(f.endpointId, 1);
        QCOMPARE(f.servedModelId, 1);
        QCOMPARE(f.keyId, 1);
        QCOMPARE(f.usage, Usage{});
        QCOMPARE(f.callCount, 1);
        QCOMPARE(f.httpStatus, 0);
        QVERIFY(f.requestHash.empty() && f.taskType.empty());
        QVERIFY(!q.next());
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), Schema::currentVersion());
        QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"wal"_s);
        Database::close(u"migrated"_s);
        Database::close(u"fresh"_s);
    }

    // Version 6 turns the per-bucket latency rows of versions 2-5 into one histogram row per (period,
    // endpoint, model, key): "bucket:count" pairs in bucket order; the bucket tables are dropped.
    void latencyBucketRowsBecomeHistogramsInVersion6()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"v5.sqlite"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v5"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QStringList statements = Schema::version1();
            const QList<QStringList> steps = Schema::migrations();
            for (int v = 1; v < 5; ++v)
                statements += steps[v - 1];
            for (const QString &sql : std::as_const(statements))
                QVERIFY2(q.exec(sql), qPrintable(sql));
            QVERIFY(q.exec(u"PRAGMA user_version = 5"_s));
            for (const char *sql : {"INSERT INTO rollup_latency_hour VALUES (3600, 1, 2, 3, 25, 10)",
                                    "INSERT INTO rollup_latency_hour VALUES (3600, 1, 2, 3, 7, 4)",
                                    "INSERT INTO rollup_latency_hour VALUES (3600, 1, 2, 4, 0, 1)",
                                    "INSERT INTO rollup_latency_hour VALUES (7200, 1, 2, 3, 9, 0)",
                                    "INSERT INTO rollup_latency_day VALUES (0, 1, 2, 3, 25, 10)",
                                    "INSERT INTO rollup_latency_day VALUES (0, 1, 2, 3, 7, 4)"})
                QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
            db.close();
        }
        QSqlDatabase::removeDatabase(u"v5"_s);

        auto migrated = Database::open(path, u"migrated-v5"_s);
        QVERIFY2(migrated.has_value(), migrated ? "" : qPrintable(migrated.error().message));
        auto closeLater = qScopeGuard([&] {
            migrated = Result<QSqlDatabase>(QSqlDatabase()); // release the handle before removing the connection
            Database::close(u"migrated-v5"_s);
        });
        QSqlQuery q(*migrated);
        QStringList hours;
        QVERIFY(q.exec(u"SELECT hour_us, key_id, counts FROM rollup_latency_hist_hour ORDER BY 1, 2"_s));
        while (q.next())
            hours << q.value(0).toString() + u' ' + q.value(1).toString() + u' ' + q.value(2).toString();
        // Empty buckets are not stored, so the 7200 row (one bucket with 0 calls) has no histogram.
        QCOMPARE(hours, QStringList({u"3600 3 7:4,25:10"_s, u"3600 4 0:1"_s}));
        QVERIFY(q.exec(u"SELECT counts FROM rollup_latency_hist_day WHERE day_us = 0 AND key_id = 3"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"7:4,25:10"_s);
        QVERIFY(q.exec(u"SELECT count(*) FROM sqlite_master WHERE name IN ('rollup_latency_hour', 'rollup_latency_day')"_s));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }

    // The stored histogram text: non-zero buckets in order; a concatenation with ',' adds up; malformed
    // text is reported.
    void latencyHistogramTextRoundTrips()
    {
        std::array<qint64, LatencyHistogram::kBuckets> counts{};
        counts[0] = 1;
        counts[24] = 3;
        counts[63] = 1234567890123;
        const QByteArray text = LatencyHistogram::encode(counts.data());
        QCOMPARE(text, QByteArray("0:1,24:3,63:1234567890123"));
        std::array<qint64, LatencyHistogram::kBuckets> sum{};
        const QByteArray twice = text + ',' + text;
        QVERIFY(LatencyHistogram::addEncoded(twice.constData(), twice.size(), sum.data()));
        QCOMPARE(sum[24], 6);
        QCOMPARE(sum[63], 2 * 1234567890123);
        QCOMPARE(LatencyHistogram::encode(std::array<qint64, LatencyHistogram::kBuckets>{}.data()), QByteArray());
        for (const char *bad : {"24", "24:", ":3", "64:1", "1:2;3:4", "a:1"})
            QVERIFY2(!LatencyHistogram::addEncoded(bad, qsizetype(qstrlen(bad)), sum.data()), bad);
    }

    void aFileThatIsNotADatabaseIsRefusedUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"notes.txt"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray text = QByteArray("these are my notes, not a database\n").repeated(200);
        f.write(text);
        f.close();
        auto db = Database::open(path, u"bad"_s);
        QVERIFY(!db.has_value());
        QCOMPARE(db.error().code, ErrorCode::Database);
        QVERIFY(db.error().message.contains(path));
        Database::close(u"bad"_s);
        QCOMPARE(test::readFile(path), text);
    }

    void aNewerSchemaIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"future.sqlite"_s);
        {
            auto db = Database::open(path, u"future"_s);
            QVERIFY(db.has_value());
            QSqlQuery q(*db);
            QVERIFY(q.exec(u"PRAGMA user_version = 99"_s));
        }
        Database::close(u"future"_s);
        auto again = Database::open(path, u"future2"_s);
        QVERIFY(!again.has_value());
        QCOMPARE(again.error().code, ErrorCode::Unsupported);
        Database::close(u"future2"_s);
    }

    // Session-13 (a read-only ledger could not be reported on): openReadOnly opens with SQLite's mode=ro, so
    // the connection cannot write whatever the file's permissions, also as root (whom chmod does not stop;
    // this is what the test can prove there); it reads what is stored, and a ledger whose schema must be
    // upgraded first is refused with a message saying so, unchanged.
    void aReadOnlyOpenReadsAndNeverWrites()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"ro.sqlite"_s);
        {
            auto db = Database::open(path, u"rw"_s);
            QVERIFY(db.has_value());
            QSqlQuery q(*db);
            QVERIFY(q.exec(u"INSERT INTO meta (key, value) VALUES ('probe', 'kept')"_s));
        }
        Database::close(u"rw"_s);
        const QByteArray before = test::readFile(path);
        {
            auto db = Database::openReadOnly(path, u"ro"_s);
            QVERIFY2(db.has_value(), qPrintable(db ? QString() : db.error().message));
            QSqlQuery q(*db);
            QVERIFY(q.exec(u"SELECT value FROM meta WHERE key = 'probe'"_s));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), u"kept"_s);
            QVERIFY(!q.exec(u"INSERT INTO meta (key, value) VALUES ('written', 'x')"_s));
            QVERIFY2(q.lastError().text().contains(u"readonly"_s), qPrintable(q.lastError().text()));
        }
        Database::close(u"ro"_s);
        QCOMPARE(test::readFile(path), before);

        // An older schema: the upgrade needs writing, so a read-only open says that and changes nothing.
        const QString oldPath = dir.filePath(u"v1.sqlite"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v1ro"_s);
            db.setDatabaseName(oldPath);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const QString &sql : Schema::version1())
                QVERIFY2(q.exec(sql), qPrintable(sql));
            QVERIFY(q.exec(u"PRAGMA user_version = 1"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"v1ro"_s);
        const QByteArray oldBefore = test::readFile(oldPath);
        auto old = Database::openReadOnly(oldPath, u"v1ro2"_s);
        QVERIFY(!old.has_value());
        QCOMPARE(old.error().code, ErrorCode::Unsupported);
        QVERIFY2(old.error().message.contains(u"must be upgraded once, which needs write access"_s),
                 qPrintable(old.error().message));
        Database::close(u"v1ro2"_s);
        QCOMPARE(test::readFile(oldPath), oldBefore);

        auto missing = Database::openReadOnly(dir.filePath(u"none.sqlite"_s), u"none"_s);
        QVERIFY(!missing.has_value());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        Database::close(u"none"_s);
        QVERIFY(!QFileInfo::exists(dir.filePath(u"none.sqlite"_s)));
    }
};

QTEST_GUILESS_MAIN(DatabaseTest)
#include "DatabaseTest.moc"
