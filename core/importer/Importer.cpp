#include "Importer.h"

#include "common/Logging.h"
#include "importer/CsvImport.h"
#include "importer/ImportSink.h"
#include "importer/ReportImport.h"
#include "ledger/Ledger.h"
#include "ledger/RecordCodec.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr std::array<std::pair<ImportFormat, QStringView>, 7> kFormats{{
    {ImportFormat::Csv, u"csv"},
    {ImportFormat::Jsonl, u"jsonl"},
    {ImportFormat::OpenAiUsage, u"openai-usage"},
    {ImportFormat::OpenAiEmbeddingsUsage, u"openai-embeddings-usage"},
    {ImportFormat::OpenAiCosts, u"openai-costs"},
    {ImportFormat::AnthropicUsage, u"anthropic-usage"},
    {ImportFormat::AnthropicCost, u"anthropic-cost"},
}};

Result<void> importJsonl(QFile &file, const QString &name, ImportSink &sink, ImportReport &report,
                         const std::function<bool(const ImportProgress &)> &progress)
{
    ImportProgress prog;
    prog.totalBytes = file.size();
    qint64 line = 0;
    while (!file.atEnd()) {
        QByteArray text = file.readLine(64 << 20);
        prog.bytesRead += text.size();
        ++line;
        if (line == 1 && text.startsWith("\xEF\xBB\xBF"))
            text.remove(0, 3);
        if (text.trimmed().isEmpty())
            continue;
        ++report.rowsRead;
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject()) {
            sink.rowError(name, line, QObject::tr("not a JSON object: %1").arg(err.errorString()));
            continue;
        }
        const QJsonObject object = doc.object();
        auto record = RecordCodec::fromJson(object);
        if (!record) {
            sink.rowError(name, line, record.error().message);
            continue;
        }
        record->id = 0; // ids are the ledger's own
        // A record that states its cost keeps it: the app's own export always does ("cost_status", and
        // "cost_nano" null for an unpriced call), so an export re-imports with the cost, status, price
        // entry and version it had; an unpriced call (unknown model, unknown usage) stays unpriced, never
        // $0. Re-pricing with today's book is the explicit re-price (Repricer). A row with neither
        // field is priced by the book like any new call.
        const bool priced = object.contains("cost_status"_L1) || record->cost.has_value()
            || record->priceEntry.startsWith("given:"_L1);
        if (record->sourceKey.isEmpty())
            record->sourceKey = u"jsonl:"_s
                + QString::fromLatin1(QCryptographicHash::hash(text.trimmed(), QCryptographicHash::Sha256).left(16).toHex());
        if (record->sourceRef.isEmpty())
            record->sourceRef = name + u':' + QString::number(line);
        sink.add(std::move(*record), priced);
        if (progress && report.rowsRead % 2000 == 0) {
            prog.rowsRead = report.rowsRead;
            if (!progress(prog)) {
                report.cancelled = true;
                return {};
            }
        }
    }
    if (file.error() != QFileDevice::NoError)
        return fail(ErrorCode::Io, QObject::tr("reading %1 failed: %2").arg(name, file.errorString()));
    if (report.rowsRead == 0) // as an empty CSV file
        sink.rowWarning(name, 0, QObject::tr("the file is empty: nothing to import"));
    return {};
}
// After an import's last commit: its pages are folded into the ledger file and the write-ahead log is cut to
// zero bytes (PRAGMA wal_checkpoint(TRUNCATE)) on the writer's thread, between its batches. The writer checkpoints
// by itself only at 32 MiB of log (LedgerWriter, kWalAutocheckpointPages) and SQLite never shrinks the log file while
// another connection (the app, a proxy) holds the ledger: a session-17 trial saw a 15 MB ledger keep a 30 MB -wal
// after an import. Never waits: with a busy timeout of 0, a reader still in the log makes it a PASSIVE checkpoint
// (as many pages as no reader needs), and the log is cut by a later one.
void checkpointAfterImport(Ledger &ledger)
{
    ledger.writer()
        .runExclusive([](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.exec(u"PRAGMA busy_timeout = 0"_s);
            if (!q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s))
                qCInfo(lcImport) << "checkpoint after the import:" << q.lastError().text();
            else if (q.next() && q.value(0).toInt() != 0)
                qCInfo(lcImport) << "checkpoint after the import: a reader is in the log; log pages"
                                 << q.value(1).toInt() << "checkpointed" << q.value(2).toInt();
            q.finish();
            q.exec(u"PRAGMA busy_timeout = 5000"_s); // Database::open's
        })
        .waitForFinished();
}

} // namespace

QString toString(ImportFormat f)
{
    for (const auto &[format, name] : kFormats) {
        if (format == f)
            return name.toString();
    }
    return {};
}

std::optional<ImportFormat> importFormatFromString(QStringView text)
{
    for (const auto &[format, name] : kFormats) {
        if (name == text)
            return format;
    }
    return std::nullopt;
}

Result<void> checkInput(const QString &path, const ImportOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QObject::tr("Cannot open %1: %2").arg(path, file.errorString()));
    if (options.format == ImportFormat::Csv)
        return CsvImport::checkHeader(file, QFileInfo(path).fileName(), options);
    return {};
}

Result<ImportReport> importFile(Ledger &ledger, const QString &path, const ImportOptions &options,
                                const std::function<bool(const ImportProgress &)> &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QObject::tr("Cannot open %1: %2").arg(path, file.errorString()));
    const QString name = QFileInfo(path).fileName();
    ImportReport report;
    ImportSink sink(ledger.writer(), ledger.pricer(), report, options.callerSalt);
    Result<void> result;
    switch (options.format) {
    case ImportFormat::Csv:
        result = CsvImport::run(file, name, options, sink, report, progress);
        break;
    case ImportFormat::Jsonl:
        result = importJsonl(file, name, sink, report, progress);
        break;
    default: {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
        if (err.error != QJsonParseError::NoError)
            return fail(ErrorCode::Parse, QObject::tr("%1 is not valid JSON: %2 (at byte %3)")
                                              .arg(name, err.errorString())
                                              .arg(err.offset));
        result = ReportImport::run(doc, options.format, name, sink, report);
        break;
    }
    }
    const Result<void> stored = sink.finish();
    if (!result)
        return std::unexpected(result.error());
    if (!stored) {
        qCWarning(lcImport) << "import of" << name << "stopped:" << report.writeError << "stored"
                            << report.imported + report.duplicates << "not stored" << report.notStored;
        return fail(ErrorCode::Database, QObject::tr("Importing %1 stopped: %2").arg(name, stored.error().message));
    }
    if (report.imported > 0)
        checkpointAfterImport(ledger);
    qCInfo(lcImport) << "imported" << name << "rows" << report.rowsRead << "new" << report.imported << "duplicates"
                     << report.duplicates << "skipped" << report.skipped;
    return report;
}

} // namespace tl
