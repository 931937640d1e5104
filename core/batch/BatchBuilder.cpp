#include "BatchBuilder.h"

#include "common/CsvCell.h"

#include "pricing/Pricer.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/EncodingSpec.h"
#include "tokenizer/Tokenizers.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <csv.h>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::BatchBuilder {

namespace {

QString fill(const TemplateBatchSpec &spec, const QHash<QString, QString> &fields, const QString &text)
{
    QString prompt = spec.promptTemplate;
    prompt.replace("{text}"_L1, text.left(spec.maxChars));
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        prompt.replace(u'{' + it.key() + u'}', it.value());
    return prompt;
}

BatchRequest makeRequest(const TemplateBatchSpec &spec, const QString &customId, const QString &prompt)
{
    BatchRequest r;
    r.customId = customId;
    r.url = spec.url;
    QJsonArray messages;
    if (!spec.systemPrompt.isEmpty())
        messages.append(QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, spec.systemPrompt}});
    messages.append(QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, prompt}});
    r.body = QJsonObject{{u"model"_s, spec.model}, {u"messages"_s, messages}, {u"max_tokens"_s, spec.maxTokens}};
    return r;
}

struct CsvState
{
    QStringList row;
    QList<QStringList> rows;
};

void onField(void *data, size_t len, void *state)
{
    static_cast<CsvState *>(state)->row.append(QString::fromUtf8(static_cast<const char *>(data), qsizetype(len)));
}

void onRowEnd(int, void *state)
{
    auto *s = static_cast<CsvState *>(state);
    s->rows.append(s->row);
    s->row.clear();
}

// Quoted; a cell a spreadsheet would run as a formula (model output "=..." / "-...") gets a leading quote
// (CsvCell, OWASP "CSV Injection").
QByteArray csvField(const QString &text)
{
    return CsvCell::field(text, true);
}

} // namespace

Result<QList<BatchRequest>> parseOpenAiJsonl(const QByteArray &jsonl)
{
    QList<BatchRequest> requests;
    QSet<QString> ids;
    const QList<QByteArray> lines = jsonl.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype lineNo = i + 1;
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (!doc.isObject())
            return fail(ErrorCode::Parse, QObject::tr("line %1 is not a JSON object (%2)").arg(lineNo).arg(err.errorString()));
        const QJsonObject o = doc.object();
        BatchRequest r;
        r.customId = o.value("custom_id"_L1).toString();
        r.method = o.value("method"_L1).toString(u"POST"_s);
        r.url = o.value("url"_L1).toString();
        r.body = o.value("body"_L1).toObject();
        if (r.customId.isEmpty())
            return fail(ErrorCode::InvalidArgument, QObject::tr("line %1 has no custom_id").arg(lineNo));
        if (ids.contains(r.customId))
            return fail(ErrorCode::InvalidArgument, QObject::tr("line %1 repeats custom_id \"%2\"; each must be unique")
                                                        .arg(lineNo).arg(r.customId));
        if (r.method != "POST"_L1)
            return fail(ErrorCode::InvalidArgument, QObject::tr("line %1: method must be POST").arg(lineNo));
        if (r.url.isEmpty())
            return fail(ErrorCode::InvalidArgument, QObject::tr("line %1 has no url").arg(lineNo));
        if (r.body.value("model"_L1).toString().isEmpty())
            return fail(ErrorCode::InvalidArgument, QObject::tr("line %1: the body has no model").arg(lineNo));
        ids.insert(r.customId);
        requests.append(std::move(r));
    }
    return requests;
}

QByteArray toOpenAiJsonl(const QList<BatchRequest> &requests)
{
    QByteArray out;
    for (const BatchRequest &r : requests) {
        const QJsonObject o{{u"custom_id"_s, r.customId}, {u"method"_s, r.method}, {u"url"_s, r.url}, {u"body"_s, r.body}};
        out += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }
    return out;
}

Result<QList<BatchRequest>> fromCsv(const QByteArray &csvBytes, const TemplateBatchSpec &spec)
{
    QByteArray data = csvBytes;
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3);
    csv_parser parser;
    if (csv_init(&parser, CSV_APPEND_NULL) != 0)
        return fail(ErrorCode::Io, QObject::tr("cannot start the CSV reader"));
    CsvState state;
    const size_t used = csv_parse(&parser, data.constData(), size_t(data.size()), onField, onRowEnd, &state);
    if (used != size_t(data.size())) {
        const QString reason = QString::fromLatin1(csv_strerror(csv_error(&parser)));
        csv_free(&parser);
        return fail(ErrorCode::Parse, QObject::tr("malformed CSV: %1").arg(reason));
    }
    csv_fini(&parser, onField, onRowEnd, &state);
    csv_free(&parser);
    if (state.rows.size() < 2)
        return fail(ErrorCode::InvalidArgument, QObject::tr("the CSV file has no data rows"));
    const QStringList header = state.rows.front();
    const qsizetype textCol = header.indexOf(spec.textColumn);
    if (textCol < 0)
        return fail(ErrorCode::InvalidArgument, QObject::tr("the CSV file has no column \"%1\" (columns: %2)")
                                                    .arg(spec.textColumn, header.join(", "_L1)));
    const qsizetype idCol = spec.idColumn.isEmpty() ? -1 : header.indexOf(spec.idColumn);
    if (!spec.idColumn.isEmpty() && idCol < 0)
        return fail(ErrorCode::InvalidArgument, QObject::tr("the CSV file has no column \"%1\"").arg(spec.idColumn));
    QList<BatchRequest> requests;
    QSet<QString> ids;
    for (qsizetype i = 1; i < state.rows.size(); ++i) {
        const QStringList &row = state.rows[i];
        if (row.size() == 1 && row.front().isEmpty())
            continue;
        QHash<QString, QString> fields;
        for (qsizetype c = 0; c < header.size(); ++c)
            fields.insert(header[c], c < row.size() ? row[c] : QString());
        const QString id = idCol >= 0 ? fields.value(spec.idColumn) : u"row-%1"_s.arg(i);
        if (id.isEmpty() || ids.contains(id))
            return fail(ErrorCode::InvalidArgument, QObject::tr("row %1: the id \"%2\" is empty or repeated").arg(i).arg(id));
        ids.insert(id);
        requests.append(makeRequest(spec, id, fill(spec, fields, fields.value(spec.textColumn))));
    }
    return requests;
}

Result<QList<BatchRequest>> fromText(const QByteArray &text, const TemplateBatchSpec &spec)
{
    QList<BatchRequest> requests;
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    int n = 0;
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        ++n;
        requests.append(makeRequest(spec, u"line-%1"_s.arg(n), fill(spec, {}, line)));
    }
    if (requests.isEmpty())
        return fail(ErrorCode::InvalidArgument, QObject::tr("the text file has no non-empty line"));
    return requests;
}

QJsonObject toAnthropicRequest(const BatchRequest &request)
{
    QJsonObject params;
    params.insert(u"model"_s, request.body.value("model"_L1));
    const QJsonValue maxTokens = request.body.contains("max_tokens"_L1) ? request.body.value("max_tokens"_L1)
                                                                       : request.body.value("max_completion_tokens"_L1);
    params.insert(u"max_tokens"_s, maxTokens.isUndefined() ? QJsonValue(1024) : maxTokens);
    QStringList system;
    QJsonArray messages;
    for (const QJsonValue &v : request.body.value("messages"_L1).toArray()) {
        const QJsonObject m = v.toObject();
        if (m.value("role"_L1).toString() == "system"_L1)
            system.append(m.value("content"_L1).toString());
        else
            messages.append(QJsonObject{{u"role"_s, m.value("role"_L1)}, {u"content"_s, m.value("content"_L1)}});
    }
    if (request.body.contains("system"_L1))
        params.insert(u"system"_s, request.body.value("system"_L1));
    else if (!system.isEmpty())
        params.insert(u"system"_s, system.join(u'\n'));
    params.insert(u"messages"_s, messages);
    for (const auto key : {"temperature"_L1, "top_p"_L1, "stop_sequences"_L1}) {
        if (request.body.contains(key))
            params.insert(key, request.body.value(key));
    }
    return QJsonObject{{u"custom_id"_s, request.customId}, {u"params"_s, params}};
}

BatchEstimate estimate(const QList<BatchRequest> &requests, const QString &provider,
                       const tokenizer::Tokenizers &tokenizers, const Pricer &pricer, qint64 atUs)
{
    BatchEstimate e;
    e.requests = requests.size();
    NanoUsd batchSum = 0;
    NanoUsd realtimeSum = 0;
    bool priced = true;
    QHash<QString, std::optional<tokenizer::ChatTokenCounter>> counters;
    qint64 withoutCap = 0;
    QSet<QString> calibrationNoted;
    for (const BatchRequest &r : requests) {
        const QString model = r.body.value("model"_L1).toString();
        auto it = counters.find(model);
        if (it == counters.end()) {
            auto c = tokenizer::ChatTokenCounter::forModel(tokenizers, model);
            if (!c)
                e.notes.append(QObject::tr("no tokenizer for %1: %2").arg(model, c.error().message));
            it = counters.insert(model, c ? std::optional(std::move(*c)) : std::nullopt);
        }
        Usage usage;
        if (*it) {
            const tokenizer::ChatTokenCount count = (*it)->countRequest(r.body);
            usage.promptTokens = count.promptTokens;
            if (count.estimate || provider != "openai"_L1)
                e.estimate = true;
            // A model whose tokenizer is not public: the factor learnt from the proxy's calls, if any.
            if (!tokenizer::encodingForModel(model).exact) {
                const auto f = tokenizers.calibration().forModel(model);
                if (f)
                    usage.promptTokens = qint64(std::llround(double(usage.promptTokens) * f->factor));
                if (!calibrationNoted.contains(model)) {
                    calibrationNoted.insert(model);
                    e.notes.append(f ? QObject::tr("%1: prompt tokens estimated with %2, calibrated x%3 from %n recorded call(s)",
                                                   nullptr, f->samples)
                                           .arg(model, count.encoding)
                                           .arg(f->factor, 0, 'f', 3)
                                     : QObject::tr("%1: prompt tokens estimated with %2, uncalibrated").arg(model, count.encoding));
                }
            }
        }
        qint64 cap = r.body.value("max_tokens"_L1).toInteger(-1);
        if (cap < 0)
            cap = r.body.value("max_completion_tokens"_L1).toInteger(-1);
        if (cap < 0)
            cap = r.body.value("max_output_tokens"_L1).toInteger(-1);
        if (cap < 0) {
            ++withoutCap;
            cap = 0;
        }
        usage.completionTokens = cap;
        e.promptTokens += usage.promptTokens;
        e.outputTokensCap += cap;
        const CostResult atBatch = pricer.price(provider, model, usage, atUs, true);
        const CostResult atRealtime = pricer.price(provider, model, usage, atUs, false);
        if (!atBatch.cost || !atRealtime.cost) {
            priced = false;
            if (!e.unpricedModels.contains(model))
                e.unpricedModels.append(model);
            continue;
        }
        batchSum += *atBatch.cost;
        realtimeSum += *atRealtime.cost;
    }
    if (withoutCap > 0)
        e.notes.append(QObject::tr("%n request(s) set no output cap; their output is not in the estimate", nullptr, int(withoutCap)));
    if (priced) {
        e.batchCost = batchSum;
        e.realtimeCost = realtimeSum;
    }
    return e;
}

QByteArray resultsToJsonl(const QList<BatchResult> &results)
{
    QByteArray out;
    for (const BatchResult &r : results) {
        const QJsonObject o{{u"custom_id"_s, r.customId}, {u"ok"_s, r.ok}, {u"status_code"_s, r.statusCode},
                            {u"content"_s, r.content}, {u"error"_s, r.error}};
        out += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }
    return out;
}

QByteArray resultsToCsv(const QList<BatchResult> &results)
{
    QByteArray out = "custom_id,ok,status_code,content,error\r\n";
    for (const BatchResult &r : results) {
        out += csvField(r.customId) + ',' + (r.ok ? "true" : "false") + ',' + QByteArray::number(r.statusCode) + ','
            + csvField(r.content) + ',' + csvField(r.error) + "\r\n";
    }
    return out;
}

} // namespace tl::BatchBuilder
