#include "tokenizer/UsageEstimate.h"

#include "tokenizer/ChatTokenCounter.h"

#include <QJsonDocument>
#include <QJsonParseError>

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
    return out;
}

} // namespace tl::tokenizer
