#pragma once

#include "common/Result.h"

#include <QSqlDatabase>
#include <QStringList>

namespace tl::Schema {

// The ledger's schema version. Version N is reached from N-1 by migrations()[N-2]; a new database
// is created directly at currentVersion() by createLatest(). DatabaseTest checks that migrating a
// version-1 database gives exactly the schema createLatest() gives.
int currentVersion();

// SQL statements that create the version-1 schema (kept for the migration test and for upgrading).
QStringList version1();

// Statements that create the latest schema from nothing.
QStringList latest();

// Statements that upgrade version (i + 1) to version (i + 2); migrations().size() == currentVersion() - 1.
QList<QStringList> migrations();

// Creates or upgrades the schema of an open database; every migration step runs in a transaction and
// is rolled back on error. Safe against other processes opening the same file at once: each step takes the
// write lock (BEGIN IMMEDIATE, waiting up to the connection's busy timeout) and reads the version under it,
// so a step another process has done is skipped. Errors: Database with SQLite's message (also "database is
// locked" when another process holds the lock past the busy timeout), or a database newer than this build.
Result<void> ensure(QSqlDatabase &db);

// Test support: creates (an empty database) or upgrades the schema of an open database to `version`
// only (1 <= version <= currentVersion()), through the same steps as ensure(): version1() and then
// migrations() with their data fills, so a test can build a ledger as an older build left it and then
// upgrade it with ensure(). Errors: as ensure(); InvalidArgument for a version out of range or older than
// the database's.
Result<void> migrateTo(QSqlDatabase &db, int version);

// The schema as text (sorted sqlite_master rows without the sqlite_ internals), for comparisons.
QString dump(QSqlDatabase &db);

} // namespace tl::Schema
