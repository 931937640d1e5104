#include "Database.h"

#include "common/PrivateFile.h"
#include "common/Logging.h"
#include "ledger/Schema.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace tl::Database {

QString defaultPath()
{
    const QString path = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                         + u"/TokenLedger/ledger.sqlite"_s;
    // Before session 17: AppDataLocation, which with organisation and application both "TokenLedger" is
    // ~/.local/share/TokenLedger/TokenLedger/. A ledger there stays the default until one exists here.
    const QString legacy = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/ledger.sqlite"_s;
    if (!QFileInfo::exists(path) && QFileInfo::exists(legacy))
        return legacy;
    return path;
}

QString threadConnectionName(QStringView purpose)
{
    return purpose.toString() + u'-' + QString::number(quintptr(QThread::currentThreadId()), 16);
}

Result<QSqlDatabase> open(const QString &path, const QString &connectionName)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(ErrorCode::Io, QObject::tr("Cannot create the folder %1 for the ledger.").arg(info.absolutePath()));

    QSqlDatabase db = QSqlDatabase::contains(connectionName) ? QSqlDatabase::database(connectionName, false)
                                                             : QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
    if (!db.isValid())
        return fail(ErrorCode::Database, QObject::tr("The Qt SQLite driver (QSQLITE) is not available."));
    createPrivateFileIfMissing(path); // a new ledger is its owner's only (PrivateFile.h)
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!db.isOpen() && !db.open())
        return fail(ErrorCode::Database,
                    QObject::tr("Cannot open the ledger %1: %2").arg(path, db.lastError().text()));

    QSqlQuery q(db);
    // Validate that this is a database at all, and ours (or empty), before changing anything.
    if (!q.exec(u"SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"_s) || !q.next()) {
        const QString message = q.lastError().text();
        db.close();
        // SQLite says "unable to open database file" when it cannot create the -wal/-shm beside a WAL ledger in a
        // folder that cannot be written (a read-only mount, a 0555 folder): that is no sign of another application's
        // file (session-19 trial: import and screenshot said "is not a TokenLedger database").
        const bool folderReadOnly = !QFileInfo(info.absolutePath()).isWritable() || (info.exists() && !info.isWritable());
        if (message.contains(u"readonly"_s) || message.contains(u"read-only"_s) || folderReadOnly)
            return fail(ErrorCode::Io, QObject::tr("The ledger %1 cannot be opened for writing: its file or folder is "
                                                   "read-only (TokenLedger writes its journal beside it). report, "
                                                   "export and simulate read it as it is; to import into it or change "
                                                   "it, copy it to a folder you can write.")
                                           .arg(path));
        return fail(ErrorCode::Database, QObject::tr("%1 is not a TokenLedger database: %2").arg(path, message));
    }
    const qint64 objects = q.value(0).toLongLong();
    q.finish();
    if (objects > 0 && q.exec(u"PRAGMA user_version"_s) && q.next() && q.value(0).toInt() == 0) {
        // Tables but no TokenLedger schema version: another application's database. Left untouched.
        db.close();
        return fail(ErrorCode::Database, QObject::tr("%1 is not a TokenLedger database (it holds another "
                                                     "application's tables); TokenLedger leaves it unchanged.")
                                             .arg(path));
    }
    q.finish();
    if (info.exists() && !info.isWritable()) {
        // SQLite opened it read-only: every write would fail later, one record at a time.
        db.close();
        return fail(ErrorCode::Io, QObject::tr("The ledger %1 is read-only; TokenLedger needs to write to it "
                                               "and to its folder.")
                                       .arg(path));
    }
    for (const QString &pragma : {u"PRAGMA journal_mode = WAL"_s, u"PRAGMA synchronous = NORMAL"_s,
                                  u"PRAGMA temp_store = MEMORY"_s, u"PRAGMA cache_size = -32768"_s}) {
        if (!q.exec(pragma))
            qCWarning(lcLedger) << "pragma failed" << pragma << q.lastError().text();
        q.finish();
    }
    if (auto r = Schema::ensure(db); !r) {
        db.close();
        return std::unexpected(r.error());
    }
    return db;
}

Result<QSqlDatabase> openReadOnly(const QString &path, const QString &connectionName)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return fail(ErrorCode::NotFound, QObject::tr("No ledger at %1.").arg(path));
    QSqlDatabase db = QSqlDatabase::contains(connectionName) ? QSqlDatabase::database(connectionName, false)
                                                             : QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
    if (!db.isValid())
        return fail(ErrorCode::Database, QObject::tr("The Qt SQLite driver (QSQLITE) is not available."));
    // A URI so that "?", "#" and "%" in the path are the path's (QUrl encodes them), mode=ro so that SQLite
    // never writes, whatever the file's permissions (also as root, whom permissions do not stop).
    const QString uri = QUrl::fromLocalFile(info.absoluteFilePath()).toString(QUrl::FullyEncoded) + u"?mode=ro"_s;
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"_s);
    // Returns SQLite's error of the first read (empty when it worked).
    auto attempt = [&db](const QString &name) -> QSqlError {
        db.close();
        db.setDatabaseName(name);
        if (!db.open())
            return db.lastError();
        QSqlQuery q(db);
        if (!q.exec(u"SELECT count(*) FROM sqlite_master"_s) || !q.next())
            return q.lastError();
        return QSqlError();
    };
    QSqlError error = attempt(uri);
    const int primaryCode = error.nativeErrorCode().toInt() & 0xff;
    constexpr int kSqliteReadOnly = 8, kSqliteCantOpen = 14;
    if (error.isValid() && (primaryCode == kSqliteReadOnly || primaryCode == kSqliteCantOpen)
        && !QFileInfo::exists(path + u"-wal"_s)) {
        // A WAL ledger in a folder we cannot write: SQLite cannot create its "-shm" index there. With no
        // "-wal" file the main file holds every committed record, and no writer can be using it through
        // this folder, so it is read as an immutable file.
        error = attempt(uri + u"&immutable=1"_s);
    }
    if (error.isValid() && (primaryCode == kSqliteReadOnly || primaryCode == kSqliteCantOpen)
        && QFileInfo::exists(path + u"-wal"_s) && !QFileInfo::exists(path + u"-shm"_s)) {
        // A "-wal" without its "-shm" (copied without it, or left by a crash) in a folder we cannot write: SQLite
        // reads the log only through its index, which it cannot create here (session-17 trial: "unable to open
        // database file Unable to execute statement" said neither). The log may hold committed records, so the file
        // is not read as immutable.
        db.close();
        return fail(ErrorCode::Io,
                    QObject::tr("Cannot read the ledger %1: its write-ahead log (%1-wal) is there without the log's "
                                "index (%1-shm), which SQLite needs to read it and cannot create in a folder that "
                                "cannot be written. Open the ledger once where its folder can be written, in the app "
                                "or with a command that writes it (tokenledger import --db LEDGER --format jsonl "
                                "/dev/null imports nothing): that folds the log into the ledger file. Or copy the "
                                "-shm file along with the other two.")
                        .arg(path));
    }
    if (error.isValid()) {
        db.close();
        const int code = error.nativeErrorCode().toInt() & 0xff;
        constexpr int kSqliteCorrupt = 11, kSqliteNotADb = 26;
        if (code == kSqliteNotADb || code == kSqliteCorrupt) // as the writing open says it
            return fail(ErrorCode::Database,
                        QObject::tr("%1 is not a TokenLedger database: %2").arg(path, error.text()));
        return fail(ErrorCode::Database, QObject::tr("Cannot read the ledger %1: %2").arg(path, error.text()));
    }
    QSqlQuery q(db);
    qint64 objects = 0;
    if (q.exec(u"SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"_s) && q.next())
        objects = q.value(0).toLongLong();
    q.finish();
    const int version = q.exec(u"PRAGMA user_version"_s) && q.next() ? q.value(0).toInt() : 0;
    q.finish();
    if (objects > 0 && version == 0) {
        db.close();
        return fail(ErrorCode::Database, QObject::tr("%1 is not a TokenLedger database (it holds another "
                                                     "application's tables); TokenLedger leaves it unchanged.")
                                             .arg(path));
    }
    if (objects == 0 && version == 0) {
        // An empty file (or an empty SQLite database): no ledger to read, and a read-only command does not
        // make one (a session-13 trial saw `report` write a whole schema into a 0-byte file).
        db.close();
        return fail(ErrorCode::NotFound, QObject::tr("%1 holds no ledger yet (an empty file): import data into it "
                                                     "or open it in the app first.")
                                             .arg(path));
    }
    if (version > Schema::currentVersion()) {
        db.close();
        return fail(ErrorCode::Unsupported,
                    QObject::tr("The ledger %1 was written by a newer TokenLedger (schema %2; this build knows %3). "
                                "Update TokenLedger to open it.")
                        .arg(path)
                        .arg(version)
                        .arg(Schema::currentVersion()));
    }
    if (version < Schema::currentVersion()) {
        db.close();
        return fail(ErrorCode::Unsupported,
                    QObject::tr("The ledger %1 has schema %2 and this TokenLedger reads schema %3: it must be upgraded "
                                "once, which needs write access to the file and its folder. Make them writable and "
                                "run this command again (or open the ledger in the app).")
                        .arg(path)
                        .arg(version)
                        .arg(Schema::currentVersion()));
    }
    return db;
}

void close(const QString &connectionName)
{
    if (!QSqlDatabase::contains(connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

} // namespace tl::Database
