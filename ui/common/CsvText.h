#pragma once

#include <QString>
#include <QStringList>

namespace tl::CsvText {

// One CSV line (RFC 4180 quoting by libcsv's csv_write: fields with commas, quotes or line breaks
// are quoted, quotes doubled), without the line ending. Cells that a spreadsheet would run as a formula
// (= + - @ TAB CR first) are neutralised with a leading quote (CsvCell, OWASP "CSV Injection").
QString line(const QStringList &fields);

// Lines joined with CRLF, ending with one.
QString table(const QList<QStringList> &rows);

} // namespace tl::CsvText

namespace tl::CsvText {

// The header fields of a CSV file (its first record, UTF-8, BOM dropped), parsed with libcsv.
// Empty when the file cannot be read or has no complete first record in its first 64 KiB.
QStringList header(const QString &path);

} // namespace tl::CsvText
