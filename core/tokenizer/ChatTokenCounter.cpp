#include "tokenizer/ChatTokenCounter.h"

#include <QJsonDocument>
#include <QtEndian>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

namespace {

constexpr qint64 kTokensPerMessage = 3;
constexpr qint64 kTokensPerName = 1;
constexpr qint64 kReplyPriming = 3;

QString compactJson(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toVariant().toString();
}

QString dropFinalDot(QString s)
{
    if (s.endsWith(u'.'))
        s.chop(1);
    return s;
}

struct ImageRule
{
    bool patches = false;
    qint64 base = 0; // tile models
    qint64 perTile = 0; // tile models
    double multiplier = 0; // patch models
};

ImageRule imageRuleFor(const QString &model)
{
    QString m = model.toLower();
    if (const qsizetype slash = m.lastIndexOf(u'/'); slash >= 0)
        m = m.mid(slash + 1);
    if (m.startsWith(u"gpt-4.1-mini"_s) || m.startsWith(u"gpt-5-mini"_s))
        return {true, 0, 0, 1.62};
    if (m.startsWith(u"gpt-4.1-nano"_s) || m.startsWith(u"gpt-5-nano"_s))
        return {true, 0, 0, 2.46};
    if (m.startsWith(u"o4-mini"_s))
        return {true, 0, 0, 1.72};
    if (m.startsWith(u"gpt-4o-mini"_s))
        return {false, 2833, 5667, 0};
    if (m.startsWith(u"gpt-5"_s))
        return {false, 70, 140, 0};
    if (m.startsWith(u"o1"_s) || m.startsWith(u"o3"_s))
        return {false, 75, 150, 0};
    return {false, 85, 170, 0}; // gpt-4o, gpt-4.1, gpt-4.5, gpt-4-turbo vision
}

} // namespace

ChatTokenCounter::ChatTokenCounter(std::shared_ptr<const Encoding> encoding, QString model, ModelEncoding how)
    : m_encoding(std::move(encoding))
    , m_model(std::move(model))
    , m_how(std::move(how))
{
}

Result<ChatTokenCounter> ChatTokenCounter::forModel(const Tokenizers &tokenizers, const QString &model)
{
    ModelEncoding how;
    auto enc = tokenizers.encodingForModel(model, &how);
    if (!enc)
        return std::unexpected(enc.error());
    return ChatTokenCounter(*enc, model, how);
}

void ChatTokenCounter::note(ChatTokenCount &acc, const QString &text) const
{
    acc.estimate = true;
    if (!acc.notes.contains(text))
        acc.notes << text;
}

ChatTokenCount ChatTokenCounter::countRequest(const QJsonObject &request) const
{
    ChatTokenCount acc;
    acc.encoding = m_encoding->name();
    if (!m_how.exact)
        note(acc, m_how.note);

    QJsonArray messages = request.value(u"messages"_s).toArray();
    const QJsonValue system = request.value(u"system"_s); // Anthropic Messages API
    if (!system.isUndefined() && !system.isNull()) {
        note(acc, u"Anthropic request: counted with OpenAI's message rules as an estimate"_s);
        messages.prepend(QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, system}});
    }
    // OpenAI Responses API: "instructions" (a system message) and "input" (a string or a list of items).
    const QJsonValue instructions = request.value(u"instructions"_s);
    const QJsonValue input = request.value(u"input"_s);
    if (instructions.isString() || input.isString() || input.isArray()) {
        note(acc, u"Responses API request: counted with the Chat Completions message rules"_s);
        if (instructions.isString())
            messages.append(QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, instructions}});
        if (input.isString())
            messages.append(QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, input}});
        for (const QJsonValue &item : input.toArray()) {
            const QJsonObject o = item.toObject();
            const QString type = o.value(u"type"_s).toString();
            if (type == u"function_call"_s) {
                messages.append(QJsonObject {{u"role"_s, u"assistant"_s},
                                             {u"tool_calls"_s, QJsonArray {QJsonObject {{u"function"_s, o}}}}});
            } else if (type == u"function_call_output"_s) {
                messages.append(QJsonObject {{u"role"_s, u"tool"_s}, {u"content"_s, o.value(u"output"_s)}});
            } else if (o.contains(u"role"_s)) {
                messages.append(QJsonObject {{u"role"_s, o.value(u"role"_s)}, {u"content"_s, o.value(u"content"_s)}});
            }
        }
    }
    for (const QJsonValue &m : std::as_const(messages))
        acc.messageTokens += countMessage(m.toObject(), acc);
    acc.messageTokens += kReplyPriming;

    QJsonArray tools = request.value(u"tools"_s).toArray();
    for (const QJsonValue &f : request.value(u"functions"_s).toArray()) // legacy functions
        tools.append(QJsonObject {{u"type"_s, u"function"_s}, {u"function"_s, f}});
    if (!tools.isEmpty())
        acc.toolTokens += countTools(tools, acc);

    const QJsonValue toolChoice = request.value(u"tool_choice"_s);
    if (toolChoice.isObject()) {
        const QJsonObject tc = toolChoice.toObject();
        QString name = tc.value(u"function"_s).toObject().value(u"name"_s).toString();
        if (name.isEmpty())
            name = tc.value(u"name"_s).toString(); // Anthropic {"type":"tool","name":...}
        acc.toolTokens += tokens(name) + 3;
        note(acc, u"tool_choice naming a function: counted as its name + 3 tokens (unpublished rule)"_s);
    }

    const QJsonObject format = request.value(u"response_format"_s).toObject();
    if (format.value(u"type"_s).toString() == u"json_schema"_s) {
        acc.formatTokens += tokens(compactJson(format.value(u"json_schema"_s))) + 3;
        note(acc, u"response_format json_schema: counted as its compact JSON text + 3 tokens (unpublished rule)"_s);
    }

    acc.promptTokens = acc.messageTokens + acc.toolTokens + acc.formatTokens;
    return acc;
}

ChatTokenCount ChatTokenCounter::countMessages(const QJsonArray &messages) const
{
    return countRequest(QJsonObject {{u"messages"_s, messages}});
}

qint64 ChatTokenCounter::countMessage(const QJsonObject &message, ChatTokenCount &acc) const
{
    qint64 n = kTokensPerMessage;
    for (auto it = message.begin(); it != message.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        if (key == u"content"_s) {
            n += countContent(v, acc);
        } else if (key == u"role"_s) {
            n += tokens(v.toString());
        } else if (key == u"name"_s) {
            n += tokens(v.toString()) + kTokensPerName;
        } else if (key == u"tool_calls"_s) {
            for (const QJsonValue &call : v.toArray()) {
                const QJsonObject fn = call.toObject().value(u"function"_s).toObject();
                n += tokens(fn.value(u"name"_s).toString()) + tokens(fn.value(u"arguments"_s).toString()) + 3;
            }
            note(acc, u"tool calls in messages: counted as name + arguments + 3 tokens each (unpublished rule)"_s);
        } else if (key == u"function_call"_s) {
            const QJsonObject fn = v.toObject();
            n += tokens(fn.value(u"name"_s).toString()) + tokens(fn.value(u"arguments"_s).toString()) + 3;
            note(acc, u"tool calls in messages: counted as name + arguments + 3 tokens each (unpublished rule)"_s);
        } else if (v.isString() && key != u"tool_call_id"_s) {
            n += tokens(v.toString()); // the cookbook counts every string field
        }
    }
    return n;
}

qint64 ChatTokenCounter::countContent(const QJsonValue &content, ChatTokenCount &acc) const
{
    if (content.isString())
        return tokens(content.toString());
    if (!content.isArray())
        return 0; // null content (assistant message with tool calls only)
    qint64 n = 0;
    for (const QJsonValue &partValue : content.toArray()) {
        const QJsonObject part = partValue.toObject();
        const QString type = part.value(u"type"_s).toString();
        if (type == u"text"_s || type == u"input_text"_s) {
            n += tokens(part.value(u"text"_s).toString());
        } else if (type == u"image_url"_s || type == u"image"_s || type == u"input_image"_s) {
            QString url;
            QString detail = u"auto"_s;
            const QJsonValue iu = part.value(u"image_url"_s);
            if (iu.isObject()) {
                url = iu.toObject().value(u"url"_s).toString();
                detail = iu.toObject().value(u"detail"_s).toString(u"auto"_s);
            } else if (iu.isString()) {
                url = iu.toString();
                detail = part.value(u"detail"_s).toString(u"auto"_s);
            } else if (part.contains(u"source"_s)) { // Anthropic {"type":"image","source":{"type":"base64",...}}
                const QJsonObject src = part.value(u"source"_s).toObject();
                if (src.value(u"type"_s).toString() == u"base64"_s)
                    url = u"data:image;base64,"_s + src.value(u"data"_s).toString();
            }
            std::optional<ImageSize> size;
            if (url.startsWith(u"data:"_s)) {
                const qsizetype comma = url.indexOf(u',');
                if (comma > 0)
                    size = imageSizeFromBytes(QByteArray::fromBase64(url.mid(comma + 1).toLatin1()));
            }
            bool estimate = false;
            const qint64 img = imageTokens(size, detail, &estimate);
            if (estimate)
                note(
                    acc,
                    u"image without a known size or with detail \"auto\": assumed high detail (1024x1024 when the size is unknown)"_s);
            acc.imageTokens += img;
            n += img;
        } else if (type == u"tool_use"_s) { // Anthropic
            n += tokens(part.value(u"name"_s).toString()) + tokens(compactJson(part.value(u"input"_s))) + 3;
            note(acc, u"tool calls in messages: counted as name + arguments + 3 tokens each (unpublished rule)"_s);
        } else if (type == u"tool_result"_s) { // Anthropic
            n += countContent(part.value(u"content"_s), acc);
        } else if (part.contains(u"text"_s)) {
            n += tokens(part.value(u"text"_s).toString());
        } else if (type == u"input_audio"_s || type == u"file"_s || type == u"document"_s) {
            note(acc, u"audio and file inputs are not counted"_s);
        }
    }
    return n;
}

qint64 ChatTokenCounter::countTools(const QJsonArray &tools, ChatTokenCount &acc) const
{
    // OpenAI cookbook, "How to count tokens with tiktoken", num_tokens_for_tools.
    const bool o200k = m_encoding->id() == EncodingId::O200kBase;
    const qint64 funcInit = o200k ? 7 : 10, propInit = 3, propKey = 3, enumInit = -3, enumItem = 3, funcEnd = 12;
    qint64 n = 0;
    for (const QJsonValue &toolValue : tools) {
        const QJsonObject tool = toolValue.toObject();
        QJsonObject fn = tool.value(u"function"_s).toObject();
        if (fn.isEmpty()) // Responses API (flat) or Anthropic {"name","description","input_schema"}
            fn = QJsonObject {
                {u"name"_s, tool.value(u"name"_s)},
                {u"description"_s, tool.value(u"description"_s)},
                {u"parameters"_s,
                 tool.contains(u"parameters"_s) ? tool.value(u"parameters"_s) : tool.value(u"input_schema"_s)}};
        n += funcInit;
        n += tokens(
            QString(fn.value(u"name"_s).toString() + u':' + dropFinalDot(fn.value(u"description"_s).toString())));
        const QJsonObject props = fn.value(u"parameters"_s).toObject().value(u"properties"_s).toObject();
        if (!props.isEmpty()) {
            n += propInit;
            for (auto it = props.begin(); it != props.end(); ++it) {
                n += propKey;
                const QJsonObject p = it.value().toObject();
                if (p.contains(u"enum"_s)) {
                    n += enumInit;
                    for (const QJsonValue &item : p.value(u"enum"_s).toArray()) {
                        n += enumItem;
                        n += tokens(item.isString() ? item.toString() : compactJson(item));
                    }
                }
                const QString type
                    = p.value(u"type"_s).isString() ? p.value(u"type"_s).toString() : compactJson(p.value(u"type"_s));
                n += tokens(
                    QString(it.key() + u':' + type + u':' + dropFinalDot(p.value(u"description"_s).toString())));
                for (const auto &nested : {u"properties"_s, u"items"_s, u"anyOf"_s, u"oneOf"_s}) {
                    if (p.contains(nested))
                        n += tokens(compactJson(p.value(nested)));
                }
            }
        }
    }
    n += funcEnd;
    note(acc, u"tool definitions: OpenAI cookbook's num_tokens_for_tools estimate"_s);
    return n;
}

qint64 ChatTokenCounter::imageTokens(std::optional<ImageSize> size, QStringView detail, bool *estimate) const
{
    const ImageRule rule = imageRuleFor(m_model);
    if (!size || size->width <= 0 || size->height <= 0) {
        size = ImageSize {1024, 1024};
        *estimate = true;
    }
    if (detail != u"low"_s && detail != u"high"_s)
        *estimate = true; // "auto": the API picks; we assume high
    double w = size->width, h = size->height;
    if (rule.patches) {
        const double raw = std::ceil(w / 32) * std::ceil(h / 32);
        double patches = raw;
        if (raw > 1536) {
            double r = std::sqrt(32.0 * 32.0 * 1536.0 / (w * h));
            r *= std::min(std::floor(w * r / 32) / (w * r / 32), std::floor(h * r / 32) / (h * r / 32));
            patches = std::min(1536.0, std::ceil(w * r / 32) * std::ceil(h * r / 32));
        }
        return qint64(std::ceil(patches * rule.multiplier));
    }
    if (detail == u"low"_s)
        return rule.base;
    if (w > 2048 || h > 2048) {
        const double s = 2048.0 / std::max(w, h);
        w = std::floor(w * s);
        h = std::floor(h * s);
    }
    if (std::min(w, h) > 768) {
        const double s = 768.0 / std::min(w, h);
        w = std::floor(w * s);
        h = std::floor(h * s);
    }
    const qint64 tiles = qint64(std::ceil(w / 512) * std::ceil(h / 512));
    return rule.base + tiles * rule.perTile;
}

std::optional<ImageSize> ChatTokenCounter::imageSizeFromBytes(const QByteArray &d)
{
    const auto *u = reinterpret_cast<const uchar *>(d.constData());
    const qsizetype n = d.size();
    if (n >= 24 && d.startsWith("\x89PNG\r\n\x1a\n"))
        return ImageSize {int(qFromBigEndian<quint32>(u + 16)), int(qFromBigEndian<quint32>(u + 20))};
    if (n >= 10 && (d.startsWith("GIF87a") || d.startsWith("GIF89a")))
        return ImageSize {int(qFromLittleEndian<quint16>(u + 6)), int(qFromLittleEndian<quint16>(u + 8))};
    if (n >= 30 && d.startsWith("RIFF") && d.mid(8, 4) == "WEBP") {
        const QByteArray chunk = d.mid(12, 4);
        if (chunk == "VP8X")
            return ImageSize {int(1 + (u[24] | u[25] << 8 | u[26] << 16)), int(1 + (u[27] | u[28] << 8 | u[29] << 16))};
        if (chunk == "VP8 ")
            return ImageSize {int(qFromLittleEndian<quint16>(u + 26) & 0x3FFF),
                              int(qFromLittleEndian<quint16>(u + 28) & 0x3FFF)};
        if (chunk == "VP8L" && n >= 25) {
            const quint32 bits = qFromLittleEndian<quint32>(u + 21);
            return ImageSize {int((bits & 0x3FFF) + 1), int(((bits >> 14) & 0x3FFF) + 1)};
        }
        return std::nullopt;
    }
    if (n >= 4 && u[0] == 0xFF && u[1] == 0xD8) { // JPEG: walk the markers to a start-of-frame
        qsizetype i = 2;
        while (i + 9 < n) {
            if (u[i] != 0xFF) {
                ++i;
                continue;
            }
            const uchar marker = u[i + 1];
            if (marker == 0xFF) {
                ++i;
                continue;
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
                return ImageSize {int(qFromBigEndian<quint16>(u + i + 7)), int(qFromBigEndian<quint16>(u + i + 5))};
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                i += 2;
                continue;
            }
            i += 2 + qFromBigEndian<quint16>(u + i + 2);
        }
    }
    return std::nullopt;
}

} // namespace tl::tokenizer
