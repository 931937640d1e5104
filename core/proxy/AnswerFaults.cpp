#include "AnswerFaults.h"

#include "proxy/CallerIdentity.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tl::proxy {

namespace {
// A provider's error type or code as the record may keep it: an identifier (snake_case, Azure's PascalCase,
// digits, dots), at most 64 characters, that is no key. What an upstream writes there is its own text: a
// session-13 trial had "sk-proj-...", newlines, NUL bytes and quotes land in error_kind and in exports.
bool isErrorTypeName(const QString &type)
{
    if (type.isEmpty() || type.size() > 64)
        return false;
    for (const QChar c : type) {
        const char16_t u = c.unicode();
        if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u == '.'))
            return false;
    }
    return !keyIdLooksSecret(type);
}
} // namespace

QString upstreamErrorKind(int status, const QJsonObject &error)
{
    if (status == 429)
        return u"rate_limit"_s;
    const QJsonObject e = error.value("error"_L1).toObject();
    const QString code = e.value("code"_L1).toString();
    QString type = e.value("type"_L1).toString();
    if (type.isEmpty())
        type = code;
    if (type.isEmpty())
        type = error.value("code"_L1).toString(); // the Responses API's error event
    if (type == "rate_limit_error"_L1 || code == "rate_limit_exceeded"_L1
        || error.value("code"_L1).toString() == "rate_limit_exceeded"_L1)
        return u"rate_limit"_s;
    if (isErrorTypeName(type))
        return u"upstream_error:"_s + type;
    if (status >= 500)
        return u"upstream_5xx"_s;
    if (status >= 400)
        return u"upstream_4xx"_s;
    return status == 0 ? u"upstream_error:error"_s : QString();
}

QString answerErrorKind(int status, QByteArrayView body)
{
    if (status < 400)
        return {};
    if (status == 429)
        return u"rate_limit"_s;
    constexpr qsizetype kMaxErrorBody = 64 * 1024;
    const QJsonObject error = body.size() <= kMaxErrorBody
                                  ? QJsonDocument::fromJson(body.toByteArray()).object()
                                  : QJsonObject();
    return upstreamErrorKind(status, error);
}

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The members whose string values are the model's own text (AnswerFaults.h).
bool isTextMember(QByteArrayView key)
{
    return key == "content" || key == "text" || key == "thinking" || key == "refusal" || key == "arguments"
        || key == "name";
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xc0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += char(0xe0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3f));
        out += char(0x80 | (cp & 0x3f));
    } else {
        out += char(0xf0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3f));
        out += char(0x80 | ((cp >> 6) & 0x3f));
        out += char(0x80 | (cp & 0x3f));
    }
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Four hex digits at b[i], or -1 (too few left, or not hex).
int hex4(QByteArrayView b, qsizetype i)
{
    if (i + 4 > b.size())
        return -1;
    int v = 0;
    for (qsizetype k = i; k < i + 4; ++k) {
        const int h = hexValue(b[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

// Decodes the JSON string whose first character is b[i] (after its opening quote) into `out` (UTF-8), up to
// its closing quote or the end of the bytes (a cut answer); returns the index after the closing quote, or the
// size. An escape the cut left unfinished is dropped.
qsizetype decodeString(QByteArrayView b, qsizetype i, QByteArray &out)
{
    const qsizetype n = b.size();
    while (i < n) {
        const char c = b[i];
        if (c == '"')
            return i + 1;
        if (c != '\\') {
            out += c;
            ++i;
            continue;
        }
        if (i + 1 >= n)
            return n;
        const char e = b[i + 1];
        i += 2;
        switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
            const int unit = hex4(b, i);
            if (unit < 0)
                return n;
            i += 4;
            char32_t cp = char32_t(unit);
            if (unit >= 0xd800 && unit < 0xdc00) { // a high surrogate: its low one should follow
                const int low = i + 1 < n && b[i] == '\\' && b[i + 1] == 'u' ? hex4(b, i + 2) : -1;
                if (low >= 0xdc00 && low < 0xe000) {
                    cp = 0x10000 + ((char32_t(unit) - 0xd800) << 10) + (char32_t(low) - 0xdc00);
                    i += 6;
                } else {
                    cp = 0xfffd;
                }
            } else if (unit >= 0xdc00 && unit < 0xe000) {
                cp = 0xfffd;
            }
            appendUtf8(out, cp);
            break;
        }
        default: out += e; break; // '"', '\\', '/'
        }
    }
    return n;
}

// The index after the JSON string whose first character is b[i] (after its opening quote), or the size.
qsizetype skipString(QByteArrayView b, qsizetype i)
{
    const qsizetype n = b.size();
    while (i < n) {
        if (b[i] == '\\')
            i += 2;
        else if (b[i] == '"')
            return i + 1;
        else
            ++i;
    }
    return n;
}

} // namespace

QString partialAnswerText(QByteArrayView body)
{
    QByteArray text;
    const qsizetype n = body.size();
    qsizetype i = 0;
    while (i < n) {
        if (body[i] != '"') {
            ++i;
            continue;
        }
        // A string: a member's name when a colon follows it; then, for a text member, its string value.
        const qsizetype start = i + 1;
        i = skipString(body, start);
        qsizetype j = i;
        while (j < n && isSpace(body[j]))
            ++j;
        if (j >= n || body[j] != ':' || i > n || body[i - 1] != '"')
            continue;
        const QByteArrayView key = body.sliced(start, i - 1 - start);
        ++j;
        while (j < n && isSpace(body[j]))
            ++j;
        i = j;
        if (j < n && body[j] == '"' && isTextMember(key))
            i = decodeString(body, j + 1, text);
    }
    return QString::fromUtf8(text);
}

} // namespace tl::proxy
