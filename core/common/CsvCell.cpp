#include "CsvCell.h"

#include <QRegularExpression>

#include <csv.h>

using namespace Qt::StringLiterals;

namespace tl::CsvCell {

namespace {
bool triggers(QChar c)
{
    return c == u'=' || c == u'+' || c == u'-' || c == u'@' || c == u'\t' || c == u'\r';
}

bool plainNumber(const QString &cell)
{
    static const QRegularExpression number(u"\\A[+-]?[0-9]+(\\.[0-9]+)?\\z"_s);
    return number.match(cell).hasMatch();
}
} // namespace

QString neutralised(const QString &cell)
{
    if (cell.isEmpty() || !triggers(cell.front()) || plainNumber(cell))
        return cell;
    return u'\'' + cell;
}

QString restored(const QString &cell)
{
    if (cell.size() >= 2 && cell.front() == u'\'' && triggers(cell.at(1)) && !plainNumber(cell.mid(1)))
        return cell.mid(1);
    return cell;
}

QByteArray field(const QString &cell, bool alwaysQuote)
{
    const QString text = neutralised(cell);
    const QByteArray utf8 = text.toUtf8();
    const bool quote = alwaysQuote || text.size() != cell.size() || utf8.contains(',') || utf8.contains('"')
        || utf8.contains('\n') || utf8.contains('\r');
    if (!quote)
        return utf8;
    const size_t needed = csv_write(nullptr, 0, utf8.constData(), size_t(utf8.size()));
    QByteArray out(qsizetype(needed), Qt::Uninitialized);
    csv_write(out.data(), needed, utf8.constData(), size_t(utf8.size()));
    return out;
}

QByteArray line(const QStringList &cells, bool alwaysQuote)
{
    QByteArray out;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            out += ',';
        out += field(cells.at(i), alwaysQuote);
    }
    return out;
}

} // namespace tl::CsvCell
