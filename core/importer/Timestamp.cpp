#include "Timestamp.h"

#include <cmath>

#include <QDateTime>
#include <QList>

using namespace Qt::StringLiterals;

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

namespace {

// The parsed fields of a timestamp; `offsetSeconds` empty when the text names no offset.
struct Fields
{
    std::optional<qint64> epochUs; // plain Unix epoch numbers
    QDate date;
    QTime time;
    qint64 fractionUs = 0;
    std::optional<int> offsetSeconds;
};

std::optional<Fields> parseFields(QStringView text);

} // namespace

std::optional<qint64> parseUs(QStringView text, const QTimeZone &zone)
{
    auto r = parseLocalUs(text, zone);
    return r ? std::optional<qint64>(*r) : std::nullopt;
}

Result<qint64> parseLocalUs(QStringView text, const QTimeZone &zone, QString *ambiguity)
{
    const auto f = parseFields(text);
    if (!f)
        return fail(ErrorCode::Parse, QObject::tr("cannot read the time \"%1\"").arg(text.toString()));
    if (f->epochUs)
        return *f->epochUs;
    if (f->offsetSeconds)
        return QDateTime(f->date, f->time, QTimeZone(*f->offsetSeconds)).toMSecsSinceEpoch() * 1000 + f->fractionUs;
    if (!zone.isValid())
        return fail(ErrorCode::Parse, QObject::tr("cannot read the time \"%1\": no valid time zone").arg(text.toString()));
    if (!zone.hasTransitions()) // UTC or a fixed offset: every local time exists once
        return QDateTime(f->date, f->time, zone).toMSecsSinceEpoch() * 1000 + f->fractionUs;
    // The wall-clock time as if it were UTC; each offset the zone has around it gives one candidate instant,
    // which is real when the zone has that offset at that instant. A zone changes its offset at most once in
    // 36 hours, so the offsets 36 hours before and after are all the candidates.
    const qint64 wallMs = QDateTime(f->date, f->time, QTimeZone::utc()).toMSecsSinceEpoch();
    constexpr qint64 k36h = 36LL * 3600 * 1000;
    QList<qint64> instants;
    for (qint64 probe : {wallMs - k36h, wallMs + k36h}) {
        const int offset = zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(probe, QTimeZone::utc()));
        const qint64 candidate = wallMs - qint64(offset) * 1000;
        if (zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(candidate, QTimeZone::utc())) == offset
            && !instants.contains(candidate))
            instants.append(candidate);
    }
    std::sort(instants.begin(), instants.end());
    const QString local = f->date.toString(Qt::ISODate) + u' ' + f->time.toString(Qt::ISODate);
    const QString zoneName = QString::fromUtf8(zone.id());
    if (instants.isEmpty())
        return fail(ErrorCode::Parse,
                    QObject::tr("the local time %1 does not exist in %2: clocks skip it when daylight saving time "
                                "(DST) starts; give the time with its UTC offset or in UTC")
                        .arg(local, zoneName));
    if (instants.size() > 1 && ambiguity) {
        auto utc = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-dd HH:mm:ss'Z'"_s);
        };
        *ambiguity = QObject::tr("the local time %1 occurs twice in %2 (daylight saving time (DST) ends); took the "
                                 "earlier %3, not %4")
                         .arg(local, zoneName, utc(instants.front()), utc(instants.back()));
    }
    return instants.front() * 1000 + f->fractionUs;
}

namespace {

std::optional<Fields> parseFields(QStringView text)
{
    const QStringView s = text.trimmed();
    if (s.isEmpty())
        return std::nullopt;

    // Unix epoch numbers.
    bool allDigits = true;
    for (QChar c : s)
        allDigits = allDigits && ((c >= u'0' && c <= u'9') || c == u'.');
    if (allDigits && s.size() <= 20 && !s.contains(u'-')) {
        // The unit from the magnitude, as pandas' and most tools' guess: seconds below 1e11 (to the year 5138),
        // then milliseconds, microseconds and nanoseconds in steps of 1,000 (session-16 audit: microseconds were
        // read as milliseconds, 55,000 years ahead, and nanoseconds overflowed). Whole numbers are read as
        // integers, so a microsecond or nanosecond stamp keeps every digit.
        Fields f;
        if (!s.contains(u'.')) {
            bool ok = false;
            const qint64 v = s.toLongLong(&ok);
            if (!ok)
                return std::nullopt; // beyond 64 bits
            if (v < 100'000'000'000ll)
                f.epochUs = v * 1'000'000;
            else if (v < 100'000'000'000'000ll)
                f.epochUs = v * 1'000;
            else if (v < 100'000'000'000'000'000ll)
                f.epochUs = v;
            else
                f.epochUs = v / 1'000;
            return f;
        }
        bool ok = false;
        const double v = s.toDouble(&ok);
        if (!ok || !std::isfinite(v) || v >= 9.2e18)
            return std::nullopt;
        f.epochUs = v < 1e11 ? qint64(v * 1'000'000.0) : v < 1e14 ? qint64(v * 1'000.0) : v < 1e17 ? qint64(v) : qint64(v / 1'000.0);
        return f;
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
    Fields f;
    f.date = QDate(year, month, day);
    f.time = QTime(hour, minute, second);
    if (!f.date.isValid() || !f.time.isValid())
        return std::nullopt;
    f.fractionUs = fractionUs;
    f.offsetSeconds = offsetSeconds;
    return f;
}

} // namespace

} // namespace tl::Timestamp
