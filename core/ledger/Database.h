#pragma once

#include "common/Result.h"

#include <QSqlDatabase>
#include <QString>

namespace tl::Database {

// The default ledger file: <GenericDataLocation>/TokenLedger/ledger.sqlite: ~/.local/share/TokenLedger/ledger.sqlite
// (Linux, $XDG_DATA_HOME honoured), ~/Library/Application Support/TokenLedger/ledger.sqlite (macOS),
// %LOCALAPPDATA%/TokenLedger/ledger.sqlite (Windows). A ledger at the place used before session 17
// (<AppDataLocation>/ledger.sqlite, e.g. ~/.local/share/TokenLedger/TokenLedger/ledger.sqlite) stays the default
// while none exists at the new one.
QString defaultPath();

// Opens (creating if needed) the ledger file under a connection name that is unique to the calling
// thread's use, switches it to WAL with synchronous=NORMAL and a 5 s busy timeout, and creates or
// migrates the schema. Thread affinity: the connection may only be used on the thread that opened it.
// Errors: Io when the folder cannot be created, Database when SQLite refuses the file (not a
// database, locked, disk full), Unsupported when the file has a newer schema.
Result<QSqlDatabase> open(const QString &path, const QString &connectionName);

// Opens an existing ledger for reading only (SQLite URI "file:PATH?mode=ro", SQLITE_OPEN_READONLY): nothing
// is created, migrated or written, so it works on a file or folder the user cannot write (the report,
// export and simulate commands). A WAL ledger whose folder is read-only and that has no "-wal" file beside it
// (closed cleanly) is opened with immutable=1, since SQLite cannot make the shared-memory index there; no one
// can then be writing it through that folder. Thread affinity: as open().
// Errors: NotFound when there is no file at `path`; Unsupported when the schema is older than this build's
// (it must be upgraded once by a command that writes, which needs write access) or newer; Io when a "-wal" lies
// beside it without its "-shm" in a folder that cannot be written (SQLite cannot read the log there: the message
// says to open it once where it can be written, which folds the log in, or to copy the -shm too); Database when
// SQLite refuses the file or it is not a TokenLedger ledger.
Result<QSqlDatabase> openReadOnly(const QString &path, const QString &connectionName);

// Closes and removes a connection opened by open(). Safe to call for unknown names.
void close(const QString &connectionName);

// QtSql binds a null QString as SQL NULL; the ledger's text columns are NOT NULL with '' for "none".
inline QString sqlText(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

// A connection name unique to the current thread and purpose: "<purpose>-<thread id>".
QString threadConnectionName(QStringView purpose);

} // namespace tl::Database
