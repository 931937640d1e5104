#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace tl::cache {

// Fields that only shape the transport, never the answer: left out of the exact-cache key so a
// streamed answer can serve a non-streamed request and back. Everything else in the body (model,
// messages/input/system, temperature, top_p, max tokens, stop, n, seed, tools, tool_choice,
// response_format, reasoning effort, logit_bias, and any field not known to be transport-only)
// shapes the key.
bool isTransportOnlyField(QStringView name);

// The canonical form of a request body: transport-only fields removed, object keys sorted, numbers
// normalised (an integral double such as 1.0 is written as 1), compact JSON. Pure function.
QByteArray canonicalBody(const QJsonObject &body);

// Hex SHA-256 of (upstream id, API, canonical body): CallRecord::requestHash, caller-independent.
// `api` is the API's name and whatever else besides the body selects the answer (the proxy's
// proxydetail::hashedApi: headers that change it, the forwarded path where it is not the API's own).
QString requestHash(const QString &upstreamId, const QString &api, const QJsonObject &body);

// Hex SHA-256 of (a key version, caller identity, request hash): the exact-cache key. One caller's key
// never matches another caller's request. Version 2 since session 12: keys made before never match.
QString cacheKey(const QString &callerId, const QString &requestHash);

} // namespace tl::cache
