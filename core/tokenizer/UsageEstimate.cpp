#include "tokenizer/UsageEstimate.h"

#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/EncodingSpec.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

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
    const ChatTokenCount prompt = counter->countRequest(request);
    UsageEstimate out;
    out.usage.promptTokens = prompt.promptTokens;
    out.usage.imageInputTokens = prompt.imageTokens;
    out.usage.completionTokens = counter->countText(completionText);
    out.exactPrompt = !prompt.estimate;
    out.encoding = prompt.encoding;
    out.notes = prompt.notes;
    out.notes << u"completion counted from the streamed text"_s;
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
