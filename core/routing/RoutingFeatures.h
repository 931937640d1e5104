#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <optional>

namespace tl::tokenizer {
class Tokenizers;
}

namespace tl::routing {

// How demanding a request is, as judged by the complexity rules (RouterConfig.h).
enum class Complexity { Low, Medium, High };
// A model class per provider family: nano (cheapest), standard, premium (most capable).
enum class ModelTier { Nano, Standard, Premium };
// Per endpoint: Off (the router does nothing), Shadow (decides and records what it would have served,
// changes nothing), On (serves the routed model).
enum class RouteMode { Off, Shadow, On };

// Lowercase names: "low"/"medium"/"high", "nano"/"standard"/"premium", "off"/"shadow"/"on".
QString toString(Complexity c);
QString toString(ModelTier t);
QString toString(RouteMode m);
// Case-insensitive; nullopt for an unknown name.
std::optional<Complexity> complexityFromString(QStringView s);
std::optional<ModelTier> tierFromString(QStringView s);
std::optional<RouteMode> routeModeFromString(QStringView s);

// The request body's API shape. Shared with core/compress.
//  ChatCompletions: OpenAI POST /v1/chat/completions ("messages", "max_tokens"/"max_completion_tokens").
//  Responses:       OpenAI POST /v1/responses ("instructions", "input", "max_output_tokens", "text.format").
//  Messages:        Anthropic POST /v1/messages (top-level "system", "messages" of content blocks).
enum class BodyShape { ChatCompletions, Responses, Messages };

// What the router looks at. Built by extractFeatures() from a request body; also JSON-serialisable so
// recorded samples can be replayed through Router::testRules().
struct RoutingFeatures
{
    QString requestedModel; // the body's "model" as the client sent it
    // Provider family of the request's upstream, a price-book provider id: "openai" or "anthropic"
    // (extractFeatures sets it from the shape; the proxy may override it for another upstream family).
    QString family;
    // All message text (system/instructions, every message's text parts, tool results), joined by
    // '\n'. Used by keyword rules. Not the images or audio.
    QString inputText;
    qint64 inputChars = 0; // Unicode code points of inputText (not UTF-16 units, not bytes)
    qint64 maxOutputTokens = -1; // max_tokens / max_completion_tokens / max_output_tokens; -1 absent
    qint64 estimatedPromptTokens = -1; // tokenizer count of the whole request (ChatTokenCounter); -1 unknown
    bool promptTokensEstimate = true; // the count follows an unpublished rule or a guessed tokenizer
    // Prompt characters as the ledger records them (CallRecord::promptChars: the text of messages and
    // system/instructions, UTF-16 units); set by the proxy, not by extractFeatures. -1 = unknown. Used
    // only by explicit model rules with max_prompt_chars (ModelRule, RouterConfig.h).
    qint64 promptChars = -1;
    bool usesImages = false; // image_url / image / input_image parts
    bool usesAudio = false; // input_audio parts, or "audio" output requested / "modalities" audio
    bool usesTools = false; // a non-empty tools/functions array, or tool messages / tool blocks
    bool usesStructuredOutput = false; // response_format json_schema|json_object, Responses text.format
                                       // json_schema|json_object, Anthropic output_format

    // {"requested_model":..,"family":..,"input_text":..,"input_chars":..,"max_output_tokens":..,
    //  "estimated_prompt_tokens":..,"prompt_tokens_estimate":..,"uses_images":..,"uses_audio":..,
    //  "uses_tools":..,"uses_structured_output":..,"prompt_chars":.. (only when known)}. fromJson fills
    // missing members with the defaults above and recomputes input_chars from input_text when absent.
    QJsonObject toJson() const;
    static RoutingFeatures fromJson(const QJsonObject &o);
};

// Extracts the features of a request body of the given shape. Never fails: unknown members are
// ignored, a member of the wrong type counts as absent. `tokenizers` may be null (then
// estimatedPromptTokens stays -1, which makes the router's context-window guard block any model
// change); a tokenizer load error has the same effect.
// Cost: one pass over the text plus one tokenizer count (about 1 us per character); call it only
// when the endpoint's RouteMode is not Off.
// Thread-safe (pure function; Tokenizers is thread-safe).
RoutingFeatures extractFeatures(const QJsonObject &body, BodyShape shape, const tokenizer::Tokenizers *tokenizers);

// Number of Unicode code points in `s` (a surrogate pair counts once).
qint64 codePointCount(QStringView s);

} // namespace tl::routing
