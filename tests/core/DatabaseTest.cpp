#include "TestSupport.h"

#include "ledger/Database.h"
#include "ledger/Schema.h"

#include <QFile>
#include <QSqlQuery>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

class DatabaseTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

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
        QVERIFY(q.exec(u"PRAGMA user_version"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), Schema::currentVersion());
        QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"wal"_s);
        Database::close(u"migrated"_s);
        Database::close(u"fresh"_s);
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
};

QTEST_GUILESS_MAIN(DatabaseTest)
#include "DatabaseTest.moc"
