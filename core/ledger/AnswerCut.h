#pragma once

#include "common/Result.h"

#include <QSqlDatabase>
#include <QString>

namespace tl::AnswerCut {

// A proxy record written before its answer had left (a non-streamed answer is recorded once it is whole,
// then handed to the client as it reads), whose client then did not take the whole answer: cut off at the
// write timeout ("client_stalled") or gone ("client_closed"). The record's usage and cost stay (the
// provider billed the whole answer); its error_kind says the client did not get all of it, as a stream's
// record does when its client stalls or hangs up mid-stream.
//
// Sets the record's error_kind to `errorKind` when it has none (an error the upstream answered, e.g.
// "upstream_4xx", is kept: it says more), and gives the hourly, daily and weekly rollups the difference
// (error_calls counts a call whose error_kind is set or whose http_status is 400 or more: the same
// expression as LedgerQueries' raw metrics), in one transaction: on error nothing changes. call_replay's
// trigger marks the row's replay fields stale (error_kind is one of them). Returns true when the record
// changed, false when it had an error kind already or does not exist. Errors: Database with SQLite's
// message. Thread affinity: the thread owning `db` (the ledger writer's: Ledger::markAnswerCut()).
Result<bool> mark(QSqlDatabase &db, qint64 recordId, const QString &errorKind);

} // namespace tl::AnswerCut
