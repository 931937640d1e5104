#include "HistoryTrimmer.h"

#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QObject>
#include <QCryptographicHash>
#include <QJsonDocument>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::compress {

namespace {

constexpr qint64 kReplyPriming = 3; // ChatTokenCounter adds it once per request

bool hasToolResultBlock(const QJsonObject &m)
{
    for (const QJsonValue &b : m.value(u"content"_s).toArray()) {
        if (b.toObject().value(u"type"_s).toString() == u"tool_result"_s)
            return true;
    }
    return false;
}

bool onlyToolResults(const QJsonObject &m)
{
    const QJsonValue c = m.value(u"content"_s);
    if (!c.isArray() || c.toArray().isEmpty())
        return false;
    for (const QJsonValue &b : c.toArray()) {
        if (b.toObject().value(u"type"_s).toString() != u"tool_result"_s)
            return false;
    }
    return true;
}

// A tool result that belongs to the message before it (never the first message of a group).
bool isToolResult(const QJsonObject &m, BodyShape shape)
{
    const QString role = m.value(u"role"_s).toString();
    if (shape == BodyShape::Messages)
        return role == u"user"_s && hasToolResultBlock(m);
    return role == u"tool"_s || role == u"function"_s;
}

// A message the user wrote (not a tool result).
bool isRealUser(const QJsonObject &m, BodyShape shape)
{
    if (m.value(u"role"_s).toString() != u"user"_s)
        return false;
    return shape == BodyShape::Messages ? !onlyToolResults(m) : true;
}

QByteArray canonical(const QJsonValue &v)
{
    // QJsonObject keeps its keys sorted, so the compact form is canonical for equal documents.
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact);
}

QString compactText(const QJsonValue &v)
{
    return QString::fromUtf8(canonical(v));
}

// The text of content (a string or parts/blocks), with placeholders for what is not text.
QString contentText(const QJsonValue &c)
{
    if (c.isString())
        return c.toString();
    QStringList out;
    for (const QJsonValue &pv : c.toArray()) {
        const QJsonObject p = pv.toObject();
        const QString type = p.value(u"type"_s).toString();
        if (type == u"tool_use"_s) {
            out << u"[tool call %1(%2)]"_s.arg(p.value(u"name"_s).toString(), compactText(p.value(u"input"_s)));
        } else if (type == u"tool_result"_s) {
            out << u"[tool result: %1]"_s.arg(contentText(p.value(u"content"_s)));
        } else if (type == u"image_url"_s || type == u"image"_s || type == u"input_image"_s) {
            out << u"[image]"_s;
        } else if (type == u"input_audio"_s) {
            out << u"[audio]"_s;
        } else if (p.value(u"text"_s).isString()) {
            out << p.value(u"text"_s).toString();
        }
    }
    return out.join(u'\n');
}

QString transcriptLine(const QJsonObject &m)
{
    const QString role = m.value(u"role"_s).toString();
    QStringList parts;
    const QString text = contentText(m.value(u"content"_s));
    if (!text.isEmpty())
        parts << text;
    for (const QJsonValue &call : m.value(u"tool_calls"_s).toArray()) {
        const QJsonObject fn = call.toObject().value(u"function"_s).toObject();
        parts << u"[tool call %1(%2)]"_s.arg(fn.value(u"name"_s).toString(), fn.value(u"arguments"_s).toString());
    }
    if (role == u"tool"_s || role == u"function"_s)
        return u"tool result: "_s + parts.join(u'\n');
    return role + u": "_s + parts.join(u'\n');
}

} // namespace

HistoryTrimmer::HistoryTrimmer(const tokenizer::Tokenizers &tokenizers)
    : m_tokenizers(tokenizers)
{
}

QString HistoryTrimmer::summaryText(const QString &summary)
{
    return u"[Conversation summary] "_s + summary;
}

Result<TrimPlan> HistoryTrimmer::plan(const QJsonObject &body, BodyShape shape, const TrimOptions &options) const
{
    if (shape == BodyShape::Responses)
        return fail(ErrorCode::Unsupported, QObject::tr("history trimming does not handle Responses API bodies"));
    if (options.budgetTokens <= 0)
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("the compression budget must be a positive number of tokens"));
    if (!(options.keepRatio > 0.0 && options.keepRatio <= 1.0))
        return fail(ErrorCode::InvalidArgument, QObject::tr("the kept share of the budget must be in (0, 1]"));
    if (!body.value(u"messages"_s).isArray())
        return fail(ErrorCode::InvalidArgument, u"the request has no \"messages\" array"_s);

    const QString model = options.model.isEmpty() ? body.value(u"model"_s).toString() : options.model;
    auto counter = tokenizer::ChatTokenCounter::forModel(m_tokenizers, model);
    if (!counter)
        return std::unexpected(counter.error());

    const QJsonArray messages = body.value(u"messages"_s).toArray();
    const int n = int(messages.size());

    TrimPlan plan;
    plan.shape = shape;
    plan.budgetTokens = options.budgetTokens;
    plan.summaryModel = options.summaryModel;
    if (shape == BodyShape::ChatCompletions) {
        while (plan.systemCount < n) {
            const QString role = messages[plan.systemCount].toObject().value(u"role"_s).toString();
            if (role != u"system"_s && role != u"developer"_s)
                break;
            ++plan.systemCount;
        }
    }
    plan.droppedBegin = plan.droppedEnd = plan.systemCount;

    // The counter's request count is additive over messages, so each text is tokenised once: the
    // body without its conversation (system, tools, format, priming) plus each message on its own.
    QJsonObject fixedBody = body;
    QJsonArray systemMessages;
    for (int i = 0; i < plan.systemCount; ++i)
        systemMessages.append(messages[i]);
    fixedBody.insert(u"messages"_s, systemMessages);
    plan.fixedTokens = counter->countRequest(fixedBody).promptTokens;
    QList<qint64> tokens(n, 0);
    qint64 conversationTokens = 0;
    for (int i = plan.systemCount; i < n; ++i) {
        tokens[i] = counter->countMessages(QJsonArray {messages[i]}).promptTokens - kReplyPriming;
        conversationTokens += tokens[i];
    }
    plan.tokensBefore = plan.fixedTokens + conversationTokens;
    plan.expectedTokensAfter = plan.tokensBefore;

    if (plan.tokensBefore <= options.budgetTokens) {
        plan.fitsBudget = true;
        return plan;
    }
    plan.summaryReserveTokens
        = counter->countMessages(QJsonArray {QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, summaryText({})}}})
              .promptTokens
        - kReplyPriming + options.maxSummaryTokens;

    // Groups: a message and the tool results that follow it.
    QList<int> groupStart;
    for (int i = plan.systemCount; i < n; ++i) {
        if (groupStart.isEmpty() || !isToolResult(messages[i].toObject(), shape))
            groupStart << i;
    }

    int lastUser = -1;
    for (int i = n - 1; i >= plan.systemCount; --i) {
        if (isRealUser(messages[i].toObject(), shape)) {
            lastUser = i;
            break;
        }
    }
    // The group holding the last user message (or the last group) and all after it are always kept.
    int mustKeepFrom = groupStart.isEmpty() ? n : groupStart.last();
    for (int g = int(groupStart.size()) - 1; g >= 0 && lastUser >= 0; --g) {
        if (groupStart[g] <= lastUser) {
            mustKeepFrom = groupStart[g];
            break;
        }
    }

    const qint64 ratioLimit = qint64(std::floor(options.keepRatio * double(options.budgetTokens)));
    const qint64 tailLimit = std::min(ratioLimit, options.budgetTokens - plan.fixedTokens - plan.summaryReserveTokens);

    int tailStart = n;
    qint64 tail = 0;
    for (int g = int(groupStart.size()) - 1; g >= 0; --g) {
        const int begin = groupStart[g];
        const int end = g + 1 < groupStart.size() ? groupStart[g + 1] : n;
        qint64 groupTokens = 0;
        for (int i = begin; i < end; ++i)
            groupTokens += tokens[i];
        if (begin >= mustKeepFrom || tail + groupTokens <= tailLimit) {
            tail += groupTokens;
            tailStart = begin;
        } else {
            break;
        }
    }
    // The Messages API wants the conversation to open with a user message.
    if (shape == BodyShape::Messages) {
        while (tailStart < mustKeepFrom && !isRealUser(messages[tailStart].toObject(), shape)) {
            const auto next = std::upper_bound(groupStart.cbegin(), groupStart.cend(), tailStart);
            const int nextStart = next == groupStart.cend() ? n : *next;
            for (int i = tailStart; i < nextStart; ++i)
                tail -= tokens[i];
            tailStart = nextStart;
        }
    }

    plan.keptTokens = tail;
    if (tailStart <= plan.systemCount) {
        plan.needed = false;
        plan.fitsBudget = false;
        plan.note = QObject::tr("over budget, but the system prompt, tools and the last turn leave nothing to drop");
        return plan;
    }
    plan.needed = true;
    plan.droppedEnd = tailStart;
    plan.expectedTokensAfter = plan.fixedTokens + plan.keptTokens + plan.summaryReserveTokens;
    plan.fitsBudget = plan.expectedTokensAfter <= options.budgetTokens;
    if (!plan.fitsBudget)
        plan.note = QObject::tr(
            "the system prompt, tools and the last turn alone exceed the budget; trimmed as far as possible");

    QByteArray key = QCryptographicHash::hash(QByteArray("tokenledger-summary-v1\n" + options.summaryModel.toUtf8()),
                                              QCryptographicHash::Sha256);
    for (int i = plan.droppedBegin; i < plan.droppedEnd; ++i) {
        key = QCryptographicHash::hash(QByteArray(key + canonical(messages[i])), QCryptographicHash::Sha256);
        plan.prefixKeys << key.toHex();
    }
    return plan;
}

QJsonObject HistoryTrimmer::summaryRequest(const QJsonObject &body, const TrimPlan &plan, BodyShape upstreamShape,
                                           qint64 maxSummaryTokens, const QString &previousSummary, int coveredCount)
{
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    const int from = plan.droppedBegin + std::clamp(coveredCount, 0, plan.droppedCount());
    QStringList lines;
    for (int i = from; i < plan.droppedEnd && i < messages.size(); ++i)
        lines << transcriptLine(messages[i].toObject());

    const QString instruction
        = u"You shorten chat histories. Summarise the conversation you are given so that an assistant can "
          "continue it without the original messages. Keep facts, names, numbers, decisions, the user's goals "
          "and preferences, tool calls and their results, and open questions. Write in the language of the "
          "conversation, in at most %1 tokens. Reply with the summary only."_s.arg(maxSummaryTokens);
    QString user;
    if (!previousSummary.isEmpty() && coveredCount > 0) {
        user = u"Summary of the earlier part of the conversation:\n"_s + previousSummary
            + u"\n\nThe conversation continued as follows. Reply with one updated summary of the whole "
              "conversation.\n\n"_s
            + lines.join(u"\n\n"_s);
    } else {
        user = u"Conversation:\n\n"_s + lines.join(u"\n\n"_s);
    }

    if (upstreamShape == BodyShape::Messages) {
        return QJsonObject {{u"model"_s, plan.summaryModel},
                            {u"system"_s, instruction},
                            {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, user}}}},
                            {u"max_tokens"_s, maxSummaryTokens}};
    }
    return QJsonObject {{u"model"_s, plan.summaryModel},
                        {u"messages"_s,
                         QJsonArray {QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, instruction}},
                                     QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, user}}}},
                        {u"max_completion_tokens"_s, maxSummaryTokens}};
}

Result<QString> HistoryTrimmer::summaryFromAnswer(const QJsonObject &answer, BodyShape upstreamShape)
{
    QString text;
    if (upstreamShape == BodyShape::Messages) {
        text = contentText(answer.value(u"content"_s));
    } else {
        const QJsonObject message
            = answer.value(u"choices"_s).toArray().at(0).toObject().value(u"message"_s).toObject();
        text = contentText(message.value(u"content"_s));
    }
    text = text.trimmed();
    if (text.isEmpty())
        return fail(ErrorCode::Parse, QObject::tr("the summary model's answer has no text"));
    return text;
}

QJsonObject HistoryTrimmer::apply(const QJsonObject &body, const TrimPlan &plan, const QString &summary)
{
    if (plan.droppedCount() <= 0 || summary.trimmed().isEmpty())
        return body;
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    const QString inserted = summaryText(summary.trimmed());
    QJsonArray out;
    for (int i = 0; i < plan.droppedBegin && i < messages.size(); ++i)
        out.append(messages[i]);
    QJsonObject result = body;
    if (plan.shape == BodyShape::Messages) {
        const QJsonValue system = body.value(u"system"_s);
        if (system.isArray()) {
            QJsonArray blocks = system.toArray();
            blocks.append(QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, inserted}});
            result.insert(u"system"_s, blocks);
        } else if (system.isString() && !system.toString().isEmpty()) {
            result.insert(u"system"_s, QString(system.toString() + u"\n\n"_s + inserted));
        } else {
            result.insert(u"system"_s, inserted);
        }
    } else {
        // Same role as the request's own leading instructions ("developer" for requests written that
        // way), else "system".
        const bool developer = plan.droppedBegin > 0
            && messages[plan.droppedBegin - 1].toObject().value(u"role"_s).toString() == u"developer"_s;
        out.append(QJsonObject {{u"role"_s, developer ? u"developer"_s : u"system"_s}, {u"content"_s, inserted}});
    }
    for (int i = plan.droppedEnd; i < messages.size(); ++i)
        out.append(messages[i]);
    result.insert(u"messages"_s, out);
    return result;
}

} // namespace tl::compress
