#include "CliCommon.h"
#include "Command.h"

#include "ledger/Ledger.h"
#include "simulate/Simulator.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace tl::cli {

namespace {
QJsonObject outcomeJson(const StrategyOutcome &o)
{
    QJsonObject j{{u"strategy"_s, toString(o.strategy)},
                  {u"enabled"_s, o.enabled},
                  {u"simulated"_s, o.simulated},
                  {u"saving_nano"_s, o.saving},
                  {u"saving_usd"_s, toDecimalUsd(o.saving)},
                  {u"calls_affected"_s, o.callsAffected}};
    if (!o.whyNot.isEmpty())
        j.insert(u"not_simulated_because"_s, o.whyNot);
    if (!o.assumptions.isEmpty())
        j.insert(u"assumptions"_s, QJsonArray::fromStringList(o.assumptions));
    return j;
}

QString pct(NanoUsd part, NanoUsd whole)
{
    return whole ? QString::number(100.0 * double(part) / double(whole), 'f', 2) + u'%' : u"-"_s;
}
} // namespace

int runSimulate(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    addRangeOptions(parser);
    parser.addOption({u"scenario"_s, u"Scenario file (JSON; see docs/examples)."_s, u"FILE"_s});
    parser.addOption({u"format"_s, u"table or json."_s, u"FORMAT"_s, u"table"_s});
    QString error;
    if (!parseArgs(parser, "simulate", args, &error))
        return failWith("simulate", kExitUsage, error);
    if (!parser.positionalArguments().isEmpty())
        return failWith("simulate", kExitUsage, u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));
    if (!parser.isSet(u"scenario"_s))
        return failWith("simulate", kExitUsage, u"--scenario FILE is required"_s);
    const QString format = parser.value(u"format"_s);
    if (format != "table"_L1 && format != "json"_L1)
        return failWith("simulate", kExitUsage, u"--format must be table or json"_s);
    const auto range = parseRange(parser, &error);
    if (!range)
        return failWith("simulate", kExitUsage, error);

    QFile file(parser.value(u"scenario"_s));
    if (!file.open(QIODevice::ReadOnly))
        return failWith("simulate", kExitFailure, u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &perr);
    if (perr.error != QJsonParseError::NoError)
        return failWith("simulate", kExitUsage, u"%1 is not a JSON object: %2 at offset %3"_s.arg(file.fileName(), perr.errorString())
                                                    .arg(perr.offset));
    if (!doc.isObject()) // valid JSON of another shape ([] or a string): Qt's parser reports no error then
        return failWith("simulate", kExitUsage, u"%1 is not a JSON object: a scenario is an object such as "
                                                u"{\"strategies\": {\"exact_cache\": {\"enabled\": true}}} (docs/simulator.md)"_s.arg(file.fileName()));
    // The scenario is what the user asked for, like proxy --config: a bad one is a usage error (2);
    // a file that cannot be read is a failure (1).
    const auto scenario = Scenario::fromJson(doc.object());
    if (!scenario)
        return failWith("simulate", kExitUsage, u"%1: %2"_s.arg(file.fileName(), scenario.error().message));
    // Nothing enabled ("{}", or every strategy "enabled": false): the projection would equal the baseline.
    if (!scenario->enablesAnyStrategy()) {
        // An enabled strategy that has nothing to work with says so (what the simulator would have skipped).
        QString empty;
        if (scenario->batch.enabled && scenario->batch.endpoints.isEmpty())
            empty = u"; \"batch\" is enabled but lists no \"endpoints\" (name the endpoints that tolerate a "
                    u"24-hour turnaround)"_s;
        else if (scenario->routing.enabled && scenario->routing.rules.isEmpty() && !scenario->routing.router)
            empty = u"; \"routing\" is enabled but has no \"rules\" and no \"router\""_s;
        return failWith("simulate", kExitUsage,
                        u"%1 enables no strategy, so there is nothing to simulate; set \"enabled\": true in one of "
                        u"\"strategies\": routing, exact_cache, semantic_cache, compression, batch "
                        u"(see docs/examples/azure-routing-scenario.json)%2"_s.arg(file.fileName(), empty));
    }

    auto core = openFromDbOption(parser, LedgerUse::ReadOnly);
    if (!core)
        return failWith("simulate", kExitFailure, core.error().message);
    SimulationRequest req;
    req.fromUs = range->fromUs;
    req.toUs = range->toUs;
    req.zone = range->zone;
    req.scenario = *scenario;
    const auto pricer = core->ledger->pricer();
    const auto result = core->ledger
                            ->read<Result<SimulationResult>>(
                                [&](QSqlDatabase &db) { return Simulator::run(db, *pricer, req); })
                            .result();
    if (!result)
        return failWith("simulate", kExitFailure, result.error().message);
    const SimulationResult &r = *result;

    if (format == "json"_L1) {
        QJsonArray strategies, endpoints, series;
        for (const StrategyOutcome &o : r.strategies)
            strategies.append(outcomeJson(o));
        for (const EndpointOutcome &e : r.endpoints) {
            QJsonArray es;
            for (const StrategyOutcome &o : e.strategies)
                if (o.enabled)
                    es.append(outcomeJson(o));
            endpoints.append(QJsonObject{{u"endpoint"_s, e.endpoint},
                                         {u"calls"_s, e.calls},
                                         {u"baseline_nano"_s, e.baseline},
                                         {u"baseline_usd"_s, toDecimalUsd(e.baseline)},
                                         {u"projected_nano"_s, e.projected},
                                         {u"projected_usd"_s, toDecimalUsd(e.projected)},
                                         {u"saving_nano"_s, e.baseline - e.projected},
                                         {u"saving_usd"_s, toDecimalUsd(e.baseline - e.projected)},
                                         {u"strategies"_s, es}});
        }
        for (qsizetype i = 0; i < r.bucketLabels.size(); ++i)
            series.append(QJsonObject{{u"day"_s, r.bucketLabels[i]},
                                      {u"baseline_nano"_s, r.baselinePerBucket[i]},
                                      {u"baseline_usd"_s, toDecimalUsd(r.baselinePerBucket[i])},
                                      {u"projected_nano"_s, r.projectedPerBucket[i]},
                                      {u"projected_usd"_s, toDecimalUsd(r.projectedPerBucket[i])}});
        const QJsonObject root{{u"scenario"_s, r.scenarioName},
                               {u"records"_s, r.records},
                               {u"unpriced_records"_s, r.unpricedRecords},
                               {u"report_lines_not_simulated"_s, r.reportLines},
                               {u"report_lines_unpriced"_s, r.unpricedReportLines},
                               {u"report_lines_nano"_s, r.reportCost},
                               {u"superseded_calls"_s, r.supersededCalls},
                               {u"superseded_report_lines"_s, r.supersededReportLines},
                               {u"superseded_nano"_s, r.supersededCost},
                               {u"covered_calls_replayed"_s, r.coveredCalls},
                               {u"covered_calls_nano"_s, r.coveredCost},
                               {u"covered_calls_usd"_s, toDecimalUsd(r.coveredCost)},
                               {u"covered_saving_nano"_s, r.coveredSaving},
                               {u"covered_saving_usd"_s, toDecimalUsd(r.coveredSaving)},
                               {u"over_report_days"_s, r.overReportDays},
                               {u"over_report_calls"_s, r.overReportCalls},
                               {u"over_report_nano"_s, r.overReportCost},
                               {u"over_report_usd"_s, toDecimalUsd(r.overReportCost)},
                               {u"baseline_nano"_s, r.baseline},
                               {u"baseline_usd"_s, toDecimalUsd(r.baseline)},
                               {u"projected_nano"_s, r.projected},
                               {u"projected_usd"_s, toDecimalUsd(r.projected)},
                               {u"saving_nano"_s, r.saving()},
                               {u"saving_usd"_s, toDecimalUsd(r.saving())},
                               {u"strategies"_s, strategies},
                               {u"endpoints"_s, endpoints},
                               {u"per_day"_s, series}};
        out(QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)));
        return kExitOk;
    }

    out(u"Scenario: %1\n%2 replayed (%3 unpriced, left out)\n"_s.arg(printable(r.scenarioName))
            .arg(counted(r.replayedCalls(), u"call"_s, u"calls"_s))
            .arg(r.unpricedRecords));
    if (r.reportLines > 0)
        out(u"Not simulated: %1 provider report lines, %2 (in the baseline and the projection as they are)\n"_s
                .arg(r.reportLines)
                .arg(formatUsd(r.reportCost, 2)));
    if (r.coveredCalls > 0)
        out(u"Replayed on days a provider report covers: %1 recorded calls, %2 (in the report lines, not added again); "
            u"their saving %3 is taken off the report lines\n"_s.arg(r.coveredCalls)
                .arg(formatUsd(r.coveredCost, 2), formatUsd(r.coveredSaving, 2)));
    if (r.overReportCalls > 0)
        out(u"Not replayed: %1 recorded calls, %2, on %3 provider days where they cost more than the report lines "
            u"that count (no saving taken)\n"_s.arg(r.overReportCalls)
                .arg(formatUsd(r.overReportCost, 2))
                .arg(r.overReportDays));
    if (r.supersededCalls > 0 || r.supersededReportLines > 0)
        out(u"Left out (a provider report covers their provider and UTC day): %1 recorded calls, %2 usage report "
            u"lines, %3\n"_s.arg(r.supersededCalls)
                .arg(r.supersededReportLines)
                .arg(formatUsd(r.supersededCost, 2)));
    out(u"Baseline %1   projected %2   saving %3 (%4)\n\n"_s.arg(formatUsd(r.baseline, 2), formatUsd(r.projected, 2),
                                                             formatUsd(r.saving(), 2), pct(r.saving(), r.baseline)));
    out(u"%1  %2  %3  %4\n"_s.arg(u"strategy"_s.leftJustified(16), u"saving"_s.rightJustified(16),
                                  u"share"_s.rightJustified(8), u"calls affected"_s.rightJustified(15)));
    for (const StrategyOutcome &o : r.strategies) {
        if (!o.enabled)
            continue;
        if (!o.simulated) {
            out(u"%1  not simulated: %2\n"_s.arg(toString(o.strategy).leftJustified(16), printable(o.whyNot)));
            continue;
        }
        out(u"%1  %2  %3  %4\n"_s.arg(toString(o.strategy).leftJustified(16), formatUsd(o.saving, 2).rightJustified(16),
                                      pct(o.saving, r.baseline).rightJustified(8),
                                      QString::number(o.callsAffected).rightJustified(15)));
    }
    out(u"\nTop endpoints by saving:\n"_s);
    for (qsizetype i = 0; i < std::min<qsizetype>(10, r.endpoints.size()); ++i) {
        const EndpointOutcome &e = r.endpoints[i];
        out(u"  %1  baseline %2  projected %3  saving %4\n"_s.arg(printable(e.endpoint).leftJustified(24), formatUsd(e.baseline, 2),
                                                                  formatUsd(e.projected, 2),
                                                                  formatUsd(e.baseline - e.projected, 2)));
    }
    out(u"\nAssumptions:\n"_s);
    for (const StrategyOutcome &o : r.strategies)
        if (o.enabled && o.simulated)
            for (const QString &a : o.assumptions)
                out(u"  - %1: %2\n"_s.arg(toString(o.strategy), printable(a)));
    return kExitOk;
}

} // namespace tl::cli
