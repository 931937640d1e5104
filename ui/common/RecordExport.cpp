#include "RecordExport.h"

#include "common/CsvText.h"
#include "common/PrivateFile.h"
#include "ledger/Ledger.h"
#include "ledger/RecordCodec.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace tl {

QFuture<Result<qint64>> exportRecords(Ledger &ledger, const QString &path, ExportFormat format, qint64 fromUs,
                                      qint64 toUs)
{
    return ledger.read<Result<qint64>>([path, format, fromUs, toUs](QSqlDatabase &db) -> Result<qint64> {
        auto ioError = [&path](const QString &reason) {
            return fail(ErrorCode::Io,
                        QCoreApplication::translate("tl::RecordExport", "Cannot write %1: %2").arg(path, reason));
        };
        const bool existed = QFileInfo::exists(path);
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return ioError(file.errorString());
        // The ledger's records (and embeddings): a new file is its owner's only (0600), as the ledger and the
        // `export` command's are; a file written over keeps the permissions its owner gave it.
        if (!existed && !restrictToOwner(file))
            return ioError(file.errorString());
        if (format == ExportFormat::Csv)
            file.write((CsvText::line(RecordCodec::csvHeader()) + QLatin1String("\r\n")).toUtf8());
        qint64 written = 0;
        auto streamed = LedgerQueries::forEachRecord(db, fromUs, toUs, [&](const CallRecord &r) {
            if (format == ExportFormat::Jsonl) {
                file.write(QJsonDocument(RecordCodec::toJson(r)).toJson(QJsonDocument::Compact));
                file.write("\n");
            } else {
                file.write((CsvText::line(RecordCodec::csvRow(r)) + QLatin1String("\r\n")).toUtf8());
            }
            ++written;
            return file.error() == QFileDevice::NoError;
        });
        if (!streamed) {
            file.cancelWriting();
            return std::unexpected(streamed.error());
        }
        if (!file.commit())
            return ioError(file.errorString());
        return written;
    });
}

} // namespace tl
