#include "ProxyConfig.h"

#include "common/JsonFields.h"

#include <QJsonArray>

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

QString UpstreamConfig::defaultKeychainEntry(const QString &id)
{
    return u"proxy/upstream/"_s + id;
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

namespace {
constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * kKiB;
constexpr qint64 kGiB = 1024 * kMiB;
constexpr qint64 kDayMs = 24ll * 3600 * 1000;

// Timeouts from 100 ms (the tests' short timeouts) to a day; sizes that a 32-bit spin box holds.
#define TL_LIMIT(member, unit, lo, hi)                                                                                 \
    ProxyLimit                                                                                                         \
    {                                                                                                                  \
        QLatin1StringView(#member), ProxyLimit::Unit::unit, lo, hi,                                                    \
            [](const ProxyConfig &c) { return qint64(c.member); },                                                    \
            [](ProxyConfig &c, qint64 v) { c.member = decltype(c.member)(v); }                                         \
    }

const ProxyLimit kLimits[] = {
    TL_LIMIT(maxBodyBytes, Bytes, kKiB, kGiB),
    TL_LIMIT(maxHeaderBytes, Bytes, kKiB, 80 * kKiB), // http-parser 2.9.4 HTTP_MAX_HEADER_SIZE
    TL_LIMIT(maxConnections, Connections, 1, 65536),
    TL_LIMIT(headerTimeoutMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(bodyTimeoutMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(keepAliveIdleMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(connectTimeoutMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(firstByteTimeoutMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(idleTimeoutMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(clientHighWaterBytes, Bytes, 2 * kKiB, kGiB),
    TL_LIMIT(clientLowWaterBytes, Bytes, kKiB, kGiB - 1),
    TL_LIMIT(clientWriteTimeoutMs, Milliseconds, 100, kDayMs),
    TL_LIMIT(drainTimeoutMs, Milliseconds, 0, kDayMs), // 0: answer in-flight requests at once (503)
    TL_LIMIT(busyPollUs, Microseconds, 0, 1000),      // 0: off; at most 1 ms of polling after traffic
};
#undef TL_LIMIT
} // namespace

std::span<const ProxyLimit> proxyLimits()
{
    return kLimits;
}

const ProxyLimit *proxyLimit(QLatin1StringView key)
{
    for (const ProxyLimit &limit : kLimits) {
        if (limit.key == key)
            return &limit;
    }
    return nullptr;
}

Result<void> checkProxyLimit(const ProxyLimit &limit, qint64 value)
{
    if (value >= limit.min && value <= limit.max)
        return {};
    const QString unit = limit.unit == ProxyLimit::Unit::Milliseconds   ? u"ms"_s
                         : limit.unit == ProxyLimit::Unit::Microseconds ? u"us"_s
                         : limit.unit == ProxyLimit::Unit::Bytes        ? u"bytes"_s
                                                                        : u"connections"_s;
    return fail(ErrorCode::InvalidArgument, u"\"%1\" needs %2 to %3 %4, got %5"_s.arg(QString(limit.key))
                                                .arg(limit.min)
                                                .arg(limit.max)
                                                .arg(unit)
                                                .arg(value));
}

namespace {
Result<void> checkWaterMarks(const ProxyConfig &c)
{
    if (c.clientLowWaterBytes < c.clientHighWaterBytes)
        return {};
    return fail(ErrorCode::InvalidArgument,
                u"\"clientLowWaterBytes\" (%1 bytes) must be below \"clientHighWaterBytes\" (%2 bytes): the upstream "
                "is paused above the high-water mark and resumed below the low-water mark"_s.arg(c.clientLowWaterBytes)
                    .arg(c.clientHighWaterBytes));
}
} // namespace

Result<void> ProxyConfig::validate() const
{
    // A null address (QHostAddress of a text that is no address) would make QTcpServer listen on every
    // interface (session-9 trial: the Proxy page with "localhost" and a token listened on 0.0.0.0).
    if (bindAddress.isNull())
        return fail(ErrorCode::InvalidArgument, u"The bind address is not an IP address (for example 127.0.0.1, ::1 "
                                                "or 0.0.0.0)."_s);
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
                        u"Upstream %1 needs an http:// or https:// base URL, for example http://127.0.0.1:8000/v1 (got "
                          "\"%2\")."_s.arg(u.id, u.baseUrl.isValid() ? u.baseUrl.toString() : u.baseUrl.errorString()));
    }
    for (const ProxyLimit &limit : proxyLimits()) {
        if (auto r = checkProxyLimit(limit, limit.get(*this)); !r)
            return r;
    }
    return checkWaterMarks(*this);
}

namespace {
using json::Type;

Result<UpstreamConfig> upstreamFromJson(const QJsonValue &value, int index)
{
    const QString where = u"upstreams[%1]"_s.arg(index);
    if (!value.isObject())
        return fail(ErrorCode::InvalidArgument, u"\"%1\" must be an object"_s.arg(where));
    const QJsonObject o = value.toObject();
    if (o.contains("apiKey"_L1))
        return fail(ErrorCode::InvalidArgument, u"Config files never hold keys: put the key in the keychain and name "
                                                "it with \"keychainEntry\"."_s);
    if (auto r = json::checkFields(o,
                                   {{"id"_L1, Type::String},
                                    {"kind"_L1, Type::String},
                                    {"baseUrl"_L1, Type::String},
                                    {"priceProvider"_L1, Type::String},
                                    {"keychainEntry"_L1, Type::String},
                                    {"azureApiVersion"_L1, Type::String}},
                                   where);
        !r)
        return std::unexpected(r.error());
    // "kind" defaults to the id ("openai", "anthropic"...); any other id is an OpenAI-compatible server.
    // A "kind" given outright must be a kind the proxy knows: a misspelt "antrhopic" would otherwise be
    // addressed and authenticated as an OpenAI-compatible server.
    std::optional<UpstreamKind> kind = UpstreamKind::OpenAiCompatible;
    if (o.contains("kind"_L1)) {
        kind = upstreamKindFromString(o.value("kind"_L1).toString());
        if (!kind)
            return fail(ErrorCode::InvalidArgument,
                        u"\"%1.kind\" must be one of openai, anthropic, azure, openrouter, openai-compatible, got "
                        "\"%2\""_s.arg(where, o.value("kind"_L1).toString()));
    } else if (auto byId = upstreamKindFromString(o.value("id"_L1).toString())) {
        kind = byId;
    }
    UpstreamConfig u = UpstreamConfig::defaults(*kind);
    if (o.contains("id"_L1))
        u.id = o.value("id"_L1).toString();
    if (o.contains("baseUrl"_L1)) {
        // Checked here, where the text is at hand: QUrl keeps nothing of "127.0.0.1:9000/v1" (a relative URL with
        // a colon in its first segment is invalid), so validate()'s message could not show what was written.
        const QString text = o.value("baseUrl"_L1).toString();
        u.baseUrl = QUrl(text);
        if (!text.startsWith("http://"_L1, Qt::CaseInsensitive) && !text.startsWith("https://"_L1, Qt::CaseInsensitive))
            return fail(ErrorCode::InvalidArgument,
                        u"\"%1.baseUrl\" needs an http:// or https:// URL, for example http://127.0.0.1:8000/v1, got "
                        "\"%2\""_s.arg(where, text.left(200)));
    }
    u.priceProvider = o.value("priceProvider"_L1).toString();
    u.keychainEntry = o.value("keychainEntry"_L1).toString();
    if (o.contains("azureApiVersion"_L1))
        u.azureApiVersion = o.value("azureApiVersion"_L1).toString();
    return u;
}
} // namespace

Result<void> readProxyConfigJson(const QJsonObject &o, ProxyConfig &config, QJsonObject *savings)
{
    QList<json::Field> fields{{"port"_L1, Type::WholeNumber},
                              {"bind"_L1, Type::String},
                              {"upstreams"_L1, Type::Array},
                              {"cache"_L1, Type::Object},
                              {"store_text_endpoints"_L1, Type::StringList},
                              {"plainHttpClient"_L1, Type::String},
                              {"savings"_L1, Type::Object}};
    for (const ProxyLimit &limit : proxyLimits())
        fields.append({limit.key, Type::WholeNumber});
    if (auto r = json::checkFields(o, std::span<const json::Field>(fields.constData(), size_t(fields.size()))); !r)
        return r;
    for (const ProxyLimit &limit : proxyLimits()) {
        if (!o.contains(limit.key))
            continue;
        // checkFields() made it a whole number below 9e15: exact in a double and in a qint64.
        const qint64 value = qint64(o.value(limit.key).toDouble());
        if (auto r = checkProxyLimit(limit, value); !r)
            return r;
        limit.set(config, value);
    }
    if (auto r = checkWaterMarks(config); !r)
        return r;
    if (o.contains("port"_L1)) {
        // 70000 used to wrap to 4464.
        const qint64 port = o.value("port"_L1).toInteger(-1);
        if (port < 0 || port > 65535)
            return fail(ErrorCode::InvalidArgument, u"\"port\" needs a number from 0 to 65535"_s);
        config.port = quint16(port);
    }
    if (o.contains("bind"_L1)) {
        const QHostAddress address(o.value("bind"_L1).toString());
        if (address.isNull())
            return fail(ErrorCode::InvalidArgument, u"\"bind\" needs an IP address"_s);
        config.bindAddress = address;
    }
    if (o.contains("plainHttpClient"_L1)) {
        const QString which = o.value("plainHttpClient"_L1).toString();
        if (which == "builtin"_L1)
            config.plainHttpClient = PlainHttpClient::Builtin;
        else if (which == "libcurl"_L1)
            config.plainHttpClient = PlainHttpClient::Libcurl;
        else
            return fail(ErrorCode::InvalidArgument,
                        u"\"plainHttpClient\" needs \"builtin\" or \"libcurl\", got \"%1\""_s.arg(which.left(40)));
    }
    if (o.contains("upstreams"_L1)) {
        QList<UpstreamConfig> upstreams;
        const QJsonArray list = o.value("upstreams"_L1).toArray();
        for (int i = 0; i < list.size(); ++i) {
            auto u = upstreamFromJson(list[i], i);
            if (!u)
                return std::unexpected(u.error());
            upstreams << *u;
        }
        config.upstreams = upstreams;
    }
    if (o.contains("cache"_L1)) {
        const QJsonObject c = o.value("cache"_L1).toObject();
        if (auto r = json::checkFields(c, {{"enabled"_L1, Type::Bool},
                                           {"ttlSeconds"_L1, Type::WholeNumber},
                                           {"maxBytes"_L1, Type::WholeNumber},
                                           {"storeTruncated"_L1, Type::Bool}},
                                       u"cache");
            !r)
            return r;
        config.cache.enabled = c.value("enabled"_L1).toBool(config.cache.enabled);
        config.cache.storeTruncated = c.value("storeTruncated"_L1).toBool(config.cache.storeTruncated);
        config.cache.ttlSeconds = c.value("ttlSeconds"_L1).toInteger(config.cache.ttlSeconds);
        config.cache.maxBytes = c.value("maxBytes"_L1).toInteger(config.cache.maxBytes);
        if (config.cache.ttlSeconds <= 0 || config.cache.maxBytes <= 0)
            return fail(ErrorCode::InvalidArgument,
                        u"cache \"ttlSeconds\" and \"maxBytes\" need whole numbers above 0"_s);
    }
    for (const QJsonValue &v : o.value("store_text_endpoints"_L1).toArray())
        config.storeTextEndpoints.insert(v.toString());
    if (savings) {
        *savings = o.value("savings"_L1).toObject();
        // SavingsPolicy::fromConfigJson's keys, and the bookkeeping keys of the stored policy (Simulator page's
        // "Apply to proxy"), which a user may copy into the file as it is.
        if (auto r = json::checkFields(*savings, {{"default"_L1, Type::Object},
                                                  {"endpoints"_L1, Type::Object},
                                                  {"record_embeddings"_L1, Type::Bool},
                                                  {"embedding_upstream"_L1, Type::String},
                                                  {"few_shot_path"_L1, Type::String},
                                                  {"semantic_cache_path"_L1, Type::String},
                                                  {"summary_cache_path"_L1, Type::String},
                                                  {"version"_L1, Type::WholeNumber},
                                                  {"scenario"_L1, Type::String},
                                                  {"applied_at"_L1, Type::String},
                                                  {"applied_endpoints"_L1, Type::StringList}},
                                       u"savings");
            !r)
            return r;
    }
    return {};
}

QString urlHost(const QString &address)
{
    return address.contains(u':') ? u'[' + address + u']' : address;
}

} // namespace tl
