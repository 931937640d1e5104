#include "BatchHarness.h"

#include "batch/BatchJobModel.h"
#include "batch/BatchPage.h"
#include "batch/BatchService.h"
#include "common/Prompter.h"
#include "settings/Settings.h"
#include "teamspend/AdminSync.h"
#include "teamspend/ReconciliationModel.h"
#include "teamspend/ReconciliationPage.h"
#include "teamspend/SyncScheduler.h"
#include "tokenizer/Tokenizers.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateEdit>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace std::chrono_literals;

namespace {

// The loopback Admin API serves one page of OpenAI usage and one of costs (fixtures f1, f2); the sync
// config points both providers at it, with fast retries and a first sync reaching back ten years.
AdminSyncConfig serveOpenAiReports(test::BatchHarness &h)
{
    h.server.reportPages[u"/v1/organization/usage/completions"_s] = {
        QJsonDocument::fromJson(test::readFile(test::providerFixture(u"f1-openai-admin-usage-completions.json"_s))).object()};
    h.server.reportPages[u"/v1/organization/costs"_s] = {
        QJsonDocument::fromJson(test::readFile(test::providerFixture(u"f2-openai-admin-costs.json"_s))).object()};
    AdminSyncConfig c;
    c.openAiBaseUrl = QUrl(h.server.base());
    c.anthropicBaseUrl = QUrl(h.server.base());
    c.sleeper = h.sleeper();
    c.retry = h.fastRetry(2);
    c.firstSyncDays = 3650;
    return c;
}

// The Team spend page as the app wires it: a sync against the loopback reports, the scheduler, the page.
struct ReconciliationSetup
{
    explicit ReconciliationSetup(test::BatchHarness &h)
        : sync(*h.ledger, h.secrets, h.network, serveOpenAiReports(h))
        , settings(h.dir.filePath(QStringLiteral("settings.ini")))
        , scheduler(sync, settings)
        , page(*h.ledger, scheduler)
    {
    }
    AdminSync sync;
    Settings settings;
    SyncScheduler scheduler;
    ReconciliationPage page;
};

class ScriptedPrompter final : public Prompter
{
public:
    QString openPath, savePath;
    QString openFileName(QWidget *, const QString &, const QString &) override { return openPath; }
    QString saveFileName(QWidget *, const QString &, const QString &, const QString &) override { return savePath; }
};

const QByteArray kArticles = "id,text\na1,New GPU software stack\na2,Launch of a new product tier\na3,Market demand grew\n";
} // namespace

// The Batch and Team spend pages as real widgets (offscreen), driven through their objectNames,
// against the loopback provider server. Screenshots go to $TOKENLEDGER_SCREENSHOT_DIR when set.
class PagesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void batchPageEstimatesSubmitsAndSaves()
    {
        test::BatchHarness h;
        h.secrets.write(u"provider/openai"_s, "sk-test-page");
        BatchServiceConfig c;
        c.openAiBaseUrl = QUrl(h.server.base());
        c.pollInitial = 1ms;
        c.sleeper = h.sleeper();
        BatchService service(*h.ledger, h.secrets, h.network, c);
        auto prompter = std::make_shared<ScriptedPrompter>();
        const QString csvPath = h.dir.filePath(u"articles.csv"_s);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write(kArticles);
        csv.close();
        prompter->openPath = csvPath;
        prompter->savePath = h.dir.filePath(u"results.csv"_s);

        BatchPage page(service, *h.ledger, std::make_shared<tokenizer::Tokenizers>(), prompter);
        page.resize(900, 700);
        page.show();
        auto *model = page.findChild<QTableView *>(u"batchJobs"_s)->model();
        QAbstractItemModelTester tester(model);
        // No job yet: the empty state explains what to do; the job actions wait for a selected job.
        QVERIFY(page.findChild<QLabel *>(u"batchJobsEmpty"_s)->isVisible());
        QVERIFY(!page.findChild<QTableView *>(u"batchJobs"_s)->isVisible());
        QVERIFY(!page.findChild<QPushButton *>(u"batchCancel"_s)->isEnabled());
        QVERIFY(!page.findChild<QPushButton *>(u"batchSaveResults"_s)->isEnabled());
        page.findChild<QPushButton *>(u"batchBrowse"_s)->click();
        QCOMPARE(page.findChild<QLineEdit *>(u"batchInputFile"_s)->text(), csvPath);
        page.findChild<QLineEdit *>(u"batchEndpoint"_s)->setText(u"classifier"_s);
        auto *submit = page.findChild<QPushButton *>(u"batchSubmit"_s);
        QVERIFY(!submit->isEnabled());
        page.findChild<QPushButton *>(u"batchEstimate"_s)->click();
        const QString estimate = page.findChild<QLabel *>(u"batchEstimateText"_s)->text();
        QVERIFY2(estimate.startsWith("3 request(s)"_L1) && estimate.contains("with the Batch API"_L1), qPrintable(estimate));
        QVERIFY(submit->isEnabled());
        submit->click();
        auto *status = page.findChild<QLabel *>(u"batchStatus"_s);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().endsWith(": completed."_L1), 10000);
        QCOMPARE(model->rowCount(), 1);
        QVERIFY(model->index(0, BatchJobModel::Status).data().toString().contains("recorded"_L1));
        QCOMPARE(model->index(0, BatchJobModel::Progress).data().toString(), u"3 / 3"_s);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE batch = 1"_s).toLongLong(), 3);

        QVERIFY(!page.findChild<QLabel *>(u"batchJobsEmpty"_s)->isVisible());
        QVERIFY(page.findChild<QTableView *>(u"batchJobs"_s)->isVisible());
        page.findChild<QTableView *>(u"batchJobs"_s)->selectRow(0);
        QVERIFY(page.findChild<QPushButton *>(u"batchSaveResults"_s)->isEnabled());
        page.findChild<QPushButton *>(u"batchSaveResults"_s)->click();
        QTRY_VERIFY(status->text().contains("saved"_L1));
        QFile saved(prompter->savePath);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll().count("\r\n"), 4);
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            page.grab().save(dir + u"/batch-page.png"_s);
    }

    void reconciliationPageShowsRowsAndKeepsKeysOut()
    {
        test::BatchHarness h;
        ReconciliationSetup setup(h);
        Settings &settings = setup.settings;
        SyncScheduler &scheduler = setup.scheduler;
        ReconciliationPage &page = setup.page;
        page.resize(1100, 500);
        page.show();
        auto *key = page.findChild<QLineEdit *>(u"openAiAdminKey"_s);
        QCOMPARE(key->echoMode(), QLineEdit::Password);
        key->setText(u"sk-admin-page-test"_s);
        page.findChild<QPushButton *>(u"openAiAdminKeySave"_s)->click();
        QTRY_COMPARE(h.secrets.entries().value(u"admin/openai"_s), QByteArray("sk-admin-page-test"));
        QVERIFY(key->text().isEmpty());
        auto *syncButton = page.findChild<QPushButton *>(u"teamSpendSync"_s);
        syncButton->click();
        QVERIFY(!syncButton->isEnabled()); // one sync at a time
        auto *status = page.findChild<QLabel *>(u"teamSpendStatus"_s);
        QTRY_VERIFY_WITH_TIMEOUT(syncButton->isEnabled(), 10000);
        QVERIFY2(status->text().contains("openai-usage: 1 page(s), 2 record(s) added"_L1), qPrintable(status->text()));
        // Only the providers whose admin key is stored are synced: no Anthropic key, no Anthropic request.
        QVERIFY2(!status->text().contains("anthropic"_L1), qPrintable(status->text()));
        QCOMPARE(h.server.count("GET", u"/v1/organizations/"_s), 0);
        QVERIFY(scheduler.lastSyncUs() > 0);

        // The schedule: off by default; choosing "Every 6 hours" persists it and shows the next sync.
        auto *interval = page.findChild<QComboBox *>(u"teamSpendInterval"_s);
        QCOMPARE(interval->currentData().toInt(), 0);
        auto *schedule = page.findChild<QLabel *>(u"teamSpendSchedule"_s);
        QVERIFY(!schedule->text().contains("Next"_L1));
        interval->setFocus();
        QTest::keyClick(interval, Qt::Key_Down);
        QTest::keyClick(interval, Qt::Key_Down);
        QCOMPARE(interval->currentData().toInt(), 6);
        QCOMPARE(settings.value(QString::fromLatin1(SyncScheduler::intervalKey)).toInt(), 6);
        QVERIFY2(schedule->text().contains("Next:"_L1), qPrintable(schedule->text()));
        QVERIFY(!status->text().contains("sk-admin"_L1));
        // The fixtures are dated 2025-11-28: widen the range to them.
        page.findChild<QDateEdit *>(u"reconcileFrom"_s)->setDate(QDate(2025, 11, 27));
        auto *model = page.findChild<QTableView *>(u"reconciliationTable"_s)->model();
        QAbstractItemModelTester tester(model);
        QTRY_COMPARE(model->rowCount(), 2);
        QTRY_VERIFY(page.findChild<QLabel *>(u"reconciliationTotals"_s)->text().startsWith("Billed $5.76"_L1));
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            page.grab().save(dir + u"/reconciliation-page.png"_s);
    }

    // Session-17 look-over: with proxy calls and nothing ever synced, every Billed cell showed the recorded cost
    // ("$0.01 *") and the totals "Billed $0.02, ... difference $0.00", which reads as "the provider billed it and
    // it matches"; and a long totals line set the page's minimum width (1,448 px). Now "no report", a totals line
    // that says to sync, and a page that fits 900 px.
    void reconciliationWithoutProviderReportsSaysSo()
    {
        test::BatchHarness h;
        const qint64 now = QDateTime::currentMSecsSinceEpoch() * 1000;
        QList<CallRecord> records;
        for (const QString &model : {u"gpt-4o-2024-08-06"_s, u"acme-private-llm"_s}) {
            CallRecord r = test::makeRecord(now - 3'600'000'000LL, u"chat"_s, u"openai"_s, model, 1000, 100);
            r.sourceKind = SourceKind::Proxy;
            h.ledger->pricer()->apply(r);
            records << r;
        }
        h.ledger->writer().submitBatch(records).waitForFinished();
        ReconciliationSetup setup(h);
        ReconciliationPage &page = setup.page;
        page.resize(900, 600);
        page.show();
        auto *model = page.findChild<QTableView *>(u"reconciliationTable"_s)->model();
        QTRY_COMPARE(model->rowCount(), 2);
        for (int row = 0; row < 2; ++row) {
            const QString billed = model->index(row, ReconciliationModel::Billed).data().toString();
            QVERIFY2(billed == u"no report"_s || billed == u"unpriced"_s, qPrintable(billed));
        }
        auto *totals = page.findChild<QLabel *>(u"reconciliationTotals"_s);
        QTRY_VERIFY2(totals->text().startsWith("No provider report in this range: sync to compare"_L1), qPrintable(totals->text()));
        QVERIFY2(page.minimumSizeHint().width() <= 900, qPrintable(QString::number(page.minimumSizeHint().width())));
        QVERIFY2(page.width() <= 900, qPrintable(QString::number(page.width())));
        // The range reads as the table's days do (ISO), not "11/1/26".
        const QString from = page.findChild<QDateEdit *>(u"reconcileFrom"_s)->text();
        QVERIFY2(QDate::fromString(from, Qt::ISODate).isValid(), qPrintable(from));
    }

    void reconciliationPageEmptyStateSaysHowToGetDataIn()
    {
        test::BatchHarness h;
        ReconciliationSetup setup(h);
        ReconciliationPage &page = setup.page;
        page.resize(1100, 620);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // An empty ledger: no table, but what to do.
        QTRY_VERIFY(page.isShowingEmptyState());
        QVERIFY(!page.findChild<QTableView *>(u"reconciliationTable"_s)->isVisible());
        auto *title = page.findChild<QLabel *>(u"reconciliationEmptyTitle"_s);
        QVERIFY(title->isVisible());
        // The page starts on the empty state until its first query answers; the title is set by that answer.
        QTRY_VERIFY2(title->text().startsWith("Nothing to reconcile from"_L1), qPrintable(title->text()));
        const QString text = page.findChild<QLabel *>(u"reconciliationEmptyText"_s)->text();
        for (const auto words : {"admin key"_L1, "Save key"_L1, "Sync now"_L1, "keychain only"_L1, "tokenledger sync"_L1})
            QVERIFY2(text.contains(words), qPrintable(words.toString()));
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            page.grab().save(dir + u"/reconciliation-empty.png"_s);

        // "Enter an admin key" puts the cursor in the key field; its "Sync now" syncs.
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        page.findChild<QPushButton *>(u"reconciliationEmptyEnterKey"_s)->click();
        auto *key = page.findChild<QLineEdit *>(u"openAiAdminKey"_s);
        QTRY_VERIFY(key->hasFocus());
        key->setText(u"sk-admin-empty-state"_s);
        page.findChild<QPushButton *>(u"openAiAdminKeySave"_s)->click();
        QTRY_COMPARE(h.secrets.entries().value(u"admin/openai"_s), QByteArray("sk-admin-empty-state"));
        auto *emptySync = page.findChild<QPushButton *>(u"reconciliationEmptySync"_s);
        emptySync->click();
        QVERIFY(!emptySync->isEnabled()); // one sync at a time, like the bar's button
        QTRY_VERIFY_WITH_TIMEOUT(emptySync->isEnabled(), 10000);
        QCOMPARE(h.server.count("GET", u"/v1/organization/usage/completions"_s), 1);
        // The fixtures are dated 2025-11-28: in range, the table replaces the empty state.
        page.findChild<QDateEdit *>(u"reconcileFrom"_s)->setDate(QDate(2025, 11, 27));
        QTRY_VERIFY(!page.isShowingEmptyState());
        QVERIFY(page.findChild<QTableView *>(u"reconciliationTable"_s)->isVisible());
        QCOMPARE(page.findChild<QTableView *>(u"reconciliationTable"_s)->model()->rowCount(), 2);
    }

    void reconciliationPageShowsEmbeddingsNextToCompletions()
    {
        test::BatchHarness h;
        // Embeddings usage of three days (tests/fixtures/teamspend), two pages, next to fixture f1's completions.
        QList<QJsonObject> pages;
        for (const QJsonValue &v :
             QJsonDocument::fromJson(test::readFile(test::fixture(u"teamspend/openai-admin-usage-embeddings.json"_s))).array())
            pages.append(v.toObject());
        h.server.reportPages[u"/v1/organization/usage/embeddings"_s] = pages;
        ReconciliationSetup setup(h);
        ReconciliationPage &page = setup.page;
        page.resize(1280, 620);
        page.show();
        h.secrets.write(u"admin/openai"_s, "sk-admin-embeddings-page");
        auto *syncButton = page.findChild<QPushButton *>(u"teamSpendSync"_s);
        syncButton->click();
        QVERIFY(!syncButton->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(syncButton->isEnabled(), 10000);
        auto *status = page.findChild<QLabel *>(u"teamSpendStatus"_s);
        QVERIFY2(status->text().contains("openai-embeddings-usage: 2 page(s), 6 record(s) added"_L1), qPrintable(status->text()));
        page.findChild<QDateEdit *>(u"reconcileFrom"_s)->setDate(QDate(2025, 11, 27));
        page.findChild<QDateEdit *>(u"reconcileTo"_s)->setDate(QDate(2025, 11, 30));
        auto *view = page.findChild<QTableView *>(u"reconciliationTable"_s);
        QAbstractItemModel *model = view->model();
        QAbstractItemModelTester tester(model);
        // f1: gpt-4o and gpt-4o-mini on the 28th; embeddings: six (day, model) pairs over the 28th to the 30th.
        QTRY_COMPARE(model->rowCount(), 8);
        QHash<QString, int> rowOf;
        for (int r = 0; r < model->rowCount(); ++r)
            rowOf.insert(model->index(r, ReconciliationModel::Day).data().toString() + u' '
                             + model->index(r, ReconciliationModel::Model).data().toString(),
                         r);
        auto cell = [&](const QString &key, int column) { return model->index(rowOf.value(key, -1), column).data().toString(); };
        QCOMPARE(cell(u"2025-11-28 text-embedding-3-small"_s, ReconciliationModel::Billed), u"$0.084 *"_s);
        QCOMPARE(cell(u"2025-11-28 text-embedding-3-large"_s, ReconciliationModel::OutsideProxy), u"$0.085"_s);
        QCOMPARE(cell(u"2025-11-29 text-embedding-ada-002"_s, ReconciliationModel::Billed), u"$0.012 *"_s);
        // A model the price book does not know: unpriced, never $0.
        QCOMPARE(cell(u"2025-11-30 text-embedding-synth-preview"_s, ReconciliationModel::Billed), u"unpriced"_s);
        for (const int column : {ReconciliationModel::Difference, ReconciliationModel::Percent, ReconciliationModel::OutsideProxy,
                                 ReconciliationModel::PriceDifference, ReconciliationModel::Unpriced})
            QCOMPARE(cell(u"2025-11-30 text-embedding-synth-preview"_s, column), u"–"_s);
        QCOMPARE(cell(u"2025-11-30 text-embedding-3-small"_s, ReconciliationModel::Difference), u"$0.03"_s);
        // Costs f2 ($5.725 for gpt-4o) + gpt-4o-mini from usage ($0.0393) + embeddings ($0.2885) = $6.0528.
        QTRY_VERIFY2(page.findChild<QLabel *>(u"reconciliationTotals"_s)->text().startsWith("Billed $6.05,"_L1),
                     qPrintable(page.findChild<QLabel *>(u"reconciliationTotals"_s)->text()));
        // The unknown model's row is counted, not summed as $0.
        QVERIFY2(page.findChild<QLabel *>(u"reconciliationTotals"_s)->text().endsWith(
                     " 1 row(s) with an unknown billed amount (a model the price book does not know) are not in these totals."_L1),
                 qPrintable(page.findChild<QLabel *>(u"reconciliationTotals"_s)->text()));
        QVERIFY(!status->text().contains("sk-admin"_L1));
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            page.grab().save(dir + u"/reconciliation-embeddings.png"_s);
    }
};

QTEST_MAIN(PagesTest)
#include "PagesTest.moc"
