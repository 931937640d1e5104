// Simulator benchmark (not a test): replays a large ledger under a scenario with every strategy on
// (exact cache, semantic cache, compression, routing rules + complexity router, batch) and prints the
// median and spread of the run time. Peer in the same run: a bare scan of the same rows
// (SELECT SUM(cost_nano) over the same range), the floor any replay pays for reading the ledger.
//   bench_simulator [--records N] [--db PATH [--reuse]] [--runs N] [--embedded PERCENT] [--dims N] [--no-peers]
// The range is the whole ledger. Besides wall time it reports process CPU time (less sensitive to other
// work on the machine) and a second peer: LedgerScan's read alone, the simulator's own read path.
// Defaults: 1,000,000 records over 30 days; 10% of them proxy calls with a 512-dim request embedding,
// scope and guards (as the proxy records them); the rest imports with token counts only.

#include "BenchStats.h"
#include "ledger/Ledger.h"
#include "pricing/PriceBook.h"
#include "simulate/LedgerScan.h"
#include "simulate/Simulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QJsonArray>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
constexpr qint64 kDay = 86'400'000'000LL;

using bench::percentile;

// Process CPU time (all threads) since `start`, in ms: with other work on the machine, wall time
// stretches but this does not (much).
double cpuMsSince(std::clock_t start)
{
    return double(std::clock() - start) * 1000.0 / CLOCKS_PER_SEC;
}

// CPU time of the calling thread, in ms.
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1000.0 + double(ts.tv_nsec) / 1e6;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.addOption({u"records"_s, u"records in the ledger"_s, u"N"_s, u"1000000"_s});
    parser.addOption({u"db"_s, u"ledger file (default: a temp file)"_s, u"PATH"_s});
    parser.addOption({u"runs"_s, u"simulation runs"_s, u"N"_s, u"5"_s});
    parser.addOption({u"embedded"_s, u"percent of records with a request embedding"_s, u"P"_s, u"10"_s});
    parser.addOption({u"dims"_s, u"embedding dimensions"_s, u"N"_s, u"512"_s});
    parser.addOption({u"reuse"_s, u"reuse the ledger in --db as it is (no records added)"_s});
    parser.addOption({u"no-peers"_s, u"run the simulator only (for a profiler)"_s});
    parser.process(app);
    const qint64 total = parser.value(u"records"_s).toLongLong();
    const int runs = std::max(1, parser.value(u"runs"_s).toInt());
    const int embeddedPercent = parser.value(u"embedded"_s).toInt();
    const int dims = std::max(4, parser.value(u"dims"_s).toInt());
    QTemporaryDir tmp;
    const QString path = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : tmp.filePath(u"bench.sqlite"_s);

    auto book = PriceBook::builtIn();
    auto opened = Ledger::open(path, *book);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().message));
        return 1;
    }
    Ledger &ledger = **opened;
    const auto pricer = ledger.pricer();
    const qint64 end = QDateTime::currentMSecsSinceEpoch() * 1000;
    const qint64 start = end - 30 * kDay;

    if (!parser.isSet(u"reuse"_s)) {
        QStringList endpoints, keys;
        for (int i = 0; i < 20; ++i)
            endpoints << u"feature-%1"_s.arg(i, 2, 10, QChar(u'0'));
        for (int i = 0; i < 5; ++i)
            keys << u"key-%1"_s.arg(i);
        const QStringList models{u"gpt-4o-2024-08-06"_s, u"gpt-4o-mini-2024-07-18"_s, u"gpt-4.1"_s,
                                 u"claude-sonnet-4-5"_s, u"claude-haiku-4-5"_s};
        const QStringList complexities{u"low"_s, u"medium"_s, u"high"_s};
        QRandomGenerator rng(7);
        std::vector<float> base(size_t(dims) * 64);
        for (float &x : base)
            x = float(rng.generateDouble() - 0.5);
        std::printf("building: %lld records over 30 days (%d%% with %d-dim embeddings) in %s\n", total,
                    embeddedPercent, dims, qPrintable(path));
        QElapsedTimer wall;
        wall.start();
        constexpr int kChunk = 50'000;
        qint64 done = 0;
        while (done < total) {
            QList<CallRecord> chunk;
            const qint64 n = std::min<qint64>(kChunk, total - done);
            chunk.reserve(n);
            for (qint64 i = 0; i < n; ++i) {
                CallRecord r;
                r.startedAtUs = start + (done + i) * (30 * kDay / total);
                r.endpoint = endpoints[int(rng.bounded(endpoints.size()))];
                r.requestedModel = r.servedModel = models[int(rng.bounded(models.size()))];
                r.provider = r.servedModel.startsWith(u"claude"_s) ? u"anthropic"_s : u"openai"_s;
                r.keyId = keys[int(rng.bounded(keys.size()))];
                r.usage.promptTokens = 50 + rng.bounded(8000);
                r.usage.completionTokens = 10 + rng.bounded(600);
                r.sourceKind = SourceKind::ImportFile;
                if (int(rng.bounded(100)) < embeddedPercent) {
                    r.sourceKind = SourceKind::Proxy;
                    r.messageCount = 1 + int(rng.bounded(12));
                    r.requestHash = u"h%1"_s.arg(rng.bounded(20'000));
                    r.savings.complexity = complexities[int(rng.bounded(3))];
                    r.savings.semanticScope = u"scope-%1"_s.arg(rng.bounded(2'000));
                    r.savings.guardSignature = u"g"_s;
                    r.savings.embeddingModel = u"tokenledger-local-ngram-v1/%1"_s.arg(dims);
                    const qsizetype topic = qsizetype(rng.bounded(64));
                    std::vector<float> v(base.begin() + topic * dims, base.begin() + (topic + 1) * dims);
                    double norm = 0;
                    for (float &x : v) {
                        x += float(rng.generateDouble() * 0.05);
                        norm += double(x) * x;
                    }
                    for (float &x : v)
                        x = float(x / std::sqrt(norm));
                    r.savings.embedding = QByteArray(reinterpret_cast<const char *>(v.data()), qsizetype(v.size() * sizeof(float)));
                }
                pricer->apply(r);
                chunk << r;
            }
            ledger.writer().submitBatch(chunk).waitForFinished();
            done += n;
        }
        std::printf("  built in %.1f s\n", double(wall.elapsed()) / 1000.0);
    }

    const auto scenario = Scenario::fromJson(QJsonObject{
        {u"name"_s, u"everything"_s},
        {u"strategies"_s,
         QJsonObject{
             {u"exact_cache"_s, QJsonObject{{u"enabled"_s, true}, {u"ttl_seconds"_s, 86400}}},
             {u"semantic_cache"_s, QJsonObject{{u"enabled"_s, true}, {u"threshold"_s, 0.95}, {u"ttl_seconds"_s, 86400}}},
             {u"compression"_s, QJsonObject{{u"enabled"_s, true}, {u"budget_tokens"_s, 4000}}},
             {u"routing"_s,
              QJsonObject{{u"enabled"_s, true},
                          {u"rules"_s, QJsonArray{QJsonObject{{u"model"_s, u"gpt-4o-2024-08-06"_s},
                                                              {u"max_prompt_tokens"_s, 500},
                                                              {u"max_completion_tokens"_s, 200},
                                                              {u"route_to"_s, u"gpt-4o-mini-2024-07-18"_s}}}},
                          {u"router"_s, routing::RouterConfig::defaults().toJson()}}},
             {u"batch"_s, QJsonObject{{u"enabled"_s, true}, {u"endpoints"_s, QJsonArray{u"feature-00"_s, u"feature-01"_s}}}},
         }}});
    if (!scenario) {
        std::fprintf(stderr, "%s\n", qPrintable(scenario.error().message));
        return 1;
    }
    // The whole ledger (a reused file was built at another time than `start`..`end`).
    const auto [firstUs, lastUs] = ledger.read<std::pair<qint64, qint64>>([&](QSqlDatabase &db) {
                                             QSqlQuery q(db);
                                             return q.exec(u"SELECT MIN(started_at_us), MAX(started_at_us) FROM calls"_s) && q.next()
                                                 ? std::pair(q.value(0).toLongLong(), q.value(1).toLongLong())
                                                 : std::pair(start, end);
                                         })
                                       .result();
    SimulationRequest req;
    req.fromUs = firstUs;
    req.toUs = lastUs + 1;
    req.scenario = *scenario;

    std::vector<double> simMs, scanMs, readMs, simCpuMs, readCpuMs, replayCpuMs, workerCpuMs;
    SimulationResult last;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        std::clock_t cpu = std::clock();
        double replayCpu = 0;
        auto r = ledger.read<Result<SimulationResult>>([&](QSqlDatabase &db) {
                           const double before = threadCpuMs();
                           auto result = Simulator::run(db, *pricer, req);
                           replayCpu = threadCpuMs() - before;
                           return result;
                       })
                     .result();
        simMs.push_back(double(t.nsecsElapsed()) / 1e6);
        simCpuMs.push_back(cpuMsSince(cpu));
        replayCpuMs.push_back(replayCpu);
        workerCpuMs.push_back(simCpuMs.back() - replayCpu);
        if (!r) {
            std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
            return 1;
        }
        last = *r;
        if (parser.isSet(u"no-peers"_s))
            continue;
        t.restart();
        const qint64 sum = ledger.read<qint64>([&](QSqlDatabase &db) {
                                      QSqlQuery q(db);
                                      q.setForwardOnly(true);
                                      q.prepare(u"SELECT SUM(cost_nano) FROM calls WHERE started_at_us >= ? AND started_at_us < ?"_s);
                                      q.addBindValue(req.fromUs);
                                      q.addBindValue(req.toUs);
                                      return q.exec() && q.next() ? q.value(0).toLongLong() : qint64(-1);
                                  })
                                .result();
        scanMs.push_back(double(t.nsecsElapsed()) / 1e6);
        if (sum < 0)
            return 1;
        t.restart();
        cpu = std::clock();
        const qint64 rows = ledger.read<qint64>([&](QSqlDatabase &db) {
                                       auto scan = simulate::LedgerScan::open(db.databaseName());
                                       if (!scan)
                                           return qint64(-1);
                                       const auto span = (*scan)->span(req.fromUs, req.toUs);
                                       if (!span)
                                           return qint64(-1);
                                       (*scan)->start(req.fromUs, req.toUs, *span, true);
                                       qint64 n = 0;
                                       for (;;) {
                                           const auto chunk = (*scan)->next();
                                           if (!chunk)
                                               return qint64(-1);
                                           if (!*chunk)
                                               return n;
                                           n += qint64((*chunk)->rows.size());
                                       }
                                   })
                                 .result();
        readMs.push_back(double(t.nsecsElapsed()) / 1e6);
        readCpuMs.push_back(cpuMsSince(cpu));
        if (rows != last.records)
            return 1;
    }
    std::printf("simulate %lld records, all strategies (%d runs):\n", last.records, runs);
    std::printf("  simulator             median %8.1f ms   min %8.1f ms   max %8.1f ms   (%.2f M records/s)\n",
                percentile(simMs, 0.5), percentile(simMs, 0.0), percentile(simMs, 1.0),
                double(last.records) / percentile(simMs, 0.5) / 1000.0);
    std::printf("  peer: SUM(cost) scan  median %8.1f ms   ratio simulator/scan %.1fx\n", percentile(scanMs, 0.5),
                percentile(simMs, 0.5) / std::max(0.001, percentile(scanMs, 0.5)));
    std::printf("  first run             %8.1f ms   CPU %8.1f ms   (no snapshot is kept: every run reads the ledger; the first\n"
                "                                             may also pay for reading the file into the OS page cache)\n",
                simMs.front(), simCpuMs.front());
    std::printf("  simulator CPU time    median %8.1f ms   (all threads; the read and the replay overlap on 2 threads)\n",
                percentile(simCpuMs, 0.5));
    std::printf("  of which the replay   median %8.1f ms   CPU on Simulator::run's thread; the rest, %.1f ms, is the scan's worker\n"
                "                                             (read and pricing): on an idle machine the run takes about the larger\n",
                percentile(replayCpuMs, 0.5), percentile(workerCpuMs, 0.5));
    std::printf("  peer: LedgerScan read median %8.1f ms   CPU %8.1f ms   (the simulator's read path alone)\n",
                percentile(readMs, 0.5), percentile(readCpuMs, 0.5));
    std::printf("  baseline %lld nano-USD, projected %lld nano-USD, saving %.1f%%\n", qint64(last.baseline),
                qint64(last.projected), 100.0 * double(last.saving()) / double(std::max<qint64>(1, last.baseline)));
    for (const StrategyOutcome &o : std::as_const(last.strategies))
        std::printf("    %-15s saving %16lld nano-USD  calls %9lld%s\n", qPrintable(toString(o.strategy)), qint64(o.saving),
                    o.callsAffected, o.simulated ? "" : "  (not simulated)");
    return 0;
}
