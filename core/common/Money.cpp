#include "Money.h"

#include <QtNumeric>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr qint64 kMillion = 1'000'000;
}

void PerMillionSum::add(qint64 units, NanoUsdPerMillion pricePerMillion)
{
    qint64 whole = 0;
    qint64 part = 0;
    // units * (price % 1e6) can overflow on its own for units above ~9.2e12; every step is checked.
    if (qMulOverflow(units, pricePerMillion / kMillion, &whole) || qAddOverflow(m_whole, whole, &m_whole)
        || qMulOverflow(units, pricePerMillion % kMillion, &part) || qAddOverflow(m_remainder, part, &m_remainder)) {
        m_overflow = true;
        return;
    }
    // Keep the remainder small so long sums cannot overflow.
    if (qAddOverflow(m_whole, m_remainder / kMillion, &m_whole))
        m_overflow = true;
    m_remainder %= kMillion;
}

std::optional<NanoUsd> PerMillionSum::checked(qint64 num, qint64 den) const
{
    // value = (whole + rem / 1e6) * num / den. Split whole*num into quotient and remainder by den
    // so the sub-unit part stays small: frac numerator is in millionths of a nano-USD times den.
    if (m_overflow || den <= 0)
        return std::nullopt;
    qint64 scaledWhole = 0, scaledRemainder = 0, fracDenominator = 0, wholeRest = 0, fracNumerator = 0;
    if (qMulOverflow(m_whole, num, &scaledWhole) || qMulOverflow(m_remainder, num, &scaledRemainder)
        || qMulOverflow(den, kMillion, &fracDenominator) || qMulOverflow(scaledWhole % den, kMillion, &wholeRest)
        || qAddOverflow(wholeRest, scaledRemainder, &fracNumerator))
        return std::nullopt;
    qint64 result = scaledWhole / den;
    if (qAddOverflow(result, fracNumerator / fracDenominator, &result))
        return std::nullopt;
    const qint64 fracRest = fracNumerator % fracDenominator; // |fracRest| < den * 1e6: doubling is safe
    if (fracRest * 2 >= fracDenominator && qAddOverflow(result, qint64(1), &result))
        return std::nullopt;
    if (fracRest * 2 <= -fracDenominator && qAddOverflow(result, qint64(-1), &result))
        return std::nullopt;
    return result;
}

NanoUsd PerMillionSum::rounded(qint64 num, qint64 den) const
{
    return checked(num, den).value_or(0);
}

QString toDecimalUsd(NanoUsd amount)
{
    const bool negative = amount < 0;
    const quint64 magnitude = negative ? quint64(0) - quint64(amount) : quint64(amount);
    const quint64 whole = magnitude / quint64(kNanoPerUsd);
    QString frac = QString::number(magnitude % quint64(kNanoPerUsd)).rightJustified(9, u'0');
    while (frac.size() > 2 && frac.endsWith(u'0'))
        frac.chop(1);
    return (negative ? u"-"_s : QString()) + QString::number(whole) + u'.' + frac;
}

QString formatUsd(NanoUsd amount, int decimals)
{
    decimals = qBound(0, decimals, 9);
    const bool negative = amount < 0;
    quint64 magnitude = negative ? quint64(0) - quint64(amount) : quint64(amount);
    // An amount with fewer than two significant digits at the asked precision (under ten cents at 2
    // decimals) is never shown as zero nor rounded to a figure it is not ($0.0075 read "$0.01", and, before
    // session 17, $0.0159 read "$0.02", 25% high): widen until two significant digits show (max 9
    // decimals), then drop trailing zeros beyond the asked decimals ($0.005, $0.0075, $0.016, $0.00061 for
    // 614,250 nano-USD).
    const int asked = decimals;
    auto unitOf = [](int d) {
        quint64 u = 1;
        for (int i = 0; i < 9 - d; ++i)
            u *= 10;
        return u;
    };
    if (magnitude != 0 && magnitude < 10 * unitOf(decimals)) {
        while (decimals < 9 && magnitude < 10 * unitOf(decimals))
            ++decimals;
        while (decimals > asked && ((magnitude + unitOf(decimals) / 2) / unitOf(decimals)) % 10 == 0)
            --decimals;
    }
    quint64 unit = 1;
    for (int i = 0; i < 9 - decimals; ++i)
        unit *= 10;
    const quint64 rounded = (magnitude + unit / 2) / unit; // in units of 10^-decimals USD
    quint64 scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    const quint64 whole = rounded / scale;
    QString wholeText = QString::number(whole);
    // Thousands separators for readability (display only; C locale style).
    for (qsizetype i = wholeText.size() - 3; i > 0; i -= 3)
        wholeText.insert(i, u',');
    QString text = (negative ? u"-$"_s : u"$"_s) + wholeText;
    if (decimals > 0)
        text += u'.' + QString::number(rounded % scale).rightJustified(decimals, u'0');
    return text;
}

std::optional<NanoUsd> parseDecimalUsd(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool negative = false;
    if (text.front() == u'-' || text.front() == u'+') {
        negative = text.front() == u'-';
        text = text.mid(1);
    }
    const qsizetype dot = text.indexOf(u'.');
    const QStringView wholePart = dot < 0 ? text : text.left(dot);
    QStringView fracPart = dot < 0 ? QStringView() : text.mid(dot + 1);
    if (wholePart.isEmpty() && fracPart.isEmpty())
        return std::nullopt;
    qint64 whole = 0;
    for (QChar c : wholePart) {
        if (!c.isDigit() || c.unicode() > 127)
            return std::nullopt;
        if (whole > (std::numeric_limits<qint64>::max() / kNanoPerUsd) / 10)
            return std::nullopt;
        whole = whole * 10 + (c.unicode() - u'0');
    }
    qint64 frac = 0;
    int digits = 0;
    for (QChar c : fracPart) {
        if (!c.isDigit() || c.unicode() > 127)
            return std::nullopt;
        if (digits == 9) {
            if (c != u'0')
                return std::nullopt; // finer than one nano-USD: not representable exactly
            continue;
        }
        frac = frac * 10 + (c.unicode() - u'0');
        ++digits;
    }
    for (; digits < 9; ++digits)
        frac *= 10;
    const qint64 value = whole * kNanoPerUsd + frac;
    return negative ? -value : value;
}

std::optional<NanoUsd> parseDecimalUsdRounded(QStringView text, bool *rounded)
{
    if (rounded)
        *rounded = false;
    const QStringView t = text.trimmed();
    const qsizetype dot = t.indexOf(u'.');
    if (dot < 0 || t.size() - dot - 1 <= 9)
        return parseDecimalUsd(t);
    // Nine decimals are kept; the tenth decides the rounding (half away from zero), the rest must be digits.
    const QStringView kept = t.left(dot + 10);
    const QStringView dropped = t.mid(dot + 10);
    bool nonZero = false;
    for (QChar c : dropped) {
        if (!c.isDigit() || c.unicode() > 127)
            return std::nullopt;
        nonZero = nonZero || c != u'0';
    }
    auto value = parseDecimalUsd(kept);
    if (!value)
        return std::nullopt;
    if (rounded)
        *rounded = nonZero;
    if (dropped.front().unicode() >= u'5') {
        const bool negative = t.front() == u'-';
        if (qAddOverflow(*value, negative ? qint64(-1) : qint64(1), &*value))
            return std::nullopt;
    }
    return value;
}

} // namespace tl
