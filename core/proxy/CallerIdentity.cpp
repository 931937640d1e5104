#include "CallerIdentity.h"

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
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return authorization.mid(7).trimmed();
    if (!xApiKey.isEmpty())
        return xApiKey;
    return azureKey;
}

} // namespace tl
