#pragma once

#include <QFileDevice>
#include <QString>

namespace tl {

// Creates `path` empty, readable and writable by its owner only (0600 on Unix), when it does not exist yet; an
// existing file is left as it is (its permissions are the user's choice). For the SQLite files TokenLedger
// creates (the ledger, the exact and semantic caches, which hold whole answers): SQLite creates a new database
// 0644 less the umask, readable by every local user when the folder is (a --db outside a private home, a shared
// machine); an empty file is a valid empty database, and SQLite gives its -wal and -shm files the database
// file's permissions. Returns false only when the file could not be created (SQLite then reports why). Windows:
// a no-op (a user's files are private by their folder's ACL). SQLite's ":memory:" and "file:" names: a no-op.
// Thread-safe.
bool createPrivateFileIfMissing(const QString &path);

// Makes an open file that TokenLedger has just created (e.g. a QSaveFile's temporary file, which becomes the
// target on commit()) readable and writable by its owner only (0600 on Unix), as the ledger it was read from:
// for exports, which carry the same records (and embeddings). Returns false when the permissions could not be
// set. Windows: a no-op, as above.
bool restrictToOwner(QFileDevice &file);

} // namespace tl
