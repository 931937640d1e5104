#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "ledger/CallRecord.h"
#include "routing/Router.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace tl {
class Pricer;
}

namespace tl::routing {

// One recorded call as the routing editor's "test against recorded requests" replays it: what the
// ledger keeps of the request (calls table) and of the router's decision at the time (call_savings).
// The ledger keeps no request text, so keyword conditions can never be evaluated on it.
struct RecordedCall
{
    qint64 id = 0;
    qint64 startedAtUs = 0; // UTC microseconds
    QString endpoint;
    QString provider; // price-book provider id; used as the router's provider family
    QString requestedModel;
    QString servedModel;
    QString taskType; // the X-TokenLedger-Task header it had ("" = none)
    SourceKind sourceKind = SourceKind::ImportFile;
    qint64 promptChars = 0; // as recorded (UTF-16 units of the message text); 0 = unknown unless a proxy call
    qint64 maxTokens = 0; // the request's max tokens; 0 = absent (proxy) or unknown (other sources)
    bool hasTools = false;
    bool batch = false;
    Usage usage; // tokens as billed (CallRecord.h semantics)
    std::optional<NanoUsd> recordedCost; // the cost the ledger holds (nullopt: unpriced)
    QString recordedComplexity; // call_savings.complexity ("" = the router did not run)
    QString recordedRouteMode; // call_savings.route_mode ("off", "shadow", "on", "pinned", "")

    // Request text (and so keyword rules) is never known for recorded calls; prompt characters are
    // known for proxy calls only; max tokens likewise (a proxy call without one had none).
    bool promptCharsKnown() const { return sourceKind == SourceKind::Proxy; }
    bool maxTokensKnown() const { return sourceKind == SourceKind::Proxy; }
    bool pinned() const { return recordedRouteMode == QLatin1String("pinned"); }

    // The router's input for this call: family = provider, inputChars = promptChars, no text,
    // maxOutputTokens = maxTokens (-1 when absent or unknown), estimatedPromptTokens = the billed
    // prompt tokens (exact, not an estimate), usesTools = hasTools, usesImages/usesAudio from the
    // image/audio token counts. Structured-output use is not recorded (false).
    RoutingSample sample() const;
};

struct RecordedCallQuery
{
    QString endpoint; // "" = every endpoint
    qint64 fromUs = 0; // [fromUs, toUs), UTC microseconds
    qint64 toUs = 0;
    int limit = 5000; // newest first; at most this many calls
};

struct RecordedCalls
{
    QList<RecordedCall> calls; // newest first
    qint64 matching = 0; // calls in the range for the endpoint (before the limit)
    // Left out on purpose (not counted in `matching`): cache hits (exact or semantic; they cost
    // nothing whichever model was asked for) and provider-report aggregate lines (not single calls).
    qint64 skippedCacheHits = 0;
};

// Reads the calls to test routing rules on. Runs on the thread owning `db` (the ledger's reader
// thread through Ledger::read). Errors: Database with the driver's text. Every value is bound.
Result<RecordedCalls> loadRecordedCalls(QSqlDatabase &db, const RecordedCallQuery &query);

// The ledger's endpoints with their call counts, most calls first (the editor's endpoint choices).
Result<QList<std::pair<QString, qint64>>> recordedEndpoints(QSqlDatabase &db);

// Every endpoint of the ledger with the number of its calls in [fromUs, toUs) (UTC microseconds) that
// loadRecordedCalls would test: RecordedCalls::matching for that endpoint and range, 0 for an endpoint
// without such calls. Most calls first, then by name. Same thread and errors as loadRecordedCalls.
Result<QList<std::pair<QString, qint64>>> recordedEndpoints(QSqlDatabase &db, qint64 fromUs, qint64 toUs);

// What a rule can tell about a recorded call.
enum class RuleVerdict {
    NoMatch, // a condition that is known fails
    Match, // every condition holds
    Unknown, // the known conditions hold; a condition needs data the ledger does not keep
};

// Why a rule cannot be decided on a recorded call (flags, several may be set).
enum class MissingData : int { None = 0, RequestText = 1, PromptChars = 2, MaxTokens = 4 };

// One way the complexity rules may classify a recorded call.
struct RecordedOutcome
{
    Complexity complexity = Complexity::Medium;
    QString matchedRule; // "" when no rule matched (Medium)
    RouteDecision decision; // as if routing were on for the endpoint
    // The model the call would be served by: decision.targetModel when no guard blocked, else the
    // requested model.
    QString projectedModel;
    // Both priced now by the Pricer with the call's own token counts, at the call's time and batch flag.
    std::optional<NanoUsd> baselineCost; // on the requested model (nullopt: unpriced)
    std::optional<NanoUsd> projectedCost; // on projectedModel
    std::optional<NanoUsd> difference() const // projected - baseline (negative = saving)
    {
        if (!baselineCost || !projectedCost)
            return std::nullopt;
        return *projectedCost - *baselineCost;
    }
};

// The result of testing the rules on one recorded call.
struct RecordedTest
{
    // One outcome when the rules decide the call; several when an earlier rule needs data the ledger
    // does not keep (each such rule's outcome "if it matched", in rule order, then the outcome with
    // none of them matching). Never empty.
    QList<RecordedOutcome> outcomes;
    QStringList undecidedRules; // names of the rules that could not be decided, in rule order
    int missing = 0; // MissingData flags of those rules
    bool determined() const { return outcomes.size() == 1; }
    // Lowest and highest cost difference (projected - baseline, nano-USD) over the outcomes; nullopt
    // when an outcome is unpriced.
    std::optional<std::pair<NanoUsd, NanoUsd>> differenceRange() const;
};

// Per rule of the endpoint's rule list: how many tested calls it decided and how many it might have.
struct RuleTally
{
    QString rule;
    qint64 matched = 0; // calls this rule classified for certain
    qint64 undecided = 0; // calls on which this rule needs data the ledger does not keep
    int missing = 0; // MissingData flags seen for this rule
};

struct RecordedTestSummary
{
    qint64 calls = 0;
    qint64 determined = 0;
    qint64 undetermined = 0;
    qint64 routed = 0; // determined calls whose projected model differs from the requested one
    qint64 unpriced = 0; // determined calls with no baseline or projected cost (not in the sums)
    NanoUsd baseline = 0; // determined, priced calls
    NanoUsd projected = 0;
    // Undetermined calls: the sum of each call's lowest and highest difference over its outcomes
    // (calls with an unpriced outcome are left out and counted in `unpriced`).
    NanoUsd undeterminedMinDifference = 0;
    NanoUsd undeterminedMaxDifference = 0;
    QHash<QString, qint64> guards; // RouteGuard name -> determined calls it blocked
    QList<RuleTally> rules; // in the endpoint's rule order
};

// Tests the endpoint rules of `router` on recorded calls, as if routing were on for each call's
// endpoint (the router's config with the endpoint's mode set to On; Shadow and Off would change
// nothing to compare). Rules run through Router::testRules (decided calls) and Router::decideFor
// (each possible outcome of an undecided one). Pure; any thread.
struct RecordedTestRun
{
    QList<RecordedTest> tests; // one per call, in the calls' order
    RecordedTestSummary summary;
};
RecordedTestRun testRecordedCalls(const RouterConfig &config, std::shared_ptr<const Pricer> pricer,
                                  const QList<RecordedCall> &calls);

// Whether `rule` matches a recorded call, given what the ledger keeps (no text, and prompt chars or
// max tokens unknown for non-proxy calls). `missing` gets the MissingData flags of an Unknown verdict.
RuleVerdict evaluateRecorded(const ComplexityRule &rule, const RecordedCall &call, const QString &taskType,
                             int *missing = nullptr);

} // namespace tl::routing
