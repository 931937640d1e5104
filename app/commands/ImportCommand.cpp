#include "CliCommon.h"
#include "Command.h"

#include "importer/CsvImport.h"
#include "importer/Importer.h"
#include "settings/Settings.h"

using namespace Qt::StringLiterals;

namespace tl::cli {

int runImport(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    parser.addOption({u"format"_s,
                      u"csv, jsonl, openai-usage, openai-embeddings-usage, openai-costs, anthropic-usage or anthropic-cost."_s,
                      u"FORMAT"_s});
    parser.addOption({u"columns"_s,
                      u"CSV column mapping FIELD=COLUMN[,FIELD=COLUMN...]. A column whose header is a field's name "
                      u"maps that field by itself unless --columns or --set gives it. Fields: %1. Tokens are "
                      u"counted as OpenAI counts them: prompt_tokens is every input token, cached_tokens and "
                      u"the cache writes included (for Anthropic: input_tokens + cache_read_input_tokens + "
                      u"cache_creation_input_tokens); completion_tokens includes reasoning_tokens."_s
                          .arg(CsvImport::fieldNames().join(u", "_s)),
                      u"MAPPING"_s});
    parser.addOption({u"set"_s, u"A constant field for every row, FIELD=VALUE (repeatable)."_s, u"FIELD=VALUE"_s});
    parser.addOption({u"timezone"_s, u"Zone of timestamps without an offset (default UTC). A local time repeated when daylight saving time ends is read as the earlier instant, with a warning naming the row; one skipped when it starts is an error."_s, u"TZ"_s});
    parser.addPositionalArgument(u"FILE"_s, u"Files to import."_s, u"FILE..."_s);
    QString error;
    // --format is required; --columns and --set are for csv only.
    if (!parseArgs(parser, "import", args, &error,
                   u"--format FORMAT [--db PATH] [--columns MAPPING] [--set FIELD=VALUE]... [--timezone TZ] FILE..."_s))
        return failWith("import", kExitUsage, error);

    ImportOptions options;
    const auto format = importFormatFromString(parser.value(u"format"_s));
    if (!parser.isSet(u"format"_s) || !format)
        return failWith("import", kExitUsage,
                        u"--format must be one of csv, jsonl, openai-usage, openai-embeddings-usage, openai-costs, "
                        u"anthropic-usage, anthropic-cost"_s);
    options.format = *format;
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        return failWith("import", kExitUsage, u"name at least one FILE to import"_s);

    for (const QString &pair : parser.value(u"columns"_s).split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(u'=');
        if (eq <= 0)
            return failWith("import", kExitUsage, u"--columns wants FIELD=COLUMN pairs, got '%1'"_s.arg(pair));
        const QString field = pair.left(eq).trimmed();
        if (!CsvImport::fieldNames().contains(field))
            return failWith("import", kExitUsage,
                            u"--columns: unknown field '%1'; known: %2"_s.arg(field, CsvImport::fieldNames().join(u", "_s)));
        options.columns.insert(field, pair.mid(eq + 1).trimmed());
    }
    for (const QString &pair : parser.values(u"set"_s)) {
        const qsizetype eq = pair.indexOf(u'=');
        if (eq <= 0)
            return failWith("import", kExitUsage, u"--set wants FIELD=VALUE, got '%1'"_s.arg(pair));
        const QString field = pair.left(eq).trimmed();
        if (!CsvImport::fieldNames().contains(field))
            return failWith("import", kExitUsage,
                            u"--set: unknown field '%1'; known: %2"_s.arg(field, CsvImport::fieldNames().join(u", "_s)));
        options.constants.insert(field, pair.mid(eq + 1));
    }
    if (parser.isSet(u"timezone"_s)) {
        options.defaultZone = QTimeZone(parser.value(u"timezone"_s).toUtf8());
        if (!options.defaultZone.isValid())
            return failWith("import", kExitUsage, u"unknown time zone '%1'"_s.arg(parser.value(u"timezone"_s)));
    }
    if (options.format != ImportFormat::Csv && (!options.columns.isEmpty() || !options.constants.isEmpty()))
        return failWith("import", kExitUsage, u"--columns and --set apply to --format csv only"_s);

    // Every file readable and every CSV header mapped before the ledger is opened: a failed import never leaves
    // a new, empty ledger behind (session-17 trial: a missing file or a CSV without a model mapping created --db).
    // A mapping the header cannot satisfy is a usage error (exit 2, one line), as a misspelt --columns field is; a
    // file that cannot be read is a failure (exit 1; README, exit codes).
    QStringList unreadable;
    for (const QString &file : files) {
        const Result<void> checked = checkInput(file, options);
        if (checked)
            continue;
        if (checked.error().code == ErrorCode::InvalidArgument)
            return failWith("import", kExitUsage,
                            u"%1: %2 (nothing imported)"_s.arg(file, checked.error().message));
        unreadable << u"%1: %2\n"_s.arg(file, checked.error().message);
    }
    if (!unreadable.isEmpty()) {
        err(unreadable.join(QString()));
        return failWith("import", kExitFailure, u"nothing imported (the ledger was neither created nor changed)"_s);
    }

    auto core = openFromDbOption(parser);
    if (!core)
        return failWith("import", kExitFailure, core.error().message);
    Settings settings;
    options.callerSalt = settings.callerSalt(); // a key in a key id column becomes the proxy's id for it

    ImportReport total;
    int failedFiles = 0;
    bool storageFailed = false;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString &file = files.at(i);
        auto report = importFile(*core->ledger, file, options);
        if (!report) {
            err(u"%1: %2\n"_s.arg(file, report.error().message));
            ++failedFiles;
            // The ledger cannot store rows (a full disk, an I/O error): the next files would fail the same way.
            if (report.error().code == ErrorCode::Database) {
                storageFailed = true;
                if (i + 1 < files.size())
                    err(u"not imported: %1\n"_s.arg(files.mid(i + 1).join(u", "_s)));
                break;
            }
            continue;
        }
        out(u"%1: %2 read, %3 imported, %4 already in the ledger, %5 skipped, cost imported %6 (%7 nano-USD)"_s
                .arg(file)
                .arg(counted(report->rowsRead, u"row"_s, u"rows"_s))
                .arg(report->imported)
                .arg(report->duplicates)
                .arg(report->skipped)
                .arg(formatUsd(report->costImported, 2))
                .arg(report->costImported)
            + (report->unpriced ? u", %1 unpriced"_s.arg(report->unpriced) : QString()) + u'\n');
        if (report->duplicates && !options.constants.isEmpty())
            out(u"  rows already in the ledger were left as they are: a row is known by its content, so other "
                u"--set values do not import it again\n"_s);
        if (report->keysHashed)
            out(u"  %1 had an API key as their key id: stored as its salted hash (k_...), the id the proxy "
                u"gives that key, never the key\n"_s.arg(counted(report->keysHashed, u"row"_s, u"rows"_s)));
        if (report->labelsRedacted)
            out(u"  %1 had a label (endpoint, tag or task type) that looked like an API key: stored as "
                u"\"redacted\"\n"_s.arg(counted(report->labelsRedacted, u"row"_s, u"rows"_s)));
        for (const ImportRowError &e : std::as_const(report->errors))
            out(u"  skipped %1%2: %3\n"_s.arg(e.file.isEmpty() ? file : e.file,
                                              e.line > 0 ? u":"_s + QString::number(e.line) : QString(),
                                              printable(e.reason)));
        if (report->skipped > report->errors.size())
            out(u"  ... and %1 more\n"_s.arg(
                counted(report->skipped - report->errors.size(), u"skipped row"_s, u"skipped rows"_s)));
        for (const ImportRowError &w : std::as_const(report->warnings))
            out(u"  warning %1%2: %3\n"_s.arg(w.file.isEmpty() ? file : w.file,
                                               w.line > 0 ? u":"_s + QString::number(w.line) : QString(),
                                               printable(w.reason)));
        total.add(*report);
    }
    // Every row handed over was committed (or given up) before importFile returned; the flush also waits for
    // nothing else. Skipped after a storage failure: a flush waits for a commit the disk may still refuse.
    if (!storageFailed)
        core->ledger->writer().flush().waitForFinished();
    if (files.size() > 1)
        out(u"total: %1 read, %2 imported, %3 already in the ledger, %4 skipped, cost imported %5 (%6 nano-USD)\n"_s
                .arg(counted(total.rowsRead, u"row"_s, u"rows"_s))
                .arg(total.imported)
                .arg(total.duplicates)
                .arg(total.skipped)
                .arg(formatUsd(total.costImported, 2))
                .arg(total.costImported));
    return failedFiles ? kExitFailure : kExitOk;
}

} // namespace tl::cli
