#include "tokenizer/UsageEstimate.h"

#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/EncodingSpec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

namespace {

// The token count of `text` when it is at most kEstimateTextChars long; otherwise that of its first
// kEstimateTextChars characters scaled by length. Byte-pair merging is superlinear in the length of one
// pre-token piece: a 7.3 MB run of one character took about 3 s (session-7 trial), on the proxy thread.
qint64 boundedCount(const ChatTokenCounter &counter, QStringView text, qint64 *scaledTexts)
{
    if (text.size() <= kEstimateTextChars)
        return counter.countText(text);
    ++*scaledTexts;
    const QStringView head = text.first(kEstimateTextChars);
    return qint64(std::llround(double(counter.countText(head)) * double(text.size()) / double(head.size())));
}

// `value` with every long text (over kEstimateTextChars) cut to its head; the tokens the cut-off tails
// would add, scaled from the heads, go to *extraTokens. Image and file payloads (keys "data", "url",
// "image_url", "file_data", or "data:" URLs) are left whole: their token counts follow their size, not text.
QJsonValue shrinkLongTexts(const QJsonValue &value, QStringView key, const ChatTokenCounter &counter,
                           qint64 *extraTokens, qint64 *scaledTexts)
{
    if (value.isString()) {
        const QString text = value.toString();
        if (text.size() <= kEstimateTextChars || key == u"data" || key == u"url" || key == u"image_url"
            || key == u"file_data" || text.startsWith(u"data:"))
            return value;
        const QString head = text.left(kEstimateTextChars);
        const qint64 headTokens = counter.countText(head);
        *extraTokens += qint64(std::llround(double(headTokens) * double(text.size()) / double(head.size()))) - headTokens;
        ++*scaledTexts;
        return head;
    }
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(shrinkLongTexts(v, key, counter, extraTokens, scaledTexts));
        return out;
    }
    if (value.isObject()) {
        QJsonObject out = value.toObject();
        for (auto it = out.begin(); it != out.end(); ++it)
            it.value() = shrinkLongTexts(it.value(), it.key(), counter, extraTokens, scaledTexts);
        return out;
    }
    return value;
}

} // namespace

Result<UsageEstimate> estimateChatUsage(const Tokenizers &tokenizers, const QByteArray &requestBody,
                                        QStringView completionText, const QString &model)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(requestBody, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return fail(ErrorCode::Parse, u"The request body is not a JSON object: %1"_s.arg(error.errorString()));
    const QJsonObject request = doc.object();
    const QString name = model.isEmpty() ? request.value(u"model"_s).toString() : model;
    auto counter = ChatTokenCounter::forModel(tokenizers, name);
    if (!counter)
        return std::unexpected(counter.error());
    qint64 extraPromptTokens = 0, scaledPromptTexts = 0, scaledCompletion = 0;
    const QJsonObject shrunk = shrinkLongTexts(request, {}, *counter, &extraPromptTokens, &scaledPromptTexts).toObject();
    ChatTokenCount prompt;
    if (shrunk.contains(u"prompt"_s) && !shrunk.contains(u"messages"_s) && !shrunk.contains(u"input"_s)) {
        // The legacy Completions API (POST /v1/completions): "prompt" is a string, a list of strings, a list of
        // token ids or a list of lists of token ids (API reference, "Create completion"). Its text is the model
        // input as it stands: no message framing; a token id counts one.
        prompt.encoding = counter->encoding().name();
        const auto countPrompt = [&](const QJsonValue &v, const auto &self) -> void {
            if (v.isString())
                prompt.promptTokens += counter->countText(v.toString());
            else if (v.isDouble())
                ++prompt.promptTokens;
            else if (v.isArray())
                for (const QJsonValue &item : v.toArray())
                    self(item, self);
        };
        countPrompt(shrunk.value(u"prompt"_s), countPrompt);
        prompt.estimate = !encodingForModel(name).exact;
    } else {
        prompt = counter->countRequest(shrunk);
    }
    UsageEstimate out;
    out.usage.promptTokens = prompt.promptTokens + extraPromptTokens;
    out.usage.imageInputTokens = prompt.imageTokens;
    out.usage.completionTokens = boundedCount(*counter, completionText, &scaledCompletion);
    out.exactPrompt = !prompt.estimate && scaledPromptTexts == 0;
    out.encoding = prompt.encoding;
    out.notes = prompt.notes;
    out.notes << u"completion counted from the streamed text"_s;
    if (scaledPromptTexts + scaledCompletion > 0) {
        const auto texts = scaledPromptTexts + scaledCompletion;
        out.notes << (texts == 1 ? u"1 text over %1 characters counted from its first %1 characters, scaled by length"_s
                                       .arg(kEstimateTextChars)
                                 : u"%1 texts over %2 characters counted from their first %2 characters, scaled by "
                                   u"length"_s.arg(texts)
                                       .arg(kEstimateTextChars));
    }
    if (!encodingForModel(name).exact) {
        out.calibration = tokenizers.calibration().forModel(name);
        if (out.calibration) {
            const double f = out.calibration->factor;
            out.usage.promptTokens = qint64(std::llround(double(out.usage.promptTokens) * f));
            out.usage.completionTokens = qint64(std::llround(double(out.usage.completionTokens) * f));
            out.notes << u"calibrated x%1 from %2 calls (%3)"_s.arg(f, 0, 'f', 3)
                             .arg(out.calibration->samples)
                             .arg(out.calibration->key);
        } else {
            out.notes << u"uncalibrated"_s;
        }
    }
    return out;
}

} // namespace tl::tokenizer
