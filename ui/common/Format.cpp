#include "Format.h"

#include <QCoreApplication>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::Format {

QLocale locale()
{
    QLocale l;
    if (l.language() == QLocale::C)
        l = QLocale(QLocale::English, QLocale::UnitedStates);
    l.setNumberOptions(QLocale::DefaultNumberOptions);
    return l;
}

QString count(qint64 n)
{
    return locale().toString(n);
}

QString compactCount(qint64 n)
{
    const qint64 a = n < 0 ? -n : n;
    const QLocale l = locale();
    if (a < 10'000)
        return l.toString(n);
    if (a < 1'000'000)
        return l.toString(double(n) / 1e3, 'f', a < 100'000 ? 1 : 0) + u'K';
    if (a < 1'000'000'000)
        return l.toString(double(n) / 1e6, 'f', a < 10'000'000 ? 2 : 1) + u'M';
    return l.toString(double(n) / 1e9, 'f', 2) + u'B';
}

QString usd(NanoUsd amount)
{
    // tl::formatUsd groups thousands and widens tiny non-zero amounts so a cost never reads as $0.00.
    return formatUsd(amount, 2);
}

QString usdPerMTok(NanoUsdPerMillion price)
{
    // Prices are exact decimals; show them as written (at least two decimals).
    return u"$"_s + toDecimalUsd(price);
}

QString latency(qint64 us)
{
    if (us < 0)
        return u"–"_s;
    // Rounded, not cut (39,700 µs is "40 ms", session-17 look-over: it read 39 ms where `report` gave 39.7);
    // a tenth of a millisecond below 10 ms, where a loopback or cache-hit call lies.
    if (us < 9'950)
        return QCoreApplication::translate("tl::Format", "%1 ms").arg(locale().toString(double(us) / 1e3, 'f', 1));
    if (us < 999'500)
        return QCoreApplication::translate("tl::Format", "%1 ms").arg((us + 500) / 1000);
    return QCoreApplication::translate("tl::Format", "%1 s").arg(locale().toString(double(us) / 1e6, 'f', 1));
}

QString share(double fraction)
{
    return locale().toString(fraction * 100.0, 'f', 1) + u'%';
}

} // namespace tl::Format
