#pragma once

#include "AppContext.h"

#include <QCommandLineParser>
#include <QTimeZone>

#include <optional>

namespace tl::cli {

// The time range options shared by report, export and simulate:
// --days N (the last N days up to now), or --since DATE|DATETIME [--until DATE|DATETIME]
// (a date means that whole local day in --timezone; --until is inclusive of a date, exclusive of a
// datetime); default: everything. --timezone TZ (IANA id; default the system zone).
void addRangeOptions(QCommandLineParser &parser);
struct Range
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    QTimeZone zone;
};
// Returns nullopt and sets *error on a bad option.
std::optional<Range> parseRange(const QCommandLineParser &parser, QString *error);

// Parses `args` (after the command name) with a parser prepared by the caller; handles --help.
// Returns false with a usage message in *error on unknown options.
bool parseArgs(QCommandLineParser &parser, const char *command, const QStringList &args, QString *error);

// Whether a command may create the ledger it is pointed at (import, proxy, sync) or only reads one
// that exists (report, export, simulate, label-key: a mistyped --db must not leave an empty ledger).
enum class LedgerUse { CreateIfMissing, MustExist };
// Opens the ledger named by --db (default: the app's default ledger). Errors: Io "No ledger at PATH"
// (MustExist and no such file) and those of AppContext::openCore.
Result<CoreServices> openFromDbOption(const QCommandLineParser &parser, LedgerUse use = LedgerUse::CreateIfMissing);
void addDbOption(QCommandLineParser &parser);

void out(const QString &text); // stdout, UTF-8
void err(const QString &text); // stderr, UTF-8

} // namespace tl::cli
