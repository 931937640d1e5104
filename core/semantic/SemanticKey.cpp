#include "semantic/SemanticKey.h"

#include "cache/CanonicalRequest.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QObject>

using namespace Qt::StringLiterals;

namespace tl::semantic {

namespace {

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// ---------------------------------------------------------------------------------------------------
// Request text and eligibility

struct Flattened
{
    QString text;
    bool ok = true;
    QString whyNot;
};

QString compactJson(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toString();
}

QString nonTextReason(const QString &type)
{
    return QObject::tr("The request contains non-text content (%1); the semantic cache only compares text.").arg(type);
}

// OpenAI message content: a string or an array of parts ({"type": "text", "text"}, "refusal", ...).
void openAiContent(const QJsonValue &content, Flattened &out, QStringList &parts)
{
    if (content.isString()) {
        parts << content.toString();
        return;
    }
    if (content.isNull() || content.isUndefined())
        return;
    if (!content.isArray()) {
        out.ok = false;
        out.whyNot = QObject::tr("A message content is neither a string nor an array of parts.");
        return;
    }
    for (const QJsonValue &pv : content.toArray()) {
        const QJsonObject p = pv.toObject();
        const QString type = p.value("type"_L1).toString();
        if (type == "text"_L1)
            parts << p.value("text"_L1).toString();
        else if (type == "refusal"_L1)
            parts << p.value("refusal"_L1).toString();
        else {
            out.ok = false;
            out.whyNot = nonTextReason(type.isEmpty() ? u"untyped part"_s : type);
            return;
        }
    }
}

Flattened flattenOpenAi(const QJsonArray &messages)
{
    Flattened out;
    QStringList lines;
    for (const QJsonValue &mv : messages) {
        const QJsonObject m = mv.toObject();
        const QString role = m.value("role"_L1).toString();
        if (m.contains("audio"_L1)) {
            out.ok = false;
            out.whyNot = nonTextReason(u"audio"_s);
            return out;
        }
        QStringList parts;
        openAiContent(m.value("content"_L1), out, parts);
        if (!out.ok)
            return out;
        if (!parts.isEmpty())
            lines << role + u": "_s + parts.join(u'\n');
        for (const QJsonValue &tc : m.value("tool_calls"_L1).toArray()) {
            const QJsonObject f = tc.toObject().value("function"_L1).toObject();
            lines << role + u" tool_call "_s + f.value("name"_L1).toString() + u'(' + f.value("arguments"_L1).toString()
                    + u')';
        }
        if (m.value("function_call"_L1).isObject()) {
            const QJsonObject f = m.value("function_call"_L1).toObject();
            lines << role + u" tool_call "_s + f.value("name"_L1).toString() + u'(' + f.value("arguments"_L1).toString()
                    + u')';
        }
    }
    out.text = lines.join(u'\n');
    return out;
}

// Anthropic content: a string or an array of blocks. `toolResults` counts tool_result blocks.
void anthropicContent(const QJsonValue &content, const QString &role, Flattened &out, QStringList &lines,
                      int *toolResults)
{
    if (content.isString()) {
        lines << role + u": "_s + content.toString();
        return;
    }
    if (!content.isArray()) {
        out.ok = false;
        out.whyNot = QObject::tr("A message content is neither a string nor an array of blocks.");
        return;
    }
    QStringList texts;
    for (const QJsonValue &bv : content.toArray()) {
        const QJsonObject b = bv.toObject();
        const QString type = b.value("type"_L1).toString();
        if (type == "text"_L1) {
            texts << b.value("text"_L1).toString();
        } else if (type == "tool_use"_L1) {
            lines << role + u" tool_call "_s + b.value("name"_L1).toString() + u'(' + compactJson(b.value("input"_L1))
                    + u')';
        } else if (type == "tool_result"_L1) {
            ++*toolResults;
            QStringList inner;
            Flattened sub;
            anthropicContent(b.value("content"_L1), u"tool"_s, sub, inner, toolResults);
            if (!sub.ok) {
                out = sub;
                return;
            }
            lines << inner;
        } else if (type == "thinking"_L1 || type == "redacted_thinking"_L1) {
            // Earlier reasoning: inside the scope exactly; not part of the visible conversation.
        } else {
            out.ok = false;
            out.whyNot = nonTextReason(type.isEmpty() ? u"untyped block"_s : type);
            return;
        }
    }
    if (!texts.isEmpty())
        lines << role + u": "_s + texts.join(u'\n');
}

Flattened flattenAnthropic(const QJsonObject &body, const QJsonArray &messages, int *finalToolResults)
{
    Flattened out;
    QStringList lines;
    const QJsonValue system = body.value("system"_L1);
    if (!system.isUndefined() && !system.isNull()) {
        int ignored = 0;
        anthropicContent(system, u"system"_s, out, lines, &ignored);
        if (!out.ok)
            return out;
    }
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject m = messages.at(i).toObject();
        int toolResults = 0;
        anthropicContent(m.value("content"_L1), m.value("role"_L1).toString(), out, lines, &toolResults);
        if (!out.ok)
            return out;
        if (i + 1 == messages.size())
            *finalToolResults = toolResults;
    }
    out.text = lines.join(u'\n');
    return out;
}

QString finalUserText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QStringList texts;
    for (const QJsonValue &pv : content.toArray()) {
        const QJsonObject p = pv.toObject();
        if (p.value("type"_L1).toString() == "text"_L1)
            texts << p.value("text"_L1).toString();
    }
    return texts.join(u'\n');
}

} // namespace

Result<SemanticKey> semanticKey(const QJsonObject &body, RequestFormat format, const QByteArray &callerId)
{
    const QString model = body.value("model"_L1).toString();
    if (model.isEmpty())
        return fail(ErrorCode::InvalidArgument, QObject::tr("The request has no \"model\"."));
    if (!body.value("messages"_L1).isArray())
        return fail(ErrorCode::InvalidArgument, QObject::tr("The request has no \"messages\" array."));
    const QJsonArray messages = body.value("messages"_L1).toArray();
    if (messages.isEmpty() || messages.last().toObject().value("role"_L1).toString() != "user"_L1)
        return fail(ErrorCode::Unsupported, QObject::tr("The request does not end with a user message."));

    Flattened flat;
    if (format == RequestFormat::OpenAiChat) {
        flat = flattenOpenAi(messages);
    } else {
        int finalToolResults = 0;
        flat = flattenAnthropic(body, messages, &finalToolResults);
        if (flat.ok && finalToolResults > 0)
            return fail(ErrorCode::Unsupported,
                        QObject::tr("The final user message carries tool results; the semantic cache skips it."));
    }
    if (!flat.ok)
        return fail(ErrorCode::Unsupported, flat.whyNot);

    SemanticKey key;
    key.model = model;
    key.text = flat.text;
    key.lastUserText = finalUserText(messages.last().toObject().value("content"_L1));
    if (key.lastUserText.trimmed().isEmpty())
        return fail(ErrorCode::Unsupported, QObject::tr("The final user message has no text."));

    // Scope: the whole body with only the final user message's content blanked out.
    QJsonObject scoped = body;
    QJsonArray scopedMessages = messages;
    QJsonObject last = scopedMessages.last().toObject();
    last.insert(u"content"_s, QJsonValue::Null);
    scopedMessages.replace(scopedMessages.size() - 1, last);
    scoped.insert(u"messages"_s, scopedMessages);
    const QByteArray formatTag = format == RequestFormat::OpenAiChat ? "openai-chat" : "anthropic-messages";
    key.scope = sha256Hex("tokenledger-semantic-scope-v1\n" + formatTag + '\n' + callerId + '\n'
                          + cache::canonicalBody(scoped));

    key.guards = guardList(key.text);
    key.guardSignature = guardSignatureOf(key.guards);
    return key;
}

QString guardSignatureOf(const QStringList &guards)
{
    return sha256Hex(guards.join(QChar(0x1f)).toUtf8());
}

} // namespace tl::semantic
