#include "Timestamp.h"

#include <QDateTime>

namespace tl::Timestamp {

namespace {
bool digits(QStringView s, qsizetype pos, int n, int *out)
{
    if (pos + n > s.size())
        return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
        const QChar c = s[pos + i];
        if (c < u'0' || c > u'9')
            return false;
        v = v * 10 + (c.unicode() - u'0');
    }
    *out = v;
    return true;
}
} // namespace

std::optional<qint64> parseUs(QStringView text, const QTimeZone &zone)
{
    const QStringView s = text.trimmed();
    if (s.isEmpty())
        return std::nullopt;

    // Unix epoch numbers.
    bool allDigits = true;
    for (QChar c : s)
        allDigits = allDigits && ((c >= u'0' && c <= u'9') || c == u'.');
    if (allDigits && s.size() <= 20 && !s.contains(u'-')) {
        bool ok = false;
        const double v = s.toDouble(&ok);
        if (!ok)
            return std::nullopt;
        if (v > 1e11)
            return qint64(v * 1000.0); // milliseconds
        return qint64(v * 1'000'000.0);
    }

    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(s, 0, 4, &year) || s.size() < 10 || s[4] != u'-' || !digits(s, 5, 2, &month) || s[7] != u'-'
        || !digits(s, 8, 2, &day))
        return std::nullopt;
    qsizetype pos = 10;
    qint64 fractionUs = 0;
    if (pos < s.size()) {
        if (s[pos] != u' ' && s[pos] != u'T' && s[pos] != u't')
            return std::nullopt;
        ++pos;
        if (pos + 5 > s.size() || !digits(s, pos, 2, &hour) || s[pos + 2] != u':' || !digits(s, pos + 3, 2, &minute))
            return std::nullopt;
        pos += 5;
        if (pos < s.size() && s[pos] == u':') {
            if (!digits(s, pos + 1, 2, &second))
                return std::nullopt;
            pos += 3;
            if (pos < s.size() && (s[pos] == u'.' || s[pos] == u',')) {
                ++pos;
                int n = 0;
                qint64 frac = 0;
                while (pos < s.size() && s[pos] >= u'0' && s[pos] <= u'9') {
                    if (n < 6)
                        frac = frac * 10 + (s[pos].unicode() - u'0');
                    ++n;
                    ++pos;
                }
                if (n == 0 || n > 9)
                    return std::nullopt;
                for (int k = std::min(n, 6); k < 6; ++k)
                    frac *= 10;
                fractionUs = frac;
            }
        }
    }
    std::optional<int> offsetSeconds;
    if (pos < s.size()) {
        const QChar c = s[pos];
        if ((c == u'Z' || c == u'z') && pos + 1 == s.size()) {
            offsetSeconds = 0;
        } else if (c == u'+' || c == u'-') {
            int oh = 0, om = 0;
            if (!digits(s, pos + 1, 2, &oh))
                return std::nullopt;
            qsizetype p = pos + 3;
            if (p < s.size() && s[p] == u':')
                ++p;
            if (p < s.size() && !digits(s, p, 2, &om))
                return std::nullopt;
            if (p < s.size())
                p += 2;
            if (p != s.size())
                return std::nullopt;
            offsetSeconds = (c == u'-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return std::nullopt;
        }
    }
    const QDate date(year, month, day);
    const QTime time(hour, minute, second);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    QDateTime dt;
    if (offsetSeconds)
        dt = QDateTime(date, time, QTimeZone(*offsetSeconds));
    else
        dt = QDateTime(date, time, zone);
    if (!dt.isValid())
        return std::nullopt; // e.g. a local time skipped by a daylight-saving jump
    return dt.toMSecsSinceEpoch() * 1000 + fractionUs;
}

} // namespace tl::Timestamp
