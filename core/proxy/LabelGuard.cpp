#include "LabelGuard.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace tl::proxy {

namespace {

bool hasOpaqueRun(QStringView label)
{
    const auto isTokenChar = [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'+'
               || c == u'/' || c == u'=';
    };
    qsizetype run = 0;
    bool letter = false, digit = false;
    for (qsizetype i = 0; i <= label.size(); ++i) {
        const QChar c = i < label.size() ? label[i] : QChar(u' ');
        if (isTokenChar(c)) {
            ++run;
            letter = letter || c.isLetter();
            digit = digit || c.isDigit();
            continue;
        }
        if (run >= 24 && letter && digit)
            return true;
        run = 0;
        letter = digit = false;
    }
    return false;
}

} // namespace

bool labelLooksSecret(QStringView label, const QList<QByteArray> &secrets)
{
    if (label.isEmpty())
        return false;
    const QByteArray utf8 = label.toUtf8();
    for (const QByteArray &secret : secrets) {
        if (secret.size() < 8)
            continue;
        if (utf8.contains(secret) || (utf8.size() >= 16 && secret.contains(utf8)))
            return true;
    }
    static const QRegularExpression providerKey(
        uR"((?<![A-Za-z0-9])(?:(?:sk|rk)[-_]|AIza|xai-|gsk_|hf_|pplx-|r8_|ghp_|github_pat_|xox[a-z]-|AKIA)[A-Za-z0-9_-]{16,}|(?i:bearer)\s+\S)"_s);
    if (providerKey.match(label.toString()).hasMatch())
        return true;
    return hasOpaqueRun(label);
}

} // namespace tl::proxy
