#include "Database.h"

#include "common/Logging.h"
#include "ledger/Schema.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>

using namespace Qt::StringLiterals;

namespace tl::Database {

QString defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/ledger.sqlite"_s;
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
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!db.isOpen() && !db.open())
        return fail(ErrorCode::Database,
                    QObject::tr("Cannot open the ledger %1: %2").arg(path, db.lastError().text()));

    QSqlQuery q(db);
    // Validate that this is a database at all before changing anything.
    if (!q.exec(u"SELECT count(*) FROM sqlite_master"_s)) {
        const QString message = q.lastError().text();
        db.close();
        return fail(ErrorCode::Database, QObject::tr("%1 is not a TokenLedger database: %2").arg(path, message));
    }
    q.finish();
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
