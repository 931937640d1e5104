#include "ProxyConfig.h"

using namespace Qt::StringLiterals;

namespace tl {

QString toString(UpstreamKind kind)
{
    switch (kind) {
    case UpstreamKind::OpenAi: return u"openai"_s;
    case UpstreamKind::Anthropic: return u"anthropic"_s;
    case UpstreamKind::AzureOpenAi: return u"azure"_s;
    case UpstreamKind::OpenRouter: return u"openrouter"_s;
    case UpstreamKind::OpenAiCompatible: return u"openai-compatible"_s;
    }
    return {};
}

std::optional<UpstreamKind> upstreamKindFromString(QStringView s)
{
    for (UpstreamKind k : {UpstreamKind::OpenAi, UpstreamKind::Anthropic, UpstreamKind::AzureOpenAi,
                           UpstreamKind::OpenRouter, UpstreamKind::OpenAiCompatible}) {
        if (s.compare(toString(k), Qt::CaseInsensitive) == 0)
            return k;
    }
    if (s.compare(u"compatible", Qt::CaseInsensitive) == 0 || s.compare(u"custom", Qt::CaseInsensitive) == 0)
        return UpstreamKind::OpenAiCompatible;
    return std::nullopt;
}

QString UpstreamConfig::effectivePriceProvider() const
{
    if (!priceProvider.isEmpty())
        return priceProvider;
    switch (kind) {
    case UpstreamKind::Anthropic: return u"anthropic"_s;
    case UpstreamKind::AzureOpenAi: return u"azure"_s;
    case UpstreamKind::OpenRouter: return u"openrouter"_s;
    default: return u"openai"_s;
    }
}

UpstreamConfig UpstreamConfig::defaults(UpstreamKind kind)
{
    UpstreamConfig u;
    u.kind = kind;
    u.id = toString(kind);
    switch (kind) {
    case UpstreamKind::OpenAi: u.baseUrl = QUrl(u"https://api.openai.com/v1"_s); break;
    case UpstreamKind::Anthropic: u.baseUrl = QUrl(u"https://api.anthropic.com"_s); break;
    case UpstreamKind::OpenRouter: u.baseUrl = QUrl(u"https://openrouter.ai/api/v1"_s); break;
    case UpstreamKind::AzureOpenAi: u.azureApiVersion = u"2024-10-21"_s; break;
    case UpstreamKind::OpenAiCompatible: u.baseUrl = QUrl(u"http://127.0.0.1:8000/v1"_s); break;
    }
    return u;
}

Result<void> ProxyConfig::validate() const
{
    if (!bindAddress.isLoopback() && accessToken.size() < 16)
        return fail(ErrorCode::InvalidArgument,
                    u"Refusing to listen on %1: a non-loopback address needs an access token of at least 16 "
                    "characters (clients send it in X-TokenLedger-Access-Token)."_s.arg(bindAddress.toString()));
    if (upstreams.isEmpty())
        return fail(ErrorCode::InvalidArgument, u"No upstream is configured."_s);
    for (const UpstreamConfig &u : upstreams) {
        if (u.id.isEmpty())
            return fail(ErrorCode::InvalidArgument, u"An upstream has no name."_s);
        const QString scheme = u.baseUrl.scheme();
        if (!u.baseUrl.isValid() || (scheme != "http"_L1 && scheme != "https"_L1) || u.baseUrl.host().isEmpty())
            return fail(ErrorCode::InvalidArgument,
                        u"Upstream %1 needs an http(s) base URL (got \"%2\")."_s.arg(u.id, u.baseUrl.toString()));
    }
    if (maxBodyBytes <= 0 || maxHeaderBytes <= 0 || maxConnections <= 0)
        return fail(ErrorCode::InvalidArgument, u"Proxy limits must be positive."_s);
    if (clientLowWaterBytes <= 0 || clientHighWaterBytes <= clientLowWaterBytes || clientWriteTimeoutMs <= 0)
        return fail(ErrorCode::InvalidArgument,
                    u"Client flow control needs 0 < low-water mark (%1 bytes) < high-water mark (%2 bytes) and a "
                    "positive client write timeout."_s.arg(clientLowWaterBytes).arg(clientHighWaterBytes));
    return {};
}

} // namespace tl
