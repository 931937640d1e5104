#include "ReportImport.h"
#include "pricing/Pricer.h"

#include "importer/Timestamp.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace tl::ReportImport {

namespace {

QString str(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    return v.isString() ? v.toString() : v.isDouble() ? QString::number(v.toInteger()) : QString();
}

// A count as the report gives it: a whole JSON number; 0 when missing or null; kMalformedUsageCount for
// anything else (a fraction, text), which usageProblem() rejects so the line is reported, not read as 0.
qint64 num(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return 0;
    return v.isDouble() ? v.toInteger(kMalformedUsageCount) : kMalformedUsageCount;
}

// A count the provider's API reference says every result line has: nullopt when it is missing or null
// (the line cannot be priced: it is reported and skipped, never read as 0); kMalformedUsageCount for
// anything but a whole JSON number, like num().
std::optional<qint64> required(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    return v.isDouble() ? v.toInteger(kMalformedUsageCount) : kMalformedUsageCount;
}

// The fields of `names` that `o` lacks (missing or null), as "a", "b" for a message; "" when none.
QString missingOf(const QJsonObject &o, std::initializer_list<QLatin1StringView> names, QStringView prefix = {})
{
    QStringList missing;
    for (QLatin1StringView name : names) {
        if (!required(o, name))
            missing << u'"' + prefix.toString() + name + u'"';
    }
    return missing.join(u", "_s);
}

// The sum of counts, or the first that is malformed or out of range (so that usageProblem() names it
// instead of an overflowing sum).
qint64 sumOf(std::initializer_list<qint64> parts)
{
    qint64 total = 0;
    for (qint64 p : parts) {
        if (p < 0 || p >= kMaxUsageCount)
            return p;
        total += p;
    }
    return total;
}

QList<QJsonObject> pages(const QJsonDocument &doc)
{
    QList<QJsonObject> result;
    if (doc.isObject()) {
        result.append(doc.object());
    } else {
        for (const QJsonValue &v : doc.array())
            result.append(v.toObject());
    }
    return result;
}

std::optional<qint64> bucketStartUs(const QJsonObject &bucket)
{
    if (bucket.contains("start_time"_L1))
        return bucket.value("start_time"_L1).toInteger() * 1'000'000;
    return Timestamp::parseUs(bucket.value("starting_at"_L1).toString(), QTimeZone::utc());
}

CallRecord baseRecord(qint64 startUs, const QString &provider, const QString &displayName, int page, int bucket, int line)
{
    CallRecord r;
    r.startedAtUs = startUs;
    r.provider = provider;
    r.sourceKind = SourceKind::ProviderReport;
    r.sourceRef = u"%1:page %2 bucket %3 result %4"_s.arg(displayName).arg(page + 1).arg(bucket + 1).arg(line + 1);
    r.httpStatus = 0;
    return r;
}

// An OpenAI usage result (completions or embeddings) as an aggregate record: the project stands in as
// the endpoint, the API key id as the caller, the model as requested and served.
CallRecord openAiUsageRecord(qint64 startUs, const QJsonObject &res, const QString &displayName, int page, int bucket,
                             int line)
{
    CallRecord r = baseRecord(startUs, u"openai"_s, displayName, page, bucket, line);
    const QString project = str(res, "project_id"_L1);
    r.endpoint = project.isEmpty() ? u"openai-organization"_s : u"project:"_s + project;
    r.keyId = str(res, "api_key_id"_L1);
    r.requestedModel = r.servedModel = res.value("model"_L1).toString(u"unknown"_s);
    r.usage.promptTokens = num(res, "input_tokens"_L1);
    r.callCount = num(res, "num_model_requests"_L1);
    return r;
}

// A result line without a model (a report not grouped by model has "model": null) is kept, as model
// "unknown" (unpriced: no price book entry), and said so; the tokens are real.
void warnWithoutModel(const QJsonObject &res, const CallRecord &r, ImportSink &sink)
{
    if (res.value("model"_L1).isString() && !res.value("model"_L1).toString().isEmpty())
        return;
    sink.rowWarning(r.sourceRef, 0,
                    QObject::tr("no \"model\" (was the report grouped by model?): stored as model \"unknown\", "
                                "unpriced"));
}

// Reports a result line that lacks fields the API reference says it always has, and returns true
// (the caller skips the line).
bool skipIfMissing(const QString &missing, const CallRecord &r, ImportSink &sink)
{
    if (missing.isEmpty())
        return false;
    sink.rowError(r.sourceRef, 0,
                  QObject::tr("%1 missing (the API reference says every line has it): the line is skipped, not "
                              "counted as 0")
                      .arg(missing));
    return true;
}

} // namespace

std::optional<NanoUsd> centsToNano(QStringView cents)
{
    // Cents -> dollars by moving the decimal point two digits left in the text, then the decimal parser
    // that rounds digits finer than a nano-USD (1e-7 cents) half away from zero.
    QString t = cents.trimmed().toString();
    QString sign;
    if (t.startsWith(u'-') || t.startsWith(u'+')) {
        sign = t.left(1);
        t.remove(0, 1);
    }
    const qsizetype dot = t.indexOf(u'.');
    QString whole = dot < 0 ? t : t.left(dot);
    const QString frac = dot < 0 ? QString() : t.mid(dot + 1);
    if ((whole.isEmpty() && frac.isEmpty()) || t.count(u'.') > 1)
        return std::nullopt;
    whole = whole.rightJustified(3, u'0');
    return parseDecimalUsdRounded(QString(sign + whole.left(whole.size() - 2) + u'.' + whole.right(2) + frac));
}

Result<void> run(const QJsonDocument &doc, ImportFormat format, const QString &displayName, ImportSink &sink,
                 ImportReport &report)
{
    const QList<QJsonObject> all = pages(doc);
    if (all.isEmpty() || !all.front().contains("data"_L1))
        return fail(ErrorCode::Parse, QObject::tr("%1 is not a provider report page (no \"data\" array)").arg(displayName));

    for (int p = 0; p < all.size(); ++p) {
        const QJsonArray buckets = all[p].value("data"_L1).toArray();
        for (int b = 0; b < buckets.size(); ++b) {
            const QJsonObject bucket = buckets[b].toObject();
            const auto start = bucketStartUs(bucket);
            const QJsonArray results = bucket.value("results"_L1).toArray();
            for (int i = 0; i < results.size(); ++i) {
                ++report.rowsRead;
                const QJsonObject res = results[i].toObject();
                if (!start) {
                    sink.rowError(displayName, 0, QObject::tr("page %1 bucket %2 has no valid start time").arg(p + 1).arg(b + 1));
                    continue;
                }
                switch (format) {
                case ImportFormat::OpenAiUsage: {
                    CallRecord r = openAiUsageRecord(*start, res, displayName, p, b, i);
                    // OpenAI's UsageCompletionsResult requires input_tokens, output_tokens and
                    // num_model_requests; input_cached_tokens is optional: without it the cost is an estimate
                    // (all input at the uncached price), not exact. Audio and image counts are parts of
                    // input_tokens / output_tokens that older reports leave out: absent, they count 0.
                    if (skipIfMissing(missingOf(res, {"input_tokens"_L1, "output_tokens"_L1, "num_model_requests"_L1}),
                                      r, sink))
                        continue;
                    warnWithoutModel(res, r, sink);
                    const QString project = str(res, "project_id"_L1);
                    if (!required(res, "input_cached_tokens"_L1))
                        r.usageStatus = UsageStatus::Incomplete;
                    r.usage.cachedTokens = num(res, "input_cached_tokens"_L1);
                    // Cache writes, part of input_tokens as cached reads are (the proxy reads a chat answer's
                    // prompt_tokens_details.cache_write_tokens the same way; genai-prices 0.1.8 prices them at
                    // cache_write_mtok). Absent in older reports: 0.
                    r.usage.cacheWrite5mTokens = num(res, "input_cache_write_tokens"_L1);
                    r.usage.completionTokens = num(res, "output_tokens"_L1);
                    r.usage.audioInputTokens = num(res, "input_audio_tokens"_L1);
                    r.usage.audioOutputTokens = num(res, "output_audio_tokens"_L1);
                    r.usage.imageInputTokens = num(res, "input_image_tokens"_L1);
                    // The cached parts of the audio and image input (cache_audio_read_mtok,
                    // cache_image_read_mtok) and the image output (output_image_mtok); absent: 0.
                    r.usage.cachedAudioTokens = num(res, "input_cached_audio_tokens"_L1);
                    r.usage.cachedImageTokens = num(res, "input_cached_image_tokens"_L1);
                    r.usage.outputImageTokens = num(res, "output_image_tokens"_L1);
                    r.batch = res.value("batch"_L1).toBool();
                    r.tags = {u"usage-report"_s};
                    applyServiceTier(r, str(res, "service_tier"_L1)); // flex at Batch API rates, priority estimated
                    r.sourceKey = u"openai-usage:%1:%2:%3:%4:%5:%6:%7"_s.arg(*start).arg(project, r.keyId, r.servedModel,
                                                                              str(res, "user_id"_L1),
                                                                              r.batch ? u"batch"_s : u""_s,
                                                                              str(res, "service_tier"_L1));
                    sink.add(std::move(r));
                    break;
                }
                case ImportFormat::OpenAiEmbeddingsUsage: {
                    // An embeddings request has input tokens only: no cached input, no output.
                    CallRecord r = openAiUsageRecord(*start, res, displayName, p, b, i);
                    if (skipIfMissing(missingOf(res, {"input_tokens"_L1, "num_model_requests"_L1}), r, sink))
                        continue;
                    warnWithoutModel(res, r, sink);
                    const QString project = str(res, "project_id"_L1);
                    r.usage.completionTokens = 0;
                    r.tags = {u"usage-report"_s, u"embeddings"_s};
                    r.sourceKey = u"openai-embeddings-usage:%1:%2:%3:%4:%5"_s.arg(*start).arg(
                        project, r.keyId, r.servedModel, str(res, "user_id"_L1));
                    sink.add(std::move(r));
                    break;
                }
                case ImportFormat::OpenAiCosts: {
                    CallRecord r = baseRecord(*start, u"openai"_s, displayName, p, b, i);
                    const QString project = str(res, "project_id"_L1);
                    r.endpoint = project.isEmpty() ? u"openai-organization"_s : u"project:"_s + project;
                    r.keyId = str(res, "api_key_id"_L1);
                    const QString item = res.value("line_item"_L1).toString();
                    const qsizetype comma = item.lastIndexOf(", "_L1);
                    const QString model = comma > 0 ? item.left(comma) : item;
                    const QString kind = comma > 0 ? item.mid(comma + 2) : QString();
                    r.requestedModel = r.servedModel = model.isEmpty() ? u"unknown"_s : model;
                    const qint64 quantity = num(res, "quantity"_L1);
                    if (res.value("quantity_unit"_L1).toString() == "tokens"_L1 || kind.contains("input"_L1) || kind == "output"_L1) {
                        if (kind == "input"_L1)
                            r.usage.promptTokens = quantity;
                        else if (kind == "cached input"_L1)
                            r.usage.promptTokens = r.usage.cachedTokens = quantity;
                        else if (kind == "output"_L1)
                            r.usage.completionTokens = quantity;
                    }
                    const QJsonValue value = res.value("amount"_L1).toObject().value("value"_L1);
                    // Digits finer than a nano-USD are rounded half away from zero (a JSON number is a double
                    // already; its text with 9 decimals is that rounding).
                    const auto cost = parseDecimalUsdRounded(value.isString() ? value.toString()
                                                                              : QString::number(value.toDouble(), 'f', 9));
                    if (!cost) {
                        sink.rowError(displayName, 0, QObject::tr("line item \"%1\" has no readable amount").arg(item));
                        continue;
                    }
                    r.cost = *cost;
                    r.costStatus = CostStatus::Exact;
                    r.priceEntry = u"given:openai-costs"_s;
                    r.callCount = 0;
                    r.tags = {u"cost-report"_s};
                    r.sourceKey = u"openai-costs:%1:%2:%3:%4"_s.arg(*start).arg(project, r.keyId, item);
                    sink.add(std::move(r), true);
                    break;
                }
                case ImportFormat::AnthropicUsage: {
                    CallRecord r = baseRecord(*start, u"anthropic"_s, displayName, p, b, i);
                    const QString workspace = str(res, "workspace_id"_L1);
                    r.endpoint = workspace.isEmpty() ? u"default-workspace"_s : u"workspace:"_s + workspace;
                    r.keyId = str(res, "api_key_id"_L1);
                    r.requestedModel = r.servedModel = res.value("model"_L1).toString(u"unknown"_s);
                    const QJsonObject creation = res.value("cache_creation"_L1).toObject();
                    // The Messages usage report's result always has these counts (API reference, "Get
                    // Messages Usage Report"); server_tool_use too, without which the searches are unknown
                    // and the cost an estimate.
                    QString missing = missingOf(res, {"uncached_input_tokens"_L1, "cache_read_input_tokens"_L1,
                                                      "output_tokens"_L1});
                    const QString missingWrites = missingOf(creation, {"ephemeral_5m_input_tokens"_L1,
                                                                       "ephemeral_1h_input_tokens"_L1},
                                                            u"cache_creation.");
                    if (!missingWrites.isEmpty())
                        missing += (missing.isEmpty() ? u""_s : u", "_s) + missingWrites;
                    if (skipIfMissing(missing, r, sink))
                        continue;
                    warnWithoutModel(res, r, sink);
                    if (!required(res.value("server_tool_use"_L1).toObject(), "web_search_requests"_L1))
                        r.usageStatus = UsageStatus::Incomplete;
                    r.usage.cacheWrite5mTokens = num(creation, "ephemeral_5m_input_tokens"_L1);
                    r.usage.cacheWrite1hTokens = num(creation, "ephemeral_1h_input_tokens"_L1);
                    r.usage.cachedTokens = num(res, "cache_read_input_tokens"_L1);
                    r.usage.promptTokens = sumOf({num(res, "uncached_input_tokens"_L1), r.usage.cachedTokens,
                                                  r.usage.cacheWrite5mTokens, r.usage.cacheWrite1hTokens});
                    r.usage.completionTokens = num(res, "output_tokens"_L1);
                    r.usage.webSearchRequests = num(res.value("server_tool_use"_L1).toObject(), "web_search_requests"_L1);
                    // "0-200k" / "200k-1M": every call of the line had that many prompt tokens, which selects
                    // the long-context tier (Pricer::apply).
                    r.contextWindow = str(res, "context_window"_L1);
                    const QString tier = str(res, "service_tier"_L1);
                    r.callCount = 0; // the usage report does not count requests
                    r.tags = {u"usage-report"_s};
                    applyServiceTier(r, tier); // batch: Batch API rates; priority: estimated (list price)
                    r.sourceKey = u"anthropic-usage:%1:%2:%3:%4:%5:%6"_s.arg(*start).arg(
                        workspace, r.keyId, r.servedModel, tier, str(res, "context_window"_L1));
                    sink.add(std::move(r));
                    break;
                }
                case ImportFormat::AnthropicCost: {
                    CallRecord r = baseRecord(*start, u"anthropic"_s, displayName, p, b, i);
                    const QString workspace = str(res, "workspace_id"_L1);
                    r.endpoint = workspace.isEmpty() ? u"default-workspace"_s : u"workspace:"_s + workspace;
                    const QString model = str(res, "model"_L1);
                    r.requestedModel = r.servedModel = model.isEmpty() ? str(res, "cost_type"_L1) : model;
                    if (r.servedModel.isEmpty())
                        r.requestedModel = r.servedModel = u"unknown"_s;
                    const QString currency = str(res, "currency"_L1);
                    if (!currency.isEmpty() && currency.compare("USD"_L1, Qt::CaseInsensitive) != 0) {
                        sink.rowError(displayName, 0, QObject::tr("currency %1 is not USD").arg(currency));
                        continue;
                    }
                    const auto cost = centsToNano(str(res, "amount"_L1));
                    if (!cost) {
                        sink.rowError(displayName, 0, QObject::tr("amount \"%1\" is not a decimal number of cents")
                                                          .arg(str(res, "amount"_L1)));
                        continue;
                    }
                    r.cost = *cost;
                    r.costStatus = CostStatus::Exact;
                    r.priceEntry = u"given:anthropic-cost"_s;
                    r.batch = str(res, "service_tier"_L1) == "batch"_L1;
                    r.callCount = 0;
                    r.tags = {u"cost-report"_s};
                    r.sourceKey = u"anthropic-cost:%1:%2:%3:%4:%5:%6:%7"_s.arg(*start).arg(
                        workspace, r.servedModel, str(res, "service_tier"_L1), str(res, "token_type"_L1),
                        str(res, "context_window"_L1), str(res, "description"_L1));
                    sink.add(std::move(r), true);
                    break;
                }
                default:
                    return fail(ErrorCode::Unsupported, QObject::tr("not a report format"));
                }
            }
        }
    }
    return {};
}

} // namespace tl::ReportImport
