#include "CallerIdentity.h"
#include "HttpRequestParser.h"
#include "LabelGuard.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <iterator>

using namespace Qt::StringLiterals;

namespace tl {

QString callerIdentity(const QByteArray &salt, const QByteArray &apiKey)
{
    if (apiKey.isEmpty())
        return {};
    const QByteArray mac = QMessageAuthenticationCode::hash(apiKey, salt, QCryptographicHash::Sha256);
    return u"k_"_s + QString::fromLatin1(mac.toHex().left(16));
}

bool keyIdLooksSecret(QStringView keyId)
{
    const QString id = keyId.trimmed().toString();
    if (id.isEmpty())
        return false;
    static const QRegularExpression notSecret(uR"(\A(?:k_[0-9a-f]{16}|key_[A-Za-z0-9]{1,64}|apikey_[A-Za-z0-9]{1,64})\z)"_s);
    if (notSecret.match(id).hasMatch())
        return false;
    static const QRegularExpression keyWord(uR"((?<![A-Za-z0-9_-])(?i:sk|rk)[-_])"_s);
    return keyWord.match(id).hasMatch() || proxy::labelLooksSecret(id, {});
}

QByteArray newCallerSalt()
{
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
}

QByteArray keyFromHeaders(const QByteArray &authorization, const QByteArray &xApiKey, const QByteArray &azureKey)
{
    const auto given = [](const QByteArray &v) { return !v.isEmpty() && v != kKeychainKeyPlaceholder; };
    // Authorization: a Bearer token is a key; any other scheme is a credential with its whole value.
    QByteArray bearer;
    QByteArray otherScheme;
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        bearer = authorization.mid(7).trimmed();
    else
        otherScheme = authorization.trimmed();
    if (!given(bearer))
        bearer.clear();
    const QByteArray x = given(xApiKey) ? xApiKey : QByteArray();
    const QByteArray azure = given(azureKey) ? azureKey : QByteArray();

    // One key, in one header or repeated in several: the key itself (the identity key ids were made of).
    if (otherScheme.isEmpty()) {
        QByteArray one;
        bool single = true;
        const QByteArray *keys[] = {&bearer, &x, &azure};
        for (const QByteArray *k : keys) {
            if (k->isEmpty())
                continue;
            if (!one.isEmpty() && *k != one)
                single = false;
            one = *k;
        }
        if (single)
            return one;
    }
    QByteArray all;
    if (!bearer.isEmpty())
        all += "authorization:Bearer " + bearer + '\n';
    else if (!otherScheme.isEmpty())
        all += "authorization:" + otherScheme + '\n';
    if (!x.isEmpty())
        all += "x-api-key:" + x + '\n';
    if (!azure.isEmpty())
        all += "api-key:" + azure + '\n';
    return all;
}

bool isKeyHeader(QByteArrayView name)
{
    return sameHeaderName(name, QByteArrayView("authorization")) || sameHeaderName(name, QByteArrayView("x-api-key"))
           || sameHeaderName(name, QByteArrayView("api-key"));
}

bool isKeychainPlaceholder(QByteArrayView name, QByteArrayView value)
{
    if (!isKeyHeader(name))
        return false;
    value = value.trimmed();
    if (name.size() == 13) { // authorization
        if (value.size() < 7 || value.first(7).compare(QByteArrayView("bearer "), Qt::CaseInsensitive) != 0)
            return false;
        value = value.sliced(7).trimmed();
    }
    return value == QByteArrayView(kKeychainKeyPlaceholder);
}

KeyHeaderScan scanKeyHeaders(const HttpHeaders &headers)
{
    static constexpr QByteArrayView kNames[] = {"authorization", "x-api-key", "api-key"};
    int lines[std::size(kNames)] = {};
    KeyHeaderScan scan;
    for (const auto &[name, value] : headers) {
        for (size_t i = 0; i < std::size(kNames); ++i) {
            if (name.compare(kNames[i], Qt::CaseInsensitive) != 0)
                continue;
            if (++lines[i] == 2 && scan.repeated.isEmpty())
                scan.repeated = kNames[i];
            scan.ownKey = scan.ownKey || !isKeychainPlaceholder(name, value);
        }
    }
    return scan;
}

QByteArray gatewayCredential(const HttpHeaders &headers)
{
    QByteArray credential;
    for (const char *name : {"x-goog-api-key", "ocp-apim-subscription-key"}) {
        if (const QByteArray value = headerValue(headers, name).trimmed(); !value.isEmpty())
            credential += QByteArray(name) + ':' + value + '\n';
    }
    return credential;
}

} // namespace tl
