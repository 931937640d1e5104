#include "RecordCodec.h"

#include <QDateTime>
#include <QTimeZone>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace tl::RecordCodec {

namespace {
QString isoUtc(qint64 us)
{
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(us / 1000, QTimeZone::utc());
    return dt.toString(u"yyyy-MM-ddTHH:mm:ss"_s) + u'.' + QString::number(((us % 1'000'000) + 1'000'000) % 1'000'000).rightJustified(6, u'0')
        + u'Z';
}
} // namespace

QJsonObject toJson(const CallRecord &r)
{
    QJsonObject o;
    o.insert(u"id"_s, r.id);
    o.insert(u"started_at_us"_s, r.startedAtUs);
    o.insert(u"started_at"_s, isoUtc(r.startedAtUs));
    o.insert(u"endpoint"_s, r.endpoint);
    o.insert(u"tags"_s, QJsonArray::fromStringList(r.tags));
    o.insert(u"provider"_s, r.provider);
    o.insert(u"requested_model"_s, r.requestedModel);
    o.insert(u"served_model"_s, r.servedModel);
    o.insert(u"key_id"_s, r.keyId);
    o.insert(u"prompt_tokens"_s, r.usage.promptTokens);
    o.insert(u"cached_tokens"_s, r.usage.cachedTokens);
    o.insert(u"cache_write_5m_tokens"_s, r.usage.cacheWrite5mTokens);
    o.insert(u"cache_write_1h_tokens"_s, r.usage.cacheWrite1hTokens);
    o.insert(u"completion_tokens"_s, r.usage.completionTokens);
    o.insert(u"reasoning_tokens"_s, r.usage.reasoningTokens);
    o.insert(u"audio_input_tokens"_s, r.usage.audioInputTokens);
    o.insert(u"audio_output_tokens"_s, r.usage.audioOutputTokens);
    o.insert(u"image_input_tokens"_s, r.usage.imageInputTokens);
    o.insert(u"web_search_requests"_s, r.usage.webSearchRequests);
    // Schema v15's and v16's usage parts, only when some (most calls have none; older exports stay as they were).
    const std::pair<QString, qint64> parts[] = {{u"cached_audio_tokens"_s, r.usage.cachedAudioTokens},
                                                {u"cached_image_tokens"_s, r.usage.cachedImageTokens},
                                                {u"output_image_tokens"_s, r.usage.outputImageTokens},
                                                {u"citation_tokens"_s, r.usage.citationTokens},
                                                {u"file_search_calls"_s, r.usage.fileSearchCalls}};
    for (const auto &[key, value] : parts) {
        if (value != 0)
            o.insert(key, value);
    }
    if (!r.contextWindow.isEmpty())
        o.insert(u"context_window"_s, r.contextWindow);
    o.insert(u"usage_status"_s, toString(r.usageStatus));
    o.insert(u"cost_nano"_s, r.cost ? QJsonValue(*r.cost) : QJsonValue());
    o.insert(u"cost_usd"_s, r.cost ? QJsonValue(toDecimalUsd(*r.cost)) : QJsonValue());
    o.insert(u"cost_status"_s, toString(r.costStatus));
    o.insert(u"price_entry"_s, r.priceEntry);
    o.insert(u"price_version"_s, r.priceVersion);
    o.insert(u"latency_us"_s, r.latencyUs);
    o.insert(u"ttft_us"_s, r.ttftUs);
    o.insert(u"http_status"_s, r.httpStatus);
    o.insert(u"error_kind"_s, r.errorKind);
    o.insert(u"cache_outcome"_s, toString(r.cacheOutcome));
    o.insert(u"saved_nano"_s, r.savedCost);
    o.insert(u"similarity"_s, r.similarity);
    o.insert(u"batch"_s, r.batch);
    o.insert(u"source_kind"_s, toString(r.sourceKind));
    o.insert(u"source_ref"_s, r.sourceRef);
    o.insert(u"source_key"_s, r.sourceKey);
    o.insert(u"request_bytes"_s, r.requestBytes);
    o.insert(u"response_bytes"_s, r.responseBytes);
    o.insert(u"request_hash"_s, r.requestHash);
    o.insert(u"prompt_chars"_s, r.promptChars);
    o.insert(u"message_count"_s, r.messageCount);
    o.insert(u"max_tokens"_s, r.maxTokens);
    o.insert(u"has_tools"_s, r.hasTools);
    o.insert(u"truncated"_s, r.truncated);
    o.insert(u"task_type"_s, r.taskType);
    o.insert(u"call_count"_s, r.callCount);
    if (!r.savings.isEmpty()) {
        const SavingsTrace &t = r.savings;
        QJsonObject sv;
        sv.insert(u"complexity"_s, t.complexity);
        sv.insert(u"route_mode"_s, t.routeMode);
        sv.insert(u"routed_model"_s, t.routedModel);
        sv.insert(u"tokens_before_compression"_s, t.tokensBeforeCompression);
        sv.insert(u"tokens_after_compression"_s, t.tokensAfterCompression);
        sv.insert(u"fewshot_set"_s, t.fewShotSet);
        sv.insert(u"fewshot_examples"_s, t.fewShotExamples);
        sv.insert(u"fewshot_tokens"_s, t.fewShotTokens);
        sv.insert(u"fewshot_set_tokens"_s, t.fewShotSetTokens);
        sv.insert(u"semantic_scope"_s, t.semanticScope);
        sv.insert(u"guard_signature"_s, t.guardSignature);
        sv.insert(u"embedding_model"_s, t.embeddingModel);
        sv.insert(u"embedding_base64"_s, QString::fromLatin1(t.embedding.toBase64()));
        o.insert(u"savings"_s, sv);
    }
    return o;
}

Result<CallRecord> fromJson(const QJsonObject &o)
{
    CallRecord r;
    auto integer = [&](const char16_t *key, qint64 def, qint64 *out) -> bool {
        const QJsonValue v = o.value(QStringView(key));
        if (v.isUndefined() || v.isNull()) {
            *out = def;
            return true;
        }
        if (!v.isDouble() || v.toDouble() != double(v.toInteger())) {
            return false;
        }
        *out = v.toInteger();
        return true;
    };
    auto bad = [](const char16_t *key) {
        return fail(ErrorCode::Parse, QObject::tr("field \"%1\" must be a whole number").arg(QStringView(key)));
    };
#define TL_INT(key, def, target)                                                                                   \
    do {                                                                                                           \
        qint64 v_ = 0;                                                                                             \
        if (!integer(key, def, &v_))                                                                               \
            return bad(key);                                                                                       \
        target = decltype(target)(v_);                                                                             \
    } while (false)

    if (o.contains(u"started_at_us"_s)) {
        TL_INT(u"started_at_us", 0, r.startedAtUs);
    } else {
        const QDateTime dt = QDateTime::fromString(o.value(u"started_at"_s).toString(), Qt::ISODateWithMs);
        if (!dt.isValid())
            return fail(ErrorCode::Parse, QObject::tr("\"started_at_us\" or a valid \"started_at\" is required"));
        r.startedAtUs = dt.toMSecsSinceEpoch() * 1000;
    }
    r.endpoint = o.value(u"endpoint"_s).toString(u"untagged"_s);
    if (r.endpoint.isEmpty())
        r.endpoint = u"untagged"_s;
    for (const QJsonValue &t : o.value(u"tags"_s).toArray())
        r.tags << t.toString();
    r.provider = o.value(u"provider"_s).toString();
    r.requestedModel = o.value(u"requested_model"_s).toString();
    r.servedModel = o.value(u"served_model"_s).toString();
    if (r.requestedModel.isEmpty())
        r.requestedModel = r.servedModel;
    r.keyId = o.value(u"key_id"_s).toString();
    TL_INT(u"prompt_tokens", 0, r.usage.promptTokens);
    TL_INT(u"cached_tokens", 0, r.usage.cachedTokens);
    TL_INT(u"cache_write_5m_tokens", 0, r.usage.cacheWrite5mTokens);
    TL_INT(u"cache_write_1h_tokens", 0, r.usage.cacheWrite1hTokens);
    TL_INT(u"completion_tokens", 0, r.usage.completionTokens);
    TL_INT(u"reasoning_tokens", 0, r.usage.reasoningTokens);
    TL_INT(u"audio_input_tokens", 0, r.usage.audioInputTokens);
    TL_INT(u"audio_output_tokens", 0, r.usage.audioOutputTokens);
    TL_INT(u"image_input_tokens", 0, r.usage.imageInputTokens);
    TL_INT(u"web_search_requests", 0, r.usage.webSearchRequests);
    TL_INT(u"cached_audio_tokens", 0, r.usage.cachedAudioTokens);
    TL_INT(u"cached_image_tokens", 0, r.usage.cachedImageTokens);
    TL_INT(u"output_image_tokens", 0, r.usage.outputImageTokens);
    TL_INT(u"citation_tokens", 0, r.usage.citationTokens);
    TL_INT(u"file_search_calls", 0, r.usage.fileSearchCalls);
    r.contextWindow = o.value(u"context_window"_s).toString();
    // The statuses say how far the numbers can be trusted: a value this build does not know is an error,
    // never read as "complete" / "exact".
    const auto usageStatus = usageStatusFromString(o.value(u"usage_status"_s).toString(u"complete"_s));
    if (!usageStatus)
        return fail(ErrorCode::Parse, QObject::tr("\"usage_status\" must be complete, estimated, unknown, incomplete, invalid or pending"));
    r.usageStatus = *usageStatus;
    const QJsonValue cost = o.value(u"cost_nano"_s);
    if (!cost.isUndefined() && !cost.isNull()) {
        qint64 nano = 0;
        if (!integer(u"cost_nano", 0, &nano))
            return fail(ErrorCode::Parse, QObject::tr("field \"cost_nano\" must be a whole number of nano-USD or null (unpriced)"));
        r.cost = nano;
    }
    if (o.contains(u"cost_status"_s)) {
        const auto costStatus = costStatusFromString(o.value(u"cost_status"_s).toString());
        if (!costStatus)
            return fail(ErrorCode::Parse, QObject::tr("\"cost_status\" must be exact, estimated or unpriced"));
        r.costStatus = *costStatus;
        // An unpriced call has no cost (never $0); a priced one has one.
        if ((r.costStatus == CostStatus::Unpriced) != !r.cost)
            return fail(ErrorCode::Parse, r.cost ? QObject::tr("an \"unpriced\" record cannot carry a \"cost_nano\"")
                                                 : QObject::tr("a \"%1\" record needs a \"cost_nano\"").arg(toString(r.costStatus)));
    } else {
        r.costStatus = r.cost ? CostStatus::Exact : CostStatus::Unpriced;
    }
    r.priceEntry = o.value(u"price_entry"_s).toString();
    r.priceVersion = o.value(u"price_version"_s).toString();
    TL_INT(u"latency_us", -1, r.latencyUs);
    TL_INT(u"ttft_us", -1, r.ttftUs);
    // Negative: unknown (the rollups leave it out); a huge one would wrap their latency sums.
    if (r.latencyUs >= kMaxLatencyUs || r.ttftUs >= kMaxLatencyUs)
        return fail(ErrorCode::Parse, QObject::tr("\"latency_us\" and \"ttft_us\" must be below %1 (microseconds)")
                                          .arg(kMaxLatencyUs));
    TL_INT(u"http_status", 200, r.httpStatus);
    r.errorKind = o.value(u"error_kind"_s).toString();
    r.cacheOutcome = cacheOutcomeFromString(o.value(u"cache_outcome"_s).toString(u"none"_s)).value_or(CacheOutcome::None);
    TL_INT(u"saved_nano", 0, r.savedCost);
    r.similarity = o.value(u"similarity"_s).toDouble();
    r.batch = o.value(u"batch"_s).toBool();
    r.sourceKind = sourceKindFromString(o.value(u"source_kind"_s).toString(u"import"_s)).value_or(SourceKind::ImportFile);
    r.sourceRef = o.value(u"source_ref"_s).toString();
    r.sourceKey = o.value(u"source_key"_s).toString();
    TL_INT(u"request_bytes", 0, r.requestBytes);
    TL_INT(u"response_bytes", 0, r.responseBytes);
    r.requestHash = o.value(u"request_hash"_s).toString();
    TL_INT(u"prompt_chars", 0, r.promptChars);
    TL_INT(u"message_count", 0, r.messageCount);
    TL_INT(u"max_tokens", 0, r.maxTokens);
    r.hasTools = o.value(u"has_tools"_s).toBool();
    r.truncated = o.value(u"truncated"_s).toBool(); // absent (older exports): false
    r.taskType = o.value(u"task_type"_s).toString();
    TL_INT(u"call_count", 1, r.callCount);
    if (const QJsonObject sv = o.value(u"savings"_s).toObject(); !sv.isEmpty()) {
        SavingsTrace &t = r.savings;
        t.complexity = sv.value(u"complexity"_s).toString();
        t.routeMode = sv.value(u"route_mode"_s).toString();
        t.routedModel = sv.value(u"routed_model"_s).toString();
        t.tokensBeforeCompression = sv.value(u"tokens_before_compression"_s).toInteger(-1);
        t.tokensAfterCompression = sv.value(u"tokens_after_compression"_s).toInteger(-1);
        t.fewShotSet = sv.value(u"fewshot_set"_s).toString();
        t.fewShotExamples = int(sv.value(u"fewshot_examples"_s).toInteger());
        t.fewShotTokens = sv.value(u"fewshot_tokens"_s).toInteger();
        t.fewShotSetTokens = sv.value(u"fewshot_set_tokens"_s).toInteger();
        t.semanticScope = sv.value(u"semantic_scope"_s).toString();
        t.guardSignature = sv.value(u"guard_signature"_s).toString();
        t.embeddingModel = sv.value(u"embedding_model"_s).toString();
        const auto decoded = QByteArray::fromBase64Encoding(sv.value(u"embedding_base64"_s).toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(ErrorCode::Parse, QObject::tr("savings.embedding_base64 is not valid base64"));
        t.embedding = *decoded;
        if (t.embedding.size() % 4 != 0)
            return fail(ErrorCode::Parse, QObject::tr("savings.embedding_base64 is not a float32 vector"));
    }
#undef TL_INT
    // A call that names no model is still a call when it says what happened to it: the proxy records
    // forwarded non-model calls (GET /v1/models, other paths) with source_kind "proxy", and failed calls
    // with an error_kind / an HTTP error status. Those re-import unpriced (or at the cost they carry);
    // any other row without a model cannot be priced or grouped and stays an error.
    const bool statedCall = r.sourceKind == SourceKind::Proxy || !r.errorKind.isEmpty() || r.httpStatus >= 400;
    if (r.requestedModel.isEmpty() && !statedCall)
        return fail(ErrorCode::Parse, QObject::tr("\"requested_model\" or \"served_model\" is required"));
    if (r.usage.promptTokens < 0 || r.usage.completionTokens < 0)
        return fail(ErrorCode::Parse, QObject::tr("token counts cannot be negative"));
    return r;
}

QStringList csvHeader()
{
    return {u"id"_s, u"started_at"_s, u"started_at_us"_s, u"endpoint"_s, u"tags"_s, u"provider"_s,
            u"requested_model"_s, u"served_model"_s, u"key_id"_s, u"prompt_tokens"_s, u"cached_tokens"_s,
            u"cache_write_5m_tokens"_s, u"cache_write_1h_tokens"_s, u"completion_tokens"_s, u"reasoning_tokens"_s,
            u"usage_status"_s, u"cost_nano"_s, u"cost_usd"_s, u"cost_status"_s, u"price_entry"_s, u"price_version"_s,
            u"latency_us"_s, u"ttft_us"_s, u"http_status"_s, u"error_kind"_s, u"cache_outcome"_s, u"saved_nano"_s,
            u"batch"_s, u"source_kind"_s, u"source_ref"_s, u"source_key"_s,
            // Every other usage count (appended in session 19, so the older columns keep their places).
            u"audio_input_tokens"_s, u"audio_output_tokens"_s, u"image_input_tokens"_s, u"web_search_requests"_s,
            u"cached_audio_tokens"_s, u"cached_image_tokens"_s, u"output_image_tokens"_s, u"citation_tokens"_s,
            u"file_search_calls"_s};
}

QStringList csvRow(const CallRecord &r)
{
    return {QString::number(r.id), isoUtc(r.startedAtUs), QString::number(r.startedAtUs), r.endpoint,
            r.tags.join(u';'), r.provider, r.requestedModel, r.servedModel, r.keyId,
            QString::number(r.usage.promptTokens), QString::number(r.usage.cachedTokens),
            QString::number(r.usage.cacheWrite5mTokens), QString::number(r.usage.cacheWrite1hTokens),
            QString::number(r.usage.completionTokens), QString::number(r.usage.reasoningTokens),
            toString(r.usageStatus), r.cost ? QString::number(*r.cost) : QString(),
            r.cost ? toDecimalUsd(*r.cost) : QString(), toString(r.costStatus), r.priceEntry, r.priceVersion,
            QString::number(r.latencyUs), QString::number(r.ttftUs), QString::number(r.httpStatus), r.errorKind,
            toString(r.cacheOutcome), QString::number(r.savedCost), r.batch ? u"1"_s : u"0"_s,
            toString(r.sourceKind), r.sourceRef, r.sourceKey,
            QString::number(r.usage.audioInputTokens), QString::number(r.usage.audioOutputTokens),
            QString::number(r.usage.imageInputTokens), QString::number(r.usage.webSearchRequests),
            QString::number(r.usage.cachedAudioTokens), QString::number(r.usage.cachedImageTokens),
            QString::number(r.usage.outputImageTokens), QString::number(r.usage.citationTokens),
            QString::number(r.usage.fileSearchCalls)};
}

} // namespace tl::RecordCodec
