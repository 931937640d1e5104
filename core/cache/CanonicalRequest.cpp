#include "CanonicalRequest.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::cache {

bool isTransportOnlyField(QStringView name)
{
    return name == u"stream" || name == u"stream_options";
}

namespace {

QJsonValue normalise(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9007199254740992.0)
            return QJsonValue(qint64(d));
        return v;
    }
    case QJsonValue::Array: {
        QJsonArray out;
        for (const QJsonValue &e : v.toArray())
            out.append(normalise(e));
        return out;
    }
    case QJsonValue::Object: {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(it.key(), normalise(it.value()));
        return out;
    }
    default:
        return v;
    }
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

QByteArray canonicalBody(const QJsonObject &body)
{
    QJsonObject o;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!isTransportOnlyField(it.key()))
            o.insert(it.key(), normalise(it.value()));
    }
    // QJsonObject keeps its keys sorted, so compact output is in sorted-key order at every level.
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString requestHash(const QString &upstreamId, const QString &api, const QJsonObject &body)
{
    return sha256Hex(upstreamId.toUtf8() + '\n' + api.toUtf8() + '\n' + canonicalBody(body));
}

QString cacheKey(const QString &callerId, const QString &requestHash)
{
    return sha256Hex(callerId.toUtf8() + '\n' + requestHash.toUtf8());
}

} // namespace tl::cache
