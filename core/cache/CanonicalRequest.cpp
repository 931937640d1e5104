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

bool isIntegral(double d) { return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9007199254740992.0; }

// The normalised form of `v` in `out` when it differs from `v` (an integral double becomes an
// integer); false when `v` is already normal, so unchanged subtrees (message texts, mostly) are shared,
// never rebuilt. The output is the same as rebuilding every level.
bool normalise(const QJsonValue &v, QJsonValue &out)
{
    switch (v.type()) {
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (!isIntegral(d))
            return false;
        out = QJsonValue(qint64(d));
        return true;
    }
    case QJsonValue::Array: {
        const QJsonArray a = v.toArray();
        QJsonArray changed;
        bool any = false;
        for (qsizetype i = 0; i < a.size(); ++i) {
            QJsonValue n;
            if (normalise(a.at(i), n)) {
                if (!any) {
                    changed = a;
                    any = true;
                }
                changed.replace(i, n);
            }
        }
        if (any)
            out = changed;
        return any;
    }
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        QJsonObject changed;
        bool any = false;
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonValue n;
            if (normalise(it.value(), n)) {
                if (!any) {
                    changed = o;
                    any = true;
                }
                changed.insert(it.key(), n);
            }
        }
        if (any)
            out = changed;
        return any;
    }
    default:
        return false;
    }
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

QByteArray canonicalBody(const QJsonObject &body)
{
    QJsonObject o = body;
    for (auto it = body.begin(); it != body.end(); ++it) {
        QJsonValue n;
        if (isTransportOnlyField(it.key()))
            o.remove(it.key());
        else if (normalise(it.value(), n))
            o.insert(it.key(), n);
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
    // The version tag: session 12 put the forwarded path in the request hash and all of a request's
    // credentials in the caller identity; an entry stored before (keyed without them) must never answer
    // (another Azure deployment, another Basic credential), so every older key misses.
    return sha256Hex("exact-v2\n" + callerId.toUtf8() + '\n' + requestHash.toUtf8());
}

} // namespace tl::cache
