#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tl::CsvCell {

// CSV cells the app writes for spreadsheets (record export, report --format csv, breakdown export,
// Batch API results), after the OWASP "CSV Injection" guidance
// (https://owasp.org/www-community/attacks/CSV_Injection): a cell beginning with = + - @ TAB or CR is
// prefixed with a single quote (') inside a quoted field, so a spreadsheet shows it as text instead of
// running it as a formula (an endpoint or tag "=HYPERLINK(...)" from the X-TokenLedger-Tags header).
// A plain number ("-1", "-0.25") is left alone: a spreadsheet reads it as the number it is, and numeric
// columns (latency_us -1 = unknown) stay numeric. Pure functions; any thread.

// The cell text as written: "'" + cell when neutralisation applies, else cell unchanged.
QString neutralised(const QString &cell);

// The inverse, for the CSV import reading the app's own export back: drops exactly the one quote that
// neutralised() adds ("'" followed by = + - @ TAB or CR). "'-1" is left as it is: neutralised() never
// prefixes a plain number, so that quote was in the data. Any other text is returned unchanged.
QString restored(const QString &cell);

// One RFC 4180 field (UTF-8; libcsv's csv_write quoting: quotes doubled): neutralised, quoted when it
// contains a comma, quote, line break, or was neutralised (OWASP: wrap such cells in quotes); other
// cells are written plain unless `alwaysQuote`.
QByteArray field(const QString &cell, bool alwaysQuote = false);

// Fields joined with commas, without a line ending; every field quoted with `alwaysQuote`.
QByteArray line(const QStringList &cells, bool alwaysQuote = false);

} // namespace tl::CsvCell
