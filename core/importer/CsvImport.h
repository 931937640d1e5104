#pragma once

#include "importer/ImportSink.h"
#include "importer/Importer.h"

#include <QFile>

namespace tl::CsvImport {

// Reads a CSV file with libcsv (RFC 4180 quoting, fields with commas and newlines, CR/LF/CRLF line ends,
// a missing final newline) after dropping a UTF-8 BOM; maps columns to record fields per `options`, and a
// column whose header is exactly a field's name (fieldNames()) to that field when neither options.columns nor
// options.constants gives it, the column is not mapped already, and (for model, requested_model, served_model)
// no model field is given explicitly.
// A quote that is never closed, or that runs over a line reading like a row of its own (as many commas as
// the header has separators), costs one row: it is reported at the line where the quote opened and
// reading starts again at the next line (docs/ledger.md, Imports).
// Errors: InvalidArgument when the mapping names a column the header lacks or no model is given; Parse
// after 1,000 unclosed quotes (not a CSV file). An empty file (not even a header) is no error: nothing is
// imported and a warning (ImportReport::warnings) says the file is empty.
Result<void> run(QFile &file, const QString &displayName, const ImportOptions &options, ImportSink &sink,
                 ImportReport &report, const std::function<bool(const ImportProgress &)> &progress);

// What run() would refuse before reading any row: reads `file` (from where it is) up to its header row and
// checks the mapping against it, writing nothing. Errors: InvalidArgument as run(). An empty file, or one libcsv
// cannot read, passes: run() reports it. For a caller to check before creating a ledger (Importer checkInput).
Result<void> checkHeader(QFile &file, const QString &displayName, const ImportOptions &options);

// Field names accepted in ImportOptions::columns and constants.
const QStringList &fieldNames();

} // namespace tl::CsvImport
