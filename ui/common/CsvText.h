#pragma once

#include <QString>
#include <QStringList>

namespace tl::CsvText {

// One CSV line (RFC 4180 quoting by libcsv's csv_write: fields with commas, quotes or line breaks
// are quoted, quotes doubled), without the line ending.
QString line(const QStringList &fields);

// Lines joined with CRLF, ending with one.
QString table(const QList<QStringList> &rows);

} // namespace tl::CsvText
