#include "CsvImport.h"

#include "common/CsvCell.h"
#include "common/Logging.h"
#include "importer/Timestamp.h"

#include <QCryptographicHash>
#include <QHash>

#include <csv.h>

using namespace Qt::StringLiterals;

namespace tl::CsvImport {

const QStringList &fieldNames()
{
    static const QStringList names = {
        u"started_at"_s, u"endpoint"_s, u"tags"_s, u"provider"_s, u"model"_s, u"requested_model"_s,
        u"served_model"_s, u"key_id"_s, u"prompt_tokens"_s, u"cached_tokens"_s, u"cache_write_5m_tokens"_s,
        u"cache_write_1h_tokens"_s, u"completion_tokens"_s, u"reasoning_tokens"_s, u"latency_ms"_s, u"ttft_ms"_s,
        u"http_status"_s, u"error_kind"_s, u"batch"_s, u"cost_usd"_s, u"task_type"_s,
    };
    return names;
}

namespace {

struct ParseState
{
    QList<QByteArray> fields;
    QList<QList<QByteArray>> rows;  // completed rows of the current chunk
    QList<qint64> rowLines;         // start line of each completed row
    qint64 currentLine = 1;         // physical line being fed
    qint64 rowStartLine = -1;       // line where the row being parsed started
};

void onField(void *data, size_t len, void *user)
{
    auto *st = static_cast<ParseState *>(user);
    if (st->rowStartLine < 0)
        st->rowStartLine = st->currentLine;
    st->fields.append(QByteArray(static_cast<const char *>(data), qsizetype(len)));
}

void onRowEnd(int, void *user)
{
    auto *st = static_cast<ParseState *>(user);
    st->rows.append(std::move(st->fields));
    st->rowLines.append(st->rowStartLine < 0 ? st->currentLine : st->rowStartLine);
    st->fields.clear();
    st->rowStartLine = -1;
}

// A token count: a whole number in [0, kMaxUsageCount); "" for an empty cell (unknown, not 0).
std::optional<qint64> parseCount(const QString &text, bool *ok)
{
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        *ok = true;
        return std::nullopt;
    }
    const qint64 v = t.toLongLong(ok);
    if (!*ok || v < 0 || v >= kMaxUsageCount) {
        *ok = false;
        return std::nullopt;
    }
    return v;
}

struct MappedRow
{
    CallRecord record;
    bool priced = false;
    QString warning; // imported, but the user should know (an ambiguous local time)
};

bool truthy(const QString &t)
{
    const QString v = t.trimmed().toLower();
    return v == "1"_L1 || v == "true"_L1 || v == "yes"_L1 || v == "y"_L1;
}

class RowMapper
{
public:
    RowMapper(const ImportOptions &options, QString displayName)
        : m_options(options)
        , m_name(std::move(displayName))
    {
        QStringList parts;
        QStringList keys = options.constants.keys();
        keys.sort();
        for (const QString &k : keys)
            parts << k + u'=' + options.constants.value(k);
        m_constantsTag = parts.join(u'\x1f');
    }

    Result<void> setHeader(const QList<QByteArray> &header)
    {
        QHash<QString, int> index;
        for (int i = 0; i < header.size(); ++i)
            index.insert(QString::fromUtf8(header[i]).trimmed(), i);
        for (auto it = m_options.columns.begin(); it != m_options.columns.end(); ++it) {
            if (!fieldNames().contains(it.key()))
                return fail(ErrorCode::InvalidArgument, QObject::tr("unknown field \"%1\" in the column mapping; "
                                                                    "known fields: %2")
                                                            .arg(it.key(), fieldNames().join(u", "_s)));
            const int col = index.value(it.value().trimmed(), -1);
            if (col < 0)
                return fail(ErrorCode::InvalidArgument,
                            QObject::tr("the file has no column \"%1\" (for %2); its columns are: %3")
                                .arg(it.value(), it.key(), QString::fromUtf8(QByteArrayList(header).join(", "))));
            m_columnOf.insert(it.key(), col);
        }
        for (auto it = m_options.constants.begin(); it != m_options.constants.end(); ++it) {
            if (!fieldNames().contains(it.key()))
                return fail(ErrorCode::InvalidArgument, QObject::tr("unknown field \"%1\" in the constant fields").arg(it.key()));
        }
        if (!m_columnOf.contains(u"started_at"_s) && !m_options.constants.contains(u"started_at"_s))
            return fail(ErrorCode::InvalidArgument, QObject::tr("map a column to started_at (the call's time)"));
        const bool hasModel = m_columnOf.contains(u"model"_s) || m_columnOf.contains(u"requested_model"_s)
            || m_columnOf.contains(u"served_model"_s) || m_options.constants.contains(u"model"_s)
            || m_options.constants.contains(u"requested_model"_s) || m_options.constants.contains(u"served_model"_s);
        if (!hasModel)
            return fail(ErrorCode::InvalidArgument, QObject::tr("map a model column or set a constant model"));
        return {};
    }

    // Converts one data row; on error returns the reason.
    Result<MappedRow> map(const QList<QByteArray> &row, qint64 line)
    {
        MappedRow out;
        auto field = [&](const QString &name) -> std::optional<QString> {
            const int col = m_columnOf.value(name, -1);
            if (col >= 0) {
                if (col >= row.size())
                    return std::nullopt;
                // The app's own CSV export writes "'=x" for a cell "=x" (CsvCell, OWASP "CSV
                // Injection"); reading it back drops exactly that quote.
                return CsvCell::restored(QString::fromUtf8(row[col]));
            }
            if (m_options.constants.contains(name))
                return m_options.constants.value(name);
            return QString();
        };
        auto need = [&](const QString &name) -> Result<QString> {
            auto v = field(name);
            if (!v)
                return fail(ErrorCode::Parse, QObject::tr("the row has %1 fields; column \"%2\" is missing")
                                                  .arg(row.size())
                                                  .arg(m_options.columns.value(name)));
            return *v;
        };

        CallRecord r;
        auto ts = need(u"started_at"_s);
        if (!ts)
            return std::unexpected(ts.error());
        const auto us = Timestamp::parseLocalUs(*ts, m_options.defaultZone, &out.warning);
        if (!us)
            return std::unexpected(us.error());
        r.startedAtUs = *us;

        auto text = [&](const QString &name) { return field(name).value_or(QString()).trimmed(); };
        r.endpoint = text(u"endpoint"_s);
        if (r.endpoint.isEmpty())
            r.endpoint = u"untagged"_s;
        r.tags = text(u"tags"_s).split(QRegularExpression(u"[,;]"_s), Qt::SkipEmptyParts);
        for (QString &t : r.tags)
            t = t.trimmed();
        r.provider = text(u"provider"_s);
        const QString model = text(u"model"_s);
        r.requestedModel = text(u"requested_model"_s);
        r.servedModel = text(u"served_model"_s);
        if (r.requestedModel.isEmpty())
            r.requestedModel = !model.isEmpty() ? model : r.servedModel;
        if (r.servedModel.isEmpty())
            r.servedModel = !model.isEmpty() ? model : r.requestedModel;
        if (r.requestedModel.isEmpty())
            return fail(ErrorCode::Parse, QObject::tr("the model is empty"));
        r.keyId = text(u"key_id"_s);

        struct Count
        {
            const char16_t *name;
            qint64 *target;
        };
        const Count counts[] = {
            {u"prompt_tokens", &r.usage.promptTokens},
            {u"cached_tokens", &r.usage.cachedTokens},
            {u"cache_write_5m_tokens", &r.usage.cacheWrite5mTokens},
            {u"cache_write_1h_tokens", &r.usage.cacheWrite1hTokens},
            {u"completion_tokens", &r.usage.completionTokens},
            {u"reasoning_tokens", &r.usage.reasoningTokens},
        };
        // An empty cell of a mapped column is an unknown count, not 0: an empty prompt or completion
        // count makes the usage unknown (unpriced unless the row gives cost_usd), an empty part (cached,
        // cache writes, reasoning) makes it incomplete (an estimated cost). Unmapped columns count 0.
        QStringList emptyCells;
        for (const Count &c : counts) {
            const QString name = QString::fromUtf16(c.name);
            auto v = need(name);
            if (!v)
                return std::unexpected(v.error());
            bool ok = false;
            const auto n = parseCount(*v, &ok);
            if (!ok)
                return fail(ErrorCode::Parse, QObject::tr("%1 \"%2\" is not a whole number of tokens below %3")
                                                  .arg(name, *v)
                                                  .arg(kMaxUsageCount));
            if (n)
                *c.target = *n;
            else if (m_columnOf.contains(name) || m_options.constants.contains(name))
                emptyCells << name;
        }
        if (emptyCells.contains(u"prompt_tokens"_s) || emptyCells.contains(u"completion_tokens"_s)) {
            // Parts of an unknown total cannot be checked against it: only the known side's are kept.
            r.usageStatus = UsageStatus::Unknown;
            if (emptyCells.contains(u"prompt_tokens"_s))
                r.usage.cachedTokens = r.usage.cacheWrite5mTokens = r.usage.cacheWrite1hTokens = 0;
            if (emptyCells.contains(u"completion_tokens"_s))
                r.usage.reasoningTokens = 0;
        }
        else if (!emptyCells.isEmpty())
            r.usageStatus = UsageStatus::Incomplete;
        if (r.usage.cachedTokens + r.usage.cacheWrite5mTokens + r.usage.cacheWrite1hTokens > r.usage.promptTokens)
            return fail(ErrorCode::Parse, QObject::tr("cached and cache-write tokens exceed the prompt tokens"));
        if (r.usage.reasoningTokens > r.usage.completionTokens)
            return fail(ErrorCode::Parse, QObject::tr("reasoning tokens exceed the completion tokens"));

        auto millis = [&](const QString &name, qint64 *target) -> bool {
            const QString v = text(name);
            if (v.isEmpty())
                return true;
            bool ok = false;
            const double ms = v.toDouble(&ok);
            if (!ok || ms < 0)
                return false;
            *target = qint64(ms * 1000.0 + 0.5);
            return true;
        };
        if (!millis(u"latency_ms"_s, &r.latencyUs) || !millis(u"ttft_ms"_s, &r.ttftUs))
            return fail(ErrorCode::Parse, QObject::tr("latency is not a number of milliseconds"));
        const QString status = text(u"http_status"_s);
        r.httpStatus = status.isEmpty() ? 200 : status.toInt();
        r.errorKind = text(u"error_kind"_s);
        r.batch = truthy(text(u"batch"_s));
        r.taskType = text(u"task_type"_s);
        r.sourceKind = SourceKind::ImportFile;
        r.sourceRef = m_name + u':' + QString::number(line);

        bool priced = false;
        const QString cost = text(u"cost_usd"_s);
        if (!cost.isEmpty()) {
            // Digits finer than one nano-USD are rounded half away from zero (docs/ledger.md, Imports).
            const auto nano = parseDecimalUsdRounded(cost);
            if (!nano)
                return fail(ErrorCode::Parse, QObject::tr("cost_usd \"%1\" is not a decimal amount").arg(cost));
            r.cost = *nano;
            r.costStatus = CostStatus::Exact;
            r.priceEntry = u"given:csv"_s;
            priced = true;
        }

        // Content-based source key: the same row imported again (from this file or a copy) is a duplicate;
        // identical rows within one file are told apart by their occurrence number.
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(m_constantsTag.toUtf8());
        for (const QByteArray &f : row) {
            hash.addData("\x1f");
            hash.addData(f);
        }
        const QByteArray digest = hash.result().left(16).toHex();
        const int occurrence = m_seen[digest]++;
        r.sourceKey = u"csv:"_s + QString::fromLatin1(digest) + u':' + QString::number(occurrence);
        out.record = std::move(r);
        out.priced = priced;
        return out;
    }

private:
    const ImportOptions &m_options;
    QString m_name;
    QString m_constantsTag;
    QHash<QString, int> m_columnOf;
    QHash<QByteArray, int> m_seen;
};

} // namespace

Result<void> run(QFile &file, const QString &displayName, const ImportOptions &options, ImportSink &sink,
                 ImportReport &report, const std::function<bool(const ImportProgress &)> &progress)
{
    csv_parser parser;
    if (csv_init(&parser, 0) != 0)
        return fail(ErrorCode::Io, QObject::tr("cannot start the CSV parser"));
    struct Cleanup
    {
        csv_parser *p;
        ~Cleanup() { csv_free(p); }
    } cleanup{&parser};

    ParseState state;
    RowMapper mapper(options, displayName);
    bool haveHeader = false;
    ImportProgress prog;
    prog.totalBytes = file.size();
    bool first = true;

    auto drainRows = [&]() -> Result<void> {
        for (qsizetype i = 0; i < state.rows.size(); ++i) {
            const QList<QByteArray> &row = state.rows[i];
            if (!haveHeader) {
                if (auto r = mapper.setHeader(row); !r)
                    return r;
                haveHeader = true;
                continue;
            }
            ++report.rowsRead;
            auto mapped = mapper.map(row, state.rowLines[i]);
            if (!mapped) {
                sink.rowError(displayName, state.rowLines[i], mapped.error().message);
                continue;
            }
            if (!mapped->warning.isEmpty())
                sink.rowWarning(displayName, state.rowLines[i], mapped->warning);
            sink.add(std::move(mapped->record), mapped->priced);
        }
        state.rows.clear();
        state.rowLines.clear();
        return {};
    };

    while (!file.atEnd()) {
        QByteArray line = file.readLine(1 << 20);
        if (first) {
            if (line.startsWith("\xEF\xBB\xBF"))
                line.remove(0, 3);
            first = false;
        }
        prog.bytesRead += line.size();
        if (csv_parse(&parser, line.constData(), size_t(line.size()), onField, onRowEnd, &state) != size_t(line.size()))
            return fail(ErrorCode::Parse, QObject::tr("%1, line %2: %3")
                                              .arg(displayName)
                                              .arg(state.currentLine)
                                              .arg(QString::fromLatin1(csv_strerror(csv_error(&parser)))));
        if (line.endsWith('\n') || line.endsWith('\r'))
            ++state.currentLine;
        if (auto r = drainRows(); !r)
            return r;
        if (progress && (report.rowsRead % 2000 == 0 || file.atEnd())) {
            prog.rowsRead = report.rowsRead;
            if (!progress(prog)) {
                report.cancelled = true;
                return {};
            }
        }
    }
    if (file.error() != QFileDevice::NoError)
        return fail(ErrorCode::Io, QObject::tr("reading %1 failed: %2").arg(displayName, file.errorString()));
    csv_fini(&parser, onField, onRowEnd, &state);
    if (auto r = drainRows(); !r)
        return r;
    if (!haveHeader)
        return fail(ErrorCode::Parse, QObject::tr("%1 is empty: a CSV file needs a header row").arg(displayName));
    return {};
}

} // namespace tl::CsvImport
