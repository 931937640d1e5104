#include "CsvImport.h"

#include "common/CsvCell.h"
#include "common/Logging.h"
#include "importer/Timestamp.h"

#include <QCryptographicHash>
#include <QHash>

#include <csv.h>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::CsvImport {

const QStringList &fieldNames()
{
    static const QStringList names = {
        u"started_at"_s, u"endpoint"_s, u"tags"_s, u"provider"_s, u"model"_s, u"requested_model"_s,
        u"served_model"_s, u"key_id"_s, u"prompt_tokens"_s, u"cached_tokens"_s, u"cache_write_5m_tokens"_s,
        u"cache_write_1h_tokens"_s, u"completion_tokens"_s, u"reasoning_tokens"_s, u"latency_ms"_s, u"ttft_ms"_s,
        u"http_status"_s, u"error_kind"_s, u"batch"_s, u"cost_usd"_s, u"task_type"_s,
        // The other usage counts, as RecordCodec::csvHeader() writes them after source_key.
        u"audio_input_tokens"_s, u"audio_output_tokens"_s, u"image_input_tokens"_s, u"web_search_requests"_s,
        u"cached_audio_tokens"_s, u"cached_image_tokens"_s, u"output_image_tokens"_s, u"citation_tokens"_s,
        u"file_search_calls"_s,
        // What the export says of each record (RecordCodec::csvHeader()), so an export re-imports as it was: its
        // latencies in µs, its cost with status and price, its usage status, cache outcome and saving.
        u"latency_us"_s, u"ttft_us"_s, u"cost_nano"_s, u"cost_status"_s, u"price_entry"_s, u"price_version"_s,
        u"usage_status"_s, u"cache_outcome"_s, u"saved_nano"_s,
    };
    return names;
}

namespace {

struct ParseState
{
    QList<QByteArray> fields;
    QList<qint64> fieldEndLines;         // the line each field of the row being parsed ended on
    QList<QList<QByteArray>> rows;       // completed rows of the current chunk
    QList<QList<qint64>> rowFieldLines;  // their fields' end lines
    qint64 currentLine = 1;              // physical line being fed
};

void onField(void *data, size_t len, void *user)
{
    auto *st = static_cast<ParseState *>(user);
    st->fields.append(QByteArray(static_cast<const char *>(data), qsizetype(len)));
    st->fieldEndLines.append(st->currentLine);
}

void onRowEnd(int, void *user)
{
    auto *st = static_cast<ParseState *>(user);
    st->rows.append(std::move(st->fields));
    st->rowFieldLines.append(std::move(st->fieldEndLines));
    st->fields.clear();
    st->fieldEndLines.clear();
}

// libcsv's parser states (libcsv.c; struct csv_parser's pstate and quoted are public in csv.h): a row
// not begun, and a field begun, which with `quoted` set is a quoted field whose closing quote has not
// come yet. libcsv itself never says so: outside CSV_STRICT (which also refuses a lone quote inside
// an unquoted field, e.g. 12" pizza) csv_fini silently ends such a field at the end of the file.
constexpr int kRowNotBegun = 0;
constexpr int kFieldBegun = 2;

bool insideQuotedField(const csv_parser &p)
{
    return p.pstate == kFieldBegun && p.quoted;
}

// A line inside a quoted field that holds as many commas as a row has separators reads like a row of
// its own: the quote that opened the field was most likely never closed (a legitimate multi-line
// label or note, such as `export --format csv` writes, has its line breaks between words).
bool readsLikeARow(QByteArrayView line, qsizetype separators)
{
    return line.count(',') >= separators;
}

// The first line after the first one of a multi-line field that reads like a row, as an index into
// its line breaks (1 = the second line); 0 when none.
qsizetype rowLikeLine(QByteArrayView field, qsizetype separators)
{
    qsizetype index = 0;
    qsizetype start = field.indexOf('\n');
    while (start >= 0) {
        ++index;
        const qsizetype end = field.indexOf('\n', start + 1);
        if (readsLikeARow(field.sliced(start + 1, (end < 0 ? field.size() : end) - start - 1), separators))
            return index;
        start = end;
    }
    return 0;
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
        m_header.clear();
        for (int i = 0; i < header.size(); ++i) {
            m_header << QString::fromUtf8(header[i]).trimmed();
            index.insert(m_header.constLast(), i);
        }
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
        // A column whose header is a field's own name maps that field, unless the mapping or a constant gives the
        // field (explicit wins), the column is already mapped, or, for the model fields, one of them is given
        // explicitly (session-17 trial: a CSV headed with the field names still needed a --columns for each).
        static const QStringList modelFields = {u"model"_s, u"requested_model"_s, u"served_model"_s};
        const bool modelGiven = std::any_of(modelFields.cbegin(), modelFields.cend(), [&](const QString &f) {
            return m_options.columns.contains(f) || m_options.constants.contains(f);
        });
        const QList<int> mappedColumns = m_columnOf.values();
        for (const QString &name : fieldNames()) {
            const int col = index.value(name, -1);
            if (col < 0 || m_options.columns.contains(name) || m_options.constants.contains(name)
                || mappedColumns.contains(col) || (modelGiven && modelFields.contains(name)))
                continue;
            m_columnOf.insert(name, col);
        }
        if (!m_columnOf.contains(u"started_at"_s) && !m_options.constants.contains(u"started_at"_s))
            return fail(ErrorCode::InvalidArgument,
                        QObject::tr("map a column to started_at (the call's time), e.g. --columns started_at=COLUMN, "
                                    "or name the column started_at"));
        const bool hasModel = m_columnOf.contains(u"model"_s) || m_columnOf.contains(u"requested_model"_s)
            || m_columnOf.contains(u"served_model"_s) || m_options.constants.contains(u"model"_s)
            || m_options.constants.contains(u"requested_model"_s) || m_options.constants.contains(u"served_model"_s);
        if (!hasModel)
            return fail(ErrorCode::InvalidArgument,
                        QObject::tr("map a model column or set a constant model (--columns model=COLUMN, a column "
                                    "named model, or --set model=MODEL)"));
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
            // Named by its header (a column headed with a field's own name maps itself, without --columns).
            if (!v)
                return fail(ErrorCode::Parse, QObject::tr("the row has %1 fields; column \"%2\" (%3) is missing")
                                                  .arg(row.size())
                                                  .arg(m_header.value(m_columnOf.value(name)), name));
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
            {u"audio_input_tokens", &r.usage.audioInputTokens},
            {u"audio_output_tokens", &r.usage.audioOutputTokens},
            {u"image_input_tokens", &r.usage.imageInputTokens},
            {u"web_search_requests", &r.usage.webSearchRequests},
            {u"cached_audio_tokens", &r.usage.cachedAudioTokens},
            {u"cached_image_tokens", &r.usage.cachedImageTokens},
            {u"output_image_tokens", &r.usage.outputImageTokens},
            {u"citation_tokens", &r.usage.citationTokens},
            {u"file_search_calls", &r.usage.fileSearchCalls},
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
                r.usage.cachedTokens = r.usage.cacheWrite5mTokens = r.usage.cacheWrite1hTokens = r.usage.audioInputTokens
                    = r.usage.imageInputTokens = r.usage.cachedAudioTokens = r.usage.cachedImageTokens = 0;
            if (emptyCells.contains(u"completion_tokens"_s))
                r.usage.reasoningTokens = r.usage.audioOutputTokens = r.usage.outputImageTokens = r.usage.citationTokens
                    = 0;
        }
        else if (!emptyCells.isEmpty())
            r.usageStatus = UsageStatus::Incomplete;
        if (r.usage.cachedTokens + r.usage.cacheWrite5mTokens + r.usage.cacheWrite1hTokens > r.usage.promptTokens)
            // Most likely Anthropic's input_tokens, which leaves the cache reads and writes out (session-19 trial).
            return fail(ErrorCode::Parse,
                        QObject::tr("cached and cache-write tokens (%1) exceed the prompt tokens (%2): prompt_tokens "
                                    "counts every input token, cache reads and writes included (for Anthropic: "
                                    "input_tokens + cache_read_input_tokens + cache_creation_input_tokens)")
                            .arg(r.usage.cachedTokens + r.usage.cacheWrite5mTokens + r.usage.cacheWrite1hTokens)
                            .arg(r.usage.promptTokens));
        if (r.usage.reasoningTokens > r.usage.completionTokens)
            return fail(ErrorCode::Parse, QObject::tr("reasoning tokens (%1) exceed the completion tokens (%2): "
                                                      "completion_tokens counts every output token, reasoning "
                                                      "tokens included")
                                              .arg(r.usage.reasoningTokens)
                                              .arg(r.usage.completionTokens));

        // A duration in [0, kMaxLatencyUs): "nan", "inf" and 1e300 are no latency (converted, they were
        // INT64_MIN), and a huge one would wrap the rollups' latency sums.
        auto millis = [&](const QString &name, qint64 *target) -> Result<void> {
            const QString v = text(name);
            if (v.isEmpty())
                return {};
            bool ok = false;
            const double ms = v.toDouble(&ok);
            if (!ok || !std::isfinite(ms) || ms < 0 || ms * 1000.0 + 0.5 >= double(kMaxLatencyUs))
                return fail(ErrorCode::Parse, QObject::tr("%1 \"%2\" is not a number of milliseconds from 0 to %3")
                                                  .arg(name, v)
                                                  .arg(kMaxLatencyUs / 1000));
            *target = qint64(ms * 1000.0 + 0.5);
            return {};
        };
        for (const auto &[name, target] : {std::pair{u"latency_ms"_s, &r.latencyUs}, std::pair{u"ttft_ms"_s, &r.ttftUs}}) {
            if (auto read = millis(name, target); !read)
                return std::unexpected(read.error());
        }
        // The export's whole microseconds, below kMaxLatencyUs; negative (the export's -1) is unknown. Given, they
        // win over the millisecond columns.
        for (const auto &[name, target] : {std::pair{u"latency_us"_s, &r.latencyUs}, std::pair{u"ttft_us"_s, &r.ttftUs}}) {
            const QString v = text(name);
            if (v.isEmpty())
                continue;
            bool ok = false;
            const qint64 micros = v.toLongLong(&ok);
            if (!ok || micros >= kMaxLatencyUs)
                return fail(ErrorCode::Parse, QObject::tr("%1 \"%2\" is not a whole number of microseconds below %3 "
                                                          "(negative: unknown)")
                                                  .arg(name, v)
                                                  .arg(kMaxLatencyUs));
            *target = micros < 0 ? -1 : micros;
        }
        const QString status = text(u"http_status"_s);
        bool statusOk = true;
        r.httpStatus = status.isEmpty() ? 200 : status.toInt(&statusOk);
        if (!statusOk || r.httpStatus < 0 || r.httpStatus > 999) // "abc" was read as 0 (no answer)
            return fail(ErrorCode::Parse, QObject::tr("http_status \"%1\" is not an HTTP status code").arg(status));
        r.errorKind = text(u"error_kind"_s);
        r.batch = truthy(text(u"batch"_s));
        r.taskType = text(u"task_type"_s);
        r.sourceKind = SourceKind::ImportFile;
        r.sourceRef = m_name + u':' + QString::number(line);

        // The usage status the row states (the export's): an empty count still makes it unknown or incomplete.
        if (const QString v = text(u"usage_status"_s); !v.isEmpty()) {
            const auto given = usageStatusFromString(v);
            if (!given)
                return fail(ErrorCode::Parse, QObject::tr("usage_status \"%1\" must be complete, estimated, unknown, "
                                                          "incomplete, invalid or pending")
                                                  .arg(v));
            if (r.usageStatus == UsageStatus::Complete
                || (r.usageStatus == UsageStatus::Incomplete && *given == UsageStatus::Unknown))
                r.usageStatus = *given;
        }
        if (const QString v = text(u"cache_outcome"_s); !v.isEmpty()) {
            const auto given = cacheOutcomeFromString(v);
            if (!given)
                return fail(ErrorCode::Parse, QObject::tr("cache_outcome \"%1\" is not a cache outcome of this version")
                                                  .arg(v));
            r.cacheOutcome = *given;
        }
        if (const QString v = text(u"saved_nano"_s); !v.isEmpty()) {
            bool ok = false;
            r.savedCost = v.toLongLong(&ok);
            if (!ok || r.savedCost < -kMaxRecordCost || r.savedCost > kMaxRecordCost)
                return fail(ErrorCode::Parse, QObject::tr("saved_nano \"%1\" is not a whole number of nano-USD").arg(v));
        }

        // The cost: cost_nano (whole nano-USD, the export's) or cost_usd (a decimal, rounded to the nano-USD);
        // a row with both must agree (an edit of one in a spreadsheet). Given, the cost is kept as it is, with
        // cost_status (default exact), price_entry (default given:csv) and price_version; cost_status
        // "unpriced" keeps a call unpriced, never $0, and is not priced by the book.
        bool priced = false;
        const QString cost = text(u"cost_usd"_s);
        const QString costNano = text(u"cost_nano"_s);
        if (!cost.isEmpty()) {
            // Digits finer than one nano-USD are rounded half away from zero (docs/ledger.md, Imports).
            const auto nano = parseDecimalUsdRounded(cost);
            if (!nano)
                return fail(ErrorCode::Parse, QObject::tr("cost_usd \"%1\" is not a decimal amount").arg(cost));
            r.cost = *nano;
        }
        if (!costNano.isEmpty()) {
            bool ok = false;
            const qint64 nano = costNano.toLongLong(&ok);
            if (!ok)
                return fail(ErrorCode::Parse, QObject::tr("cost_nano \"%1\" is not a whole number of nano-USD").arg(costNano));
            if (r.cost && *r.cost != nano)
                return fail(ErrorCode::Parse, QObject::tr("cost_nano %1 and cost_usd %2 disagree").arg(costNano, cost));
            r.cost = nano;
        }
        if (r.cost) {
            r.costStatus = CostStatus::Exact;
            r.priceEntry = u"given:csv"_s;
            priced = true;
        }
        if (const QString v = text(u"cost_status"_s); !v.isEmpty()) {
            const auto given = costStatusFromString(v);
            if (!given)
                return fail(ErrorCode::Parse, QObject::tr("cost_status \"%1\" must be exact, estimated or unpriced").arg(v));
            if (*given == CostStatus::Unpriced && r.cost)
                return fail(ErrorCode::Parse, QObject::tr("an unpriced row cannot carry a cost"));
            if (*given != CostStatus::Unpriced && !r.cost)
                return fail(ErrorCode::Parse, QObject::tr("a row whose cost_status is %1 needs cost_nano or cost_usd").arg(v));
            r.costStatus = *given;
            priced = true;
        }
        if (r.cost) {
            if (const QString entry = text(u"price_entry"_s); !entry.isEmpty()) {
                r.priceEntry = entry;
                r.priceVersion = text(u"price_version"_s);
            }
        }

        // Content-based source key: the same row imported again (from this file or a copy) is a duplicate,
        // whatever --set values and --columns mapping it is imported with (the stored row keeps the values it
        // was first imported with; docs/ledger.md, Imports). Identical rows within one file are told apart by
        // their occurrence number. Before session 13 the --set values were hashed too, so a re-import with other
        // values added the rows again: a row stored under that former key is a duplicate as well.
        auto digestOf = [&row](const QString &prefix) {
            QCryptographicHash hash(QCryptographicHash::Sha256);
            hash.addData(prefix.toUtf8());
            for (const QByteArray &f : row) {
                hash.addData("\x1f");
                hash.addData(f);
            }
            return hash.result().left(16).toHex();
        };
        const QByteArray digest = digestOf(QString());
        const int occurrence = m_seen[digest]++;
        r.sourceKey = u"csv:"_s + QString::fromLatin1(digest) + u':' + QString::number(occurrence);
        if (!m_constantsTag.isEmpty())
            r.formerSourceKey = u"csv:"_s + QString::fromLatin1(digestOf(m_constantsTag)) + u':' + QString::number(occurrence);
        out.record = std::move(r);
        out.priced = priced;
        return out;
    }

private:
    const ImportOptions &m_options;
    QString m_name;
    QString m_constantsTag;
    QHash<QString, int> m_columnOf;
    QStringList m_header; // the header's column names, trimmed
    QHash<QByteArray, int> m_seen;
};

} // namespace

Result<void> checkHeader(QFile &file, const QString &displayName, const ImportOptions &options)
{
    csv_parser parser;
    if (csv_init(&parser, 0) != 0)
        return {};
    struct Cleanup
    {
        csv_parser *p;
        ~Cleanup() { csv_free(p); }
    } cleanup{&parser};
    ParseState state;
    bool first = true;
    while (!file.atEnd() && state.rows.isEmpty()) {
        QByteArray line = file.readLine(1 << 20);
        if (first && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        first = false;
        if (csv_parse(&parser, line.constData(), size_t(line.size()), onField, onRowEnd, &state) != size_t(line.size()))
            return {};
    }
    if (state.rows.isEmpty())
        csv_fini(&parser, onField, onRowEnd, &state);
    if (state.rows.isEmpty())
        return {};
    RowMapper mapper(options, displayName);
    return mapper.setHeader(state.rows.constFirst());
}

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
    qsizetype separators = 0; // commas in a row: the header's fields - 1 (at least 1)
    ImportProgress prog;
    prog.totalBytes = file.size();
    bool first = true;
    // Offsets of the lines of the row being parsed (from rowFirstLine on), to read again from a line of
    // it when a quote turns out not to be closed.
    QList<qint64> rowLineOffsets;
    qint64 rowFirstLine = 1;
    int restarts = 0;
    constexpr int kMaxRestarts = 1000;

    // A quote opened on `openLine` and never closed (or closed only after swallowing lines that read like
    // rows): that row is reported and skipped, and reading starts again from the line after `openLine`
    // with a fresh parser, so the rows the quote swallowed are read as rows (docs/ledger.md, Imports).
    auto restartAfter = [&](qint64 openLine, const QString &reason) -> Result<void> {
        ++report.rowsRead;
        sink.rowError(displayName, openLine, reason);
        if (++restarts > kMaxRestarts)
            return fail(ErrorCode::Parse, QObject::tr("%1: more than %2 quotes are not closed; is this a CSV file "
                                                      "with commas between fields? Nothing after line %3 was read")
                                              .arg(displayName)
                                              .arg(kMaxRestarts)
                                              .arg(openLine));
        const qsizetype index = qsizetype(openLine + 1 - rowFirstLine);
        const qint64 offset = index >= 0 && index < rowLineOffsets.size() ? rowLineOffsets[index] : file.pos();
        if (!file.seek(offset))
            return fail(ErrorCode::Io, QObject::tr("reading %1 failed: %2").arg(displayName, file.errorString()));
        csv_free(&parser);
        if (csv_init(&parser, 0) != 0)
            return fail(ErrorCode::Io, QObject::tr("cannot start the CSV parser"));
        state = ParseState();
        state.currentLine = openLine + 1;
        rowLineOffsets.clear();
        prog.bytesRead = offset;
        return {};
    };
    auto unclosedReason = [&](qint64 openLine, qint64 rowLikeLine) {
        return rowLikeLine > 0
            ? QObject::tr("the quoted field that opens on line %1 is not closed before line %2, which reads like a "
                          "row of its own: the quote is probably missing its closing quote. This row is skipped; "
                          "reading went on at line %3")
                  .arg(openLine)
                  .arg(rowLikeLine)
                  .arg(openLine + 1)
            : QObject::tr("the quoted field that opens on line %1 is not closed: it runs to the end of the "
                          "file. This row is skipped; reading went on at line %2")
                  .arg(openLine)
                  .arg(openLine + 1);
    };

    // Returns true when it restarted the parser (the rest of the chunk is read again).
    auto drainRows = [&]() -> Result<bool> {
        for (qsizetype i = 0; i < state.rows.size(); ++i) {
            const QList<QByteArray> &row = state.rows[i];
            const QList<qint64> &ends = state.rowFieldLines[i];
            if (!haveHeader) {
                if (auto r = mapper.setHeader(row); !r)
                    return std::unexpected(r.error());
                haveHeader = true;
                separators = std::max<qsizetype>(1, row.size() - 1);
                continue;
            }
            // A field's line breaks are all inside it: it began on its end line minus their count.
            const qint64 rowLine = ends.isEmpty() ? state.currentLine : ends[0] - row[0].count('\n');
            for (qsizetype f = 0; f < row.size(); ++f) {
                if (const qsizetype k = rowLikeLine(row[f], separators); k > 0) {
                    const qint64 openLine = ends[f] - row[f].count('\n');
                    if (auto r = restartAfter(openLine, unclosedReason(openLine, openLine + k)); !r)
                        return std::unexpected(r.error());
                    return true;
                }
            }
            ++report.rowsRead;
            auto mapped = mapper.map(row, rowLine);
            if (!mapped) {
                sink.rowError(displayName, rowLine, mapped.error().message);
                continue;
            }
            if (!mapped->warning.isEmpty())
                sink.rowWarning(displayName, rowLine, mapped->warning);
            sink.add(std::move(mapped->record), mapped->priced);
        }
        state.rows.clear();
        state.rowFieldLines.clear();
        return false;
    };
    // The text so far of the quoted field being parsed (libcsv's entry buffer).
    auto openField = [&]() {
        return QByteArrayView(reinterpret_cast<const char *>(parser.entry_buf), qsizetype(parser.entry_pos));
    };

    for (;;) {
        bool restarted = false;
        while (!file.atEnd()) {
            if (parser.pstate == kRowNotBegun) {
                rowLineOffsets.clear();
                rowFirstLine = state.currentLine;
            }
            rowLineOffsets.append(file.pos());
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
            const bool lineEnded = line.endsWith('\n') || line.endsWith('\r');
            if (lineEnded)
                ++state.currentLine;
            auto drained = drainRows();
            if (!drained)
                return std::unexpected(drained.error());
            if (*drained) {
                restarted = true;
                break;
            }
            // A quote still open after a whole line that reads like a row: give up on it now instead of
            // at its closing quote or the end of the file (keeps a file of stray quotes linear).
            if (haveHeader && lineEnded && insideQuotedField(parser)) {
                const QByteArrayView text = openField();
                const qsizetype breaks = text.count('\n');
                if (breaks >= 2) {
                    const qsizetype end = text.lastIndexOf('\n');
                    const qsizetype start = text.lastIndexOf('\n', end - 1);
                    if (readsLikeARow(text.sliced(start + 1, end - start - 1), separators)) {
                        const qint64 openLine = state.currentLine - breaks;
                        if (auto r = restartAfter(openLine, unclosedReason(openLine, state.currentLine - 1)); !r)
                            return r;
                        restarted = true;
                        break;
                    }
                }
            }
            if (progress && (report.rowsRead % 2000 == 0 || file.atEnd())) {
                prog.rowsRead = report.rowsRead;
                if (!progress(prog)) {
                    report.cancelled = true;
                    return {};
                }
            }
        }
        if (restarted)
            continue;
        if (file.error() != QFileDevice::NoError)
            return fail(ErrorCode::Io, QObject::tr("reading %1 failed: %2").arg(displayName, file.errorString()));
        if (haveHeader && insideQuotedField(parser)) {
            const qint64 openLine = state.currentLine - openField().count('\n');
            if (auto r = restartAfter(openLine, unclosedReason(openLine, 0)); !r)
                return r;
            continue;
        }
        csv_fini(&parser, onField, onRowEnd, &state);
        auto drained = drainRows();
        if (!drained)
            return std::unexpected(drained.error());
        if (*drained)
            continue;
        break;
    }
    // An empty file imports nothing, as an empty JSONL file does (session-17 trial: it was an error, exit 1).
    if (!haveHeader)
        sink.rowWarning(displayName, 0, QObject::tr("the file is empty: nothing to import"));
    return {};
}

} // namespace tl::CsvImport
