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

// Texts longer than this many characters (UTF-16 code units) are not tokenized whole by
// estimateChatUsage(): the first kEstimateTextChars are, and the count is scaled by the text's length.
// Bounds the time of an estimate (the proxy thread makes it): counting 65,536 characters of one
// unbroken run took no CPU time measurable beside process start (`tokenledger count`, 0.14-0.15 s user
// against 0.15-0.18 s for an empty file); 1 MiB of it +0.25 s; a 7.3 MB run, tokenized whole, stalled
// the proxy thread for about 3 s in session 7 (7.6-8.3 s at load 14 in session 8,
// tests/bench/bench-estimate-stall.sh).
inline constexpr qsizetype kEstimateTextChars = 65536;

// For the proxy: estimates the usage of a chat call that ended without a usage block (a cut stream, a
// provider that sends none). `requestBody` is the JSON body the client sent (OpenAI Chat Completions,
// Responses API or Anthropic Messages; the model is taken from its "model" field unless `model` is given);
// `completionText` is the text the model streamed (content deltas, plus tool-call names and
// arguments, concatenated by the caller). Prompt tokens follow ChatTokenCounter; completion tokens are
// the completion text's token count, which can differ from the provider's by end-of-message tokens
// and anything the stream did not show (reasoning tokens), so records built from this must be marked
// UsageStatus::Estimated. A text (the completion, or a string of the request other than image and
// file payloads) over kEstimateTextChars is counted from its head and scaled by length: the time is
// bounded by the number of texts, not their size, and such a count is an estimate even for a model whose
// tokenizer is public (exactPrompt false; a note says how many texts were scaled).
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
