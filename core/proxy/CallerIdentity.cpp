#include "CallerIdentity.h"
#include "HttpRequestParser.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace tl {

QString callerIdentity(const QByteArray &salt, const QByteArray &apiKey)
{
    if (apiKey.isEmpty())
        return {};
    const QByteArray mac = QMessageAuthenticationCode::hash(apiKey, salt, QCryptographicHash::Sha256);
    return u"k_"_s + QString::fromLatin1(mac.toHex().left(16));
}

QByteArray newCallerSalt()
{
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
}

QByteArray keyFromHeaders(const QByteArray &authorization, const QByteArray &xApiKey, const QByteArray &azureKey)
{
    QByteArray key;
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        key = authorization.mid(7).trimmed();
    else if (!xApiKey.isEmpty())
        key = xApiKey;
    else
        key = azureKey;
    return key == kKeychainKeyPlaceholder ? QByteArray() : key;
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

} // namespace tl
