#include "TestSupport.h"

#include "compress/FewShot.h"
#include "ledger/Ledger.h"
#include "ledger/Schema.h"
#include "pricing/Pricer.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#endif

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
using Run = test::CommandRun;

Run run(const QStringList &args)
{
    return test::runCommand(qEnvironmentVariable("TOKENLEDGER_BIN"), args, {}, {}, 120'000);
}

#ifdef Q_OS_LINUX
// `source` made read-only for a test, undone on destruction: as root (who writes through any mode) a read-only bind
// mount of it at `mountPoint`, else mode 0500. `folder` is the path to use (empty when it failed); `skip` says why
// the mount could not be made here (a container without mount rights).
struct ReadOnlyFolder
{
    QString source, mounted, folder;
    const char *skip = nullptr;
    ReadOnlyFolder(const QString &src, const QString &mountPoint)
        : source(src)
    {
        if (geteuid() != 0) {
            if (QFile::setPermissions(source, QFile::ReadOwner | QFile::ExeOwner))
                folder = source;
            return;
        }
        if (!QDir().mkpath(mountPoint))
            return;
        if (QProcess::execute(u"mount"_s, {u"--bind"_s, source, mountPoint}) != 0) {
            skip = "cannot bind-mount here";
            return;
        }
        mounted = mountPoint;
        if (QProcess::execute(u"mount"_s, {u"-o"_s, u"remount,ro,bind"_s, mountPoint}) != 0) {
            skip = "cannot remount read-only here";
            return;
        }
        folder = mountPoint;
    }
    ~ReadOnlyFolder()
    {
        if (!mounted.isEmpty())
            QProcess::execute(u"umount"_s, {mounted});
        QFile::setPermissions(source, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    Q_DISABLE_COPY_MOVE(ReadOnlyFolder)
};
#endif

// Writes `csv` (header line first) to `csvPath` and runs `import --format csv` of it into `db` with the
// --columns mapping and one --set per entry of `sets` ("field=value"). exitCode -1 when the file cannot
// be written.
Run importCsv(const QString &db, const QString &csvPath, const QByteArray &csv, const QString &columns,
              const QStringList &sets)
{
    QFile f(csvPath);
    if (!f.open(QIODevice::WriteOnly) || f.write(csv) != csv.size())
        return {-1, {}, u"cannot write "_s + csvPath};
    f.close();
    QStringList args{u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s, columns};
    for (const QString &set : sets)
        args << u"--set"_s << set;
    return run(args << csvPath);
}

// A CSV of `rows` calls (ts,p,c,ep,model), seven seconds apart from 2026-11-01, and the trial's import of it.
QByteArray bigCsv(int rows)
{
    QByteArray text = "ts,p,c,ep,model\n";
    const qint64 base = QDateTime(QDate(2026, 11, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch();
    for (int i = 0; i < rows; ++i)
        text += QDateTime::fromSecsSinceEpoch(base + 7 * i, QTimeZone::utc()).toString(Qt::ISODate).toUtf8() + ','
            + QByteArray::number(1000 + i) + ',' + QByteArray::number(200 + i % 50) + ",chat,gpt-4o-mini\n";
    return text;
}

QStringList bigCsvImport(const QString &db, const QString &csvPath)
{
    return {u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s,
            u"started_at=ts,prompt_tokens=p,completion_tokens=c,endpoint=ep,model=model"_s, u"--set"_s,
            u"provider=openai"_s, csvPath};
}

// run() with a child-side setup and a shorter limit: a command still running after `timeoutMs` is killed
// (exitCode -1), so a hang fails the test instead of stalling it.
Run runBounded(const QStringList &args, const std::function<void()> &childSetup, int timeoutMs)
{
    QProcess p;
    if (childSetup)
        p.setChildProcessModifier(childSetup);
    p.start(qEnvironmentVariable("TOKENLEDGER_BIN"), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return {-1, QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

qint64 callRows(const QString &db)
{
    qint64 n = -1;
    {
        QSqlDatabase c = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cli-count"_s);
        c.setDatabaseName(db);
        if (c.open()) {
            QSqlQuery q(c);
            if (q.exec(u"SELECT COUNT(*) FROM calls"_s) && q.next())
                n = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(u"cli-count"_s);
    return n;
}

QStringList azureConvImport(const QString &db)
{
    return {u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s,
            u"--columns"_s, u"started_at=TIMESTAMP,prompt_tokens=ContextTokens,completion_tokens=GeneratedTokens"_s,
            u"--set"_s, u"endpoint=chat"_s, u"--set"_s, u"model=gpt-4o-2024-08-06"_s, u"--set"_s, u"provider=openai"_s,
            test::sharedData(u"azure-llm-trace-2023/AzureLLMInferenceTrace_conv.csv"_s)};
}
} // namespace

// The real `tokenledger` binary, headless, as a user runs it.
class CliTest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFileInfo::exists(qEnvironmentVariable("TOKENLEDGER_BIN")));
        qputenv("XDG_DATA_HOME", m_dir.filePath(u"xdg"_s).toUtf8()); // never touch a real ledger
    }

    // Session-12 trial finding: `import` onto a full disk printed "ledger commit failed" and never exited.
    // Here the ledger cannot grow because the child's file-size limit (RLIMIT_FSIZE, no root needed) makes
    // its writes fail as on a full disk: the command must exit 1 within the timeout, naming the file and
    // how many rows were stored and not stored; run again once the limit is gone, it adds exactly the
    // rows not stored.
    void importOntoALedgerThatCannotGrowExitsWithAnError()
    {
#ifdef Q_OS_UNIX
        constexpr int kRows = 20000;
        const QString db = m_dir.filePath(u"cannot-grow.sqlite"_s);
        const QString csvPath = m_dir.filePath(u"big20k.csv"_s);
        {
            QFile f(csvPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            const QByteArray csv = bigCsv(kRows);
            QCOMPARE(f.write(csv), csv.size());
        }
        test::openLedger(db).reset(); // an empty ledger, created without a limit
        const qint64 largest = std::max(QFileInfo(db).size(), QFileInfo(db + u"-wal"_s).size());
        const rlim_t limit = rlim_t(largest + 1024 * 1024); // 20,000 rows need ~3 MB
        const auto limited = [limit] {
            std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of the signal; kept across exec
            rlimit r{};
            getrlimit(RLIMIT_FSIZE, &r);
            r.rlim_cur = limit;
            setrlimit(RLIMIT_FSIZE, &r);
        };
        const Run full = runBounded(bigCsvImport(db, csvPath), limited, 60'000);
        QVERIFY2(full.exitCode != -1, qPrintable(u"no exit within 60 s; stderr: "_s + full.err));
        QCOMPARE(full.exitCode, 1);
        const qint64 stored = callRows(db);
        QVERIFY(stored >= 0 && stored < kRows);
        QVERIFY2(full.err.contains(csvPath + u": Importing big20k.csv stopped: the ledger "_s + db), qPrintable(full.err));
        QVERIFY2(full.err.contains(u"%1 rows stored, %2 not stored"_s.arg(stored).arg(kRows - stored)),
                 qPrintable(full.err));

        const Run again = run(bigCsvImport(db, csvPath));
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains(u"%1 rows read, %2 imported, %3 already in the ledger, 0 skipped"_s
                                        .arg(kRows)
                                        .arg(kRows - stored)
                                        .arg(stored)),
                 qPrintable(again.out));
        QCOMPARE(callRows(db), kRows);
#else
        QSKIP("needs RLIMIT_FSIZE (Linux, macOS)");
#endif
    }

    // The trial itself, on a real full file system: a 2 MiB tmpfs (needs root to mount; skipped otherwise).
    // SQLite's own words reach the user; after the file system grows, the re-run adds the rest.
    void importOntoAFullTmpfsExitsWithAnError()
    {
#ifdef Q_OS_LINUX
        if (geteuid() != 0)
            QSKIP("mounting a tmpfs needs root");
        const QString mountPoint = m_dir.filePath(u"small"_s);
        QVERIFY(QDir().mkpath(mountPoint));
        if (QProcess::execute(u"mount"_s, {u"-t"_s, u"tmpfs"_s, u"-o"_s, u"size=2m"_s, u"tmpfs"_s, mountPoint}) != 0)
            QSKIP("cannot mount a tmpfs here");
        struct Unmount
        {
            QString dir;
            ~Unmount() { QProcess::execute(u"umount"_s, {dir}); }
        } unmount{mountPoint};
        constexpr int kRows = 20000;
        const QString db = mountPoint + u"/l.sqlite"_s;
        const QString csvPath = m_dir.filePath(u"big20k-tmpfs.csv"_s); // outside the small file system
        {
            QFile f(csvPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            const QByteArray csv = bigCsv(kRows);
            QCOMPARE(f.write(csv), csv.size());
        }
        const Run full = runBounded(bigCsvImport(db, csvPath), {}, 60'000);
        QVERIFY2(full.exitCode != -1, qPrintable(u"no exit within 60 s; stderr: "_s + full.err));
        QCOMPARE(full.exitCode, 1);
        QVERIFY2(full.err.contains(u"database or disk is full"_s), qPrintable(full.err));
        const qint64 stored = callRows(db);
        QVERIFY(stored >= 0 && stored < kRows);
        QVERIFY2(full.err.contains(u"%1 rows stored, %2 not stored"_s.arg(stored).arg(kRows - stored)),
                 qPrintable(full.err));

        QCOMPARE(QProcess::execute(u"mount"_s, {u"-o"_s, u"remount,size=64m"_s, mountPoint}), 0);
        const Run again = run(bigCsvImport(db, csvPath));
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains(u"%1 imported, %2 already in the ledger, 0 skipped"_s.arg(kRows - stored).arg(stored)),
                 qPrintable(again.out));
        QCOMPARE(callRows(db), kRows);
#else
        QSKIP("needs Linux tmpfs");
#endif
    }

    // Session-17 trial: an import into a ledger another process held with BEGIN EXCLUSIVE ended with "Free some
    // space (or fix the cause)", as for a full disk. A lock is named as one, with what to do, and the full-disk
    // advice is not given.
    void importIntoALockedLedgerSaysAnotherProcessIsWritingIt()
    {
        const QString db = m_dir.filePath(u"locked.sqlite"_s);
        const QString columns = u"started_at=ts,prompt_tokens=p,completion_tokens=c,model=m"_s;
        QCOMPARE(importCsv(db, m_dir.filePath(u"locked-a.csv"_s), "ts,p,c,m\n2026-06-01T10:00:00Z,1000,100,gpt-4o\n",
                           columns, {u"provider=openai"_s})
                     .exitCode,
                 0);
        const QString name = u"cli-exclusive"_s;
        {
            QSqlDatabase holder = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            holder.setDatabaseName(db);
            QVERIFY(holder.open());
            QSqlQuery q(holder);
            QVERIFY2(q.exec(u"BEGIN EXCLUSIVE"_s), qPrintable(q.lastError().text()));
            const Run locked = importCsv(db, m_dir.filePath(u"locked-b.csv"_s),
                                         "ts,p,c,m\n2026-06-02T10:00:00Z,1000,100,gpt-4o\n", columns,
                                         {u"provider=openai"_s});
            QVERIFY(q.exec(u"ROLLBACK"_s));
            holder.close();
            QCOMPARE(locked.exitCode, 1);
            QVERIFY2(locked.err.contains(u"another process is writing the ledger"_s), qPrintable(locked.err));
            QVERIFY2(locked.err.contains(u"Import again when it is done"_s), qPrintable(locked.err));
            QVERIFY2(!locked.err.contains(u"Free some space"_s), qPrintable(locked.err));
        }
        QSqlDatabase::removeDatabase(name);
        QCOMPARE(callRows(db), 1);
    }

    // Session-19 trial: two imports started at once into a new --db; one failed with "Database error: table
    // labels already exists" (both read schema version 0, both created the tables). Here another process (the
    // test's connection) is creating the schema, under the write lock, when the import opens the file: the
    // import must wait for it and use the schema it made, not create it again.
    void importWhileAnotherProcessCreatesTheLedgerWaitsAndUsesIt()
    {
        const QString db = m_dir.filePath(u"created-meanwhile.sqlite"_s);
        const QString csvPath = m_dir.filePath(u"created-meanwhile.csv"_s);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("ts,p,c,m\n2026-06-01T10:00:00Z,1000,100,gpt-4o\n");
        csv.close();
        const QString name = u"cli-creator"_s;
        {
            QSqlDatabase creator = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            creator.setDatabaseName(db);
            QVERIFY(creator.open());
            QSqlQuery q(creator);
            QVERIFY(q.exec(u"PRAGMA journal_mode = WAL"_s));
            q.finish();
            QVERIFY2(q.exec(u"BEGIN IMMEDIATE"_s), qPrintable(q.lastError().text()));
            for (const QString &sql : Schema::latest())
                QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
            QVERIFY(q.exec(u"PRAGMA user_version = %1"_s.arg(Schema::currentVersion())));

            QProcess importer;
            importer.start(qEnvironmentVariable("TOKENLEDGER_BIN"),
                           {u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s,
                            u"started_at=ts,prompt_tokens=p,completion_tokens=c,model=m"_s, u"--set"_s,
                            u"provider=openai"_s, csvPath});
            QVERIFY(importer.waitForStarted());
            QTest::qWait(1500); // it has opened the file, read schema version 0 and waits for the lock (5 s)
            QCOMPARE(importer.state(), QProcess::Running);
            QVERIFY2(q.exec(u"COMMIT"_s), qPrintable(q.lastError().text()));
            q.finish();
            creator.close();
            QVERIFY(importer.waitForFinished(30'000));
            const QString err = QString::fromUtf8(importer.readAllStandardError());
            QVERIFY2(importer.exitCode() == 0, qPrintable(err));
            QVERIFY2(QString::fromUtf8(importer.readAllStandardOutput()).contains(u"1 imported"_s), qPrintable(err));
        }
        QSqlDatabase::removeDatabase(name);
        QCOMPARE(callRows(db), 1);
    }

    // Session-19 trial: two proxies started together on one ledger handed out the same record ids (each read the
    // next id before either raised the stored mark), and the second one's records were refused ("UNIQUE
    // constraint failed: calls.id") after their clients had their answers. Two imports show it the same way:
    // both open the ledger while it is locked, so both read the same next id; one row was skipped.
    void writersOpeningAtOnceTakeDistinctIds()
    {
        const QString db = m_dir.filePath(u"two-writers.sqlite"_s);
        const QString columns = u"started_at=ts,prompt_tokens=p,completion_tokens=c,model=m"_s;
        QCOMPARE(importCsv(db, m_dir.filePath(u"two-writers-0.csv"_s), "ts,p,c,m\n2026-06-01T10:00:00Z,1000,100,gpt-4o\n",
                           columns, {})
                     .exitCode,
                 0);
        QList<QString> files;
        for (int i = 1; i <= 2; ++i) {
            files << m_dir.filePath(u"two-writers-%1.csv"_s.arg(i));
            QFile f(files.constLast());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("ts,p,c,m\n2026-06-0" + QByteArray::number(1 + i) + "T10:00:00Z,1000,100,gpt-4o\n");
        }
        const QString name = u"cli-two-writers"_s;
        {
            QSqlDatabase holder = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            holder.setDatabaseName(db);
            QVERIFY(holder.open());
            QSqlQuery q(holder);
            QVERIFY2(q.exec(u"BEGIN IMMEDIATE"_s), qPrintable(q.lastError().text()));
            std::vector<std::unique_ptr<QProcess>> imports;
            for (const QString &file : std::as_const(files)) {
                imports.push_back(std::make_unique<QProcess>());
                imports.back()->start(qEnvironmentVariable("TOKENLEDGER_BIN"),
                                      {u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s, columns, file});
                QVERIFY(imports.back()->waitForStarted());
            }
            QTest::qWait(1500); // both have opened the ledger and wait for the lock
            QVERIFY(q.exec(u"COMMIT"_s));
            q.finish();
            holder.close();
            for (const auto &importer : imports) {
                QVERIFY(importer->waitForFinished(30'000));
                const QString out = QString::fromUtf8(importer->readAllStandardOutput());
                const QString err = QString::fromUtf8(importer->readAllStandardError());
                QVERIFY2(importer->exitCode() == 0 && out.contains(u"1 row read, 1 imported"_s), qPrintable(out + err));
                QVERIFY2(!err.contains(u"UNIQUE"_s), qPrintable(err));
            }
        }
        QSqlDatabase::removeDatabase(name);
        QCOMPARE(callRows(db), 3);
    }

    // Session-17 trial: exports were 0644 while the ledger is 0600, and they carry the same records.
    void exportIsPrivateToItsOwner()
    {
#ifdef Q_OS_UNIX
        const QString db = m_dir.filePath(u"private-export.sqlite"_s);
        QCOMPARE(importCsv(db, m_dir.filePath(u"private-export-in.csv"_s), "ts,p,c,m\n2026-06-01T10:00:00Z,1000,100,gpt-4o\n",
                           u"started_at=ts,prompt_tokens=p,completion_tokens=c,model=m"_s, {u"provider=openai"_s})
                     .exitCode,
                 0);
        const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        for (const QString &format : {u"jsonl"_s, u"csv"_s}) {
            const QString out = m_dir.filePath(u"private-export."_s + format);
            const Run exported = run({u"export"_s, u"--db"_s, db, u"--format"_s, format, u"--out"_s, out});
            QCOMPARE(exported.exitCode, 0);
            // QFileInfo::permissions() also sets the ReadUser/WriteUser bits of the current user's own.
            QCOMPARE(QFileInfo(out).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser),
                     ownerOnly);
        }
        QCOMPARE(QFileInfo(db).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser),
                 ownerOnly);
#else
        QSKIP("Unix permissions");
#endif
    }

    // Session-17 trial: `report` printed an imported endpoint raw, so its ANSI/OSC escape sequences ran in the
    // terminal (colour, window title) and a line break inside it broke the table. Tables and plain lines show
    // C0/C1 control characters and DEL as escapes; CSV and JSON keep the text exact.
    void tableOutputShowsControlCharactersInsteadOfRunningThem()
    {
        const QString db = m_dir.filePath(u"escapes.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"escapes.csv"_s),
                                       "ts,p,c,e\n2026-11-02T10:00:00Z,300,100,\"\x1b[31mRED\x1b[0m\x1b]0;title\x07\"\n"
                                       "2026-11-02T11:00:00Z,2000,200,\"two\r\nlines\xc2\x9b\x7f\"\n",
                                       u"started_at=ts,prompt_tokens=p,completion_tokens=c,endpoint=e"_s,
                                       {u"model=gpt-4o-2024-08-06"_s, u"provider=openai"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        auto hasControl = [](const QString &text) {
            return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
                return (c.unicode() < 0x20 && c != u'\n') || (c.unicode() >= 0x7f && c.unicode() <= 0x9f);
            });
        };
        const Run table = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s});
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(!hasControl(table.out), qPrintable(table.out));
        QVERIFY2(table.out.contains(u"\\x1b[31mRED\\x1b[0m\\x1b]0;title\\x07"_s), qPrintable(table.out));
        QVERIFY2(table.out.contains(u"two\\r\\nlines\\x9b\\x7f"_s), qPrintable(table.out));
        QCOMPARE(table.out.count(u'\n'), 6); // header, rule, two rows, rule, TOTAL
        const Run csv = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s, u"--format"_s, u"csv"_s});
        QVERIFY2(csv.out.contains(u"\x1b[31mRED"_s) && csv.out.contains(u"two\r\nlines\u009b\x7f"_s), qPrintable(csv.out));
        const Run json = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s, u"--format"_s, u"json"_s});
        QVERIFY2(json.out.contains(u"\\u001b[31mRED"_s), qPrintable(json.out));

        const Run sim = run({u"simulate"_s, u"--db"_s, db, u"--scenario"_s,
                             QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));
        QVERIFY2(!hasControl(sim.out), qPrintable(sim.out));
        QVERIFY2(sim.out.contains(u"two\\r\\nlines"_s), qPrintable(sim.out));
    }

    // Session-17 trial: an import that failed (a missing file, a CSV without a model mapping) still created the
    // ledger named by --db. The inputs and the mapping are checked first; nothing is created or imported.
    void failedImportCreatesNoLedger()
    {
        const QString db = m_dir.filePath(u"never-created.sqlite"_s);
        const Run missing = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"jsonl"_s,
                                 m_dir.filePath(u"no-such-file.jsonl"_s)});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains(u"no-such-file.jsonl"_s), qPrintable(missing.err));
        QVERIFY(!QFileInfo::exists(db));
        const Run noModel = importCsv(db, m_dir.filePath(u"no-model.csv"_s), "ts,p,c\n2026-06-01T10:00:00Z,1,1\n",
                                      u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s, {});
        QVERIFY2(noModel.err.contains(u"map a model column"_s), qPrintable(noModel.err));
        QVERIFY(noModel.exitCode != 0);
        QVERIFY(!QFileInfo::exists(db));
        // One good file and one missing: nothing is imported (the good one is not half of a run).
        const QString good = m_dir.filePath(u"good-of-two.csv"_s);
        const Run goodAlone = importCsv(m_dir.filePath(u"scratch-good.sqlite"_s), good,
                                        "ts,p,c\n2026-06-01T10:00:00Z,1,1\n",
                                        u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s, {u"model=gpt-4o"_s});
        QCOMPARE(goodAlone.exitCode, 0);
        const Run two = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s,
                             u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s, u"--set"_s, u"model=gpt-4o"_s,
                             good, m_dir.filePath(u"no-such-file.csv"_s)});
        QCOMPARE(two.exitCode, 1);
        QVERIFY(!QFileInfo::exists(db));
    }

    // Session-17 trial: a CSV headed with the field names themselves still failed "map a column to started_at".
    // Such a column maps its field by itself; --columns and --set win over it.
    void csvColumnsNamedAsFieldsMapThemselves()
    {
        const QString db = m_dir.filePath(u"field-named.sqlite"_s);
        QFile f(m_dir.filePath(u"field-named.csv"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("started_at,model,provider,prompt_tokens,completion_tokens,endpoint,p\n"
                "2026-06-01T10:00:00Z,gpt-4o-2024-08-06,openai,1000,100,chat,7\n");
        f.close();
        const Run byName = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, f.fileName()});
        QVERIFY2(byName.exitCode == 0, qPrintable(byName.err));
        QVERIFY2(byName.out.contains(u"1 row read, 1 imported"_s), qPrintable(byName.out));
        // gpt-4o-2024-08-06: 1,000 in x $2.50/M + 100 out x $10/M = 2,500,000 + 1,000,000 nano-USD.
        QVERIFY2(byName.out.contains(u"(3500000 nano-USD)"_s), qPrintable(byName.out));
        const Run report = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s, u"--format"_s, u"json"_s});
        const QJsonObject row = QJsonDocument::fromJson(report.out.toUtf8()).object().value(u"rows"_s).toArray().first().toObject();
        QCOMPARE(row.value(u"keys"_s).toObject().value(u"endpoint"_s).toString(), u"chat"_s);
        QCOMPARE(row.value(u"prompt_tokens"_s).toInteger(), 1000);

        const QString db2 = m_dir.filePath(u"field-named-explicit.sqlite"_s);
        const Run explicitWins = run({u"import"_s, u"--db"_s, db2, u"--format"_s, u"csv"_s, u"--columns"_s,
                                      u"prompt_tokens=p"_s, u"--set"_s, u"endpoint=set-wins"_s, f.fileName()});
        QVERIFY2(explicitWins.exitCode == 0, qPrintable(explicitWins.err));
        const Run report2 = run({u"report"_s, u"--db"_s, db2, u"--by"_s, u"endpoint"_s, u"--format"_s, u"json"_s});
        const QJsonObject row2 = QJsonDocument::fromJson(report2.out.toUtf8()).object().value(u"rows"_s).toArray().first().toObject();
        QCOMPARE(row2.value(u"keys"_s).toObject().value(u"endpoint"_s).toString(), u"set-wins"_s);
        QCOMPARE(row2.value(u"prompt_tokens"_s).toInteger(), 7);

        const Run help = run({u"import"_s, u"--help"_s});
        QVERIFY2(help.out.contains(u"maps that field by"_s) && help.out.contains(u"cache_write_5m_tokens"_s),
                 qPrintable(help.out));
    }

    // Session-19 trial: a short row under a header whose columns map themselves was skipped with 'column "" is
    // missing' (the name came from --columns only), and an http_status of "abc" was stored as 0 (no answer). The
    // reason names the header's column and the field; an unreadable status skips its row.
    void csvRowErrorsNameTheColumnAndTheField()
    {
        const QString db = m_dir.filePath(u"row-errors.sqlite"_s);
        QFile f(m_dir.filePath(u"row-errors.csv"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("started_at,model,Tokens In,completion_tokens,http_status\n"
                "2026-06-01T10:00:00Z,gpt-4o-mini,100\n"
                "2026-06-01T10:00:01Z,gpt-4o-mini,100,10,abc\n"
                "2026-06-01T10:00:02Z,gpt-4o-mini,100,10,429\n"
                "2026-06-01T10:00:03Z,gpt-4o-mini\n");
        f.close();
        const Run imported = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s,
                                  u"prompt_tokens=Tokens In"_s, f.fileName()});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QVERIFY2(imported.out.contains(u"4 rows read, 1 imported, 0 already in the ledger, 3 skipped"_s),
                 qPrintable(imported.out));
        QVERIFY2(imported.out.contains(u"row-errors.csv:5: the row has 2 fields; column \"Tokens In\" (prompt_tokens) "
                                       u"is missing"_s),
                 qPrintable(imported.out));
        QVERIFY2(imported.out.contains(u"row-errors.csv:2: the row has 3 fields; column \"completion_tokens\" "
                                       u"(completion_tokens) is missing"_s),
                 qPrintable(imported.out));
        QVERIFY2(imported.out.contains(u"row-errors.csv:3: http_status \"abc\" is not an HTTP status code"_s),
                 qPrintable(imported.out));
    }

    // Session-19 trial: an Anthropic log's input_tokens (cache reads and writes left out) mapped to prompt_tokens
    // was skipped with "cached and cache-write tokens exceed the prompt tokens" and nothing said what prompt_tokens
    // counts, neither there nor in import --help. Both say it now.
    void csvPromptTokensSayWhatTheyCount()
    {
        const QString db = m_dir.filePath(u"anthropic-style.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"anthropic-style.csv"_s),
                                       "ts,input_tokens,cache_read,cache_write,output_tokens\n"
                                       "2026-06-01T10:00:00Z,120,8000,2000,640\n",
                                       u"started_at=ts,prompt_tokens=input_tokens,cached_tokens=cache_read,"
                                       u"cache_write_5m_tokens=cache_write,completion_tokens=output_tokens"_s,
                                       {u"model=claude-sonnet-4-5"_s, u"provider=anthropic"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QVERIFY2(imported.out.contains(u"cached and cache-write tokens (10000) exceed the prompt tokens (120): "
                                       u"prompt_tokens counts every input token, cache reads and writes included "
                                       u"(for Anthropic: input_tokens + cache_read_input_tokens + "
                                       u"cache_creation_input_tokens)"_s),
                 qPrintable(imported.out));
        const Run help = run({u"import"_s, u"--help"_s});
        QVERIFY2(help.out.simplified().contains(u"prompt_tokens is every input token, cached_tokens and the cache "
                                                u"writes included"_s),
                 qPrintable(help.out));
    }

    // Session-17 trial: an empty CSV exited 1 while an empty JSONL exited 0, and a CSV whose header lacks a mapped
    // column (an option problem, a usage error by the README) exited 1. Now: an empty file imports nothing (exit 0,
    // with a warning), a mapping the header cannot satisfy exits 2 with one line, an unreadable file exits 1.
    void importExitCodesFollowTheReadme()
    {
        const QString db = m_dir.filePath(u"exit-codes.sqlite"_s);
        for (const QString &format : {u"csv"_s, u"jsonl"_s}) {
            const QString path = m_dir.filePath(u"empty-input."_s + format);
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.close();
            QStringList args{u"import"_s, u"--db"_s, db, u"--format"_s, format};
            if (format == u"csv"_s)
                args << u"--columns"_s << u"started_at=ts"_s << u"--set"_s << u"model=gpt-4o"_s;
            const Run r = run(args << path);
            QVERIFY2(r.exitCode == 0, qPrintable(format + u": "_s + r.err));
            QVERIFY2(r.out.contains(u"0 rows read, 0 imported"_s) && r.out.contains(u"the file is empty"_s),
                     qPrintable(r.out));
        }
        const Run unmapped = importCsv(db, m_dir.filePath(u"no-ts-column.csv"_s), "when,p\n2026-06-01T10:00:00Z,1\n",
                                       u"started_at=ts"_s, {u"model=gpt-4o"_s});
        QCOMPARE(unmapped.exitCode, 2);
        QCOMPARE(unmapped.err.count(u'\n'), 1);
        QVERIFY2(unmapped.err.contains(u"has no column \"ts\""_s), qPrintable(unmapped.err));
        const Run noModel = importCsv(db, m_dir.filePath(u"no-model-2.csv"_s), "ts,p\n2026-06-01T10:00:00Z,1\n",
                                      u"started_at=ts"_s, {});
        QCOMPARE(noModel.exitCode, 2);
        const Run missing = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--columns"_s, u"started_at=ts"_s,
                                 m_dir.filePath(u"not-there.csv"_s)});
        QCOMPARE(missing.exitCode, 1);
    }

    // Session-17 trial: `report --days 30` on a ledger whose calls are all older printed an empty table and no
    // hint. stderr now says how many calls the ledger has, their first and last day, and the --since to see them.
    void reportOnARangeWithoutCallsSaysWhereTheCallsAre()
    {
        const QString db = m_dir.filePath(u"where-are-they.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"where-are-they.csv"_s),
                                       "ts,p,c\n2026-06-01T10:00:00Z,1,1\n2026-06-03T10:00:00Z,1,1\n",
                                       u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s, {u"model=gpt-4o"_s});
        QCOMPARE(imported.exitCode, 0);
        for (const QString &format : {u"table"_s, u"json"_s}) {
            const Run empty = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2020-01-01"_s, u"--until"_s,
                                   u"2020-01-31"_s, u"--timezone"_s, u"UTC"_s, u"--format"_s, format});
            QCOMPARE(empty.exitCode, 0);
            QVERIFY2(empty.err.contains(u"no calls in this range; the ledger has 2 calls, from 2026-06-01 to 2026-06-03"_s)
                         && empty.err.contains(u"--since 2026-06-01"_s),
                     qPrintable(empty.err));
        }
        const Run days = run({u"report"_s, u"--db"_s, db, u"--days"_s, u"1"_s, u"--timezone"_s, u"UTC"_s});
        QVERIFY2(days.err.contains(u"the ledger has 2 calls"_s), qPrintable(days.err));
        const Run covered = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2026-06-01"_s, u"--timezone"_s, u"UTC"_s});
        QVERIFY2(covered.exitCode == 0 && covered.err.isEmpty(), qPrintable(covered.err));
    }

    // Session-19 trial: a CSV latency_ms of "nan", "inf" or 1e300 was stored as INT64_MIN µs, and two calls of
    // 5e15 ms wrapped their group's latency sum in the rollups, so the endpoint's and the total's average read
    // as unknown ("-") beside calls with a real latency. Such cells now skip their row, naming the column, as a
    // JSONL latency_us beyond the bound does; the good rows' latencies are reported as they are.
    void importedLatenciesAreBoundedSoTheirSumsHold()
    {
        const QString db = m_dir.filePath(u"latencies.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"latencies.csv"_s),
                                       "ts,p,c,ep,lat,ttft\n"
                                       "2026-06-01T10:00:00Z,100,10,a,1500,\n"
                                       "2026-06-01T10:00:01Z,100,10,a,2500,400\n"
                                       "2026-06-01T10:00:02Z,100,10,a,nan,\n"
                                       "2026-06-01T10:00:03Z,100,10,a,inf,\n"
                                       "2026-06-01T10:00:04Z,100,10,a,1e300,\n"
                                       "2026-06-01T10:00:05Z,100,10,a,5000000000000000,\n"
                                       "2026-06-01T10:00:06Z,100,10,a,5000000000000000,\n"
                                       "2026-06-01T10:00:07Z,100,10,a,100,1e20\n",
                                       u"started_at=ts,prompt_tokens=p,completion_tokens=c,endpoint=ep,latency_ms=lat,"
                                       u"ttft_ms=ttft"_s,
                                       {u"model=gpt-4o-mini"_s, u"provider=openai"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QVERIFY2(imported.out.contains(u"8 rows read, 2 imported, 0 already in the ledger, 6 skipped"_s),
                 qPrintable(imported.out));
        QVERIFY2(imported.out.contains(u"latencies.csv:4: latency_ms \"nan\" is not a number of milliseconds"_s)
                     && imported.out.contains(u"latencies.csv:7: latency_ms \"5000000000000000\""_s)
                     && imported.out.contains(u"latencies.csv:9: ttft_ms \"1e20\""_s),
                 qPrintable(imported.out));

        const QString jsonl = m_dir.filePath(u"latencies.jsonl"_s);
        QFile f(jsonl);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"started_at_us":1780308010000000,"endpoint":"a","provider":"openai","requested_model":"gpt-4o-mini","prompt_tokens":100,"completion_tokens":10,"latency_us":5000000000000000000}
{"started_at_us":1780308011000000,"endpoint":"a","provider":"openai","requested_model":"gpt-4o-mini","prompt_tokens":100,"completion_tokens":10,"latency_us":2000000}
)");
        f.close();
        const Run fromJsonl = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"jsonl"_s, jsonl});
        QVERIFY2(fromJsonl.exitCode == 0, qPrintable(fromJsonl.err));
        QVERIFY2(fromJsonl.out.contains(u"2 rows read, 1 imported, 0 already in the ledger, 1 skipped"_s)
                     && fromJsonl.out.contains(u"\"latency_us\" and \"ttft_us\" must be below"_s),
                 qPrintable(fromJsonl.out));

        const Run report = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s, u"--format"_s, u"json"_s});
        QCOMPARE(report.exitCode, 0);
        const QJsonObject totals = QJsonDocument::fromJson(report.out.toUtf8()).object().value(u"totals"_s).toObject();
        QCOMPARE(totals.value(u"calls"_s).toInteger(), 3);
        QCOMPARE(totals.value(u"avg_latency_ms"_s).toDouble(), 2000.0); // (1,500 + 2,500 + 2,000) / 3
    }

    void importThenReportJson()
    {
        const QString db = m_dir.filePath(u"cli.sqlite"_s);
        const Run imported = run(azureConvImport(db));
        QCOMPARE(imported.exitCode, 0);
        QVERIFY2(imported.out.contains(u"19366 rows read, 19366 imported, 0 already in the ledger, 0 skipped"_s),
                 qPrintable(imported.out));
        QVERIFY(imported.out.contains(u"96791325000 nano-USD"_s));

        const Run again = run(azureConvImport(db));
        QVERIFY2(again.out.contains(u"0 imported, 19366 already in the ledger"_s), qPrintable(again.out));

        const Run report = run({u"report"_s, u"--db"_s, db, u"--format"_s, u"json"_s, u"--by"_s, u"endpoint,model"_s});
        QCOMPARE(report.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(report.out.toUtf8()).object();
        const QJsonObject totals = root.value(u"totals"_s).toObject();
        QCOMPARE(totals.value(u"cost_nano"_s).toInteger(), 96'791'325'000);
        QCOMPARE(totals.value(u"cost_usd"_s).toString(), u"96.791325"_s);
        QCOMPARE(totals.value(u"calls"_s).toInteger(), 19'366);
        const QJsonObject row = root.value(u"rows"_s).toArray().first().toObject();
        QCOMPARE(row.value(u"keys"_s).toObject().value(u"endpoint"_s).toString(), u"chat"_s);

        const Run table = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2023-11-16"_s, u"--until"_s, u"2023-11-16"_s,
                               u"--timezone"_s, u"UTC"_s});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains(u"96.791325"_s));
        QVERIFY(table.out.contains(u"TOTAL"_s));
    }

    void exportReimportsToTheSameTotals()
    {
        const QString db = m_dir.filePath(u"export-src.sqlite"_s);
        QCOMPARE(run(azureConvImport(db)).exitCode, 0);
        const QString jsonl = m_dir.filePath(u"all.jsonl"_s);
        const Run exported = run({u"export"_s, u"--db"_s, db, u"--format"_s, u"jsonl"_s, u"--out"_s, jsonl});
        QCOMPARE(exported.exitCode, 0);
        const QString copy = m_dir.filePath(u"export-dst.sqlite"_s);
        const Run imported = run({u"import"_s, u"--db"_s, copy, u"--format"_s, u"jsonl"_s, jsonl});
        QCOMPARE(imported.exitCode, 0);
        QVERIFY2(imported.out.contains(u"19366 imported"_s), qPrintable(imported.out));
        const Run report = run({u"report"_s, u"--db"_s, copy, u"--format"_s, u"json"_s});
        QCOMPARE(QJsonDocument::fromJson(report.out.toUtf8()).object().value(u"totals"_s).toObject().value(u"cost_nano"_s).toInteger(),
                 96'791'325'000);
        const QString csv = m_dir.filePath(u"all.csv"_s);
        QCOMPARE(run({u"export"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--out"_s, csv}).exitCode, 0);
        QCOMPARE(test::readFile(csv).count('\n'), 19'367);
    }

    // Records the proxy writes without a model (a forwarded GET, a request it refused, an upstream error on
    // a non-model path) survive export --format jsonl -> import --format jsonl: same count, same totals.
    // A JSONL row with no model that says nothing about a call is still refused.
    void exportReimportKeepsCallsWithoutAModel()
    {
        const QString db = m_dir.filePath(u"nomodel-src.sqlite"_s);
        const qint64 t0 = test::usFromIso(u"2026-11-02T10:00:00Z"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            QList<CallRecord> records;
            CallRecord chat = test::makeRecord(t0, u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s, 1000, 100);
            chat.sourceKind = SourceKind::Proxy;
            ledger->pricer()->apply(chat);
            records << chat;
            CallRecord models; // GET /v1/models, forwarded: no model, no usage, nothing to price
            models.startedAtUs = t0 + 1'000'000;
            models.provider = u"openai"_s;
            models.sourceKind = SourceKind::Proxy;
            models.sourceRef = u"proxy"_s;
            models.latencyUs = 900;
            ledger->pricer()->apply(models);
            records << models;
            CallRecord refused = models; // a malformed body the proxy answered itself: exactly $0
            refused.startedAtUs = t0 + 2'000'000;
            refused.httpStatus = 400;
            refused.errorKind = u"bad_request"_s;
            refused.cost = 0;
            refused.costStatus = CostStatus::Exact;
            records << refused;
            CallRecord limited = models; // an upstream 429 on a non-model path: unpriced
            limited.startedAtUs = t0 + 3'000'000;
            limited.httpStatus = 429;
            limited.errorKind = u"rate_limit"_s;
            records << limited;
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 4);
        }
        const QString jsonl = m_dir.filePath(u"nomodel.jsonl"_s);
        QCOMPARE(run({u"export"_s, u"--db"_s, db, u"--format"_s, u"jsonl"_s, u"--out"_s, jsonl}).exitCode, 0);
        const QString copy = m_dir.filePath(u"nomodel-dst.sqlite"_s);
        const Run imported = run({u"import"_s, u"--db"_s, copy, u"--format"_s, u"jsonl"_s, jsonl});
        QCOMPARE(imported.exitCode, 0);
        QVERIFY2(imported.out.contains(u"4 rows read, 4 imported, 0 already in the ledger, 0 skipped"_s),
                 qPrintable(imported.out + imported.err));
        auto totals = [&](const QString &path) {
            const Run r = run({u"report"_s, u"--db"_s, path, u"--format"_s, u"json"_s});
            return QJsonDocument::fromJson(r.out.toUtf8()).object().value(u"totals"_s).toObject();
        };
        const QJsonObject before = totals(db);
        const QJsonObject after = totals(copy);
        QCOMPARE(before.value(u"calls"_s).toInteger(), 4);
        QCOMPARE(before.value(u"cost_nano"_s).toInteger(), 3'500'000);
        QCOMPARE(before.value(u"unpriced_calls"_s).toInteger(), 2);
        QCOMPARE(after, before);

        const QString bad = m_dir.filePath(u"nomodel-bad.jsonl"_s);
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"started_at\": \"2026-11-02T10:00:00Z\", \"prompt_tokens\": 10}\n");
        f.close();
        const Run refusedRow = run({u"import"_s, u"--db"_s, copy, u"--format"_s, u"jsonl"_s, bad});
        QVERIFY2(refusedRow.out.contains(u"1 row read, 0 imported, 0 already in the ledger, 1 skipped"_s),
                 qPrintable(refusedRow.out));
        QVERIFY2(refusedRow.out.contains(u"nomodel-bad.jsonl:1: \"requested_model\" or \"served_model\" is required"_s),
                 qPrintable(refusedRow.out));
    }

    // export --format jsonl -> import --format jsonl -> export again gives the same records, for every usage
    // and cost status: an unpriced call (unknown usage, unknown model, an error) stays unpriced, never
    // "estimated $0"; each cost keeps its status, price entry and version. Only the import's provenance
    // (id, and source_key/source_ref where the first ledger had none) may differ.
    void exportImportExportKeepsEveryCostStatus()
    {
        const QString db = m_dir.filePath(u"statuses-src.sqlite"_s);
        const qint64 t0 = test::usFromIso(u"2026-11-03T10:00:00Z"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            QList<CallRecord> records;
            auto proxyCall = [&](int second, const QString &model, qint64 prompt, qint64 completion) {
                CallRecord r = test::makeRecord(t0 + second * 1'000'000, u"chat"_s, u"openai"_s, model, prompt, completion);
                r.sourceKind = SourceKind::Proxy;
                r.sourceRef = u"proxy"_s;
                return r;
            };
            CallRecord complete = proxyCall(0, u"gpt-4o-2024-08-06"_s, 1000, 100); // complete, exact
            ledger->pricer()->apply(complete);
            records << complete;
            CallRecord unknownUsage = proxyCall(1, u"gpt-4o"_s, 0, 0); // a gzip answer: no usage
            unknownUsage.usageStatus = UsageStatus::Unknown;
            ledger->pricer()->apply(unknownUsage);
            records << unknownUsage;
            CallRecord unknownModel = proxyCall(2, u"my-own-finetune-7"_s, 500, 50); // complete, unpriced
            ledger->pricer()->apply(unknownModel);
            records << unknownModel;
            CallRecord incomplete = proxyCall(3, u"gpt-4o-2024-08-06"_s, 1000, 40); // a cut stream: estimated
            incomplete.usageStatus = UsageStatus::Incomplete;
            incomplete.errorKind = u"upstream_cut"_s;
            ledger->pricer()->apply(incomplete);
            records << incomplete;
            CallRecord hit = proxyCall(4, u"gpt-4o-2024-08-06"_s, 1000, 100); // exact cache hit: $0, saved
            hit.cacheOutcome = CacheOutcome::ExactHit;
            ledger->pricer()->apply(hit);
            records << hit;
            CallRecord error = proxyCall(5, u"gpt-4o-2024-08-06"_s, 0, 0); // upstream 429: no usage
            error.httpStatus = 429;
            error.errorKind = u"rate_limit"_s;
            error.usageStatus = UsageStatus::Unknown;
            ledger->pricer()->apply(error);
            records << error;
            CallRecord given = proxyCall(6, u"gpt-4o-2024-08-06"_s, 1000, 100); // a cost that came with the data
            given.sourceKind = SourceKind::ImportFile;
            given.cost = 1'234'567;
            given.costStatus = CostStatus::Exact;
            given.priceEntry = u"given:csv"_s;
            records << given;
            QCOMPARE(toString(unknownUsage.costStatus), toString(CostStatus::Unpriced));
            QCOMPARE(toString(unknownModel.costStatus), toString(CostStatus::Unpriced));
            QCOMPARE(toString(incomplete.costStatus), toString(CostStatus::Estimated));
            QCOMPARE(toString(error.costStatus), toString(CostStatus::Unpriced));
            QVERIFY(hit.savedCost > 0);
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, records.size());
        }
        auto exportJsonl = [&](const QString &from, const QString &to) {
            const Run r = run({u"export"_s, u"--db"_s, from, u"--format"_s, u"jsonl"_s, u"--out"_s, to});
            QList<QJsonObject> lines;
            if (r.exitCode != 0)
                return lines;
            for (const QByteArray &line : test::readFile(to).split('\n')) {
                if (line.isEmpty())
                    continue;
                QJsonObject o = QJsonDocument::fromJson(line).object();
                o.remove(u"id"_s);
                o.remove(u"source_key"_s);
                o.remove(u"source_ref"_s);
                lines << o;
            }
            return lines;
        };
        const QList<QJsonObject> first = exportJsonl(db, m_dir.filePath(u"statuses-1.jsonl"_s));
        QCOMPARE(first.size(), 7);
        const QString copy = m_dir.filePath(u"statuses-dst.sqlite"_s);
        const Run imported = run({u"import"_s, u"--db"_s, copy, u"--format"_s, u"jsonl"_s, m_dir.filePath(u"statuses-1.jsonl"_s)});
        QVERIFY2(imported.out.contains(u"7 rows read, 7 imported, 0 already in the ledger, 0 skipped"_s),
                 qPrintable(imported.out + imported.err));
        QVERIFY2(imported.out.contains(u", 3 unpriced"_s), qPrintable(imported.out));
        const QList<QJsonObject> second = exportJsonl(copy, m_dir.filePath(u"statuses-2.jsonl"_s));
        QCOMPARE(second.size(), first.size());
        for (qsizetype i = 0; i < first.size(); ++i) {
            for (const char *key : {"cost_nano", "cost_status", "usage_status", "price_entry", "price_version", "saved_nano"})
                QCOMPARE(second[i].value(QLatin1StringView(key)), first[i].value(QLatin1StringView(key)));
            QCOMPARE(second[i], first[i]);
        }
        QVERIFY(first[1].value(u"cost_nano"_s).isNull());
        QCOMPARE(first[1].value(u"cost_status"_s).toString(), u"unpriced"_s);
        auto totals = [&](const QString &path) {
            const Run r = run({u"report"_s, u"--db"_s, path, u"--format"_s, u"json"_s});
            return QJsonDocument::fromJson(r.out.toUtf8()).object().value(u"totals"_s).toObject();
        };
        const QJsonObject before = totals(db);
        QCOMPARE(before.value(u"unpriced_calls"_s).toInteger(), 3);
        QCOMPARE(totals(copy), before);

        // The trial's one line, written by hand: unknown usage and unpriced stay so.
        const QString min = m_dir.filePath(u"min.jsonl"_s);
        QFile f(min);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"started_at":"2026-11-30T03:00:00Z","provider":"openai","requested_model":"gpt-4o","endpoint":"e",)"
                R"("usage_status":"unknown","cost_nano":null,"cost_status":"unpriced","prompt_tokens":0,"completion_tokens":0})"
                "\n");
        f.close();
        const QString minDb = m_dir.filePath(u"min.sqlite"_s);
        QCOMPARE(run({u"import"_s, u"--db"_s, minDb, u"--format"_s, u"jsonl"_s, min}).exitCode, 0);
        const QList<QJsonObject> minOut = exportJsonl(minDb, m_dir.filePath(u"min-out.jsonl"_s));
        QCOMPARE(minOut.size(), 1);
        QVERIFY(minOut[0].value(u"cost_nano"_s).isNull());
        QCOMPARE(minOut[0].value(u"cost_status"_s).toString(), u"unpriced"_s);
        QCOMPARE(totals(minDb).value(u"unpriced_calls"_s).toInteger(), 1);
    }

    // CSV export carries every usage count the ledger keeps (after source_key: audio and image tokens, web
    // searches, the cached audio and image parts, image output, citation tokens, file search calls) and CSV import
    // reads them back by their header names, so an export re-imported, even re-priced by the book, keeps its
    // cost. The calls (genai-prices 0.1.8):
    //  claude-sonnet-4-5, 1,000 in / 100 out, 3 web searches: 1,000 x 3,000 + 100 x 15,000 + 3 x 10,000,000 =
    //    34,500,000 (without the searches 4,500,000);
    //  gpt-4.1, 1,000 in / 100 out, 2 file search calls: 2,000,000 + 800,000 + 2 x 2,500,000 = 7,800,000 (2,800,000);
    //  gpt-image-1.5, 100 in / 1,000 out of which 900 image: 500,000 + 100 x 10,000 + 900 x 32,000 = 30,300,000
    //    (at the plain output price: 10,500,000).
    void csvExportCarriesEveryUsageCount()
    {
        const QString db = m_dir.filePath(u"parts-src.sqlite"_s);
        const qint64 t0 = test::usFromIso(u"2026-11-03T10:00:00Z"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            QList<CallRecord> records;
            auto add = [&](int second, const QString &provider, const QString &model, qint64 prompt, qint64 completion,
                           const std::function<void(Usage &)> &parts) {
                CallRecord r = test::makeRecord(t0 + second * 1'000'000, u"research"_s, provider, model, prompt, completion);
                parts(r.usage);
                ledger->pricer()->apply(r);
                records << r;
            };
            add(0, u"anthropic"_s, u"claude-sonnet-4-5"_s, 1000, 100, [](Usage &u) { u.webSearchRequests = 3; });
            add(1, u"openai"_s, u"gpt-4.1"_s, 1000, 100, [](Usage &u) { u.fileSearchCalls = 2; });
            add(2, u"openai"_s, u"gpt-image-1.5"_s, 100, 1000, [](Usage &u) { u.outputImageTokens = 900; });
            QCOMPARE(records[0].cost, std::optional<NanoUsd>(34'500'000));
            QCOMPARE(records[1].cost, std::optional<NanoUsd>(7'800'000));
            QCOMPARE(records[2].cost, std::optional<NanoUsd>(30'300'000));
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 3);
        }
        const QString csv = m_dir.filePath(u"parts.csv"_s);
        QCOMPARE(run({u"export"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--out"_s, csv}).exitCode, 0);
        const QList<QByteArray> lines = test::readFile(csv).split('\n');
        QVERIFY2(lines.size() >= 4, test::readFile(csv).constData());
        QVERIFY2(lines[0].trimmed().endsWith(
                     "\"source_key\",\"audio_input_tokens\",\"audio_output_tokens\",\"image_input_tokens\",\"web_search_requests\","
                     "\"cached_audio_tokens\",\"cached_image_tokens\",\"output_image_tokens\",\"citation_tokens\",\"file_search_calls\""),
                 lines[0].constData());

        auto reportTotals = [&](const QString &path) {
            const Run r = run({u"report"_s, u"--db"_s, path, u"--format"_s, u"json"_s});
            return QJsonDocument::fromJson(r.out.toUtf8()).object().value(u"totals"_s).toObject();
        };
        auto byModel = [&](const QString &path) {
            const QString out = path + u".jsonl"_s;
            std::map<QString, QJsonObject> models;
            if (run({u"export"_s, u"--db"_s, path, u"--format"_s, u"jsonl"_s, u"--out"_s, out}).exitCode != 0)
                return models;
            for (const QByteArray &line : test::readFile(out).split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (!o.isEmpty())
                    models[o.value(u"requested_model"_s).toString()] = o;
            }
            return models;
        };
        // Re-priced by the book (the cost columns left out with empty constants): the same costs, parts included.
        const QString repriced = m_dir.filePath(u"parts-repriced.sqlite"_s);
        const Run one = run({u"import"_s, u"--db"_s, repriced, u"--format"_s, u"csv"_s, u"--set"_s, u"cost_usd="_s,
                             u"--set"_s, u"cost_nano="_s, u"--set"_s, u"cost_status="_s, csv});
        QVERIFY2(one.exitCode == 0 && one.out.contains(u"3 imported"_s), qPrintable(one.out + one.err));
        const auto back = byModel(repriced);
        QCOMPARE(back.size(), size_t(3));
        QCOMPARE(back.at(u"claude-sonnet-4-5"_s).value(u"cost_nano"_s).toInteger(), 34'500'000);
        QCOMPARE(back.at(u"claude-sonnet-4-5"_s).value(u"web_search_requests"_s).toInteger(), 3);
        QCOMPARE(back.at(u"gpt-4.1"_s).value(u"cost_nano"_s).toInteger(), 7'800'000);
        QCOMPARE(back.at(u"gpt-4.1"_s).value(u"file_search_calls"_s).toInteger(), 2);
        QCOMPARE(back.at(u"gpt-image-1.5"_s).value(u"cost_nano"_s).toInteger(), 30'300'000);
        QCOMPARE(back.at(u"gpt-image-1.5"_s).value(u"output_image_tokens"_s).toInteger(), 900);
        QCOMPARE(reportTotals(repriced).value(u"cost_nano"_s).toInteger(), reportTotals(db).value(u"cost_nano"_s).toInteger());
        QCOMPARE(reportTotals(repriced).value(u"cost_nano"_s).toInteger(), 34'500'000 + 7'800'000 + 30'300'000);

        // As exported (its cost_usd kept): the counts come back too.
        const QString kept = m_dir.filePath(u"parts-kept.sqlite"_s);
        const Run two = run({u"import"_s, u"--db"_s, kept, u"--format"_s, u"csv"_s, csv});
        QVERIFY2(two.exitCode == 0 && two.out.contains(u"3 imported"_s), qPrintable(two.out + two.err));
        const auto keptBack = byModel(kept);
        QCOMPARE(keptBack.size(), size_t(3));
        QCOMPARE(keptBack.at(u"claude-sonnet-4-5"_s).value(u"web_search_requests"_s).toInteger(), 3);
        QCOMPARE(keptBack.at(u"gpt-4.1"_s).value(u"file_search_calls"_s).toInteger(), 2);
        QCOMPARE(keptBack.at(u"gpt-image-1.5"_s).value(u"output_image_tokens"_s).toInteger(), 900);
        QCOMPARE(reportTotals(kept).value(u"cost_nano"_s).toInteger(), 34'500'000 + 7'800'000 + 30'300'000);
    }

    // A CSV export re-imports as it was (session 20): the latencies in µs (the import read only latency_ms, so
    // they were lost), the cost with its status, price entry and version (the import read cost_usd alone, as
    // exact), an unpriced call unpriced, a call of unknown usage unknown (its 0 tokens were priced at $0, exact),
    // the cache outcome and the saving. Every field of the JSONL export but the ledger's own (id, source) agrees.
    void csvExportReimportsAsItWas()
    {
        const QString db = m_dir.filePath(u"asitwas-src.sqlite"_s);
        const qint64 t0 = test::usFromIso(u"2026-11-04T10:00:00Z"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            QList<CallRecord> records;
            auto add = [&](int second, const QString &model, qint64 prompt, qint64 completion,
                           const std::function<void(CallRecord &)> &change) {
                CallRecord r = test::makeRecord(t0 + second * 1'000'000, u"support"_s, u"openai"_s, model, prompt, completion);
                r.latencyUs = 1'234'567 + second;
                r.ttftUs = 250'001 + second;
                ledger->pricer()->apply(r);
                change(r);
                records << r;
            };
            add(0, u"gpt-4o"_s, 1000, 100, [](CallRecord &) {});
            add(1, u"no-such-model-x"_s, 1000, 100, [](CallRecord &r) { r.latencyUs = -1; });
            add(2, u"gpt-4o"_s, 0, 0, [](CallRecord &r) { // the answer had no usage
                r.usageStatus = UsageStatus::Unknown;
                r.cost.reset();
                r.costStatus = CostStatus::Unpriced;
                r.priceEntry.clear();
                r.priceVersion.clear();
            });
            add(3, u"gpt-4o"_s, 1000, 100, [](CallRecord &r) {
                r.usageStatus = UsageStatus::Incomplete;
                r.costStatus = CostStatus::Estimated;
            });
            add(4, u"gpt-4o"_s, 1000, 100, [](CallRecord &r) { // served from the exact cache
                r.savedCost = *r.cost;
                r.cost = 0;
                r.cacheOutcome = CacheOutcome::ExactHit;
            });
            QCOMPARE(records[0].cost, std::optional<NanoUsd>(3'500'000));
            QVERIFY(!records[1].cost);
            QVERIFY(!records[0].priceVersion.isEmpty());
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 5);
        }
        const QString csv = m_dir.filePath(u"asitwas.csv"_s);
        QCOMPARE(run({u"export"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--out"_s, csv}).exitCode, 0);
        const QString back = m_dir.filePath(u"asitwas-back.sqlite"_s);
        const Run imported = run({u"import"_s, u"--db"_s, back, u"--format"_s, u"csv"_s, csv});
        QVERIFY2(imported.exitCode == 0 && imported.out.contains(u"5 imported"_s), qPrintable(imported.out + imported.err));

        auto records = [&](const QString &path) {
            const QString out = path + u".jsonl"_s;
            std::map<qint64, QJsonObject> byTime;
            if (run({u"export"_s, u"--db"_s, path, u"--format"_s, u"jsonl"_s, u"--out"_s, out}).exitCode != 0)
                return byTime;
            for (const QByteArray &line : test::readFile(out).split('\n')) {
                QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.isEmpty())
                    continue;
                for (const char *own : {"id", "source_kind", "source_ref", "source_key"})
                    o.remove(QLatin1StringView(own));
                byTime[o.value(u"started_at_us"_s).toInteger()] = o;
            }
            return byTime;
        };
        const auto before = records(db);
        const auto after = records(back);
        QCOMPARE(before.size(), size_t(5));
        QCOMPARE(after.size(), size_t(5));
        for (const auto &[at, o] : before) {
            QVERIFY(after.count(at));
            const QJsonObject &a = after.at(at);
            for (auto it = o.begin(); it != o.end(); ++it)
                QVERIFY2(a.value(it.key()) == it.value(),
                         qPrintable(u"%1 at %2: %3 exported, %4 re-imported"_s.arg(it.key()).arg(at).arg(
                             QString::fromUtf8(QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact)),
                             QString::fromUtf8(QJsonDocument(QJsonArray{a.value(it.key())}).toJson(QJsonDocument::Compact)))));
        }
        // The figures the comparison covers, said once more.
        QCOMPARE(after.at(t0).value(u"latency_us"_s).toInteger(), 1'234'567);
        QCOMPARE(after.at(t0).value(u"ttft_us"_s).toInteger(), 250'001);
        QCOMPARE(after.at(t0).value(u"cost_nano"_s).toInteger(), 3'500'000);
        QCOMPARE(after.at(t0 + 1'000'000).value(u"cost_status"_s).toString(), u"unpriced"_s);
        QCOMPARE(after.at(t0 + 1'000'000).value(u"latency_us"_s).toInteger(), -1);
        QCOMPARE(after.at(t0 + 2'000'000).value(u"usage_status"_s).toString(), u"unknown"_s);
        QVERIFY(after.at(t0 + 2'000'000).value(u"cost_nano"_s).isNull()); // never $0
        QCOMPARE(after.at(t0 + 3'000'000).value(u"cost_status"_s).toString(), u"estimated"_s);
        QCOMPARE(after.at(t0 + 4'000'000).value(u"cache_outcome"_s).toString(), u"exact_hit"_s);
        QCOMPARE(after.at(t0 + 4'000'000).value(u"saved_nano"_s).toInteger(), 3'500'000);

        // A spreadsheet edit of one cost column and not the other is an error for that row, not a guess.
        QByteArray text = test::readFile(csv);
        const QList<QByteArray> lines = text.split('\n');
        QByteArray edited = lines[0] + '\n' + QByteArray(lines[1]).replace("\"0.0035\"", "\"0.0036\"") + '\n';
        QVERIFY(edited != lines[0] + '\n' + lines[1] + '\n');
        const QString editedCsv = m_dir.filePath(u"asitwas-edited.csv"_s);
        {
            QFile f(editedCsv);
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write(edited) == edited.size());
        }
        const Run disagree = run({u"import"_s, u"--db"_s, m_dir.filePath(u"asitwas-edited.sqlite"_s), u"--format"_s,
                                  u"csv"_s, editedCsv});
        QVERIFY2(disagree.out.contains(u"cost_nano 3500000 and cost_usd 0.0036 disagree"_s)
                     || disagree.err.contains(u"cost_nano 3500000 and cost_usd 0.0036 disagree"_s),
                 qPrintable(disagree.out + disagree.err));
    }

    // CSV export neutralises cells a spreadsheet would run as formulas (OWASP "CSV Injection": a leading
    // quote inside a quoted field), leaves numbers such as latency -1 alone, and the CSV import reading the
    // app's own export drops exactly that quote again.
    void csvExportNeutralisesFormulasAndReimports()
    {
        const QString db = m_dir.filePath(u"formula-src.sqlite"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            CallRecord r = test::makeRecord(test::usFromIso(u"2026-11-03T11:00:00Z"_s), u"=HYPERLINK(\"http://x\")"_s,
                                            u"openai"_s, u"gpt-4o-2024-08-06"_s, 1000, 100);
            r.tags = {u"+cmd"_s, u"@sum"_s};
            r.keyId = u"-2+3"_s;
            r.latencyUs = -1;
            ledger->pricer()->apply(r);
            QCOMPARE(ledger->writer().submitBatch({r}).result().inserted, 1);
        }
        const QString csv = m_dir.filePath(u"formula.csv"_s);
        QCOMPARE(run({u"export"_s, u"--db"_s, db, u"--format"_s, u"csv"_s, u"--out"_s, csv}).exitCode, 0);
        const QByteArray text = test::readFile(csv);
        QVERIFY2(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), text.constData());
        QVERIFY2(text.contains("\"'+cmd;@sum\""), text.constData());
        QVERIFY2(text.contains("\"'-2+3\""), text.constData());
        QVERIFY2(text.contains(",\"-1\","), text.constData()); // latency_us: a number, not neutralised
        const QByteArray row = text.split('\n').value(1);
        QVERIFY2(!row.contains(",\"=") && !row.contains(",\"+") && !row.contains(",\"@") && !row.contains(",\"-2"),
                 row.constData());

        const QString copy = m_dir.filePath(u"formula-dst.sqlite"_s);
        const Run imported = run({u"import"_s, u"--db"_s, copy, u"--format"_s, u"csv"_s, u"--columns"_s,
                                  u"started_at=started_at,endpoint=endpoint,tags=tags,key_id=key_id,provider=provider,"
                                  u"requested_model=requested_model,prompt_tokens=prompt_tokens,completion_tokens=completion_tokens"_s,
                                  csv});
        QVERIFY2(imported.exitCode == 0 && imported.out.contains(u"1 imported"_s), qPrintable(imported.out + imported.err));
        const QString back = m_dir.filePath(u"formula-back.jsonl"_s);
        QCOMPARE(run({u"export"_s, u"--db"_s, copy, u"--format"_s, u"jsonl"_s, u"--out"_s, back}).exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(test::readFile(back).trimmed()).object();
        QCOMPARE(o.value(u"endpoint"_s).toString(), u"=HYPERLINK(\"http://x\")"_s);
        QCOMPARE(o.value(u"tags"_s).toArray(), (QJsonArray{u"+cmd"_s, u"@sum"_s}));
        QCOMPARE(o.value(u"key_id"_s).toString(), u"-2+3"_s);

        // report --format csv: a group named like a formula is neutralised too.
        const Run report = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s, u"--format"_s, u"csv"_s});
        QCOMPARE(report.exitCode, 0);
        QVERIFY2(report.out.contains(u"\"'=HYPERLINK(\"\"http://x\"\")\""_s), qPrintable(report.out));
    }

    // Session-8 trial findings 2, 7 and 14 in `report`: f1 (usage) + f2 (costs) count the billed figure once
    // and say where it comes from; CSV has a cost_status column, an unknown latency is an empty cell (not
    // "'-"), and --top N sums the rows it leaves out in an "(other: N rows)" row, so the rows add up to TOTAL.
    void reportSaysSourcesStatusAndOmittedRows()
    {
        const QString reports = m_dir.filePath(u"sources.sqlite"_s);
        for (const auto &[format, file] : {std::pair{u"openai-usage"_s, u"f1-openai-admin-usage-completions.json"_s},
                                           std::pair{u"openai-costs"_s, u"f2-openai-admin-costs.json"_s}}) {
            const Run r = run({u"import"_s, u"--db"_s, reports, u"--format"_s, format, test::providerFixture(file)});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const Run table = run({u"report"_s, u"--db"_s, reports, u"--since"_s, u"2025-11-01"_s, u"--until"_s,
                               u"2025-11-30"_s, u"--by"_s, u"model"_s});
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY2(table.out.contains(u"5.725"_s) && !table.out.contains(u"11.4893"_s), qPrintable(table.out));
        QVERIFY2(table.out.contains(u"Counted: recorded calls 0.00, provider usage reports 0.00, provider cost "
                                    u"reports 5.725."_s),
                 qPrintable(table.out));
        QVERIFY2(table.out.contains(u"Not counted (a provider report covers their day): 0 recorded calls 0.00, usage "
                                    u"report lines 5.7643"_s),
                 qPrintable(table.out));
        const Run json = run({u"report"_s, u"--db"_s, reports, u"--format"_s, u"json"_s, u"--since"_s, u"2025-11-01"_s,
                              u"--until"_s, u"2025-11-30"_s});
        const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(root.value(u"totals"_s).toObject().value(u"cost_nano"_s).toInteger(), 5'725'000'000);
        QCOMPARE(root.value(u"sources"_s).toObject().value(u"cost_report_nano"_s).toInteger(), 5'725'000'000);
        QCOMPARE(root.value(u"sources"_s).toObject().value(u"not_counted_usage_report_nano"_s).toInteger(),
                 5'764'300'000);

        const QString db = m_dir.filePath(u"top.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"top.csv"_s),
                                       "ts,ep,in,out\n2026-11-02T10:00:00Z,a,3000,300\n2026-11-02T10:05:00Z,b,2000,200\n"
                                       "2026-11-02T10:06:00Z,c,1000,100\n",
                                       u"started_at=ts,endpoint=ep,prompt_tokens=in,completion_tokens=out"_s,
                                       {u"model=gpt-4o"_s, u"provider=openai"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        const Run csv = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"endpoint"_s, u"--format"_s, u"csv"_s, u"--top"_s,
                             u"1"_s});
        QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
        const QStringList lines = csv.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4); // header, the top row, the other row, TOTAL
        QVERIFY2(lines[0].contains(u"\"cost_status\""_s), qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(u"\"a\","_s) && lines[1].contains(u"\"exact\""_s), qPrintable(lines[1]));
        // gpt-4o: a 10,500,000; b 2,000 x 2,500 + 200 x 10,000 = 7,000,000; c 3,500,000: the other row 10,500,000.
        QVERIFY2(lines[2].startsWith(u"\"(other: 2 rows)\""_s) && lines[2].contains(u"\"10500000\""_s),
                 qPrintable(lines[2]));
        QVERIFY2(lines[3].startsWith(u"\"TOTAL\""_s) && lines[3].contains(u"\"21000000\""_s), qPrintable(lines[3]));
        QVERIFY2(!csv.out.contains(u"'-"_s), qPrintable(csv.out));
    }

    // label-key names a caller identity; report --by key shows the label (table and JSON); a label that
    // looks like a key is a usage error, an identity the ledger never saw a failure; "" removes the label.
    void labelKeyThenReportByKey()
    {
        const QString db = m_dir.filePath(u"labels.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"keyed.csv"_s),
                                       "ts,in,out\n2026-11-02T10:00:00Z,1000,100\n2026-11-02T10:05:00Z,2000,200\n",
                                       u"started_at=ts,prompt_tokens=in,completion_tokens=out"_s,
                                       {u"endpoint=chat"_s, u"model=gpt-4o"_s, u"provider=openai"_s,
                                        u"key_id=k_0123456789abcdef"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));

        const Run labelled = run({u"label-key"_s, u"--db"_s, db, u"k_0123456789abcdef"_s, u"billing service"_s});
        QVERIFY2(labelled.exitCode == 0, qPrintable(labelled.err));
        const Run json = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"key"_s, u"--format"_s, u"json"_s});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject keys = QJsonDocument::fromJson(json.out.toUtf8()).object().value(u"rows"_s).toArray()
                                     .first().toObject().value(u"keys"_s).toObject();
        QCOMPARE(keys.value(u"key"_s).toString(), u"k_0123456789abcdef"_s);
        QCOMPARE(keys.value(u"key_label"_s).toString(), u"billing service"_s);
        const Run table = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"key"_s});
        QVERIFY2(table.out.section(u'\n', 0, 0).contains(u"key_label"_s), qPrintable(table.out));
        QVERIFY2(table.out.contains(u"k_0123456789abcdef  billing service"_s), qPrintable(table.out));

        const Run looksLikeAKey = run({u"label-key"_s, u"--db"_s, db, u"k_0123456789abcdef"_s, u"sk-proj-abc123"_s});
        QCOMPARE(looksLikeAKey.exitCode, 2);
        QCOMPARE(looksLikeAKey.err.count(u'\n'), 1);
        QVERIFY(!looksLikeAKey.err.contains(u"sk-proj-abc123"_s)); // the refused text is not echoed
        const Run unknown = run({u"label-key"_s, u"--db"_s, db, u"k_ffffffffffffffff"_s, u"x"_s});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains(u"report --by key"_s));

        QCOMPARE(run({u"label-key"_s, u"--db"_s, db, u"k_0123456789abcdef"_s, u""_s}).exitCode, 0);
        const Run after = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"key"_s, u"--format"_s, u"json"_s});
        QCOMPARE(QJsonDocument::fromJson(after.out.toUtf8()).object().value(u"rows"_s).toArray().first().toObject()
                     .value(u"keys"_s).toObject().value(u"key_label"_s).toString(),
                 QString());
    }

    // Session-12 import-input finding 3: an API key imported as a key id (a CSV column, OpenAI usage's
    // api_key_id) was shown verbatim by report --by key (table, CSV, JSON) and export. It is stored as the
    // install's salted key hash (k_ + 16 hex digits), one id per key, and the import says so.
    void importedApiKeysNeverReachReportsOrExports()
    {
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(u"xdg-config"_s).toUtf8()); // the salt's settings file
        const QString db = m_dir.filePath(u"planted.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"planted.csv"_s),
                                       "ts,in,out,key\n2026-11-02T10:00:00Z,1000,100,sk-PLANTED-123\n"
                                       "2026-11-02T10:05:00Z,2000,200,sk-PLANTED-123\n"
                                       "2026-11-02T10:06:00Z,3000,300,key_abc123\n",
                                       u"started_at=ts,prompt_tokens=in,completion_tokens=out,key_id=key"_s,
                                       {u"endpoint=chat"_s, u"model=gpt-4o"_s, u"provider=openai"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QJsonObject f1 = QJsonDocument::fromJson(test::readFile(test::providerFixture(
                                                     u"f1-openai-admin-usage-completions.json"_s)))
                             .object();
        QByteArray text = QJsonDocument(f1).toJson();
        text.replace("\"api_key_id\": null", "\"api_key_id\": \"sk-PLANTED-789\"");
        QVERIFY(text.contains("sk-PLANTED-789"));
        const QString usage = m_dir.filePath(u"planted-usage.json"_s);
        QFile f(usage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        const Run report = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"openai-usage"_s, usage});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));

        QStringList outputs;
        for (const QString &format : {u"table"_s, u"csv"_s, u"json"_s}) {
            const Run byKey = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2025-01-01"_s, u"--until"_s,
                                   u"2026-12-31"_s, u"--by"_s, u"key"_s, u"--format"_s, format});
            QVERIFY2(byKey.exitCode == 0, qPrintable(byKey.err));
            outputs << byKey.out + byKey.err;
        }
        for (const QString &format : {u"csv"_s, u"jsonl"_s}) {
            const QString out = m_dir.filePath(u"planted."_s + format);
            QCOMPARE(run({u"export"_s, u"--db"_s, db, u"--format"_s, format, u"--out"_s, out}).exitCode, 0);
            outputs << QString::fromUtf8(test::readFile(out));
        }
        for (const QString &o : std::as_const(outputs))
            QVERIFY2(!o.contains(u"PLANTED"_s), qPrintable(o.left(2000)));
        const QJsonArray rows = QJsonDocument::fromJson(outputs[2].toUtf8()).object().value(u"rows"_s).toArray();
        QStringList keys;
        for (const QJsonValue &row : rows)
            keys << row.toObject().value(u"keys"_s).toObject().value(u"key"_s).toString();
        keys.sort();
        // sk-PLANTED-123 (two calls, one id), sk-PLANTED-789 (both usage lines), key_abc123 as it is.
        QCOMPARE(keys.size(), 3);
        QVERIFY2(keys.contains(u"key_abc123"_s), qPrintable(keys.join(u' ')));
        QCOMPARE(keys.filter(QRegularExpression(u"^k_[0-9a-f]{16}$"_s)).size(), 2);
        QVERIFY2(imported.out.contains(u"2 rows had an API key as their key id: stored as its salted hash"_s),
                 qPrintable(imported.out));
    }

    // report --by tag: tags are not exclusive, so a record with two tags is in both tags' rows; the TOTAL
    // line counts each record once and the output says that the rows overlap (table, JSON; CSV on stderr),
    // with each row's share of the real total. gpt-4o-2024-08-06 at $2.50 / $10: 1000 prompt and 100
    // completion tokens cost 3,500,000 nano-USD.
    void reportByTagSaysRowsOverlap()
    {
        const QString db = m_dir.filePath(u"tags-overlap.sqlite"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            const qint64 t0 = test::usFromIso(u"2026-11-02T10:00:00Z"_s);
            QList<CallRecord> records;
            const QList<QStringList> tags{{u"team-a"_s, u"team-b"_s}, {u"team-a"_s}, {}};
            for (int i = 0; i < 3; ++i) {
                CallRecord r = test::makeRecord(t0 + i * 60'000'000, u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s,
                                                1000, 100);
                r.tags = tags[i];
                ledger->pricer()->apply(r);
                QCOMPARE(r.cost, std::optional<NanoUsd>(3'500'000));
                records << r;
            }
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 3);
        }
        const QStringList args{u"report"_s, u"--db"_s, db, u"--since"_s, u"2026-11-02"_s, u"--until"_s, u"2026-11-02"_s,
                               u"--timezone"_s, u"UTC"_s, u"--by"_s, u"tag"_s};
        const Run json = run(args + QStringList{u"--format"_s, u"json"_s});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QMap<QString, qint64> rowCost;
        QMap<QString, double> rowShare;
        for (const QJsonValue &v : root.value(u"rows"_s).toArray()) {
            const QJsonObject o = v.toObject();
            const QString tag = o.value(u"keys"_s).toObject().value(u"tag"_s).toString();
            rowCost[tag] = o.value(u"cost_nano"_s).toInteger();
            rowShare[tag] = o.value(u"share"_s).toDouble();
            QVERIFY(o.value(u"cumulative_share"_s).isNull());
        }
        QCOMPARE(rowCost, (QMap<QString, qint64>{{u"team-a"_s, 7'000'000}, {u"team-b"_s, 3'500'000},
                                                 {u"untagged"_s, 3'500'000}}));
        const QJsonObject totals = root.value(u"totals"_s).toObject();
        QCOMPARE(totals.value(u"cost_nano"_s).toInteger(), 10'500'000); // each record once, not 14,000,000
        QCOMPARE(totals.value(u"calls"_s).toInteger(), 3);
        QCOMPARE(rowShare.value(u"team-a"_s), 7.0 / 10.5); // of the real total
        QCOMPARE(root.value(u"rows_overlap"_s).toBool(), true);
        QVERIFY(root.value(u"note"_s).toString().contains(u"counts in each of its tags' rows"_s));

        const Run table = run(args);
        QCOMPARE(table.exitCode, 0);
        const QStringList lines = table.out.split(u'\n');
        const QString total = lines.filter(QRegularExpression(u"^TOTAL "_s)).value(0);
        QVERIFY2(total.contains(u" 0.0105 "_s) && total.contains(u" 10500000 "_s), qPrintable(table.out));
        const QString teamA = lines.filter(QRegularExpression(u"^team-a "_s)).value(0);
        QVERIFY2(teamA.contains(u" 7000000 "_s) && teamA.contains(u" 66.7"_s), qPrintable(table.out));
        QVERIFY2(table.out.contains(u"a record with several tags counts in each of its tags' rows"_s),
                 qPrintable(table.out));
        const Run csv = run(args + QStringList{u"--format"_s, u"csv"_s});
        QCOMPARE(csv.exitCode, 0);
        QVERIFY2(csv.out.contains(u"\n\"TOTAL\",\"\",\"3\","_s) || csv.out.contains(u"\n\"TOTAL\",\"3\","_s),
                 qPrintable(csv.out));
        QVERIFY2(!csv.out.contains(u"Tags overlap"_s), qPrintable(csv.out)); // every CSV line is a row
        QVERIFY2(csv.err.contains(u"counts in each of its tags' rows"_s), qPrintable(csv.err));

        // Other groupings are a partition: no note.
        QStringList byEndpoint = args;
        byEndpoint.last() = u"endpoint"_s;
        const Run plain = run(byEndpoint);
        QVERIFY2(!plain.out.contains(u"Tags overlap"_s), qPrintable(plain.out));
    }

    // report --by tag: calls without a tag are the "untagged" row (table keeps its columns, CSV names it),
    // and the tag rows have a p95 latency like the endpoint rows.
    void reportByTagLabelsUntaggedAndHasP95()
    {
        const QString db = m_dir.filePath(u"tags.sqlite"_s);
        {
            auto ledger = test::openLedger(db);
            QVERIFY(ledger);
            const qint64 t0 = test::usFromIso(u"2026-11-02T10:00:00Z"_s);
            QList<CallRecord> records;
            for (int i = 0; i < 3; ++i) {
                CallRecord r = test::makeRecord(t0 + i * 60'000'000, u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s,
                                                1000, 100);
                r.latencyUs = 250'000 + i * 1000;
                if (i == 0)
                    r.tags = {u"team-a"_s};
                ledger->pricer()->apply(r);
                records << r;
            }
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 3);
        }
        const QStringList args{u"report"_s, u"--db"_s, db, u"--since"_s, u"2026-11-02"_s, u"--until"_s, u"2026-11-02"_s,
                               u"--timezone"_s, u"UTC"_s, u"--by"_s, u"tag"_s};
        const Run table = run(args);
        QCOMPARE(table.exitCode, 0);
        const QStringList lines = table.out.split(u'\n');
        const QString header = lines.value(0);
        QVERIFY2(header.startsWith(u"tag "_s), qPrintable(table.out));
        const QString untagged = lines.filter(u"untagged"_s).value(0);
        QVERIFY2(untagged.startsWith(u"untagged"_s), qPrintable(table.out));
        // Columns line up: "calls" ends where the row's calls figure ends.
        const qsizetype callsEnd = header.indexOf(u"calls"_s) + 5;
        QCOMPARE(untagged.mid(callsEnd - 1, 1), u"2"_s);
        QCOMPARE(untagged.at(callsEnd), u' ');
        QVERIFY2(!untagged.contains(u" - "_s), qPrintable(untagged)); // the p95 is known
        const Run csv = run(args + QStringList{u"--format"_s, u"csv"_s});
        QVERIFY2(csv.out.contains(u"\n\"untagged\",\"2\","_s), qPrintable(csv.out)); // libcsv quotes every field
        const Run json = run(args + QStringList{u"--format"_s, u"json"_s});
        for (const QJsonValue &v : QJsonDocument::fromJson(json.out.toUtf8()).object().value(u"rows"_s).toArray()) {
            const double p95 = v.toObject().value(u"p95_latency_ms"_s).toDouble(-1);
            QVERIFY2(p95 >= 250.0 && p95 <= 252.0, qPrintable(QString::number(p95)));
        }
    }

    // A group whose calls are all unpriced has no cost: "unpriced" in the table and CSV, null in JSON;
    // never $0. The priced group beside it keeps its exact cost.
    void unpricedGroupsHaveNoCost()
    {
        const QString db = m_dir.filePath(u"unpriced.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"models.csv"_s),
                                       "ts,in,out,model\n2026-11-02T10:00:00Z,1000,100,gpt-4o-2024-08-06\n"
                                       "2026-11-02T10:05:00Z,2000,200,totally-made-up-model\n",
                                       u"started_at=ts,prompt_tokens=in,completion_tokens=out,model=model"_s,
                                       {u"endpoint=chat"_s, u"provider=openai"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        const Run json = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"model"_s, u"--format"_s, u"json"_s});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
        bool sawUnpriced = false;
        for (const QJsonValue &v : root.value(u"rows"_s).toArray()) {
            const QJsonObject row = v.toObject();
            if (row.value(u"keys"_s).toObject().value(u"model"_s).toString() == u"totally-made-up-model"_s) {
                sawUnpriced = true;
                QVERIFY(row.value(u"cost_nano"_s).isNull());
                QVERIFY(row.value(u"cost_usd"_s).isNull());
                QCOMPARE(row.value(u"unpriced_calls"_s).toInteger(), 1);
            } else {
                // gpt-4o-2024-08-06: 1000 x $2.50/M + 100 x $10/M = $0.0035.
                QCOMPARE(row.value(u"cost_nano"_s).toInteger(), 3'500'000);
            }
        }
        QVERIFY(sawUnpriced);
        // The totals hold the priced call and say one call is not in them.
        QCOMPARE(root.value(u"totals"_s).toObject().value(u"cost_nano"_s).toInteger(), 3'500'000);
        QCOMPARE(root.value(u"totals"_s).toObject().value(u"unpriced_calls"_s).toInteger(), 1);
        const Run table = run({u"report"_s, u"--db"_s, db, u"--by"_s, u"model"_s});
        const QString line = table.out.section(u"totally-made-up-model"_s, 1).section(u'\n', 0, 0);
        QVERIFY2(line.contains(u"unpriced"_s) && !line.contains(u"0.00"_s), qPrintable(table.out));
    }

    // simulate --format json: every money field has its integer nano-USD and its decimal USD text, per
    // endpoint and per day as in the totals.
    void simulateJsonGivesUsdBesideEveryNano()
    {
        const QString db = m_dir.filePath(u"simulate.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"sim.csv"_s),
                                       "ts,in,out,feature\n2026-11-02T10:00:00Z,300,100,chat\n"
                                       "2026-11-02T11:00:00Z,2000,200,search\n2026-11-03T09:00:00Z,400,50,chat\n",
                                       u"started_at=ts,prompt_tokens=in,completion_tokens=out,endpoint=feature"_s,
                                       {u"model=gpt-4o-2024-08-06"_s, u"provider=openai"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        const Run sim = run({u"simulate"_s, u"--db"_s, db, u"--since"_s, u"2026-11-02"_s, u"--until"_s, u"2026-11-03"_s,
                             u"--timezone"_s, u"UTC"_s, u"--format"_s, u"json"_s, u"--scenario"_s,
                             QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));
        const QJsonObject root = QJsonDocument::fromJson(sim.out.toUtf8()).object();
        const QJsonArray endpoints = root.value(u"endpoints"_s).toArray();
        const QJsonArray days = root.value(u"per_day"_s).toArray();
        QCOMPARE(endpoints.size(), 2);
        QCOMPARE(days.size(), 2);
        qint64 baselineSum = 0;
        for (const QJsonArray &list : {endpoints, days}) {
            for (const QJsonValue &v : list) {
                const QJsonObject o = v.toObject();
                for (const QString &field : {u"baseline"_s, u"projected"_s}) {
                    QVERIFY2(o.value(field + u"_nano"_s).isDouble(), qPrintable(field));
                    QCOMPARE(o.value(field + u"_usd"_s).toString(),
                             toDecimalUsd(o.value(field + u"_nano"_s).toInteger()));
                }
                baselineSum += o.value(u"baseline_nano"_s).toInteger();
            }
        }
        // Per endpoint and per day each add up to the total once.
        QCOMPARE(baselineSum, 2 * root.value(u"baseline_nano"_s).toInteger());
        QVERIFY(root.value(u"baseline_nano"_s).toInteger() > 0);
    }

    // Session-13 trial: simulate on a range with no calls blamed what the calls lack (routing: their complexity;
    // the caches: their request hashes). Every enabled strategy now says the range has no calls.
    void simulateOnARangeWithNoCallsSaysSo()
    {
        const QString db = m_dir.filePath(u"simulate-empty-range.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"sim-empty.csv"_s), "ts,in,out\n2026-11-02T10:00:00Z,300,100\n",
                                       u"started_at=ts,prompt_tokens=in,completion_tokens=out"_s,
                                       {u"model=gpt-4o-2024-08-06"_s, u"provider=openai"_s, u"endpoint=chat"_s});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        const Run sim = run({u"simulate"_s, u"--db"_s, db, u"--since"_s, u"2025-01-01"_s, u"--until"_s, u"2025-01-31"_s,
                             u"--timezone"_s, u"UTC"_s, u"--scenario"_s,
                             QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));
        QVERIFY2(sim.out.contains(u"\n0 calls replayed"_s), qPrintable(sim.out));
        // routing, exact_cache, semantic_cache and compression are enabled in the example scenario.
        QCOMPARE(sim.out.count(u"not simulated: there are no calls in this range"_s), 4);
        QVERIFY2(!sim.out.contains(u"request hashes"_s) && !sim.out.contains(u"complexity"_s), qPrintable(sim.out));
    }

    // simulate on a provider day a usage report covers: the report lines are the baseline, the recorded calls of
    // that day are replayed and their saving is taken off (the first line counts them as replayed; it said 0).
    // The usage report (fixture f1) covers 2025-11-28; three gpt-4o calls of 300 + 80 tokens that day, which the
    // Azure scenario routes to gpt-4o-mini: 300 * 2,500 + 80 * 10,000 = 1,550,000 nano-USD each against
    // 300 * 150 + 80 * 600 = 93,000, a saving of 3 * 1,457,000 = 4,371,000.
    void simulateReplaysTheCallsOfACoveredDay()
    {
        const QString db = m_dir.filePath(u"covered.sqlite"_s);
        const Run report = run({u"import"_s, u"--db"_s, db, u"--format"_s, u"openai-usage"_s,
                                test::providerFixture(u"f1-openai-admin-usage-completions.json"_s)});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));
        const Run calls = importCsv(db, m_dir.filePath(u"covered.csv"_s),
                                    "ts,in,out\n2025-11-28T08:00:00Z,300,80\n2025-11-28T09:00:00Z,300,80\n"
                                    "2025-11-28T10:00:00Z,300,80\n",
                                    u"started_at=ts,prompt_tokens=in,completion_tokens=out"_s,
                                    {u"model=gpt-4o-2024-08-06"_s, u"provider=openai"_s, u"endpoint=chat"_s});
        QVERIFY2(calls.exitCode == 0, qPrintable(calls.err));
        const QStringList args{u"simulate"_s, u"--db"_s, db, u"--since"_s, u"2025-11-28"_s, u"--until"_s, u"2025-11-28"_s,
                               u"--timezone"_s, u"UTC"_s, u"--scenario"_s,
                               QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s};
        const Run table = run(args);
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY2(table.out.contains(u"\n3 calls replayed"_s), qPrintable(table.out));
        QVERIFY2(table.out.contains(u"Replayed on days a provider report covers: 3 recorded calls"_s), qPrintable(table.out));
        const Run json = run(args + QStringList{u"--format"_s, u"json"_s});
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(root.value(u"covered_calls_replayed"_s).toInteger(), 3);
        QCOMPARE(root.value(u"covered_saving_nano"_s).toInteger(), 4'371'000);
        QCOMPARE(root.value(u"baseline_nano"_s).toInteger(), root.value(u"report_lines_nano"_s).toInteger());
        QCOMPARE(root.value(u"projected_nano"_s).toInteger(), root.value(u"baseline_nano"_s).toInteger() - 4'371'000);
    }

    // Commands that only read a ledger never create one at a mistyped path, and no command writes
    // into another application's SQLite database.
    void readCommandsNeedAnExistingLedgerAndForeignDatabasesStayUntouched()
    {
        const QString typo = m_dir.filePath(u"typo/sub/ledger.sqlite"_s);
        for (const QStringList &args : {QStringList{u"report"_s, u"--db"_s, typo},
                                        QStringList{u"export"_s, u"--db"_s, typo, u"--format"_s, u"jsonl"_s,
                                                    u"--out"_s, m_dir.filePath(u"x.jsonl"_s)},
                                        QStringList{u"simulate"_s, u"--db"_s, typo, u"--scenario"_s,
                                                    QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s}}) {
            const Run r = run(args);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(u"No ledger at"_s), qPrintable(r.err));
            QCOMPARE(r.err.count(u'\n'), 1);
        }
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"typo"_s)));

        const QString foreign = m_dir.filePath(u"other-app.sqlite"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"foreign"_s);
            db.setDatabaseName(foreign);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"foreign"_s);
        const QByteArray before = test::readFile(foreign);
        for (const QStringList &args : {QStringList{u"report"_s, u"--db"_s, foreign}, azureConvImport(foreign)}) {
            const Run r = run(args);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(u"another application"_s), qPrintable(r.err));
        }
        QCOMPARE(test::readFile(foreign), before);
        QVERIFY(!QFileInfo::exists(foreign + u"-wal"_s));
    }

    // Session-13 trial: `import` of the same file with --set endpoint=x, then --set endpoint=y, stored every row
    // twice. A row is known by its content: the second import adds nothing, says so, and the rows keep endpoint x.
    void reimportWithAnotherSetAddsNothingAndSaysSo()
    {
        const QString db = m_dir.filePath(u"reimport-set.sqlite"_s);
        const QString csv = m_dir.filePath(u"reimport-set.csv"_s);
        const QByteArray rows = "ts,p,c\n2026-11-02T10:00:00Z,1000,200\n2026-11-02T11:00:00Z,3000,400\n";
        const QString columns = u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s;
        const Run first = importCsv(db, csv, rows, columns, {u"endpoint=x"_s, u"model=gpt-4o-mini"_s, u"provider=openai"_s});
        QCOMPARE(first.exitCode, 0);
        QVERIFY2(first.out.contains(u"2 imported, 0 already in the ledger"_s), qPrintable(first.out));
        const Run second = importCsv(db, csv, rows, columns, {u"endpoint=y"_s, u"model=gpt-4o-mini"_s, u"provider=openai"_s});
        QCOMPARE(second.exitCode, 0);
        QVERIFY2(second.out.contains(u"0 imported, 2 already in the ledger"_s), qPrintable(second.out));
        QVERIFY2(second.out.contains(u"a row is known by its content, so other --set values do not import it again"_s),
                 qPrintable(second.out));
        QCOMPARE(callRows(db), 2);
        const Run report = run({u"report"_s, u"--db"_s, db, u"--format"_s, u"json"_s, u"--by"_s, u"endpoint"_s});
        QCOMPARE(report.exitCode, 0);
        const QJsonArray groups = QJsonDocument::fromJson(report.out.toUtf8()).object().value(u"rows"_s).toArray();
        QCOMPARE(groups.size(), 1);
        QCOMPARE(groups.first().toObject().value(u"keys"_s).toObject().value(u"endpoint"_s).toString(), u"x"_s);
    }

    // Session-13 trial: `report` on a ledger whose file and folder are read-only failed ("read-only; TokenLedger
    // needs to write to it"). report, export and simulate now open it read-only (SQLite mode=ro) and write
    // nothing. As a normal user the chmod below makes the old code fail. As root, whom permissions do not stop, the
    // old code ran and wrote: every writing open puts back the one-time Batch savings marker (meta
    // "batch_saved_backfill"), removed here before the chmod, so the marker check and the byte comparison catch it.
    // What this proves as root is that nothing is written, not that the chmod is honoured.
    // Session-13 trial: a read-only command fell back to the writing open on any failure of the read-only
    // one, so `report` and `export` wrote a whole schema into a 0-byte file (122,880 bytes, exit 0).
    void readCommandsLeaveAnEmptyFileEmpty()
    {
        const QString db = m_dir.filePath(u"empty.sqlite"_s);
        QFile f(db);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        for (const QStringList &args : {QStringList{u"report"_s, u"--db"_s, db},
                                        QStringList{u"export"_s, u"--db"_s, db, u"--format"_s, u"jsonl"_s, u"--out"_s,
                                                    m_dir.filePath(u"empty.jsonl"_s)}}) {
            const Run r = run(args);
            QVERIFY2(r.exitCode != 0, qPrintable(args.first()));
            QVERIFY2(r.err.contains(u"holds no ledger"_s), qPrintable(r.err));
            QCOMPARE(QFileInfo(db).size(), 0);
            QVERIFY(!QFileInfo::exists(db + u"-wal"_s));
        }
    }

    void readCommandsWorkOnAReadOnlyLedger()
    {
#ifdef Q_OS_UNIX
        const QString folder = m_dir.filePath(u"read-only"_s);
        QVERIFY(QDir().mkpath(folder));
        const QString db = folder + u"/ledger.sqlite"_s;
        const Run imported = importCsv(db, m_dir.filePath(u"ro.csv"_s),
                                       "ts,p,c\n2026-11-02T10:00:00Z,1000,200\n2026-11-02T11:00:00Z,3000,400\n",
                                       u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s,
                                       {u"endpoint=chat"_s, u"model=gpt-4o-mini"_s, u"provider=openai"_s});
        QCOMPARE(imported.exitCode, 0);
        auto markerRows = [&db] {
            qint64 n = -1;
            {
                QSqlDatabase c = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cli-marker"_s);
                c.setDatabaseName(db);
                if (c.open()) {
                    QSqlQuery q(c);
                    if (q.exec(u"DELETE FROM meta WHERE key = 'batch_saved_backfill'"_s)
                        && q.exec(u"SELECT COUNT(*) FROM meta WHERE key = 'batch_saved_backfill'"_s) && q.next())
                        n = q.value(0).toLongLong();
                }
            }
            QSqlDatabase::removeDatabase(u"cli-marker"_s);
            return n;
        };
        QCOMPARE(markerRows(), 0);
        QVERIFY(!QFileInfo::exists(db + u"-wal"_s)); // closed cleanly: everything is in the main file
        QVERIFY(QFile::setPermissions(db, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
        QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                                                  | QFile::ReadOther | QFile::ExeOther));
        auto restore = qScopeGuard([&] {
            QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
        });
        const QByteArray before = test::readFile(db);

        const Run report = run({u"report"_s, u"--db"_s, db, u"--format"_s, u"json"_s});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));
        const QJsonObject totals = QJsonDocument::fromJson(report.out.toUtf8()).object().value(u"totals"_s).toObject();
        QCOMPARE(totals.value(u"calls"_s).toInteger(), 2);
        QCOMPARE(totals.value(u"prompt_tokens"_s).toInteger(), 4000);

        const QString jsonl = m_dir.filePath(u"read-only.jsonl"_s);
        const Run exported = run({u"export"_s, u"--db"_s, db, u"--format"_s, u"jsonl"_s, u"--out"_s, jsonl});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
        QCOMPARE(test::readFile(jsonl).count('\n'), 2);

        const Run simulated = run({u"simulate"_s, u"--db"_s, db, u"--format"_s, u"json"_s, u"--scenario"_s,
                                   QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s});
        QVERIFY2(simulated.exitCode == 0, qPrintable(simulated.err));
        QCOMPARE(QJsonDocument::fromJson(simulated.out.toUtf8()).object().value(u"records"_s).toInteger(), 2);

        QCOMPARE(test::readFile(db), before); // not a byte written, also as root
        restore.dismiss();
        QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(markerRows(), 0); // (the DELETE finds nothing) no writing open put the marker back
#else
        QSKIP("POSIX permissions");
#endif
    }

    // Session-17 trial: a ledger copied with its -wal but not its -shm into a folder that cannot be written failed
    // with "unable to open database file Unable to execute statement". The message now says what it is and what
    // to do. The folder is made read-only by permissions, or as root (whom they do not stop) by a read-only bind
    // mount; skipped when neither works.
    void walWithoutShmInAReadOnlyFolderSaysWhatToDo()
    {
#ifdef Q_OS_LINUX
        const QString db = m_dir.filePath(u"wal-source.sqlite"_s);
        const Run imported = importCsv(db, m_dir.filePath(u"wal-source.csv"_s), "ts,p,c\n2026-06-01T10:00:00Z,1,1\n",
                                       u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s, {u"model=gpt-4o"_s});
        QCOMPARE(imported.exitCode, 0);
        const QString source = m_dir.filePath(u"wal-copy"_s);
        QVERIFY(QDir().mkpath(source));
        const QString copy = source + u"/ledger.sqlite"_s;
        {
            QSqlDatabase c = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cli-wal"_s);
            c.setDatabaseName(db);
            QVERIFY(c.open());
            QSqlQuery q(c);
            QVERIFY(q.exec(u"PRAGMA wal_autocheckpoint=0"_s));
            QVERIFY(q.exec(u"INSERT INTO meta(key, value) VALUES ('cli-wal-test', 'x')"_s));
            QVERIFY(QFileInfo(db + u"-wal"_s).size() > 0);
            QVERIFY(QFile::copy(db, copy) && QFile::copy(db + u"-wal"_s, copy + u"-wal"_s)); // not the -shm
            c.close();
        }
        QSqlDatabase::removeDatabase(u"cli-wal"_s);
        ReadOnlyFolder readOnly(source, m_dir.filePath(u"wal-ro"_s));
        if (readOnly.skip)
            QSKIP(readOnly.skip);
        QVERIFY(!readOnly.folder.isEmpty());
        const QString folder = readOnly.folder;
        const Run r = run({u"report"_s, u"--db"_s, folder + u"/ledger.sqlite"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(u"write-ahead log"_s) && r.err.contains(u"-shm"_s)
                     && r.err.contains(u"folds the log into the ledger file"_s)
                     && !r.err.contains(u"Unable to execute statement"_s),
                 qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(folder + u"/ledger.sqlite-shm"_s));
#else
        QSKIP("Linux permissions and mounts");
#endif
    }

    // Session-19 trial: import, label-key and screenshot on a ledger in a read-only folder said "... is not a
    // TokenLedger database: unable to open database file" (SQLite cannot create the -shm there), as if the file
    // were another application's. They say the folder is read-only and what still works.
    void writingCommandsInAReadOnlyFolderSaySo()
    {
#ifdef Q_OS_LINUX
        const QString source = m_dir.filePath(u"ro-write-source"_s);
        QVERIFY(QDir().mkpath(source));
        const QString db = source + u"/ledger.sqlite"_s;
        const QString columns = u"started_at=ts,prompt_tokens=p,completion_tokens=c"_s;
        QCOMPARE(importCsv(db, m_dir.filePath(u"ro-write-a.csv"_s), "ts,p,c\n2026-06-01T10:00:00Z,1,1\n", columns,
                           {u"model=gpt-4o"_s})
                     .exitCode,
                 0);
        ReadOnlyFolder readOnly(source, m_dir.filePath(u"ro-write-mount"_s));
        if (readOnly.skip)
            QSKIP(readOnly.skip);
        QVERIFY(!readOnly.folder.isEmpty());
        const QString folder = readOnly.folder;
        const QString roDb = folder + u"/ledger.sqlite"_s;
        const QList<Run> runs{
            importCsv(roDb, m_dir.filePath(u"ro-write-b.csv"_s), "ts,p,c\n2026-06-02T10:00:00Z,1,1\n", columns,
                      {u"model=gpt-4o"_s}),
            run({u"label-key"_s, u"--db"_s, roDb, u"k_0123456789abcdef"_s, u"team"_s}),
        };
        for (const Run &r : runs) {
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(u"its file or folder is read-only"_s) && r.err.contains(u"copy it to a folder"_s)
                         && !r.err.contains(u"not a TokenLedger database"_s),
                     qPrintable(r.err));
        }
        const Run report = run({u"report"_s, u"--db"_s, roDb, u"--format"_s, u"csv"_s});
        QVERIFY2(report.exitCode == 0 && report.out.contains(u"\"TOTAL\",\"\",\"1\""_s), qPrintable(report.err));
#else
        QSKIP("Linux permissions and mounts");
#endif
    }

    // With no keychain reachable (no D-Bus session bus), `sync` without --source says the keychain's own
    // reason, as `sync --source` does, instead of claiming that no key is stored.
    void syncWithoutAKeychainSaysWhy()
    {
        const QString db = m_dir.filePath(u"sync.sqlite"_s);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=%1"_s.arg(m_dir.filePath(u"no-such-bus"_s)));
        auto runNoBus = [&](const QStringList &args) {
            return test::runCommand(qEnvironmentVariable("TOKENLEDGER_BIN"), args, {}, env);
        };
        const Run one = runNoBus({u"sync"_s, u"--db"_s, db, u"--source"_s, u"openai-usage"_s});
        QCOMPARE(one.exitCode, 1);
        const QString marker = u"failed, earlier data kept: "_s;
        QVERIFY2(one.out.contains(marker), qPrintable(one.out + one.err));
        const QString reason = one.out.section(marker, 1).section(u'\n', 0, 0).trimmed();
        QVERIFY(!reason.isEmpty());
        const Run all = runNoBus({u"sync"_s, u"--db"_s, db});
        QCOMPARE(all.exitCode, 1);
        // The command's one line (the keychain library may log lines of its own before it).
        const QString line = all.err.split(u'\n').filter(u"tokenledger sync: "_s).value(0);
        QVERIFY2(line.contains(reason), qPrintable(u"expected \"%1\" in: %2"_s.arg(reason, all.err)));
    }

    // Session-16 audit: a date whose local midnight does not exist (Cuba starts daylight time at 00:00: on
    // 2026-03-08 the clocks go from 23:59:59 to 01:00) was refused as --since ("cannot read"). The day starts at
    // its first instant, 01:00 CDT = 05:00 UTC, as the dashboard's day buckets do.
    void dateWhoseMidnightIsSkippedStartsAtItsFirstInstant()
    {
        const QString db = m_dir.filePath(u"havana.sqlite"_s);
        {
            auto ledger = test::openLedger(db);
            QList<CallRecord> records;
            for (const QString &at : {u"2026-03-08T04:30:00Z"_s,   // 2026-03-07 23:30 CST: the day before
                                      u"2026-03-08T05:00:00Z"_s,   // 2026-03-08 01:00 CDT: the day's first instant
                                      u"2026-03-09T03:59:00Z"_s,   // 2026-03-08 23:59 CDT
                                      u"2026-03-09T04:00:00Z"_s}) { // 2026-03-09 00:00 CDT: the next day
                CallRecord r = test::makeRecord(test::usFromIso(at), u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s, 1000, 100);
                ledger->pricer()->apply(r);
                records << r;
            }
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 4);
        }
        const Run r = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2026-03-08"_s, u"--until"_s, u"2026-03-08"_s,
                           u"--timezone"_s, u"America/Havana"_s, u"--format"_s, u"json"_s});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(u"totals"_s).toObject().value(u"calls"_s).toInteger(), 2);
        const Run before = run({u"report"_s, u"--db"_s, db, u"--until"_s, u"2026-03-07"_s, u"--timezone"_s,
                                u"America/Havana"_s, u"--format"_s, u"json"_s});
        QVERIFY2(before.exitCode == 0, qPrintable(before.err));
        QCOMPARE(QJsonDocument::fromJson(before.out.toUtf8()).object().value(u"totals"_s).toObject().value(u"calls"_s).toInteger(), 1);
    }

    // Session-17 trial: a --since in a DST gap was reported as a format error, and a repeated local time was
    // taken silently. The gap says what DST does (exit 2, with an example offset); an offset or Z is read as
    // given; a repeated time takes the earlier instant with a note naming it and the offset of the later one.
    void rangeTimesInADstGapOrOverlapSayWhatDstDoes()
    {
        const QString db = m_dir.filePath(u"sao-paulo.sqlite"_s);
        {
            auto ledger = test::openLedger(db);
            // 2019-02-16 23:00 local, the second time (-03:00): after the earlier 23:30 (-02:00, 01:30Z), before the later.
            CallRecord r = test::makeRecord(test::usFromIso(u"2019-02-17T02:00:00Z"_s), u"chat"_s, u"openai"_s,
                                            u"gpt-4o-2024-08-06"_s, 1000, 100);
            ledger->pricer()->apply(r);
            QCOMPARE(ledger->writer().submitBatch({r}).result().inserted, 1);
        }
        auto calls = [](const Run &r) {
            return QJsonDocument::fromJson(r.out.toUtf8()).object().value(u"totals"_s).toObject().value(u"calls"_s).toInteger();
        };
        const Run gap = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2026-10-04T02:00"_s, u"--timezone"_s,
                             u"Australia/Lord_Howe"_s});
        QCOMPARE(gap.exitCode, 2);
        QVERIFY2(gap.err.contains(u"does not exist in Australia/Lord_Howe"_s) && gap.err.contains(u"daylight saving"_s)
                     && gap.err.contains(u"2026-10-04T02:00+10:30"_s) && !gap.err.contains(u"cannot read"_s),
                 qPrintable(gap.err));
        const Run withOffset = run({u"report"_s, u"--db"_s, db, u"--since"_s, u"2026-10-04T02:00+10:30"_s,
                                    u"--timezone"_s, u"Australia/Lord_Howe"_s, u"--format"_s, u"json"_s});
        QVERIFY2(withOffset.exitCode == 0, qPrintable(withOffset.err));

        const Run earlier = run({u"report"_s, u"--db"_s, db, u"--until"_s, u"2019-02-16T23:30"_s, u"--timezone"_s,
                                 u"America/Sao_Paulo"_s, u"--format"_s, u"json"_s});
        QVERIFY2(earlier.exitCode == 0, qPrintable(earlier.err));
        QCOMPARE(calls(earlier), 0);
        QVERIFY2(earlier.err.contains(u"took the earlier 2019-02-17 01:30:00Z"_s)
                     && earlier.err.contains(u"2019-02-16T23:30-03:00"_s),
                 qPrintable(earlier.err));
        for (const QString &until : {u"2019-02-16T23:30-03:00"_s, u"2019-02-17T02:30Z"_s}) {
            const Run later = run({u"report"_s, u"--db"_s, db, u"--until"_s, until, u"--timezone"_s,
                                   u"America/Sao_Paulo"_s, u"--format"_s, u"json"_s});
            QVERIFY2(later.exitCode == 0 && later.err.isEmpty(), qPrintable(later.err));
            QCOMPARE(calls(later), 1);
        }
    }

    // Session-15 new-user trial: on a machine without a desktop session the keychain's only word was Qt's "Cannot
    // autolaunch D-Bus without X11 $DISPLAY". Storing and using an upstream key now say what to run instead.
    void proxyKeyWithoutADesktopSessionSaysHowToGetOne()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"DBUS_SESSION_BUS_ADDRESS"_s, u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s})
            env.remove(name);
        env.insert(u"HOME"_s, m_dir.path());
        auto runNoSession = [&](const QStringList &args, const QByteArray &input) {
            return test::runCommand(qEnvironmentVariable("TOKENLEDGER_BIN"), args, input, env);
        };
        const QByteArray key = "sk-PLANTED-no-session-5d1e";
        const Run store = runNoSession({u"proxy"_s, u"--set-key"_s, u"openai"_s}, key + "\n");
        const Run use = runNoSession({u"proxy"_s, u"--db"_s, m_dir.filePath(u"keyless.sqlite"_s), u"--port"_s, u"0"_s,
                                      u"--keychain-key"_s, u"openai"_s},
                                     {});
        for (const Run &r : {store, use}) {
            QCOMPARE(r.exitCode, 1);
            const QString line = r.err.split(u'\n').filter(u"tokenledger proxy: "_s).value(0);
            QVERIFY2(line.contains(u"there is no D-Bus session"_s) && line.contains(u"dbus-run-session -- sh -c"_s)
                         && line.contains(u"gnome-keyring-daemon --unlock"_s) && line.contains(u"\"proxy/upstream/openai\""_s),
                     qPrintable(r.err));
            QVERIFY(!r.err.contains(u"PLANTED"_s) && !r.out.contains(u"PLANTED"_s));
        }
    }

    // Session-13 trial: `import --help` began "Usage: /path/to/tokenledger [options] FILE...": Qt's usage line names the
    // program by its argv[0] and knows nothing of the command, and it hid that --format is required. Every command's
    // help now starts with a line a user can type.
    void helpStartsWithTheCommandsUsageLine_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("usage");
        QTest::newRow("import") << u"import"_s
                                << u"Usage: tokenledger import --format FORMAT [--db PATH] [--columns MAPPING] "
                                   u"[--set FIELD=VALUE]... [--timezone TZ] FILE..."_s;
        QTest::newRow("report") << u"report"_s << u"Usage: tokenledger report [options]"_s;
        QTest::newRow("export") << u"export"_s << u"Usage: tokenledger export [options]"_s;
        QTest::newRow("simulate") << u"simulate"_s << u"Usage: tokenledger simulate [options]"_s;
        QTest::newRow("label-key") << u"label-key"_s << u"Usage: tokenledger label-key [options] KEY_ID LABEL"_s;
        QTest::newRow("count") << u"count"_s << u"Usage: tokenledger count [options] FILE"_s;
    }
    void helpStartsWithTheCommandsUsageLine()
    {
        QFETCH(QString, command);
        QFETCH(QString, usage);
        const Run r = run({command, u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.section(u'\n', 0, 0), usage);
    }

    void usageErrorsExit2WithOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("unknown command") << QStringList{u"frobnicate"_s};
        QTest::newRow("import without format") << QStringList{u"import"_s, u"x.csv"_s};
        QTest::newRow("report with a bad dimension") << QStringList{u"report"_s, u"--by"_s, u"colour"_s};
        QTest::newRow("report with days and since") << QStringList{u"report"_s, u"--days"_s, u"3"_s, u"--since"_s, u"2026-01-01"_s};
        QTest::newRow("export without out") << QStringList{u"export"_s, u"--format"_s, u"jsonl"_s};
        QTest::newRow("unknown option") << QStringList{u"report"_s, u"--colour"_s};
        QTest::newRow("report with a stray argument") << QStringList{u"report"_s, u"extra"_s};
        QTest::newRow("fewshot without action") << QStringList{u"fewshot"_s};
        QTest::newRow("fewshot import without set") << QStringList{u"fewshot"_s, u"import"_s, u"x.jsonl"_s};
        // A misspelt field in --columns is a bad argument like one in --set (session-12 trial: it exited 1).
        QTest::newRow("import with an unknown --columns field")
            << QStringList{u"import"_s, u"--format"_s, u"csv"_s, u"--columns"_s, u"started_at=ts,bogus_field=p"_s, u"x.csv"_s};
        // A file that says what to do, not valid JSON: a usage error for simulate as for proxy (README).
        const QString notJson = QDir::temp().filePath(u"tokenledger-clitest-not-json.json"_s);
        QFile f(notJson);
        if (f.open(QIODevice::WriteOnly))
            f.write("{ \"name\": \"oops\", ");
        f.close();
        QTest::newRow("simulate with an invalid-JSON scenario") << QStringList{u"simulate"_s, u"--scenario"_s, notJson};
        QTest::newRow("proxy with an invalid-JSON config") << QStringList{u"proxy"_s, u"--config"_s, notJson};
        // Values out of range in a --config file are refused as on the command line (70000 wrapped to 4464).
        auto configFile = [](const char *name, const QByteArray &json) {
            const QString path = QDir::temp().filePath(QString::fromLatin1(name));
            QFile c(path);
            if (c.open(QIODevice::WriteOnly))
                c.write(json);
            return path;
        };
        QTest::newRow("proxy config port 70000")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-port.json", R"({"port": 70000})")};
        QTest::newRow("proxy config bind not an address")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-bind.json", R"({"bind": "localhost:80"})")};
        QTest::newRow("proxy config negative TTL")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-ttl.json", R"({"cache": {"ttlSeconds": -5}})")};
        // Wrong types and unknown keys: refused (they used to leave the defaults in place without a word).
        QTest::newRow("proxy config TTL as a string")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-ttl-string.json", R"({"cache": {"ttlSeconds": "2"}})")};
        QTest::newRow("proxy config misspelt key")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-cahce.json", R"({"cahce": {"ttlSeconds": 2}})")};
        QTest::newRow("proxy config not an object")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-array.json", R"([{"port": 1}])")};
        // Limits and timeouts (docs/proxy.md "Configuration"): out of range, or low water not below high water.
        QTest::newRow("proxy config idle timeout 0")
            << QStringList{u"proxy"_s, u"--config"_s, configFile("tokenledger-clitest-idle.json", R"({"idleTimeoutMs": 0})")};
        QTest::newRow("proxy config low water above high water")
            << QStringList{u"proxy"_s, u"--config"_s,
                           configFile("tokenledger-clitest-water.json", R"({"clientHighWaterBytes": 65536, "clientLowWaterBytes": 131072})")};
        // Session-15 new-user trial: a base URL without its scheme was refused as 'got ""', naming neither what was
        // written nor where.
        QTest::newRow("proxy upstream without a scheme")
            << QStringList{u"proxy"_s, u"--upstream"_s, u"openai=127.0.0.1:9911/v1"_s};
        QTest::newRow("proxy config baseUrl without a scheme")
            << QStringList{u"proxy"_s, u"--config"_s,
                           configFile("tokenledger-clitest-scheme.json", R"({"upstreams": [{"id": "local", "baseUrl": "127.0.0.1:9911/v1"}]})")};
        // Session-13 trial: a scenario that enables no strategy changes nothing; it was run and reported a saving of 0.
        // Session-13 trial: "[]" said "is not a JSON object: no error occurred".
        QTest::newRow("simulate with an array as the scenario")
            << QStringList{u"simulate"_s, u"--scenario"_s, configFile("tokenledger-clitest-scenario-array.json", "[]")};
        QTest::newRow("simulate with an empty scenario")
            << QStringList{u"simulate"_s, u"--scenario"_s, configFile("tokenledger-clitest-scenario-empty.json", "{}")};
        QTest::newRow("simulate with every strategy disabled")
            << QStringList{u"simulate"_s, u"--scenario"_s,
                           configFile("tokenledger-clitest-scenario-off.json",
                                      R"({"name": "off", "strategies": {"batch": {"enabled": false}, "exact_cache": {"enabled": false}}})")};
        // Session-19 trial: a batch strategy without endpoints (or routing without rules) enables nothing either; it
        // was run and printed a $0.00 saving without a batch line.
        QTest::newRow("simulate with a batch strategy that lists no endpoints")
            << QStringList{u"simulate"_s, u"--scenario"_s,
                           configFile("tokenledger-clitest-scenario-batch-none.json",
                                      R"({"strategies": {"batch": {"enabled": true, "endpoints": []}}})")};
        QTest::newRow("simulate with a routing strategy that has no rules")
            << QStringList{u"simulate"_s, u"--scenario"_s,
                           configFile("tokenledger-clitest-scenario-routing-none.json",
                                      R"({"strategies": {"routing": {"enabled": true, "rules": []}}})")};
        QTest::newRow("simulate scenario TTL as a string")
            << QStringList{u"simulate"_s, u"--scenario"_s,
                           configFile("tokenledger-clitest-scenario-ttl.json", R"({"strategies":{"exact_cache":{"enabled":true,"ttl_seconds":"5"}}})")};
    }
    void usageErrorsExit2WithOneLine()
    {
        QFETCH(QStringList, args);
        const Run r = run(args);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count(u'\n'), 1);
        QVERIFY(r.err.startsWith(u"tokenledger"_s));
        // The key at fault is named.
        const QByteArray tag = QTest::currentDataTag();
        if (tag == "proxy config TTL as a string")
            QVERIFY2(r.err.contains(u"\"cache.ttlSeconds\" must be a whole number, got the string \"2\""_s), qPrintable(r.err));
        if (tag == "simulate with an empty scenario" || tag == "simulate with every strategy disabled")
            QVERIFY2(r.err.contains(u"enables no strategy, so there is nothing to simulate"_s), qPrintable(r.err));
        if (tag == "proxy with an invalid-JSON config") // "{ \"name\": \"oops\", " ends at line 1, column 19
            QVERIFY2(r.err.contains(u"is not valid JSON at line 1, column "_s), qPrintable(r.err));
        if (tag == "proxy upstream without a scheme")
            QVERIFY2(r.err.contains(u"--upstream openai: BASE_URL needs http:// or https://"_s)
                         && r.err.contains(u"(got \"127.0.0.1:9911/v1\")"_s),
                     qPrintable(r.err));
        if (tag == "proxy config baseUrl without a scheme")
            QVERIFY2(r.err.contains(u"\"upstreams[0].baseUrl\" needs an http:// or https:// URL"_s)
                         && r.err.contains(u"got \"127.0.0.1:9911/v1\""_s),
                     qPrintable(r.err));
        if (tag == "proxy config misspelt key")
            QVERIFY2(r.err.contains(u"unknown key \"cahce\""_s), qPrintable(r.err));
        if (tag == "proxy config idle timeout 0")
            QVERIFY2(r.err.contains(u"\"idleTimeoutMs\" needs 100 to 86400000 ms, got 0"_s), qPrintable(r.err));
        if (tag == "proxy config low water above high water")
            QVERIFY2(r.err.contains(u"\"clientLowWaterBytes\" (131072 bytes) must be below \"clientHighWaterBytes\""_s),
                     qPrintable(r.err));
        if (tag == "simulate with an array as the scenario")
            QVERIFY2(r.err.contains(u"a scenario is an object such as"_s) && !r.err.contains(u"no error occurred"_s),
                     qPrintable(r.err));
        if (tag == "simulate with an invalid-JSON scenario")
            QVERIFY2(r.err.contains(u"at offset"_s), qPrintable(r.err));
        if (tag == "simulate scenario TTL as a string")
            QVERIFY2(r.err.contains(u"\"strategies.exact_cache.ttl_seconds\" must be a whole number"_s), qPrintable(r.err));
        if (tag == "simulate with a batch strategy that lists no endpoints")
            QVERIFY2(r.err.contains(u"enables no strategy"_s)
                         && r.err.contains(u"\"batch\" is enabled but lists no \"endpoints\""_s),
                     qPrintable(r.err));
        if (tag == "simulate with a routing strategy that has no rules")
            QVERIFY2(r.err.contains(u"\"routing\" is enabled but has no \"rules\" and no \"router\""_s),
                     qPrintable(r.err));
    }

    // Listening beyond loopback without a token is refused, and the refusal says how to set one.
    void proxyBindRefusalNamesTheTokenVariable()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"TOKENLEDGER_PROXY_TOKEN"_s);
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("TOKENLEDGER_BIN"),
                {u"proxy"_s, u"--db"_s, m_dir.filePath(u"bind.sqlite"_s), u"--bind"_s, u"0.0.0.0"_s, u"--port"_s, u"0"_s,
                 u"--upstream"_s, u"openai=http://127.0.0.1:9"_s});
        QVERIFY(p.waitForFinished(60'000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 2);
        QCOMPARE(err.count(u'\n'), 1);
        QVERIFY2(err.contains(u"Refusing to listen on 0.0.0.0"_s) && err.contains(u"TOKENLEDGER_PROXY_TOKEN="_s),
                 qPrintable(err));
    }

    // The window's own options: a usage error exits 2 with a "tokenledger:" line; with no display at all
    // it exits 1 and says what to do, instead of Qt's platform-plugin abort (exit 134).
    void windowUsageErrorsAndNoDisplay()
    {
        for (const QStringList &args : {QStringList{u"--bogus"_s}, QStringList{u"--db"_s}, QStringList{u"stray"_s, u"--db"_s, u"x"_s}}) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
            p.setProcessEnvironment(env);
            p.start(qEnvironmentVariable("TOKENLEDGER_BIN"), args);
            QVERIFY(p.waitForFinished(30'000));
            const QString err = QString::fromUtf8(p.readAllStandardError());
            if (args.first() == u"stray"_s) {
                QCOMPARE(p.exitCode(), 2); // an unknown command
                continue;
            }
            QCOMPARE(p.exitCode(), 2);
            QVERIFY2(err.contains(u"tokenledger: "_s) && err.contains(u"tokenledger --help"_s), qPrintable(err));
        }
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"QT_QPA_PLATFORM"_s, u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s})
            env.remove(name);
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("TOKENLEDGER_BIN"), {u"--db"_s, m_dir.filePath(u"window.sqlite"_s)});
        QVERIFY(p.waitForFinished(30'000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(u"no display"_s));
    }

    // Dynamic few-shot example sets: a JSONL import reports bad lines by file:line and keeps the good
    // ones in "<ledger>.fewshot.json", where the proxy reads them; re-importing a set replaces it.
    void fewShotImportListRemove()
    {
        const QString db = m_dir.filePath(u"fewshot.sqlite"_s);
        const QString jsonl = m_dir.filePath(u"faq.jsonl"_s);
        QFile f(jsonl);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"input\": \"How do I reset my password?\", \"output\": \"Settings > Security > Reset.\"}\n"
                "not json\n"
                "{\"input\": \"Where is my invoice?\", \"output\": \"Billing > Invoices.\"}\n"
                "{\"input\": \"\", \"output\": \"empty input\"}\n");
        f.close();
        const Run imported = run({u"fewshot"_s, u"import"_s, u"--db"_s, db, u"--set"_s, u"faq"_s, u"--endpoint"_s,
                                  u"support"_s, jsonl});
        QCOMPARE(imported.exitCode, 0);
        QVERIFY2(imported.out.contains(u"2 examples imported, 2 lines skipped"_s), qPrintable(imported.out));
        QVERIFY2(imported.err.contains(u"faq.jsonl:2: skipped"_s), qPrintable(imported.err));
        QVERIFY(imported.err.contains(u"faq.jsonl:4: skipped"_s));
        QVERIFY(QFileInfo::exists(db + u".fewshot.json"_s));

        compress::FewShotStore store(db + u".fewshot.json"_s);
        QVERIFY(store.load().has_value());
        QCOMPARE(store.sets().size(), 1);
        QCOMPARE(store.sets().front().endpoint, u"support"_s);
        QCOMPARE(store.sets().front().examples.size(), 2);
        QCOMPARE(store.sets().front().examples.at(1).input, u"Where is my invoice?"_s);

        const Run listed = run({u"fewshot"_s, u"list"_s, u"--db"_s, db});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.out.contains(u"faq\tsupport\t2 examples"_s), qPrintable(listed.out));
        const Run removed = run({u"fewshot"_s, u"remove"_s, u"--db"_s, db, u"--set"_s, u"faq"_s});
        QCOMPARE(removed.exitCode, 0);
        const Run again = run({u"fewshot"_s, u"remove"_s, u"--db"_s, db, u"--set"_s, u"faq"_s});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains(u"no example set named"_s));
    }

    void failuresExit1WithAMessage()
    {
        const Run missing = run({u"import"_s, u"--db"_s, m_dir.filePath(u"f.sqlite"_s), u"--format"_s, u"jsonl"_s,
                                 m_dir.filePath(u"does-not-exist.jsonl"_s)});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains(u"does-not-exist.jsonl"_s));
        const QString notDb = m_dir.filePath(u"not-a-db.sqlite"_s);
        QFile f(notDb);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        const Run bad = run({u"report"_s, u"--db"_s, notDb});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains(u"not a TokenLedger database"_s));
    }
};

QTEST_GUILESS_MAIN(CliTest)
#include "CliTest.moc"
