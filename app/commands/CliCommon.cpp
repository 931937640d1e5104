#include "CliCommon.h"

#include "common/TimeZoneBuckets.h"
#include "importer/Timestamp.h"
#include "ledger/Database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>

#include <QFile>

#include <algorithm>
#include <cstdio>

#if defined(Q_OS_UNIX)
#include <termios.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

using namespace Qt::StringLiterals;

namespace tl::cli {

QByteArray readKeyFromStdin(const QString &prompt)
{
#if defined(Q_OS_UNIX)
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios saved{};
    const bool echoOff = terminal && ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (echoOff) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
#elif defined(Q_OS_WIN)
    const HANDLE console = ::GetStdHandle(STD_INPUT_HANDLE);
    DWORD savedMode = 0;
    const bool terminal = ::GetConsoleMode(console, &savedMode) != 0;
    const bool echoOff = terminal && ::SetConsoleMode(console, savedMode & ~DWORD(ENABLE_ECHO_INPUT));
#else
    const bool terminal = false, echoOff = false;
#endif
    if (terminal) {
        err(prompt);
        std::fflush(stderr);
    }
    QFile in;
    QByteArray key;
    if (in.open(stdin, QIODevice::ReadOnly))
        key = in.readLine(64 * 1024).trimmed();
    if (echoOff) {
#if defined(Q_OS_UNIX)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
#elif defined(Q_OS_WIN)
        ::SetConsoleMode(console, savedMode);
#endif
    }
    if (terminal)
        err(u"\n"_s); // the Enter the user typed was not echoed
    return key;
}

QString counted(qint64 n, const QString &one, const QString &many)
{
    return QString::number(n) + u' ' + (n == 1 ? one : many);
}

QString printable(const QString &text)
{
    auto isControl = [](char16_t c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f); };
    if (std::none_of(text.cbegin(), text.cend(), [&](QChar c) { return isControl(c.unicode()); }))
        return text;
    QString shown;
    shown.reserve(text.size() + 8);
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!isControl(u))
            shown += c;
        else if (u == u'\n')
            shown += u"\\n"_s;
        else if (u == u'\r')
            shown += u"\\r"_s;
        else if (u == u'\t')
            shown += u"\\t"_s;
        else
            shown += u"\\x"_s + QString::number(u, 16).rightJustified(2, u'0');
    }
    return shown;
}

void out(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

void err(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
}

void addDbOption(QCommandLineParser &parser)
{
    parser.addOption({u"db"_s, u"Ledger database file (default: the app's ledger)."_s, u"PATH"_s});
}

Result<CoreServices> openFromDbOption(const QCommandLineParser &parser, LedgerUse use)
{
    const QString path = parser.value(u"db"_s);
    const QString file = path.isEmpty() ? Database::defaultPath() : path;
    if (use != LedgerUse::CreateIfMissing && !QFileInfo(file).isFile())
        return fail(ErrorCode::Io, QObject::tr("No ledger at %1: check --db, or import data first "
                                               "(tokenledger import --db %1 ...).")
                                       .arg(file));
    if (use == LedgerUse::ReadOnly) {
        auto core = AppContext::openCoreReadOnly(path);
        const QFileInfo info(file);
        if (core || core.error().code != ErrorCode::Unsupported || !info.isWritable()
            || !QFileInfo(info.absolutePath()).isWritable())
            return core;
        // An older schema (Unsupported; a newer one fails the same way below, unchanged), and the user may write
        // it: opened as the other commands open it, which upgrades it. Any other failure (an empty file, a busy
        // or damaged one) is reported as it is: a read-only command never writes.
    }
    return AppContext::openCore(path);
}

QString helpText(const QCommandLineParser &parser, const char *command, const QString &synopsis)
{
    // Qt starts its usage line with the program's own argv[0] (a path, and without the command):
    // "Usage: /usr/bin/tokenledger [options] FILE...". The line a user can type is rebuilt here.
    QString text = parser.helpText();
    const qsizetype end = text.indexOf(u'\n');
    const QString first = text.left(end);
    const QString qtPrefix = u"Usage: "_s + QCoreApplication::arguments().value(0);
    const QString rest = first.startsWith(qtPrefix) ? first.mid(qtPrefix.size()) : u" [options]"_s;
    text.replace(0, end, u"Usage: tokenledger "_s + QString::fromLatin1(command) + (synopsis.isEmpty() ? rest : u' ' + synopsis));
    return text;
}

bool parseArgs(QCommandLineParser &parser, const char *command, const QStringList &args, QString *error,
               const QString &synopsis)
{
    parser.setApplicationDescription(QString());
    parser.addHelpOption();
    QStringList argv{u"tokenledger "_s + QString::fromLatin1(command)};
    argv << args;
    if (!parser.parse(argv)) {
        *error = parser.errorText();
        return false;
    }
    if (parser.isSet(u"help"_s)) {
        out(helpText(parser, command, synopsis));
        std::exit(0);
    }
    return true;
}

void addRangeOptions(QCommandLineParser &parser)
{
    parser.addOption({u"days"_s, u"The last N days up to now."_s, u"N"_s});
    parser.addOption({u"since"_s, u"Start: a date or date-time in --timezone, or a date-time with a UTC offset "
                                  u"(2026-03-29T02:30+01:00, ...Z)."_s, u"DATE"_s});
    parser.addOption({u"until"_s, u"End (a date is inclusive; a date-time is exclusive)."_s, u"DATE"_s});
    parser.addOption({u"timezone"_s, u"IANA time zone for dates (default: the system zone)."_s, u"TZ"_s});
}

namespace {
// "+10:30", "-03:00", "Z" for 0: an offset as --since/--until take it.
QString offsetText(int seconds)
{
    if (seconds == 0)
        return u"Z"_s;
    const int minutes = std::abs(seconds) / 60;
    return (seconds < 0 ? u"-"_s : u"+"_s) + u"%1:%2"_s.arg(minutes / 60, 2, 10, QChar(u'0')).arg(minutes % 60, 2, 10, QChar(u'0'));
}
} // namespace

std::optional<Range> parseRange(const QCommandLineParser &parser, QString *error)
{
    Range range;
    range.zone = QTimeZone::systemTimeZone();
    if (parser.isSet(u"timezone"_s)) {
        range.zone = QTimeZone(parser.value(u"timezone"_s).toUtf8());
        if (!range.zone.isValid()) {
            *error = u"unknown time zone '%1'"_s.arg(parser.value(u"timezone"_s));
            return std::nullopt;
        }
    }
    const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    range.fromUs = std::numeric_limits<qint64>::min() / 2;
    range.toUs = nowUs + 1;
    if (parser.isSet(u"days"_s)) {
        if (parser.isSet(u"since"_s) || parser.isSet(u"until"_s)) {
            *error = u"use either --days or --since/--until"_s;
            return std::nullopt;
        }
        bool ok = false;
        const int days = parser.value(u"days"_s).toInt(&ok);
        if (!ok || days <= 0) {
            *error = u"--days needs a positive whole number"_s;
            return std::nullopt;
        }
        range.fromUs = nowUs - qint64(days) * 86'400'000'000LL;
        return range;
    }
    auto parseBound = [&](const QString &text, bool isUntil) -> std::optional<qint64> {
        if (text.trimmed().size() == 10) {
            // A date: that local day from its start, which is midnight unless the clocks skip midnight that day
            // (America/Havana, Asia/Beirut, ... start DST at 00:00): then the day's first instant, as the
            // dashboard's day buckets begin (TimeZoneBuckets). Noon exists every day in every zone.
            const QDate date = QDate::fromString(text.trimmed(), Qt::ISODate);
            if (!date.isValid())
                return std::nullopt;
            const QDate day = isUntil ? date.addDays(1) : date;
            const qint64 noonUs = QDateTime(day, QTime(12, 0), range.zone).toMSecsSinceEpoch() * 1000;
            return TimeZoneBuckets::bucketStart(Granularity::Day, range.zone, noonUs);
        }
        // A date-time, as import reads one (Timestamp::parseLocalUs): with a UTC offset or Z as given; else in the
        // zone, where a local time the clocks skip (DST starts) is an error saying so, not a format error, and one
        // they repeat (DST ends) is the earlier instant, with a note naming it and how to give the later one.
        QString ambiguity;
        const Result<qint64> us = Timestamp::parseLocalUs(text, range.zone, &ambiguity);
        const QString option = isUntil ? u"--until"_s : u"--since"_s;
        if (!us) {
            if (Timestamp::parseUs(text, QTimeZone::utc())) { // the text is a time: the zone does not have it
                const QDateTime wall = QDateTime::fromString(text.trimmed(), Qt::ISODate);
                const int before = range.zone.offsetFromUtc(
                    QDateTime(wall.date(), wall.time(), QTimeZone::utc()).addSecs(-36 * 3600));
                *error = u"%1 '%2': %3 (e.g. %4)"_s.arg(option, text, us.error().message,
                                                         text.trimmed() + offsetText(before));
            }
            return std::nullopt;
        }
        if (!ambiguity.isEmpty()) {
            const int later = range.zone.offsetFromUtc(
                QDateTime::fromMSecsSinceEpoch(*us / 1000 + 36LL * 3600 * 1000, QTimeZone::utc()));
            err(u"note: %1 '%2': %3; for the later one give its UTC offset: %4\n"_s.arg(
                option, text, ambiguity, text.trimmed() + offsetText(later)));
        }
        return *us;
    };
    const QString formats = u"use YYYY-MM-DD, YYYY-MM-DDTHH:MM, or YYYY-MM-DDTHH:MM with a UTC offset "
                            u"(+HH:MM, -HH:MM or Z)"_s;
    if (parser.isSet(u"since"_s)) {
        auto v = parseBound(parser.value(u"since"_s), false);
        if (!v) {
            if (error->isEmpty())
                *error = u"cannot read --since '%1' (%2)"_s.arg(parser.value(u"since"_s), formats);
            return std::nullopt;
        }
        range.fromUs = *v;
    }
    if (parser.isSet(u"until"_s)) {
        auto v = parseBound(parser.value(u"until"_s), true);
        if (!v) {
            if (error->isEmpty())
                *error = u"cannot read --until '%1' (%2)"_s.arg(parser.value(u"until"_s), formats);
            return std::nullopt;
        }
        range.toUs = *v;
    } else if (parser.isSet(u"since"_s)) {
        range.toUs = std::numeric_limits<qint64>::max() / 2;
    }
    if (!parser.isSet(u"since"_s) && !parser.isSet(u"until"_s))
        range.toUs = std::numeric_limits<qint64>::max() / 2; // everything, including future-dated records
    if (range.toUs <= range.fromUs) {
        *error = u"--until must be after --since"_s;
        return std::nullopt;
    }
    return range;
}

} // namespace tl::cli
