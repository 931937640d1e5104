#include "BatchHarness.h"

#include "batch/BatchBuilder.h"
#include "batch/BatchService.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QCoroTask>
#include <QJsonArray>
#include <QRegularExpression>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace std::chrono_literals;

namespace {

const QByteArray kOpenAiKey = "sk-test-batch-0123456789";
const QByteArray kAnthropicKey = "sk-ant-test-batch-0123456789";

BatchServiceConfig configFor(test::BatchHarness &h)
{
    BatchServiceConfig c;
    c.openAiBaseUrl = QUrl(h.server.base());
    c.anthropicBaseUrl = QUrl(h.server.base());
    c.pollInitial = 1000ms;
    c.pollMax = 4000ms;
    c.retry = h.fastRetry();
    c.sleeper = h.sleeper();
    c.nowUs = [] { return test::usFromIso(u"2026-11-28T12:00:00Z"_s); };
    return c;
}

void storeKeys(test::BatchHarness &h)
{
    h.secrets.write(u"provider/openai"_s, kOpenAiKey);
    h.secrets.write(u"provider/anthropic"_s, kAnthropicKey);
}

template<typename T>
T await(QCoro::Task<T> &&task)
{
    return QCoro::waitFor(std::move(task));
}

// The articles of the seed design's classification example, with the quirks a real export has.
const QByteArray kArticles =
    "id,title,text\r\n"
    "a1,New GPU cluster,\"Our engineers rolled out a new GPU cluster and a faster software stack, cutting training time in half.\"\r\n"
    "a2,Launch of Ledger Pro,\"We launched Ledger Pro, a new product tier with team budgets, alerts and SSO.\"\r\n"
    "a3,Q3 demand,\"Market demand for AI tooling grew 40% in Q3; competitors raised prices, and the market, \"\"analysts\"\" say, is consolidating.\"\r\n"
    "a4,Office picnic,\"The office picnic\nmoved to Friday.\"\r\n"
    "a5,Compiler deep dive,\"" + QByteArray(600, 'x') + " software tail beyond 500 characters\"\r\n"
    "a6,Pricing page,\"The product pricing page now shows annual plans.\"\r\n";

QString classify(const QString &text)
{
    const QString t = text.toLower();
    if (t.contains("software"_L1) || t.contains("gpu"_L1))
        return u"technology"_s;
    if (t.contains("market"_L1))
        return u"market"_s;
    if (t.contains("product"_L1))
        return u"product"_s;
    return u"other"_s;
}

} // namespace

class BatchTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Session-16 audit: an Anthropic results line without usage was priced as an exact $0; an OpenAI line without
    // usage was already unknown (unpriced).
    void resultLineWithoutUsageIsUnknown()
    {
        BatchJob job;
        job.model = u"claude-sonnet-4-5"_s;
        const QJsonObject anthropic = QJsonDocument::fromJson(
            R"({"custom_id":"r1","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant",)"
            R"("model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn"}}})").object();
        const auto [res, record] = BatchResults::fromAnthropicLine(anthropic, job);
        QVERIFY(res.ok);
        QVERIFY(record.has_value());
        QCOMPARE(toString(record->usageStatus), toString(UsageStatus::Unknown));
        const QJsonObject openai = QJsonDocument::fromJson(
            R"({"custom_id":"r2","response":{"status_code":200,"body":{"id":"c","object":"chat.completion","model":"gpt-4o",)"
            R"("choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}}})").object();
        job.apiUrl = u"/v1/chat/completions"_s;
        const auto [res2, record2] = BatchResults::fromOpenAiLine(openai, job);
        QVERIFY(record2.has_value());
        QCOMPARE(toString(record2->usageStatus), toString(UsageStatus::Unknown));
    }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void openAiLifecycleWithErrorFile()
    {
        test::BatchHarness h;
        storeKeys(h);
        h.server.failing = {u"req-0002"_s};
        h.server.answer = [](const QJsonObject &, int i) {
            return test::ProviderApiServer::Answer{i == 0 ? u"2 + 2 equals 4."_s : u"101"_s, 24, 15};
        };
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        QSignalSpy changed(&service, &BatchService::jobChanged);

        const auto requests = BatchBuilder::parseOpenAiJsonl(test::readFile(test::providerFixture(u"e1-openai-batch-input.jsonl"_s)));
        QVERIFY(requests.has_value());
        QCOMPARE(requests->size(), 2);

        const auto submitted = await(service.submit(BatchProvider::OpenAi, *requests, u"nightly-eval"_s));
        QVERIFY2(submitted, submitted ? "" : qPrintable(submitted.error().message));
        QCOMPARE(toString(submitted->status), toString(BatchStatus::Validating));
        QVERIFY(submitted->remoteId.startsWith("batch_"_L1));
        QVERIFY(!submitted->inputFileId.isEmpty());
        QCOMPARE(submitted->apiUrl, u"/v1/chat/completions"_s);

        // The upload: multipart with purpose=batch and the JSONL lines; the key only in Authorization.
        const HttpRequest upload = h.server.requests().front();
        QCOMPARE(upload.target, QByteArray("/v1/files"));
        QVERIFY(headerValue(upload.headers, "content-type").startsWith("multipart/form-data; boundary="));
        QVERIFY(upload.body.contains("name=\"purpose\"\r\n\r\nbatch\r\n"));
        QVERIFY(upload.body.contains(BatchBuilder::toOpenAiJsonl(*requests)));
        QCOMPARE(headerValue(upload.headers, "authorization"), "Bearer " + kOpenAiKey);
        const QJsonObject create = QJsonDocument::fromJson(h.server.requests().at(1).body).object();
        QCOMPARE(create.value("completion_window"_L1).toString(), u"24h"_s);
        QCOMPARE(create.value("endpoint"_L1).toString(), u"/v1/chat/completions"_s);

        const auto done = await(service.waitForCompletion(submitted->id));
        QVERIFY2(done, done ? "" : qPrintable(done.error().message));
        QCOMPARE(toString(done->status), toString(BatchStatus::Completed));
        QCOMPARE(done->total, 2);
        QCOMPARE(done->completed, 1);
        QCOMPARE(done->failed, 1);
        QVERIFY(done->resultsRecorded);
        QVERIFY(!done->outputFileId.isEmpty());
        QVERIFY(!done->errorFileId.isEmpty());
        // validating -> in_progress -> finalizing -> completed: four polls, three waits growing by half.
        QCOMPARE(h.server.count("GET", u"/v1/batches/"_s), 4);
        QCOMPARE(*h.sleeps, (QList<std::chrono::milliseconds>{1000ms, 1500ms, 2250ms}));
        QCOMPARE(h.server.count("GET", u"/v1/files/"_s), 2); // output and error files
        QVERIFY(changed.count() >= 5);

        const auto results = await(service.results(done->id));
        QVERIFY(results);
        QCOMPARE(results->size(), 2);
        QCOMPARE(results->at(0).customId, u"req-0001"_s);
        QVERIFY(results->at(0).ok);
        QCOMPARE(results->at(0).content, u"2 + 2 equals 4."_s);
        QVERIFY(results->at(0).recordId > 0);
        QCOMPARE(results->at(1).customId, u"req-0002"_s);
        QVERIFY(!results->at(1).ok);
        QCOMPARE(results->at(1).statusCode, 400);
        QCOMPARE(results->at(1).error, u"HTTP 400 invalid_request_error: Invalid value for 'max_tokens'."_s);
        QCOMPARE(results->at(1).recordId, 0);

        // One ledger record, at the Batch API rate: gpt-4o-mini $0.15/$0.60 per MTok halved:
        // 24 x 75 + 15 x 300 = 6,300 nano-USD. The failed line is not a record.
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 1);
        QCOMPARE(h.scalar(u"SELECT cost_nano FROM calls WHERE batch = 1 AND source_kind = 2"_s).toLongLong(), 6300);
        QCOMPARE(h.scalar(u"SELECT l.name FROM calls c JOIN labels l ON l.id = c.endpoint_id"_s).toString(), u"nightly-eval"_s);
        QCOMPARE(h.scalar(u"SELECT source_key FROM calls"_s).toString(), u"batch:openai:%1:req-0001"_s.arg(done->remoteId));
        QCOMPARE(h.scalar(u"SELECT l.name FROM calls c JOIN labels l ON l.id = c.served_model_id"_s).toString(),
                 u"gpt-4o-mini-2024-07-18"_s);
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM rollup_hour WHERE batch = 1"_s).toLongLong(), 6300);

        // Polling again neither asks the provider nor records twice.
        const int before = h.server.requests().size();
        QVERIFY(await(service.refresh(done->id)));
        QVERIFY(await(service.waitForCompletion(done->id)));
        QCOMPARE(h.server.requests().size(), before);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 1);

        // Saved as JSONL and CSV.
        const QByteArray jsonl = BatchBuilder::resultsToJsonl(*results);
        QCOMPARE(jsonl.count('\n'), 2);
        QCOMPARE(QJsonDocument::fromJson(jsonl.split('\n').at(1)).object().value("error"_L1).toString(), results->at(1).error);
        const QByteArray csv = BatchBuilder::resultsToCsv(*results);
        QVERIFY(csv.startsWith("custom_id,ok,status_code,content,error\r\n\"req-0001\",true,200,\"2 + 2 equals 4.\",\"\"\r\n"));
        QVERIFY(csv.contains("\"req-0002\",false,400,\"\",\"HTTP 400 invalid_request_error: Invalid value for 'max_tokens'.\""));
    }

    void expiredJobRecordsWhatFinishedAndReportsTheRest()
    {
        test::BatchHarness h;
        storeKeys(h);
        h.server.openAiSteps = {u"in_progress"_s};
        h.server.openAiFinal = u"expired"_s;
        h.server.expiredAfter = 2;
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        TemplateBatchSpec spec;
        const auto requests = BatchBuilder::fromText("one\ntwo\n\nthree\nfour\n", spec);
        QVERIFY(requests);
        QCOMPARE(requests->size(), 4);
        const auto job = await(service.submit(BatchProvider::OpenAi, *requests, u"expiring"_s));
        QVERIFY(job);
        const auto done = await(service.waitForCompletion(job->id));
        QVERIFY2(done, done ? "" : qPrintable(done.error().message));
        QCOMPARE(toString(done->status), toString(BatchStatus::Expired));
        QCOMPARE(done->completed, 2);
        QCOMPARE(done->failed, 2);
        const auto results = await(service.results(done->id));
        QVERIFY(results);
        QCOMPARE(results->size(), 4);
        int expired = 0;
        for (const BatchResult &r : *results) {
            if (!r.ok) {
                ++expired;
                QCOMPARE(r.error, u"batch_expired: This request could not be executed before the completion window expired."_s);
            }
        }
        QCOMPARE(expired, 2);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE batch = 1"_s).toLongLong(), 2);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE cost_nano IS NULL"_s).toLongLong(), 0);
    }

    void failedJobKeepsTheProvidersReason()
    {
        test::BatchHarness h;
        storeKeys(h);
        h.server.openAiSteps = {};
        h.server.openAiFinal = u"failed"_s;
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        const auto requests = BatchBuilder::fromText("only line\n", TemplateBatchSpec{});
        const auto job = await(service.submit(BatchProvider::OpenAi, *requests, u"x"_s));
        QVERIFY(job);
        const auto done = await(service.waitForCompletion(job->id));
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(BatchStatus::Failed));
        QCOMPARE(done->error, u"invalid_json_line: Line 1 is not valid JSON."_s);
        QVERIFY(done->resultsRecorded);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 0);
    }

    void cancelledJobGoesThroughCancelling()
    {
        test::BatchHarness h;
        storeKeys(h);
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        const auto requests = BatchBuilder::fromText("a\nb\nc\nd\n", TemplateBatchSpec{});
        const auto job = await(service.submit(BatchProvider::OpenAi, *requests, u"x"_s));
        QVERIFY(job);
        QVERIFY(await(service.refresh(job->id)));
        const auto cancelling = await(service.cancel(job->id));
        QVERIFY(cancelling);
        QCOMPARE(toString(cancelling->status), toString(BatchStatus::Cancelling));
        QCOMPARE(h.server.count("POST", u"/v1/batches/%1/cancel"_s.arg(job->remoteId)), 1);
        const auto done = await(service.waitForCompletion(job->id));
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(BatchStatus::Cancelled));
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 2); // what ran before the cancel
        const auto results = await(service.results(done->id));
        QCOMPARE(results->size(), 4);
        QCOMPARE(results->at(3).error, u"batch_cancelled: This request was not executed because the batch was cancelled."_s);
    }

    void anthropicMessageBatch()
    {
        test::BatchHarness h;
        storeKeys(h);
        h.server.failing = {u"line-2"_s};
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        TemplateBatchSpec spec;
        spec.model = u"claude-haiku-4-5"_s;
        spec.systemPrompt = u"Answer in one word."_s;
        spec.promptTemplate = u"Sentiment of: {text}"_s;
        spec.maxTokens = 10;
        const auto requests = BatchBuilder::fromText("great\nawful\nfine\n", spec);
        QVERIFY(requests);
        const auto job = await(service.submit(BatchProvider::Anthropic, *requests, u"sentiment"_s));
        QVERIFY2(job, job ? "" : qPrintable(job.error().message));
        QVERIFY(job->remoteId.startsWith("msgbatch_"_L1));
        QCOMPARE(toString(job->status), toString(BatchStatus::InProgress));
        QCOMPARE(job->total, 3);

        const HttpRequest create = h.server.requests().front();
        QCOMPARE(create.target, QByteArray("/v1/messages/batches"));
        QCOMPARE(headerValue(create.headers, "x-api-key"), kAnthropicKey);
        QCOMPARE(headerValue(create.headers, "anthropic-version"), QByteArray("2023-06-01"));
        QVERIFY(!hasHeader(create.headers, "authorization"));
        const QJsonObject first = QJsonDocument::fromJson(create.body).object().value("requests"_L1).toArray().at(0).toObject();
        QCOMPARE(first.value("custom_id"_L1).toString(), u"line-1"_s);
        const QJsonObject params = first.value("params"_L1).toObject();
        QCOMPARE(params.value("system"_L1).toString(), u"Answer in one word."_s);
        QCOMPARE(params.value("max_tokens"_L1).toInt(), 10);
        QCOMPARE(params.value("messages"_L1).toArray().size(), 1); // the system message moved out
        QCOMPARE(params.value("messages"_L1).toArray().at(0).toObject().value("content"_L1).toString(), u"Sentiment of: great"_s);

        const auto done = await(service.waitForCompletion(job->id));
        QVERIFY2(done, done ? "" : qPrintable(done.error().message));
        QCOMPARE(toString(done->status), toString(BatchStatus::Completed));
        QCOMPARE(done->completed, 2);
        QCOMPARE(done->failed, 1);
        QVERIFY(done->outputFileId.endsWith(u"/messages/batches/%1/results"_s.arg(done->remoteId)));
        const auto results = await(service.results(done->id));
        QCOMPARE(results->size(), 3);
        QCOMPARE(results->at(1).error, u"errored invalid_request_error: max_tokens: Field required"_s);
        QCOMPARE(results->at(0).content, u"answer 1"_s);
        // claude-haiku-4-5 $1/$5 per MTok at the batch rate (50%): (20 x 500 + 5 x 2,500) + (22 x 500 + 5 x 2,500).
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE batch = 1"_s).toLongLong(), 2);
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM calls"_s).toLongLong(), 20 * 500 + 12500 + 22 * 500 + 12500);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls WHERE source_key LIKE 'batch:anthropic:msgbatch_%'"_s).toLongLong(), 2);
    }

    void anthropicCancel()
    {
        test::BatchHarness h;
        storeKeys(h);
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        TemplateBatchSpec spec;
        spec.model = u"claude-haiku-4-5"_s;
        const auto job = await(service.submit(BatchProvider::Anthropic, *BatchBuilder::fromText("a\nb\n", spec), u"x"_s));
        QVERIFY(job);
        const auto cancelling = await(service.cancel(job->id));
        QVERIFY(cancelling);
        QCOMPARE(toString(cancelling->status), toString(BatchStatus::Cancelling));
        const auto done = await(service.waitForCompletion(job->id));
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(BatchStatus::Cancelled));
        QCOMPARE(done->completed, 1);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 1);
    }

    // The seed design's example: classify articles into technology / product / market / other with
    // gpt-4o-mini, the first 500 characters of each, max_tokens 20.
    void seedArticleClassification()
    {
        test::BatchHarness h;
        storeKeys(h);
        TemplateBatchSpec spec;
        spec.model = u"gpt-4o-mini"_s;
        spec.systemPrompt = u"Classify the article into exactly one category: technology, product, market or other. "
                            u"Answer with the category only."_s;
        spec.promptTemplate = u"Title: {title}\n\n{text}"_s;
        spec.textColumn = u"text"_s;
        spec.idColumn = u"id"_s;
        spec.maxChars = 500;
        spec.maxTokens = 20;
        const auto requests = BatchBuilder::fromCsv(kArticles, spec);
        QVERIFY2(requests, requests ? "" : qPrintable(requests.error().message));
        QCOMPARE(requests->size(), 6);
        for (const BatchRequest &r : *requests) {
            QCOMPARE(r.body.value("max_tokens"_L1).toInt(), 20);
            QCOMPARE(r.body.value("model"_L1).toString(), u"gpt-4o-mini"_s);
            QCOMPARE(r.body.value("messages"_L1).toArray().size(), 2);
        }
        const QString a3 = requests->at(2).body.value("messages"_L1).toArray().at(1).toObject().value("content"_L1).toString();
        QVERIFY(a3.contains("the market, \"analysts\" say"_L1)); // quotes and commas survive the CSV
        QVERIFY(requests->at(3).body.value("messages"_L1).toArray().at(1).toObject().value("content"_L1).toString()
                    .contains("picnic\nmoved"_L1));
        const QString a5 = requests->at(4).body.value("messages"_L1).toArray().at(1).toObject().value("content"_L1).toString();
        QCOMPARE(a5, u"Title: Compiler deep dive\n\n"_s + QString(500, u'x')); // first 500 characters only

        // Estimate: tokenizer counts of every request, the output cap for outputs; gpt-4o-mini is
        // $0.15 / $0.60 per MTok (genai-prices 0.1.8) = 150 / 600 nano-USD per token, batch half of it.
        tokenizer::Tokenizers tokenizers;
        const auto counter = tokenizer::ChatTokenCounter::forModel(tokenizers, u"gpt-4o-mini"_s);
        QVERIFY(counter);
        qint64 prompt = 0;
        for (const BatchRequest &r : *requests)
            prompt += counter->countRequest(r.body).promptTokens;
        QVERIFY(prompt > 6 * 30);
        const auto pricer = h.ledger->pricer();
        const BatchEstimate e = BatchBuilder::estimate(*requests, u"openai"_s, tokenizers, *pricer, test::usFromIso(u"2026-11-28T12:00:00Z"_s));
        QCOMPARE(e.requests, 6);
        QCOMPARE(e.promptTokens, prompt);
        QCOMPARE(e.outputTokensCap, 6 * 20);
        QVERIFY(e.unpricedModels.isEmpty());
        QCOMPARE(e.realtimeCost.value_or(-1), prompt * 150 + 120 * 600);
        QCOMPARE(e.batchCost.value_or(-1), prompt * 75 + 120 * 300);
        QVERIFY(!e.estimate);

        // Run it: the loopback model answers by keywords; usage = the true prompt count, 1 output token.
        h.server.answer = [&counter](const QJsonObject &body, int) {
            const QString user = body.value("messages"_L1).toArray().at(1).toObject().value("content"_L1).toString();
            return test::ProviderApiServer::Answer{classify(user), counter->countRequest(body).promptTokens, 1};
        };
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        const auto job = await(service.submit(BatchProvider::OpenAi, *requests, u"article-classifier"_s));
        QVERIFY(job);
        const auto done = await(service.waitForCompletion(job->id));
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(BatchStatus::Completed));
        const auto results = await(service.results(done->id));
        QVERIFY(results);
        QStringList labels;
        for (const BatchResult &r : *results)
            labels << r.customId + u'=' + r.content;
        QCOMPARE(labels, (QStringList{u"a1=technology"_s, u"a2=product"_s, u"a3=market"_s, u"a4=other"_s,
                                      // a5's "software" lies beyond the first 500 characters the model sees
                                      u"a5=other"_s, u"a6=product"_s}));
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls c JOIN labels l ON l.id = c.endpoint_id "
                          u"WHERE l.name = 'article-classifier' AND c.batch = 1"_s).toLongLong(), 6);
        QCOMPARE(h.scalar(u"SELECT SUM(prompt_tokens) FROM calls"_s).toLongLong(), prompt);
        QCOMPARE(h.scalar(u"SELECT SUM(cost_nano) FROM calls"_s).toLongLong(), prompt * 75 + 6 * 300);
        const QByteArray csv = BatchBuilder::resultsToCsv(*results);
        QVERIFY(csv.contains("\"a3\",true,200,\"market\",\"\"\r\n"));
    }

    void jobSurvivesRestartMidPollAndIsRecordedOnce()
    {
        test::BatchHarness h;
        storeKeys(h);
        qint64 jobId = 0;
        {
            BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
            const auto job = await(service.submit(BatchProvider::OpenAi, *BatchBuilder::fromText("x\ny\n", TemplateBatchSpec{}), u"restart"_s));
            QVERIFY(job);
            const auto polled = await(service.refresh(job->id));
            QVERIFY(polled);
            QCOMPARE(toString(polled->status), toString(BatchStatus::Validating));
            jobId = job->id;
        } // the app quits mid-poll
        h.reopen();
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        const auto listed = await(service.jobs());
        QVERIFY(listed);
        QCOMPARE(listed->size(), 1);
        QCOMPARE(toString(listed->front().status), toString(BatchStatus::Validating));
        const auto resumed = await(service.resumeAll());
        QVERIFY2(resumed, resumed ? "" : qPrintable(resumed.error().message));
        QCOMPARE(resumed->size(), 1);
        QCOMPARE(resumed->front().id, jobId);
        QCOMPARE(toString(resumed->front().status), toString(BatchStatus::Completed));
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 2);

        // A crash after the records were committed but before the job was marked: recording again adds nothing.
        QVERIFY(h.scalar(u"UPDATE batch_jobs SET results_recorded = 0 RETURNING id"_s).toLongLong() == jobId);
        h.reopen();
        BatchService again(*h.ledger, h.secrets, h.network, configFor(h));
        const auto second = await(again.resumeAll());
        QVERIFY(second);
        QCOMPARE(second->size(), 1);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), 2);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM batch_results WHERE record_id > 0"_s).toLongLong(), 2);
        QCOMPARE(await(again.resumeAll())->size(), 0);
    }

#ifdef Q_OS_UNIX
    // Session-13 (the proxy and imports already stop on a full disk): a job's results written to a ledger that
    // cannot grow (test::LedgerGrowthLimit, RLIMIT_FSIZE, set when the output file is downloaded, after the job's
    // status was stored) waited for ever on the writer's retries. Now the refresh fails at once with a Database
    // error saying so, the job stays not recorded, and once space is back a refresh records every result once.
    void resultsOnAFullDiskAreReportedNotWaitedFor()
    {
        test::BatchHarness h;
        storeKeys(h);
        h.server.openAiSteps = {};
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        // Enough records that their pages cannot fit in the space the ledger's files already take (the limit is
        // the larger file's size: the WAL may be rewritten from its start after a checkpoint).
        constexpr int kLines = 3000;
        QByteArray text;
        for (int i = 0; i < kLines; ++i)
            text += "line " + QByteArray::number(i) + '\n';
        const auto job = await(service.submit(BatchProvider::OpenAi, *BatchBuilder::fromText(text, TemplateBatchSpec{}), u"full"_s));
        QVERIFY(job);
        std::optional<test::LedgerGrowthLimit> limit;
        h.server.onRequest = [&](const HttpRequest &request) {
            if (request.target.endsWith("/content") && !limit)
                limit.emplace(h.path, 0);
        };
        std::optional<Async<BatchJob>> outcome;
        QCoro::connect(service.refresh(job->id), this, [&](const Async<BatchJob> &r) { outcome = r; });
        const bool finished = QTest::qWaitFor([&] { return outcome.has_value(); }, 20'000);
        QVERIFY(limit && limit->ok());
        QVERIFY(limit->lift()); // before any check: a waiting old writer then stores its records and ends
        h.server.onRequest = {};
        QVERIFY2(finished, "recording the results did not stop within 20 s on a ledger that cannot grow");
        QVERIFY2(!*outcome, "results that could not be written were reported as recorded");
        QCOMPARE(outcome->error().code, ErrorCode::Database);
        const QString message = outcome->error().message;
        qInfo().noquote() << message;
        const QRegularExpressionMatch stored = QRegularExpression(u"(\\d+) of %1 records stored"_s.arg(kLines)).match(message);
        QVERIFY2(message.contains(job->remoteId) && message.contains(h.path) && stored.hasMatch()
                     && message.contains(u"Nothing is lost"_s),
                 qPrintable(message));
        QCOMPARE(h.scalar(u"SELECT results_recorded FROM batch_jobs"_s).toInt(), 0);
        const qint64 storedRecords = h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong();
        QCOMPARE(storedRecords, stored.captured(1).toLongLong());
        QVERIFY(storedRecords < kLines);

        const auto again = await(service.refresh(job->id));
        QVERIFY2(again, again ? "" : qPrintable(again.error().message));
        QVERIFY(again->resultsRecorded);
        QCOMPARE(h.scalar(u"SELECT COUNT(*) FROM calls"_s).toLongLong(), kLines);
    }
#endif

    void missingKeyIsAnError()
    {
        test::BatchHarness h;
        BatchService service(*h.ledger, h.secrets, h.network, configFor(h));
        const auto job = await(service.submit(BatchProvider::OpenAi, *BatchBuilder::fromText("x\n", TemplateBatchSpec{}), u"x"_s));
        QVERIFY(!job);
        QCOMPARE(job.error().code, ErrorCode::NotFound);
        QCOMPARE(h.server.requests().size(), 0);
    }

    void batchInputErrorsNameTheLine_data()
    {
        QTest::addColumn<QByteArray>("jsonl");
        QTest::addColumn<QString>("error");
        QTest::newRow("a line that is not JSON") << QByteArray("{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\"}}\nnot json\n")
                                                 << u"line 2 is not a JSON object"_s;
        QTest::newRow("no custom_id") << QByteArray("{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\"}}")
                                      << u"line 1 has no custom_id"_s;
        QTest::newRow("a repeated custom_id")
            << QByteArray("{\"custom_id\":\"a\",\"url\":\"/u\",\"body\":{\"model\":\"m\"}}\n\n{\"custom_id\":\"a\",\"url\":\"/u\",\"body\":{\"model\":\"m\"}}")
            << u"line 3 repeats custom_id \"a\""_s;
        QTest::newRow("a GET request") << QByteArray("{\"custom_id\":\"a\",\"method\":\"GET\",\"url\":\"/u\",\"body\":{\"model\":\"m\"}}")
                                       << u"line 1: method must be POST"_s;
        QTest::newRow("a body without model") << QByteArray("{\"custom_id\":\"a\",\"url\":\"/u\",\"body\":{}}")
                                              << u"line 1: the body has no model"_s;
    }

    void batchInputErrorsNameTheLine()
    {
        QFETCH(QByteArray, jsonl);
        QFETCH(QString, error);
        const auto parsed = BatchBuilder::parseOpenAiJsonl(jsonl);
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().message.startsWith(error), qPrintable(parsed.error().message));
    }

    void csvWithoutTheTextColumnIsRefused()
    {
        TemplateBatchSpec spec;
        spec.textColumn = u"body"_s;
        const auto r = BatchBuilder::fromCsv("id,text\n1,hello\n", spec);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY(r.error().message.contains("\"body\""_L1));
    }
};

QTEST_MAIN(BatchTest)
#include "BatchTest.moc"
