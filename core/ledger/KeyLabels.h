#pragma once

#include "common/Result.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>

namespace tl::KeyLabels {

// User-given labels for caller identities (CallRecord::keyId: the proxy's salted key hash "k_" + 16 hex
// digits, or a provider's API key id from an import), stored in the ledger's key_labels table
// (key_hash -> label, schema v2). Breakdowns grouped by key show the label next to the identity.
//
// A label is a name a person chose ("billing service"); it never holds a key. validate() refuses text
// that looks like an API key (a word starting with "sk-", or any run of 20 or more letters, digits, '_'
// or '-' that mixes letters and digits), control characters, and more than kMaxLength characters.
// Thread affinity: the thread that owns `db` (Ledger::setKeyLabel runs set() on the writer thread).
inline constexpr int kMaxLength = 64;

// The label as it will be stored (trimmed; "" means "remove the label"), or InvalidArgument with a
// message a user can act on.
Result<QString> validate(const QString &label);

// Every label, keyed by identity. Errors: Database.
Result<QHash<QString, QString>> load(QSqlDatabase &db);

// Sets (or with an empty label removes) the label of `keyId`, which must be an identity the ledger has
// recorded calls for. Errors: InvalidArgument (validate() refused the label), NotFound (no call has that identity), Database.
Result<void> set(QSqlDatabase &db, const QString &keyId, const QString &label);

} // namespace tl::KeyLabels
