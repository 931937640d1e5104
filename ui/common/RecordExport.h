#pragma once

#include "common/Result.h"

#include <QFuture>
#include <QString>

namespace tl {

class Ledger;

// File ▸ Export…: writes every record in [fromUs, toUs) to `path`, as JSONL (RecordCodec, the app's own
// format, which Import reads back) or CSV (RecordCodec::csvHeader/csvRow). Runs on the ledger's reader
// thread and writes through QSaveFile, so a failed export leaves no half file.
// Returns the number of records written. Errors: Io with the path and the OS reason; Database.
enum class ExportFormat { Jsonl, Csv };
QFuture<Result<qint64>> exportRecords(Ledger &ledger, const QString &path, ExportFormat format, qint64 fromUs,
                                      qint64 toUs);

} // namespace tl
