#include "CliCommon.h"
#include "Command.h"

#include "common/CsvCell.h"
#include "common/PrivateFile.h"
#include "ledger/Ledger.h"
#include "ledger/RecordCodec.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace tl::cli {

namespace {
// Every field quoted (RFC 4180); formula-looking cells neutralised (CsvCell, OWASP "CSV Injection").
QByteArray csvLine(const QStringList &fields)
{
    return CsvCell::line(fields, true) + '\n';
}
} // namespace

int runExport(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    addRangeOptions(parser);
    parser.addOption({u"format"_s, u"jsonl (the app's record format, re-importable) or csv."_s, u"FORMAT"_s});
    parser.addOption({u"out"_s, u"Output file ('-' for standard output)."_s, u"FILE"_s});
    QString error;
    if (!parseArgs(parser, "export", args, &error))
        return failWith("export", kExitUsage, error);
    if (!parser.positionalArguments().isEmpty())
        return failWith("export", kExitUsage, u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));
    const QString format = parser.value(u"format"_s);
    if (format != "jsonl"_L1 && format != "csv"_L1)
        return failWith("export", kExitUsage, u"--format must be jsonl or csv"_s);
    if (!parser.isSet(u"out"_s))
        return failWith("export", kExitUsage, u"--out FILE is required"_s);
    const auto range = parseRange(parser, &error);
    if (!range)
        return failWith("export", kExitUsage, error);

    auto core = openFromDbOption(parser, LedgerUse::ReadOnly);
    if (!core)
        return failWith("export", kExitFailure, core.error().message);

    // Write to a temporary file and rename at the end, so a failure (disk full) never leaves a
    // truncated export that looks complete.
    const QString outPath = parser.value(u"out"_s);
    QSaveFile saveFile(outPath);
    QFile stdoutFile;
    QIODevice *device = nullptr;
    if (outPath == "-"_L1) {
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly))
            return failWith("export", kExitFailure, u"cannot write to standard output"_s);
        device = &stdoutFile;
    } else {
        const bool existed = QFileInfo::exists(outPath);
        if (!saveFile.open(QIODevice::WriteOnly))
            return failWith("export", kExitFailure, u"cannot write %1: %2"_s.arg(outPath, saveFile.errorString()));
        // The export carries the ledger's records (and embeddings): a new file is its owner's only (0600), as the
        // ledger is; a file written over keeps the permissions its owner gave it (QSaveFile copies them).
        if (!existed && !restrictToOwner(saveFile))
            return failWith("export", kExitFailure,
                            u"cannot make %1 private to its owner: %2"_s.arg(outPath, saveFile.errorString()));
        device = &saveFile;
    }
    if (format == "csv"_L1)
        device->write(csvLine(RecordCodec::csvHeader()));
    bool writeError = false;
    auto count = core->ledger
                     ->read<Result<qint64>>([&](QSqlDatabase &db) {
                         return LedgerQueries::forEachRecord(db, range->fromUs, range->toUs, [&](const CallRecord &r) {
                             const QByteArray line = format == "csv"_L1
                                 ? csvLine(RecordCodec::csvRow(r))
                                 : QJsonDocument(RecordCodec::toJson(r)).toJson(QJsonDocument::Compact) + '\n';
                             if (device->write(line) != line.size()) {
                                 writeError = true;
                                 return false;
                             }
                             return true;
                         });
                     })
                     .result();
    if (!count)
        return failWith("export", kExitFailure, count.error().message);
    if (writeError || (device == &saveFile && !saveFile.commit()))
        return failWith("export", kExitFailure,
                        u"writing %1 failed (%2); nothing was exported"_s.arg(outPath, device->errorString()));
    err(u"exported %1 to %2\n"_s.arg(counted(*count, u"record"_s, u"records"_s), outPath));
    return kExitOk;
}

} // namespace tl::cli
