#pragma once

#include "common/Result.h"
#include "routing/RoutingFeatures.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tl::tokenizer {
class Tokenizers;
}

namespace tl::compress {

using routing::BodyShape;

struct TrimOptions
{
    qint64 budgetTokens = 0; // prompt tokens the trimmed request may use (the whole request: system,
                             // messages, tools, response format), as counted by the tokenizer
    double keepRatio = 0.7; // the kept recent messages use at most this share of the budget (seed: 70%)
    QString summaryModel; // the cheap model that writes the summary (part of the cache key)
    qint64 maxSummaryTokens = 400; // completion limit for the summary; reserved in the budget
    QString model; // tokenizer model; "" = the body's "model"
};

// What trimming a request would do. Message indices refer to the body's "messages" array.
// Units: tokens (tokenizer counts: ChatTokenCounter; estimates for Anthropic, see ChatTokenCount).
struct TrimPlan
{
    BodyShape shape = BodyShape::ChatCompletions;
    bool needed = false; // the request is over budget and there is a middle to drop
    bool fitsBudget = true; // expectedTokensAfter <= budget (false also when nothing can be dropped)
    int systemCount = 0; // leading system/developer messages kept as they are (OpenAI; 0 for Anthropic)
    int droppedBegin = 0; // messages [droppedBegin, droppedEnd) are replaced by the summary
    int droppedEnd = 0; // == droppedBegin when nothing is dropped
    qint64 budgetTokens = 0;
    qint64 tokensBefore = 0; // prompt tokens of the request as sent
    qint64 fixedTokens = 0; // what trimming cannot touch: system, tools, format, reply priming
    qint64 keptTokens = 0; // the kept recent messages
    qint64 summaryReserveTokens = 0; // the summary message at maxSummaryTokens, with its overhead
    qint64 expectedTokensAfter = 0; // fixed + kept + summary reserve (an upper bound when the model
                                    // keeps to maxSummaryTokens), or tokensBefore when !needed
    QString summaryModel;
    // Summary cache keys (hex SHA-256), one per prefix of the dropped messages: prefixKeys[i] covers
    // dropped messages 0..i. key_-1 = SHA-256("tokenledger-summary-v1\n" + summaryModel); key_i =
    // SHA-256(key_{i-1} + compact JSON of message i, keys sorted). A growing conversation drops a
    // longer prefix of the same messages, so its earlier summary is found under one of these keys.
    QList<QByteArray> prefixKeys;
    QByteArray summaryKey() const { return prefixKeys.isEmpty() ? QByteArray() : prefixKeys.last(); }
    int droppedCount() const { return droppedEnd - droppedBegin; }
    QString note; // why nothing could be dropped, or why it does not fit
};

// History trimming to a token budget (issue #5 section 3, the seed design):
//  - keep the system message(s) (OpenAI: the leading role system/developer messages; Anthropic: the
//    top-level "system");
//  - keep the most recent messages that fit in keepRatio x budget, and also within budget - fixed -
//    summary reserve; whole groups only: an assistant message with tool_calls (OpenAI) or tool_use
//    blocks (Anthropic) and the tool results that answer it (role "tool" messages / the next user
//    message's tool_result blocks) are kept or dropped together, so the kept part never starts with
//    a tool result; for Anthropic the kept part starts with a user message;
//  - the last user message (not a tool result) and everything after it are always kept; when they
//    alone do not fit, fitsBudget is false (the proxy forwards the request, trimmed as far as it goes);
//  - the dropped middle is replaced by ONE system message "[Conversation summary] <summary>"
//    (OpenAI: inserted after the leading system messages, with role "developer" when the last of them
//    has that role; Anthropic: appended to the top-level
//    "system" as a text block, because the Messages API has no system role in "messages").
// The summary itself is written by a cheap model that the proxy calls (summaryRequest() builds the
// body, summaryFromAnswer() reads the reply); SummaryCache stores it under TrimPlan keys.
//
// Shapes: ChatCompletions and Messages. Responses bodies are not trimmed (plan() returns
// Unsupported). Thread-safe: const; Tokenizers is thread-safe.
class HistoryTrimmer
{
public:
    explicit HistoryTrimmer(const tokenizer::Tokenizers &tokenizers);

    // Errors: InvalidArgument (budget <= 0, keepRatio outside (0,1], no "messages" array),
    // Unsupported (Responses shape), the tokenizer's load error.
    Result<TrimPlan> plan(const QJsonObject &body, BodyShape shape, const TrimOptions &options) const;

    // The request the proxy sends to the summary model (same API shape as the upstream: ChatCompletions
    // or Messages): one instruction and one user message holding the dropped messages as a transcript
    // ("user: ...", "assistant: ...", "tool call name(args)", "tool result: ..."). With a
    // `previousSummary` covering the first `coveredCount` dropped messages (a SummaryCache prefix
    // hit), only the remaining dropped messages are sent, after that summary, and the model is asked
    // to extend it. Limit: max_completion_tokens (OpenAI) / max_tokens (Anthropic) = maxSummaryTokens.
    static QJsonObject summaryRequest(const QJsonObject &body, const TrimPlan &plan, BodyShape upstreamShape,
                                      qint64 maxSummaryTokens, const QString &previousSummary = {},
                                      int coveredCount = 0);
    // The summary text of the summary model's JSON answer (OpenAI chat: choices[0].message.content;
    // Anthropic: the text blocks of content). Errors: Parse when there is no text.
    static Result<QString> summaryFromAnswer(const QJsonObject &answer, BodyShape upstreamShape);

    // The trimmed body: `body` with messages [droppedBegin, droppedEnd) replaced by the summary (see
    // the class comment for where it goes). A plan with nothing dropped returns `body` unchanged.
    static QJsonObject apply(const QJsonObject &body, const TrimPlan &plan, const QString &summary);

    // "[Conversation summary] " + summary: the exact text inserted.
    static QString summaryText(const QString &summary);

private:
    const tokenizer::Tokenizers &m_tokenizers;
};

} // namespace tl::compress
