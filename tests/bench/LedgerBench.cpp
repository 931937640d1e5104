// Ledger benchmark (not a test): ingest throughput into a large ledger, then breakdown and time-series
// query latency over it. Prints medians and percentiles; asserts nothing.
//   bench_ledger [--records N] [--db PATH] [--keep] [--queries N] [--skip-ingest] [--only TEXT]
//                [--hit-records N]
// Defaults: 10,000,000 records over 90 days, 30 endpoints, 8 models, 5 keys, to a temp file.
// --hit-records N (default 0: skipped): the writer's cost per record for proxy records shaped like
// exact-cache hits (savings trace with the request's 4 KiB embedding, shared by every hit of the same
// request as the proxy's memo shares it) against the same number of misses (one embedding each), each
// into a fresh ledger of its own; figures are the writer thread's CPU time per record.

#include "BenchStats.h"
#include "ledger/Ledger.h"
#include "pricing/PriceBook.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#ifdef Q_OS_UNIX
#include <time.h>
#endif

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
constexpr qint64 kDay = 86'400'000'000LL;

using bench::percentile;

void print(const char *what, std::vector<double> ms, std::vector<double> cpuMs)
{
    std::printf("  %-44s p50 %8.2f ms   p95 %8.2f ms   max %8.2f ms   (n=%zu)   reader CPU p50 %7.2f ms, p95 %7.2f ms\n",
                what, percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 1.0), ms.size(),
                percentile(cpuMs, 0.5), percentile(cpuMs, 0.95));
}

// CPU time of the calling thread in ms (the reader thread's own work, whatever the machine's load);
// -1 where there is no per-thread clock.
double threadCpuMs()
{
#ifdef Q_OS_UNIX
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
#else
    return -1;
#endif
}

// CPU time (seconds) used so far by this process's threads named `name` (the writer's QThread is
// "ledger-writer"), from /proc/self/task/*/schedstat (nanoseconds on CPU; with field 1, nanoseconds spent
// runnable but waiting for a CPU, i.e. the machine's load); -1 where there is none.
double threadsCpuSeconds(const QByteArray &name, int field = 0)
{
#ifdef Q_OS_LINUX
    double sum = 0;
    const QDir tasks(u"/proc/self/task"_s);
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + u"/comm"_s));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != name)
            continue;
        QFile stat(tasks.filePath(tid + u"/schedstat"_s));
        if (stat.open(QIODevice::ReadOnly))
            sum += double(stat.readAll().split(' ').value(field).toLongLong()) / 1e9;
    }
    return sum;
#else
    Q_UNUSED(name);
    return -1;
#endif
}

// Hands `records` to a fresh ledger at `path` and prints the writer thread's CPU time per record.
void hitPhase(const char *what, const QString &path, std::shared_ptr<const PriceBook> book, QList<CallRecord> records)
{
    auto ledger = Ledger::open(path, book);
    if (!ledger) {
        std::fprintf(stderr, "%s\n", qPrintable(ledger.error().message));
        return;
    }
    const qint64 n = records.size();
    const double cpuBefore = threadsCpuSeconds("ledger-writer");
    QElapsedTimer wall;
    wall.start();
    (*ledger)->writer().submitBatch(std::move(records)).waitForFinished();
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    const double cpu = threadsCpuSeconds("ledger-writer") - cpuBefore;
    std::printf("  %-40s writer CPU %6.2f us/record (%.2f s), wall %.0f records/s, file %.1f MiB\n", what,
                cpu * 1e6 / double(n), cpu, double(n) / seconds,
                double(QFileInfo(path).size() + QFileInfo(path + u"-wal"_s).size()) / 1048576.0);
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.addOption({u"records"_s, u"records to ingest"_s, u"N"_s, u"10000000"_s});
    parser.addOption({u"db"_s, u"ledger file (default: a temp file)"_s, u"PATH"_s});
    parser.addOption({u"queries"_s, u"runs per query kind"_s, u"N"_s, u"40"_s});
    parser.addOption({u"skip-ingest"_s, u"reuse an existing --db"_s});
    parser.addOption({u"only"_s, u"run only the queries whose name contains TEXT (e.g. for perf)"_s, u"TEXT"_s});
    parser.addOption({u"hit-records"_s, u"writer cost of N exact-hit-shaped records vs N misses (0: skip)"_s,
                      u"N"_s, u"0"_s});
    parser.process(app);
    const qint64 total = parser.value(u"records"_s).toLongLong();
    QTemporaryDir tmp;
    const QString path = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : tmp.filePath(u"bench.sqlite"_s);

    auto book = PriceBook::builtIn();
    auto ledger = Ledger::open(path, *book);
    if (!ledger) {
        std::fprintf(stderr, "%s\n", qPrintable(ledger.error().message));
        return 1;
    }
    const qint64 end = QDateTime::currentMSecsSinceEpoch() * 1000;
    const qint64 start = end - 90 * kDay;

    if (!parser.isSet(u"skip-ingest"_s) && total > 0) {
        QStringList endpoints, keys;
        for (int i = 0; i < 30; ++i)
            endpoints << u"feature-%1"_s.arg(i, 2, 10, QChar(u'0'));
        for (int i = 0; i < 5; ++i)
            keys << u"key-%1"_s.arg(i);
        const QStringList models{u"gpt-4o-2024-08-06"_s, u"gpt-4o-mini-2024-07-18"_s, u"gpt-4.1"_s, u"o4-mini"_s,
                                 u"claude-sonnet-4-5"_s, u"claude-haiku-4-5"_s, u"gpt-5"_s, u"in-house-llm"_s};
        QRandomGenerator rng(42);
        const auto pricer = (*ledger)->pricer();
        std::printf("ingest: %lld records over 90 days into %s\n", total, qPrintable(path));
        QElapsedTimer wall;
        wall.start();
        const std::clock_t cpuStart = std::clock(); // process CPU time: generator, pricer and writer threads
        const double writerCpuStart = threadsCpuSeconds("ledger-writer");
        const double writerWaitStart = threadsCpuSeconds("ledger-writer", 1);
        constexpr int kChunk = 100'000;
        std::vector<double> chunkRates;
        qint64 done = 0;
        QFuture<WriteReport> previous;
        QElapsedTimer chunkTimer;
        chunkTimer.start();
        while (done < total) {
            QList<CallRecord> batch;
            const int n = int(std::min<qint64>(kChunk, total - done));
            batch.reserve(n);
            for (int i = 0; i < n; ++i) {
                CallRecord r;
                // Records arrive in time order, as they do live, evenly over the 90 days. (In double: the
                // integer product 90 days x index overflows 64 bits beyond ~1.18M records.)
                r.startedAtUs = start + qint64(double(90 * kDay) * double(done + i) / double(total));
                const int e = int(rng.bounded(30));
                r.endpoint = endpoints[e];
                r.provider = e % 3 == 0 ? u"anthropic"_s : u"openai"_s;
                r.requestedModel = r.servedModel = models[(e % 3 == 0 ? 4 : 0) + int(rng.bounded(e % 3 == 0 ? 2 : 4))
                                                          + (e == 7 ? 3 : 0) * 0];
                if (e == 29)
                    r.requestedModel = r.servedModel = models[7];
                r.keyId = keys[e % 5];
                r.usage.promptTokens = 200 + rng.bounded(6000);
                r.usage.cachedTokens = r.usage.promptTokens / 3;
                r.usage.completionTokens = 20 + rng.bounded(900);
                r.latencyUs = 200'000 + rng.bounded(4'000'000);
                r.sourceKind = SourceKind::Proxy;
                pricer->apply(r);
                batch.append(std::move(r));
            }
            QFuture<WriteReport> f = (*ledger)->writer().submitBatch(std::move(batch));
            if (previous.isValid())
                previous.waitForFinished(); // at most two chunks in flight
            previous = f;
            done += n;
            chunkRates.push_back(double(n) / (double(chunkTimer.nsecsElapsed()) / 1e9));
            chunkTimer.restart();
            if ((done / kChunk) % 20 == 0)
                std::printf("  %lld records, %.0f records/s so far\n", done, double(done) / (double(wall.elapsed()) / 1000));
        }
        previous.waitForFinished();
        (*ledger)->writer().flush().waitForFinished();
        const double seconds = double(wall.elapsed()) / 1000.0;
        const double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        std::printf("  sustained ingest (generate + price + commit): %.0f records/s over %.1f s; "
                    "median chunk %.0f records/s; file %.0f MiB\n",
                    double(total) / seconds, seconds, percentile(chunkRates, 0.5),
                    double(QFileInfo(path).size()) / 1048576.0);
        // On a shared machine the wall-clock rate depends on the load; CPU time does much less.
        std::printf("  CPU time (all threads): %.1f s, %.0f records per CPU-second\n", cpuSeconds,
                    double(total) / cpuSeconds);
        const double writerCpu = threadsCpuSeconds("ledger-writer") - writerCpuStart;
        const double writerWait = threadsCpuSeconds("ledger-writer", 1) - writerWaitStart;
        std::printf("  writer thread CPU: %.1f s, %.2f us per record (the ingest's ceiling on an idle machine: "
                    "%.0f records/s); it waited %.1f s for a CPU (other work on the machine) and was blocked or idle "
                    "%.1f s\n",
                    writerCpu, writerCpu * 1e6 / double(total), double(total) / writerCpu, writerWait,
                    seconds - writerCpu - writerWait);
    }

    if (const qint64 hits = parser.value(u"hit-records"_s).toLongLong(); hits > 0) {
        // 1,000 distinct requests, each answered once upstream and then served from the exact cache;
        // the first phase cycles through 100 of them, the second through all 1,000.
        constexpr int kRequests = 1000;
        constexpr int kDims = 512; // the local embedder's; the proxy stores whole-request + focus vectors
        QRandomGenerator rng(11);
        QList<QByteArray> embeddings;
        for (int i = 0; i < kRequests; ++i) {
            QByteArray e(2 * kDims * qsizetype(sizeof(float)), Qt::Uninitialized);
            for (int j = 0; j < 2 * kDims; ++j) {
                const float x = float(rng.generateDouble() - 0.5);
                std::memcpy(e.data() + j * qsizetype(sizeof(float)), &x, sizeof(float));
            }
            embeddings << e;
        }
        const auto pricer = (*ledger)->pricer();
        auto shaped = [&](qint64 i, bool hit, int requests) {
            CallRecord r;
            r.startedAtUs = end - hits + i;
            const int q = hit ? int(i % requests) : 0;
            r.endpoint = u"feature-%1"_s.arg(q % 30, 2, 10, QChar(u'0'));
            r.provider = u"openai"_s;
            r.requestedModel = r.servedModel = u"gpt-4o-mini-2024-07-18"_s;
            r.keyId = u"key-%1"_s.arg(q % 5);
            r.usage.promptTokens = 200 + q;
            r.usage.completionTokens = 50 + q % 300;
            r.latencyUs = hit ? 300 : 400'000;
            r.sourceKind = SourceKind::Proxy;
            r.httpStatus = 200;
            r.requestHash = u"%1"_s.arg(hit ? q : i, 64, 16, QChar(u'0'));
            r.promptChars = 900;
            r.messageCount = 2;
            r.cacheOutcome = hit ? CacheOutcome::ExactHit : CacheOutcome::Miss;
            r.savings.complexity = u"low"_s;
            r.savings.routeMode = u"off"_s;
            r.savings.semanticScope = u"%1"_s.arg(q, 32, 16, QChar(u'0'));
            r.savings.guardSignature = u""_s;
            r.savings.embeddingModel = u"tokenledger-local-ngram-v1/512"_s;
            if (hit) {
                r.savings.embedding = embeddings[q]; // implicitly shared, as the proxy's memo shares it
            } else {
                QByteArray e = embeddings[int(i % kRequests)];
                std::memcpy(e.data(), &i, sizeof(i)); // a distinct vector per miss (detached copy)
                r.savings.embedding = e;
            }
            pricer->apply(r);
            return r;
        };
        std::printf("writer cost per record, %lld proxy records each (4 KiB embedding per record):\n", hits);
        QList<CallRecord> hotRecords, hitRecords, missRecords;
        for (qint64 i = 0; i < hits; ++i) {
            hotRecords << shaped(i, true, 100);
            hitRecords << shaped(i, true, kRequests);
            missRecords << shaped(i, false, kRequests);
        }
        hitPhase("exact-cache hits (100 requests)", tmp.filePath(u"hot.sqlite"_s), *book, std::move(hotRecords));
        hitPhase("exact-cache hits (1,000 requests)", tmp.filePath(u"hits.sqlite"_s), *book, std::move(hitRecords));
        hitPhase("misses (a distinct embedding each)", tmp.filePath(u"misses.sqlite"_s), *book, std::move(missRecords));
    }

    // Query ranges end where the records end: right after an ingest that is "now"; over a reused ledger
    // (--skip-ingest) it is the newest record, not the current time, or the ranges' newest edge would fall
    // where there are no records and the queries would look cheaper than they are.
    qint64 queryEnd = end;
    if (parser.isSet(u"skip-ingest"_s)) {
        const auto span = (*ledger)->timeSpan().result();
        if (span && span->second > 0)
            queryEnd = span->second + 1;
    }
    std::printf("query ranges end at %s (UTC)\n",
                qPrintable(QDateTime::fromMSecsSinceEpoch(queryEnd / 1000, QTimeZone::utc()).toString(Qt::ISODate)));
    const int runs = parser.value(u"queries"_s).toInt();
    QRandomGenerator rng(7);
    const QString only = parser.value(u"only"_s);
    auto skip = [&](const char *what) { return !only.isEmpty() && !QString::fromLatin1(what).contains(only); };
    auto timeBreakdown = [&](const char *what, qint64 span, QList<Dimension> dims) {
        if (skip(what))
            return;
        std::vector<double> ms, cpu;
        for (int i = 0; i < runs; ++i) {
            BreakdownQuery q;
            q.toUs = queryEnd - qint64(rng.bounded(quint64(std::max<qint64>(2, 90 * kDay - span) / 2))); // bounded(0) never returns
            q.fromUs = q.toUs - span;
            q.groupBy = dims;
            QElapsedTimer t;
            t.start();
            const auto b = (*ledger)->breakdown(q).result();
            ms.push_back(double(t.nsecsElapsed()) / 1e6);
            if (!b)
                std::fprintf(stderr, "query failed: %s\n", qPrintable(b.error().message));
            cpu.push_back((*ledger)
                              ->read<double>([q](QSqlDatabase &db) {
                                  const double before = threadCpuMs();
                                  (void)LedgerQueries::breakdown(db, q);
                                  return threadCpuMs() - before;
                              })
                              .result());
        }
        print(what, ms, cpu);
    };
    auto timeSeries = [&](const char *what, qint64 span, Granularity g, const char *zone) {
        if (skip(what))
            return;
        std::vector<double> ms, cpu;
        for (int i = 0; i < runs; ++i) {
            TimeSeriesQuery q;
            q.toUs = queryEnd - qint64(rng.bounded(quint64(std::max<qint64>(2, 90 * kDay - span) / 2))); // bounded(0) never returns
            q.fromUs = q.toUs - span;
            q.granularity = g;
            q.zone = QTimeZone(zone);
            q.stackBy = Dimension::Model;
            QElapsedTimer t;
            t.start();
            const auto ts = (*ledger)->timeSeries(q).result();
            ms.push_back(double(t.nsecsElapsed()) / 1e6);
            cpu.push_back((*ledger)
                              ->read<double>([q](QSqlDatabase &db) {
                                  const double before = threadCpuMs();
                                  (void)LedgerQueries::timeSeries(db, q);
                                  return threadCpuMs() - before;
                              })
                              .result());
        }
        print(what, ms, cpu);
    };
    std::printf("queries (wall time through the Ledger's reader thread, mid-hour range ends):\n");
    timeBreakdown("breakdown endpoint x model, 24 h", kDay, {Dimension::Endpoint, Dimension::Model});
    timeBreakdown("breakdown endpoint x model, 7 d", 7 * kDay, {Dimension::Endpoint, Dimension::Model});
    timeBreakdown("breakdown endpoint x model, 30 d", 30 * kDay, {Dimension::Endpoint, Dimension::Model});
    timeBreakdown("breakdown endpoint x model, 90 d", 90 * kDay - 1, {Dimension::Endpoint, Dimension::Model});
    timeBreakdown("breakdown by key, 90 d", 90 * kDay - 1, {Dimension::Key});
    timeSeries("cost over time, days, Europe/Berlin, 30 d", 30 * kDay, Granularity::Day, "Europe/Berlin");
    timeSeries("cost over time, days, Europe/Berlin, 90 d", 90 * kDay - 1, Granularity::Day, "Europe/Berlin");
    timeSeries("cost over time, hours, UTC, 7 d", 7 * kDay, Granularity::Hour, "UTC");
    return 0;
}
