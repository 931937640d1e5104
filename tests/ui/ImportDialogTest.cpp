// The Import dialog on a small CSV with real-world quirks, run through the real importer into a real
// temporary ledger: mapping, constants, progress, summary (imported, duplicates, skipped with reasons).
#include "ScriptedPrompter.h"
#include "TestSupport.h"
#include "UiTestData.h"
#include "dialogs/ImportDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class ImportDialogTest : public QObject
{
    Q_OBJECT

private:
    static QString writeCsv(const QString &dir)
    {
        const QString path = dir + u"/trace.csv"_s;
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write the test CSV");
        // BOM, CRLF, 7 fractional digits, one bad row, no final newline (as the Azure trace).
        f.write("\xEF\xBB\xBFTIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                "2023-11-16 18:15:46.6805900,374,44\r\n"
                "2023-11-16 18:15:50.9951690,396,109\r\n"
                "2023-11-16 18:15:51.0000000,not-a-number,5\r\n"
                "2023-11-16 18:16:02.1234567,1000,200");
        return path;
    }

private Q_SLOTS:
    void importsASmallCsvWithTheMapping()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        const QString csv = writeCsv(t.dir.path());
        ImportDialog dialog(*t.ledger, prompter);
        dialog.show();

        // Browse goes through the file-picker seam; the header is read and the mapping guessed.
        prompter.fileAnswers.push_back(csv);
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"importBrowse"_s), Qt::LeftButton);
        QCOMPARE(dialog.findChild<QLineEdit *>(u"importFile"_s)->text(), csv);
        QVERIFY(dialog.findChild<QGroupBox *>(u"importCsvGroup"_s)->isVisible());
        QCOMPARE(dialog.findChild<QComboBox *>(u"importColumn_started_at"_s)->currentData().toString(), u"TIMESTAMP"_s);
        QCOMPARE(dialog.findChild<QComboBox *>(u"importColumn_prompt_tokens"_s)->currentData().toString(),
                 u"ContextTokens"_s);
        QCOMPARE(dialog.findChild<QComboBox *>(u"importColumn_completion_tokens"_s)->currentData().toString(),
                 u"GeneratedTokens"_s);
        QTest::keyClicks(dialog.findChild<QLineEdit *>(u"importConstEndpoint"_s), u"chat"_s);
        QTest::keyClicks(dialog.findChild<QLineEdit *>(u"importConstModel"_s), u"gpt-4o-2024-08-06"_s);
        QTest::keyClicks(dialog.findChild<QLineEdit *>(u"importConstProvider"_s), u"openai"_s);
        const ImportOptions options = dialog.options();
        QCOMPARE(options.constants.value(u"endpoint"_s), u"chat"_s);
        QCOMPARE(options.columns.value(u"started_at"_s), u"TIMESTAMP"_s);

        QSignalSpy finished(&dialog, &ImportDialog::importFinished);
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"importStart"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        const ImportReport report = *dialog.report();
        QCOMPARE(report.rowsRead, 4);
        QCOMPARE(report.imported, 3);
        QCOMPARE(report.skipped, 1);
        QCOMPARE(report.errors.size(), 1);
        QCOMPARE(report.errors.first().line, 4);
        // (374+396+1000) x $2.50 + (44+109+200) x $10.00, per MTok = $0.004425 + $0.00353 = $0.007955
        QCOMPARE(report.costImported, 7'955'000LL);
        const QString summary = dialog.findChild<QPlainTextEdit *>(u"importSummary"_s)->toPlainText();
        QVERIFY2(summary.contains(u"Imported: 3"_s), qPrintable(summary));
        QVERIFY(summary.contains(u"Skipped: 1"_s));
        QVERIFY(summary.contains(u"trace.csv, line 4"_s));
        // A sub-cent amount keeps two significant digits (formatUsd, session 8): $0.007955 is "$0.008", not "$0.01".
        QVERIFY2(summary.contains(u"Cost imported: $0.008\n"_s), qPrintable(summary));

        // The records are in the ledger.
        t.ledger->writer().flush().waitForFinished();
        BreakdownQuery q;
        q.toUs = std::numeric_limits<qint64>::max();
        const auto b = t.ledger->breakdown(q).result();
        QVERIFY(b.has_value());
        QCOMPARE(b->totals.calls, 3);
        QCOMPARE(b->totals.cost, 7'955'000LL);

        // Importing the same file again adds nothing.
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"importStart"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        QCOMPARE(dialog.report()->imported, 0);
        QCOMPARE(dialog.report()->duplicates, 3);
    }

    void aMissingFileIsReportedNotImported()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        ImportDialog dialog(*t.ledger, prompter);
        dialog.setFile(t.dir.filePath(u"nope.csv"_s));
        QSignalSpy finished(&dialog, &ImportDialog::importFinished);
        dialog.start();
        QVERIFY(!dialog.isRunning());
        QCOMPARE(finished.count(), 0);
        QVERIFY(dialog.findChild<QLabel *>(u"importStatus"_s)->text().contains(u"nope.csv"_s));
    }

    void aMappingThatNamesAMissingColumnFailsWithAReason()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        ImportDialog dialog(*t.ledger, prompter);
        dialog.setFile(writeCsv(t.dir.path()));
        dialog.setColumn(u"cost_usd"_s, u"NoSuchColumn"_s);
        dialog.setConstant(u"model"_s, u"gpt-4o"_s);
        QSignalSpy failed(&dialog, &ImportDialog::importFailed);
        dialog.start();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        QVERIFY2(failed.first().first().toString().contains(u"NoSuchColumn"_s), qPrintable(failed.first().first().toString()));
    }

    // Cancel (the dialog's Close button while an import runs) stops the import; the rows imported before
    // the cancel stay, exactly as the report says, and importing the file again adds only the rest.
    void cancelStopsTheImportAndKeepsWhatWasRead()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        const QString path = t.dir.filePath(u"big.csv"_s);
        constexpr int kRows = 150'000;
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
            text.reserve(kRows * 40);
            for (int i = 0; i < kRows; ++i)
                text += "2023-11-16 18:" + QByteArray::number(10 + i / 60'000 % 40) + ':'
                        + QByteArray::number(10 + i / 1000 % 50) + '.' + QByteArray::number(1'000'000 + i) + ','
                        + QByteArray::number(100 + i % 900) + ",20\n";
            f.write(text);
        }
        ImportDialog dialog(*t.ledger, prompter);
        dialog.show();
        dialog.setFile(path);
        dialog.setColumn(u"started_at"_s, u"TIMESTAMP"_s);
        dialog.setColumn(u"prompt_tokens"_s, u"ContextTokens"_s);
        dialog.setColumn(u"completion_tokens"_s, u"GeneratedTokens"_s);
        dialog.setConstant(u"endpoint"_s, u"chat"_s);
        dialog.setConstant(u"model"_s, u"gpt-4o-2024-08-06"_s);
        QSignalSpy finished(&dialog, &ImportDialog::importFinished);
        dialog.start();
        QVERIFY(dialog.isRunning());
        auto *cancel = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Close);
        QCOMPARE(cancel->text(), u"Cancel"_s);
        auto *status = dialog.findChild<QLabel *>(u"importStatus"_s);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"rows read"_s) && !status->text().contains(u" 0 rows"_s), 20000);
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(dialog.isVisible()); // the dialog stays to show what was kept
        const ImportReport first = *dialog.report();
        QVERIFY2(first.cancelled, "the import ended before the cancel reached it");
        QVERIFY(first.imported > 0);
        QVERIFY(first.imported < kRows);
        QVERIFY(status->text().contains(u"cancelled"_s));
        QCOMPARE(cancel->text(), u"Close"_s);

        t.ledger->writer().flush().waitForFinished();
        BreakdownQuery q;
        q.toUs = std::numeric_limits<qint64>::max();
        QCOMPARE(t.ledger->breakdown(q).result()->totals.calls, first.imported);

        // Again: the kept rows are duplicates, the rest is imported; nothing is lost or doubled.
        dialog.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        const ImportReport second = *dialog.report();
        QVERIFY(!second.cancelled);
        QCOMPARE(second.duplicates, first.imported);
        QCOMPARE(second.imported + second.duplicates, qint64(kRows));
        t.ledger->writer().flush().waitForFinished();
        QCOMPARE(t.ledger->breakdown(q).result()->totals.calls, qint64(kRows));
    }
};

} // namespace tl

QTEST_MAIN(tl::ImportDialogTest)
#include "ImportDialogTest.moc"
