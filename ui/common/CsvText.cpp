#include "CsvText.h"

#include <csv.h>

#include <QByteArray>

namespace tl::CsvText {

namespace {
QByteArray quoted(const QString &field)
{
    const QByteArray utf8 = field.toUtf8();
    // csv_write always quotes; keep plain fields plain for readability.
    if (!utf8.contains(',') && !utf8.contains('"') && !utf8.contains('\n') && !utf8.contains('\r'))
        return utf8;
    const size_t needed = csv_write(nullptr, 0, utf8.constData(), size_t(utf8.size()));
    QByteArray out(qsizetype(needed), Qt::Uninitialized);
    csv_write(out.data(), needed, utf8.constData(), size_t(utf8.size()));
    return out;
}
} // namespace

QString line(const QStringList &fields)
{
    QByteArray out;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i)
            out += ',';
        out += quoted(fields.at(i));
    }
    return QString::fromUtf8(out);
}

QString table(const QList<QStringList> &rows)
{
    QString out;
    for (const QStringList &row : rows)
        out += line(row) + QLatin1String("\r\n");
    return out;
}

} // namespace tl::CsvText
