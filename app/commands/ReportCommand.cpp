#include "CliCommon.h"
#include "Command.h"

#include "common/CsvCell.h"
#include "ledger/Ledger.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace tl::cli {

namespace {

QString latencyText(qint64 us) { return us < 0 ? u"-"_s : QString::number(double(us) / 1000.0, 'f', 1); }

bool allUnpriced(const Aggregate &a) { return a.allUnpriced(); }

QString costStatus(const Aggregate &a) { return costStatusName(a); }

QJsonObject sourcesJson(const SpendSources &s)
{
    return QJsonObject{
        {u"rule"_s, u"per provider and UTC day: its cost report if any, else its usage report, else recorded calls"_s},
        {u"recorded_nano"_s, s.recordedCost},
        {u"usage_report_nano"_s, s.usageReportCost},
        {u"cost_report_nano"_s, s.costReportCost},
        {u"not_counted_recorded_calls"_s, s.supersededCalls},
        {u"not_counted_recorded_nano"_s, s.supersededRecordedCost},
        {u"not_counted_usage_report_nano"_s, s.supersededUsageCost},
    };
}

QJsonObject aggregateJson(const Aggregate &a)
{
    return QJsonObject{
        {u"calls"_s, a.calls},
        {u"prompt_tokens"_s, a.promptTokens},
        {u"cached_tokens"_s, a.cachedTokens},
        {u"cache_write_tokens"_s, a.cacheWriteTokens},
        {u"completion_tokens"_s, a.completionTokens},
        {u"reasoning_tokens"_s, a.reasoningTokens},
        // Every call unpriced: the cost is unknown (null), never $0. Otherwise the priced calls' sum,
        // with unpriced_calls saying how many are not in it.
        {u"cost_nano"_s, allUnpriced(a) ? QJsonValue() : QJsonValue(a.cost)},
        {u"cost_usd"_s, allUnpriced(a) ? QJsonValue() : QJsonValue(toDecimalUsd(a.cost))},
        {u"unpriced_calls"_s, a.unpricedCalls},
        {u"estimated_calls"_s, a.estimatedCalls},
        {u"cost_status"_s, costStatus(a)},
        {u"cache_saved_nano"_s, a.saved},
        {u"cache_saved_usd"_s, toDecimalUsd(a.saved)},
        {u"avg_latency_ms"_s, a.avgLatencyUs() < 0 ? QJsonValue() : QJsonValue(double(a.avgLatencyUs()) / 1000.0)},
        {u"p95_latency_ms"_s, a.p95LatencyUs() < 0 ? QJsonValue() : QJsonValue(double(a.p95LatencyUs()) / 1000.0)},
    };
}

// Every field quoted (RFC 4180); a group name that looks like a formula (an endpoint or tag "=x") is
// neutralised (CsvCell, OWASP "CSV Injection").
QString csvLine(const QStringList &fields)
{
    return QString::fromUtf8(CsvCell::line(fields, true)) + u'\n';
}

// What a range without calls leaves out: how many calls the ledger has, their first and last day in `zone`, and
// the --since that shows them. Empty when the ledger cannot be read (the report already said what it could).
QString emptyRangeNote(Ledger &ledger, const QTimeZone &zone)
{
    BreakdownQuery everything;
    everything.fromUs = std::numeric_limits<qint64>::min() / 2;
    everything.toUs = std::numeric_limits<qint64>::max() / 2;
    everything.groupBy.clear();
    const Result<Breakdown> all = ledger.breakdown(everything).result();
    const Result<std::pair<qint64, qint64>> span = ledger.timeSpan().result();
    if (!all || !span)
        return {};
    if (all->totals.calls == 0)
        return u"note: no calls in this range, and the ledger has none yet: import or record some first "
               u"(tokenledger import --help)\n"_s;
    auto day = [&](qint64 us) {
        return QDateTime::fromMSecsSinceEpoch(us / 1000, zone).date().toString(Qt::ISODate);
    };
    const QString first = day(span->first), last = day(span->second);
    return u"note: no calls in this range; the ledger has %1 %2, from %3 to %4 (%5): see them with --since %3\n"_s
        .arg(all->totals.calls)
        .arg(all->totals.calls == 1 ? u"call"_s : u"calls"_s, first, last, QString::fromUtf8(zone.id()));
}

} // namespace

int runReport(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    addRangeOptions(parser);
    parser.addOption({u"by"_s, u"Group by endpoint, model, key, provider, batch, tag (comma-separated)."_s,
                      u"DIMS"_s, u"endpoint,model"_s});
    parser.addOption({u"top"_s, u"Only the N most expensive rows."_s, u"N"_s});
    parser.addOption({u"format"_s, u"table, csv or json."_s, u"FORMAT"_s, u"table"_s});
    QString error;
    if (!parseArgs(parser, "report", args, &error))
        return failWith("report", kExitUsage, error);
    if (!parser.positionalArguments().isEmpty())
        return failWith("report", kExitUsage, u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));
    const auto range = parseRange(parser, &error);
    if (!range)
        return failWith("report", kExitUsage, error);
    BreakdownQuery query;
    query.fromUs = range->fromUs;
    query.toUs = range->toUs;
    query.groupBy.clear();
    for (const QString &d : parser.value(u"by"_s).split(u',', Qt::SkipEmptyParts)) {
        Dimension dim;
        if (!dimensionFromString(d.trimmed(), &dim))
            return failWith("report", kExitUsage, u"--by: unknown dimension '%1'"_s.arg(d));
        query.groupBy << dim;
    }
    if (parser.isSet(u"top"_s)) {
        bool ok = false;
        query.topN = parser.value(u"top"_s).toInt(&ok);
        if (!ok || query.topN <= 0)
            return failWith("report", kExitUsage, u"--top needs a positive whole number"_s);
    }
    const QString format = parser.value(u"format"_s);
    if (format != "table"_L1 && format != "csv"_L1 && format != "json"_L1)
        return failWith("report", kExitUsage, u"--format must be table, csv or json"_s);

    auto core = openFromDbOption(parser, LedgerUse::ReadOnly);
    if (!core)
        return failWith("report", kExitFailure, core.error().message);
    const Result<Breakdown> breakdown = core->ledger->breakdown(query).result();
    if (!breakdown)
        return failWith("report", kExitFailure, breakdown.error().message);
    const Breakdown &b = *breakdown;
    // A range without calls: say what the ledger holds and how to see it, on stderr (stdout stays the report)
    // (session-17 trial: `report --days 30` on older calls printed an empty table and nothing else).
    if (b.totals.calls == 0 && (parser.isSet(u"days"_s) || parser.isSet(u"since"_s) || parser.isSet(u"until"_s)))
        err(emptyRangeNote(*core->ledger, range->zone));
    QStringList dimNames;
    for (Dimension d : b.groupBy)
        dimNames << toString(d);
    // Grouped by key: the user's label of each identity (tokenledger label-key) next to it.
    const qsizetype keyIndex = b.groupBy.indexOf(Dimension::Key);
    // Grouped by tag: tags are not exclusive, so a record with several tags is in each of its tags' rows
    // and the rows can add up to more than the total, which counts each record once. A row's share is
    // then its part of that total (the shares can add up to more than 100%), and no cumulative share is
    // given (it would count the overlap).
    const bool byTag = b.groupBy.contains(Dimension::Tag);
    const QString tagNote = u"Tags overlap: a record with several tags counts in each of its tags' rows, so the "
                            u"rows can add up to more than TOTAL, which counts each record once; share_pct is "
                            u"each row's part of TOTAL."_s;
    auto shareOf = [&](const BreakdownRow &row) {
        return byTag ? (b.totals.cost ? double(row.agg.cost) / double(b.totals.cost) : 0) : row.share;
    };

    if (format == "json"_L1) {
        QJsonArray rows;
        for (const BreakdownRow &row : b.rows) {
            QJsonObject keys;
            for (int i = 0; i < dimNames.size(); ++i)
                keys.insert(dimNames[i], row.keys.value(i));
            QJsonObject o = aggregateJson(row.agg);
            if (keyIndex >= 0)
                keys.insert(u"key_label"_s, b.keyLabels.value(row.keys.value(keyIndex)));
            o.insert(u"keys"_s, keys);
            o.insert(u"share"_s, shareOf(row));
            o.insert(u"cumulative_share"_s, byTag ? QJsonValue() : QJsonValue(row.cumulativeShare));
            rows.append(o);
        }
        QJsonObject root{{u"group_by"_s, QJsonArray::fromStringList(dimNames)},
                         {u"rows"_s, rows},
                         {u"totals"_s, aggregateJson(b.totals)},
                         {u"omitted_rows"_s, b.omittedRows},
                         {u"sources"_s, sourcesJson(b.sources)},
                         {u"rows_overlap"_s, byTag}};
        if (byTag)
            root.insert(u"note"_s, tagNote);
        if (b.omittedRows > 0)
            root.insert(u"omitted"_s, aggregateJson(b.omitted));
        out(QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)));
        return kExitOk;
    }

    const bool csv = format == "csv"_L1;
    const QStringList metricNames = {u"calls"_s, u"prompt_tokens"_s, u"cached_tokens"_s, u"completion_tokens"_s,
                                     u"reasoning_tokens"_s, u"cost_usd"_s, u"cost_nano"_s, u"cost_status"_s,
                                     u"unpriced_calls"_s, u"avg_latency_ms"_s, u"p95_latency_ms"_s, u"share_pct"_s,
                                     u"cumulative_pct"_s};
    // An unknown latency is "-" in the table and an empty cell in CSV (a number column; "-" was written
    // as "'-" by the CSV injection guard). The table marks a cost that is partly or wholly estimated
    // with a leading "≈"; CSV keeps the number plain and says so in cost_status.
    auto metrics = [csv, byTag](const Aggregate &a, double share, double cum, bool withShare) {
        const QString usdText = allUnpriced(a) ? u"unpriced"_s
            : (!csv && a.anyEstimated())       ? QString(u"≈"_s + toDecimalUsd(a.cost))
                                               : toDecimalUsd(a.cost);
        auto latency = [csv](qint64 us) { return csv && us < 0 ? QString() : latencyText(us); };
        return QStringList{QString::number(a.calls), QString::number(a.promptTokens), QString::number(a.cachedTokens),
                           QString::number(a.completionTokens), QString::number(a.reasoningTokens), usdText,
                           allUnpriced(a) ? u"unpriced"_s : QString::number(a.cost), costStatus(a),
                           QString::number(a.unpricedCalls), latency(a.avgLatencyUs()), latency(a.p95LatencyUs()),
                           withShare ? QString::number(share * 100, 'f', 1) : u"100.0"_s,
                           withShare && !byTag ? QString::number(cum * 100, 'f', 1) : QString()};
    };
    if (keyIndex >= 0)
        dimNames.insert(keyIndex + 1, u"key_label"_s);
    QList<QStringList> table;
    table << dimNames + metricNames;
    for (const BreakdownRow &row : b.rows) {
        QStringList keys = row.keys;
        if (keyIndex >= 0)
            keys.insert(keyIndex + 1, b.keyLabels.value(row.keys.value(keyIndex)));
        table << keys + metrics(row.agg, shareOf(row), row.cumulativeShare, true);
    }
    if (b.omittedRows > 0) {
        // --top N: the rows left out, summed in one "other" row, so the rows still add up to TOTAL.
        QStringList otherRow;
        for (int i = 0; i < dimNames.size(); ++i)
            otherRow << (i == 0 ? u"(other: %1 rows)"_s.arg(b.omittedRows) : QString());
        const double share = b.totals.cost ? double(b.omitted.cost) / double(b.totals.cost) : 0;
        table << otherRow + metrics(b.omitted, share, 1, true);
    }
    QStringList totalRow;
    for (int i = 0; i < dimNames.size(); ++i)
        totalRow << (i == 0 ? u"TOTAL"_s : QString());
    table << totalRow + metrics(b.totals, 1, 1, false);

    if (format == "csv"_L1) {
        for (const QStringList &row : std::as_const(table))
            out(csvLine(row));
        if (byTag) // not in the CSV itself, whose every line is a row
            err(tagNote + u'\n');
        return kExitOk;
    }
    // Labels from the ledger, shown so a terminal runs none of their control characters (printable()) and each
    // row stays one line; the widths are those of what is shown.
    for (QStringList &row : table)
        for (qsizetype i = 0; i < dimNames.size(); ++i)
            row[i] = printable(row[i]);
    QList<qsizetype> widths(table.front().size(), 0);
    for (const QStringList &row : std::as_const(table))
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    for (qsizetype r = 0; r < table.size(); ++r) {
        QStringList cells;
        for (qsizetype i = 0; i < table[r].size(); ++i) {
            const bool text = i < dimNames.size();
            cells << (text ? table[r][i].leftJustified(widths[i]) : table[r][i].rightJustified(widths[i]));
        }
        // Trailing padding only: an empty first cell keeps its width, so the columns stay aligned.
        QString line = cells.join(u"  "_s);
        while (line.endsWith(u' '))
            line.chop(1);
        out(line + u'\n');
        if (r == 0 || r == table.size() - 2)
            out(QString(line.size(), u'-') + u'\n');
    }
    // Which kind of record the spend comes from (query/SpendCoverage.h), when reports are involved.
    const SpendSources &src = b.sources;
    if (src.fromReports() || src.anySuperseded()) {
        out(u"Spend counts one source per provider and UTC day: its cost report, else its usage report, else "
            u"recorded calls.\nCounted: recorded calls %1, provider usage reports %2, provider cost reports %3.\n"_s
                .arg(toDecimalUsd(src.recordedCost), toDecimalUsd(src.usageReportCost), toDecimalUsd(src.costReportCost)));
        if (src.anySuperseded())
            out(u"Not counted (a provider report covers their day): %1 recorded calls %2, usage report lines %3 "
                u"(compare them on Team spend).\n"_s.arg(src.supersededCalls)
                    .arg(toDecimalUsd(src.supersededRecordedCost), toDecimalUsd(src.supersededUsageCost)));
    }
    if (byTag)
        out(tagNote + u'\n');
    if (b.totals.anyEstimated())
        out(u"≈ marks a cost that is partly or wholly estimated (cost_status).\n"_s);
    return kExitOk;
}

} // namespace tl::cli
