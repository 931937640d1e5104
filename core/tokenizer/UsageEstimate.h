#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"
#include "tokenizer/Tokenizers.h"

#include <QByteArray>
#include <QStringList>

namespace tl::tokenizer {

// Usage counted locally, for a call whose provider reported none.
struct UsageEstimate
{
    Usage usage; // promptTokens and completionTokens filled; the rest 0
    bool exactPrompt = false; // the prompt follows only published rules with the model's own tokenizer
    QString encoding; // "o200k_base"
    QStringList notes; // what was estimated, for the record's note / the user
    // For a model whose tokenizer is not public: the calibration factor applied to both counts
    // (Tokenizers::calibration(), learnt from prompt counts), nullopt when uncalibrated.
    std::optional<CalibrationFactor> calibration;
};

// For the proxy: estimates the usage of a chat call that ended without a usage block (a cut stream, a
// provider that sends none). `requestBody` is the JSON body the client sent (OpenAI Chat Completions
// or Anthropic Messages; the model is taken from its "model" field unless `model` is given);
// `completionText` is the text the model streamed (content deltas, plus tool-call names and
// arguments, concatenated by the caller). Prompt tokens follow ChatTokenCounter; completion tokens are
// the completion text's token count, which can differ from the provider's by end-of-message tokens
// and anything the stream did not show (reasoning tokens), so records built from this must be marked
// UsageStatus::Estimated.
//
// For a model whose tokenizer is not public (Claude, Gemini), both counts are scaled by the model's
// calibration factor when the registry has one (see EstimateCalibration; the factor is learnt from
// prompt counts, and is applied to the completion text as the best figure there is for it).
// Units: tokens. Errors: Parse when `requestBody` is not a JSON object; the tokenizer's load error.
// Thread-safe: may be called from the proxy's worker thread (Tokenizers is thread-safe; the first
// call for an encoding loads it, about 0.1-0.3 s).
Result<UsageEstimate> estimateChatUsage(const Tokenizers &tokenizers, const QByteArray &requestBody,
                                        QStringView completionText, const QString &model = {});

} // namespace tl::tokenizer
