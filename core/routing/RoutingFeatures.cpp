#include "RoutingFeatures.h"

#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace tl::routing {

namespace {

template<typename E, size_t N> std::optional<E> lookup(QStringView s, const std::array<QString, N> &names)
{
    for (size_t i = 0; i < N; ++i) {
        if (s.compare(names[i], Qt::CaseInsensitive) == 0)
            return E(i);
    }
    return std::nullopt;
}

const std::array<QString, 3> &complexityNames()
{
    static const std::array<QString, 3> n {u"low"_s, u"medium"_s, u"high"_s};
    return n;
}
const std::array<QString, 3> &tierNames()
{
    static const std::array<QString, 3> n {u"nano"_s, u"standard"_s, u"premium"_s};
    return n;
}
const std::array<QString, 3> &modeNames()
{
    static const std::array<QString, 3> n {u"off"_s, u"shadow"_s, u"on"_s};
    return n;
}

bool isStructuredFormat(const QJsonValue &format)
{
    const QString type = format.toObject().value(u"type"_s).toString();
    return type == u"json_schema"_s || type == u"json_object"_s;
}

// Collects text and flags from content (a string, or an array of parts / blocks of any of the three
// API shapes).
struct Collector
{
    RoutingFeatures &f;
    QStringList texts;

    void addText(const QString &t)
    {
        if (!t.isEmpty())
            texts << t;
    }

    void content(const QJsonValue &c)
    {
        if (c.isString()) {
            addText(c.toString());
            return;
        }
        for (const QJsonValue &pv : c.toArray()) {
            const QJsonObject part = pv.toObject();
            const QString type = part.value(u"type"_s).toString();
            if (type == u"text"_s || type == u"input_text"_s || type == u"output_text"_s) {
                addText(part.value(u"text"_s).toString());
            } else if (type == u"image_url"_s || type == u"image"_s || type == u"input_image"_s) {
                f.usesImages = true;
            } else if (type == u"input_audio"_s || type == u"audio"_s) {
                f.usesAudio = true;
            } else if (type == u"tool_use"_s) {
                f.usesTools = true;
            } else if (type == u"tool_result"_s) {
                f.usesTools = true;
                content(part.value(u"content"_s));
            } else if (part.value(u"text"_s).isString()) {
                addText(part.value(u"text"_s).toString());
            }
        }
    }

    void message(const QJsonObject &m)
    {
        const QString role = m.value(u"role"_s).toString();
        if (role == u"tool"_s || role == u"function"_s)
            f.usesTools = true;
        if (!m.value(u"tool_calls"_s).toArray().isEmpty() || m.value(u"function_call"_s).isObject())
            f.usesTools = true;
        content(m.value(u"content"_s));
    }
};

} // namespace

QString toString(Complexity c)
{
    return complexityNames()[size_t(c)];
}
QString toString(ModelTier t)
{
    return tierNames()[size_t(t)];
}
QString toString(RouteMode m)
{
    return modeNames()[size_t(m)];
}
std::optional<Complexity> complexityFromString(QStringView s)
{
    return lookup<Complexity>(s, complexityNames());
}
std::optional<ModelTier> tierFromString(QStringView s)
{
    return lookup<ModelTier>(s, tierNames());
}
std::optional<RouteMode> routeModeFromString(QStringView s)
{
    return lookup<RouteMode>(s, modeNames());
}

qint64 codePointCount(QStringView s)
{
    qint64 n = 0;
    for (const QChar c : s) {
        if (!c.isLowSurrogate())
            ++n;
    }
    return n;
}

QJsonObject RoutingFeatures::toJson() const
{
    QJsonObject o {
        {u"requested_model"_s, requestedModel},
        {u"family"_s, family},
        {u"input_text"_s, inputText},
        {u"input_chars"_s, inputChars},
        {u"max_output_tokens"_s, maxOutputTokens},
        {u"estimated_prompt_tokens"_s, estimatedPromptTokens},
        {u"prompt_tokens_estimate"_s, promptTokensEstimate},
        {u"uses_images"_s, usesImages},
        {u"uses_audio"_s, usesAudio},
        {u"uses_tools"_s, usesTools},
        {u"uses_structured_output"_s, usesStructuredOutput},
    };
    if (promptChars >= 0)
        o.insert(u"prompt_chars"_s, promptChars);
    return o;
}

RoutingFeatures RoutingFeatures::fromJson(const QJsonObject &o)
{
    RoutingFeatures f;
    f.requestedModel = o.value(u"requested_model"_s).toString();
    f.family = o.value(u"family"_s).toString();
    f.inputText = o.value(u"input_text"_s).toString();
    f.inputChars = o.contains(u"input_chars"_s) ? o.value(u"input_chars"_s).toInteger(0) : codePointCount(f.inputText);
    f.maxOutputTokens = o.value(u"max_output_tokens"_s).toInteger(-1);
    f.estimatedPromptTokens = o.value(u"estimated_prompt_tokens"_s).toInteger(-1);
    f.promptTokensEstimate = o.value(u"prompt_tokens_estimate"_s).toBool(true);
    f.usesImages = o.value(u"uses_images"_s).toBool();
    f.usesAudio = o.value(u"uses_audio"_s).toBool();
    f.usesTools = o.value(u"uses_tools"_s).toBool();
    f.usesStructuredOutput = o.value(u"uses_structured_output"_s).toBool();
    f.promptChars = o.value(u"prompt_chars"_s).toInteger(-1);
    return f;
}

RoutingFeatures extractFeatures(const QJsonObject &body, BodyShape shape, const tokenizer::Tokenizers *tokenizers)
{
    RoutingFeatures f;
    f.requestedModel = body.value(u"model"_s).toString();
    f.family = shape == BodyShape::Messages ? u"anthropic"_s : u"openai"_s;
    Collector col {f, {}};

    const auto intMember = [&body](const QString &key) -> qint64 {
        const QJsonValue v = body.value(key);
        return v.isDouble() ? v.toInteger(-1) : -1;
    };

    if (!body.value(u"tools"_s).toArray().isEmpty() || !body.value(u"functions"_s).toArray().isEmpty())
        f.usesTools = true;

    switch (shape) {
    case BodyShape::ChatCompletions: {
        for (const QJsonValue &m : body.value(u"messages"_s).toArray())
            col.message(m.toObject());
        f.maxOutputTokens = intMember(u"max_completion_tokens"_s);
        if (f.maxOutputTokens < 0)
            f.maxOutputTokens = intMember(u"max_tokens"_s);
        f.usesStructuredOutput = isStructuredFormat(body.value(u"response_format"_s));
        if (body.value(u"audio"_s).isObject() || body.value(u"modalities"_s).toArray().contains(u"audio"_s))
            f.usesAudio = true;
        break;
    }
    case BodyShape::Responses: {
        col.addText(body.value(u"instructions"_s).toString());
        const QJsonValue input = body.value(u"input"_s);
        if (input.isString())
            col.addText(input.toString());
        for (const QJsonValue &iv : input.toArray()) {
            const QJsonObject item = iv.toObject();
            const QString type = item.value(u"type"_s).toString();
            if (type == u"function_call"_s || type == u"custom_tool_call"_s) {
                f.usesTools = true;
            } else if (type == u"function_call_output"_s || type == u"custom_tool_call_output"_s) {
                f.usesTools = true;
                col.content(item.value(u"output"_s));
            } else {
                col.message(item);
            }
        }
        f.maxOutputTokens = intMember(u"max_output_tokens"_s);
        f.usesStructuredOutput = isStructuredFormat(body.value(u"text"_s).toObject().value(u"format"_s));
        break;
    }
    case BodyShape::Messages: {
        col.content(body.value(u"system"_s));
        for (const QJsonValue &m : body.value(u"messages"_s).toArray())
            col.message(m.toObject());
        f.maxOutputTokens = intMember(u"max_tokens"_s);
        // Anthropic structured outputs: "output_format": {"type": "json_schema", ...}.
        f.usesStructuredOutput = isStructuredFormat(body.value(u"output_format"_s));
        break;
    }
    }

    f.inputText = col.texts.join(u'\n');
    f.inputChars = codePointCount(f.inputText);

    if (tokenizers && !f.requestedModel.isEmpty()) {
        if (auto counter = tokenizer::ChatTokenCounter::forModel(*tokenizers, f.requestedModel)) {
            const tokenizer::ChatTokenCount count = counter->countRequest(body);
            f.estimatedPromptTokens = count.promptTokens;
            f.promptTokensEstimate = count.estimate;
        }
    }
    return f;
}

} // namespace tl::routing
