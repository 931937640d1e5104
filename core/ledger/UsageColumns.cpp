#include "ledger/UsageColumns.h"

#include <QVariant>

namespace tl {

Usage readUsage(const QSqlQuery &q, int &column)
{
    Usage u;
    u.promptTokens = q.value(column++).toLongLong();
    u.cachedTokens = q.value(column++).toLongLong();
    u.cacheWrite5mTokens = q.value(column++).toLongLong();
    u.cacheWrite1hTokens = q.value(column++).toLongLong();
    u.completionTokens = q.value(column++).toLongLong();
    u.reasoningTokens = q.value(column++).toLongLong();
    u.audioInputTokens = q.value(column++).toLongLong();
    u.audioOutputTokens = q.value(column++).toLongLong();
    u.imageInputTokens = q.value(column++).toLongLong();
    return u;
}

void readUsageParts(const QSqlQuery &q, int &column, Usage &u)
{
    u.cachedAudioTokens = q.value(column++).toLongLong();
    u.cachedImageTokens = q.value(column++).toLongLong();
    u.outputImageTokens = q.value(column++).toLongLong();
    u.citationTokens = q.value(column++).toLongLong();
    u.fileSearchCalls = q.value(column++).toLongLong();
}

SavingsTrace readSavingsTrace(const QSqlQuery &q, int &column)
{
    SavingsTrace t;
    const bool present = !q.value(column).isNull(); // LEFT JOIN without a row: every column NULL
    if (!present) {
        column += 13;
        return t;
    }
    t.complexity = q.value(column++).toString();
    t.routeMode = q.value(column++).toString();
    t.routedModel = q.value(column++).toString();
    t.tokensBeforeCompression = q.value(column++).toLongLong();
    t.tokensAfterCompression = q.value(column++).toLongLong();
    t.fewShotSet = q.value(column++).toString();
    t.fewShotExamples = q.value(column++).toInt();
    t.fewShotTokens = q.value(column++).toLongLong();
    t.fewShotSetTokens = q.value(column++).toLongLong();
    t.semanticScope = q.value(column++).toString();
    t.guardSignature = q.value(column++).toString();
    t.embeddingModel = q.value(column++).toString();
    t.embedding = q.value(column++).toByteArray();
    return t;
}

} // namespace tl
