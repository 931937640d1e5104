#pragma once

#include "AppContext.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QTimeZone>

#include <optional>

namespace tl::cli {

// The time range options shared by report, export and simulate:
// --days N (the last N days up to now), or --since DATE|DATETIME [--until DATE|DATETIME]
// (a date means that whole local day in --timezone; --until is inclusive of a date, exclusive of a
// datetime; a datetime may carry a UTC offset or Z, else it is read in --timezone); default: everything.
// --timezone TZ (IANA id; default the system zone). A local datetime the zone skips (DST starts) is an error
// naming DST; one it repeats (DST ends) is the earlier instant, with a note on stderr naming it and the offset
// that gives the later one (Timestamp::parseLocalUs, as import reads times).
void addRangeOptions(QCommandLineParser &parser);
struct Range
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    QTimeZone zone;
};
// Returns nullopt and sets *error on a bad option.
std::optional<Range> parseRange(const QCommandLineParser &parser, QString *error);

// Parses `args` (after the command name) with a parser prepared by the caller; handles --help, whose usage line
// is "Usage: tokenledger COMMAND " + `synopsis` (default: Qt's "[options]" and the positional arguments).
// Returns false with a usage message in *error on unknown options.
bool parseArgs(QCommandLineParser &parser, const char *command, const QStringList &args, QString *error,
               const QString &synopsis = {});
// The parser's help text with that usage line.
QString helpText(const QCommandLineParser &parser, const char *command, const QString &synopsis = {});

// Whether a command may create the ledger it is pointed at (import, proxy, sync), changes one that exists
// (label-key: a mistyped --db must not leave an empty ledger) or only reads one (report, export, simulate).
// ReadOnly opens the file read-only (AppContext::openCoreReadOnly: works on a file or folder the user cannot
// write, and writes nothing); only when that cannot read it (a schema to upgrade) and the user may write the
// file and its folder is it opened as MustExist opens it.
enum class LedgerUse { CreateIfMissing, MustExist, ReadOnly };
// Opens the ledger named by --db (default: the app's default ledger). Errors: Io "No ledger at PATH"
// (MustExist or ReadOnly, and no such file), those of AppContext::openCore, and for ReadOnly on a file the
// user cannot write, those of Database::openReadOnly (Unsupported: the schema must be upgraded first).
Result<CoreServices> openFromDbOption(const QCommandLineParser &parser, LedgerUse use = LedgerUse::CreateIfMissing);
void addDbOption(QCommandLineParser &parser);

// Reads an API key from standard input: its first line, trimmed, at most 64 KiB. From a terminal, `prompt`
// goes to stderr first and the typing is not echoed (termios on Unix, the console mode on Windows). Empty
// when nothing came. The key is never echoed, logged or part of an error.
QByteArray readKeyFromStdin(const QString &prompt);

// Runs the event loop until a SecretStore call (a keychain job, finished on this thread) has its result.
template<typename T>
Result<T> awaitSecret(QFuture<Result<T>> future)
{
    QFutureWatcher<Result<T>> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    return future.result();
}

// Text that came from the ledger or an imported file (an endpoint, tag, model, label, a row's error), made safe
// for a table or a plain line on a terminal: C0 control characters, DEL and C1 control characters (U+0080..U+009F)
// are shown as escapes ("\n", "\r", "\t", "\x1b", "\x7f", "\x9b") so the terminal never runs them (ANSI/OSC
// sequences: colours, titles, hyperlinks, clearing the screen) and a line break inside a value never breaks the
// layout. Everything else is unchanged. Table and plain-line output only: CSV and JSON keep the text exact.
QString printable(const QString &text);

// A count with its noun in plain English: counted(1, u"row"_s, u"rows"_s) is "1 row", counted(0, ...) "0 rows".
QString counted(qint64 n, const QString &one, const QString &many);

void out(const QString &text); // stdout, UTF-8
void err(const QString &text); // stderr, UTF-8

} // namespace tl::cli
