#include "CsvText.h"

#include "common/CsvCell.h"

#include <csv.h>

#include <QByteArray>
#include <QFile>

namespace tl::CsvText {

QString line(const QStringList &fields)
{
    return QString::fromUtf8(CsvCell::line(fields));
}

QString table(const QList<QStringList> &rows)
{
    QString out;
    for (const QStringList &row : rows)
        out += line(row) + QLatin1String("\r\n");
    return out;
}

namespace {
struct HeaderState
{
    QStringList fields;
    bool done = false;
};

void onField(void *data, size_t len, void *state)
{
    auto *s = static_cast<HeaderState *>(state);
    if (!s->done)
        s->fields << QString::fromUtf8(static_cast<const char *>(data), qsizetype(len)).trimmed();
}

void onRecord(int, void *state)
{
    static_cast<HeaderState *>(state)->done = true;
}
} // namespace

QStringList header(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray head = file.read(64 * 1024);
    if (head.startsWith("\xEF\xBB\xBF"))
        head.remove(0, 3);
    csv_parser parser;
    if (csv_init(&parser, CSV_APPEND_NULL) != 0)
        return {};
    HeaderState state;
    csv_parse(&parser, head.constData(), size_t(head.size()), onField, onRecord, &state);
    if (!state.done && file.atEnd())
        csv_fini(&parser, onField, onRecord, &state);
    csv_free(&parser);
    return state.done ? state.fields : QStringList{};
}

} // namespace tl::CsvText
