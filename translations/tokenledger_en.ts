<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>QObject</name>
    <message numerus="yes">
        <source>%n call(s) matched a rule routing to %1, which the price book cannot price for them: they keep their recorded cost (no saving counted)</source>
        <translation><numerusform>%n call matched a rule routing to %1, which the price book cannot price for it: it keeps its recorded cost (no saving counted)</numerusform><numerusform>%n calls matched a rule routing to %1, which the price book cannot price for them: they keep their recorded cost (no saving counted)</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) were billed for %1: routed, they are re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted</source>
        <translation><numerusform>%n call was billed for %1: routed, it is re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted</numerusform><numerusform>%n calls were billed for %1: routed, they are re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n server-side web search(es)</source>
        <translation><numerusform>%n server-side web search</numerusform><numerusform>%n server-side web searches</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation><numerusform>%n page</numerusform><numerusform>%n pages</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) added</source>
        <translation><numerusform>%n record added</numerusform><numerusform>%n records added</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%1: prompt tokens estimated with %2, calibrated x%3 from %n recorded call(s)</source>
        <translation><numerusform>%1: prompt tokens estimated with %2, calibrated x%3 from %n recorded call</numerusform><numerusform>%1: prompt tokens estimated with %2, calibrated x%3 from %n recorded calls</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) set no output cap; their output is not in the estimate</source>
        <translation><numerusform>%n request sets no output cap; its output is not in the estimate</numerusform><numerusform>%n requests set no output cap; their output is not in the estimate</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) on %1 stay at their price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)</source>
        <translation><numerusform>%n call on %1 stays at its price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)</numerusform><numerusform>%n calls on %1 stay at their price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ApplyToProxyDialog</name>
    <message numerus="yes">
        <source>Strategies on (before endpoint overrides): %1. %n endpoint(s) checked.</source>
        <translation><numerusform>Strategies on (before endpoint overrides): %1. %n endpoint checked.</numerusform><numerusform>Strategies on (before endpoint overrides): %1. %n endpoints checked.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::BatchPage</name>
    <message numerus="yes">
        <source>%n request(s); %1 prompt tokens, up to %2 output tokens.</source>
        <translation><numerusform>%n request; %1 prompt tokens, up to %2 output tokens.</numerusform><numerusform>%n requests; %1 prompt tokens, up to %2 output tokens.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Submitting %n request(s)…</source>
        <translation><numerusform>Submitting %n request…</numerusform><numerusform>Submitting %n requests…</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) saved to %1.</source>
        <translation><numerusform>%n result saved to %1.</numerusform><numerusform>%n results saved to %1.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::BreakdownModel</name>
    <message numerus="yes">
        <source>≈ Estimated: %n call(s) in this row were priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).</source>
        <translation><numerusform>≈ Estimated: %n call in this row was priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).</numerusform><numerusform>≈ Estimated: %n calls in this row were priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) in this row have no price; the cost covers priced calls only.</source>
        <translation><numerusform>%n call in this row has no price; the cost covers priced calls only.</numerusform><numerusform>%n calls in this row have no price; the cost covers priced calls only.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ComplexityRulesModel</name>
    <message numerus="yes">
        <source>%n call(s) matched</source>
        <translation><numerusform>%n call matched</numerusform><numerusform>%n calls matched</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n undecided: %1</source>
        <translation><numerusform>%n undecided: %1</numerusform><numerusform>%n undecided: %1</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::CostCalculatorWidget</name>
    <message numerus="yes">
        <source>~%L1 (estimate, calibrated from %n call(s))</source>
        <translation><numerusform>~%L1 (estimate, calibrated from %n call)</numerusform><numerusform>~%L1 (estimate, calibrated from %n calls)</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Calibrated: x%1, the provider's summed prompt tokens over ours for %n recorded call(s) (per-call ratio %2 to %3, standard deviation %4).</source>
        <translation><numerusform>Calibrated: x%1, the provider's summed prompt tokens over ours for %n recorded call (per-call ratio %2 to %3, standard deviation %4).</numerusform><numerusform>Calibrated: x%1, the provider's summed prompt tokens over ours for %n recorded calls (per-call ratio %2 to %3, standard deviation %4).</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Uncalibrated: %n call(s) of this model with the provider's count so far; a factor needs %1 (the proxy counts a sample of its calls).</source>
        <translation><numerusform>Uncalibrated: %n call of this model with the provider's count so far; a factor needs %1 (the proxy counts a sample of its calls).</numerusform><numerusform>Uncalibrated: %n calls of this model with the provider's count so far; a factor needs %1 (the proxy counts a sample of its calls).</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::DashboardPage</name>
    <message numerus="yes">
        <source>Not counted, as a provider report covers their day: %n recorded call(s) (%1), usage report lines %2. Team spend compares them.</source>
        <translation><numerusform>Not counted, as a provider report covers their day: %n recorded call (%1), usage report lines %2. Team spend compares them.</numerusform><numerusform>Not counted, as a provider report covers their day: %n recorded calls (%1), usage report lines %2. Team spend compares them.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::EndpointRoutingModel</name>
    <message numerus="yes">
        <source>own (%n rule(s))</source>
        <translation><numerusform>own (%n rule)</numerusform><numerusform>own (%n rules)</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ImportDialog</name>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation><numerusform>… and %n more</numerusform><numerusform>… and %n more</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::KpiPanel</name>
    <message numerus="yes">
        <source>≈ %n call(s) or report line(s) in this spend were priced from estimated usage or a price the data lacks; the rest is exact.</source>
        <translation><numerusform>≈ %n call or report line in this spend was priced from estimated usage or a price the data lacks; the rest is exact.</numerusform><numerusform>≈ %n calls or report lines in this spend were priced from estimated usage or a price the data lacks; the rest is exact.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n cache hit(s)</source>
        <translation><numerusform>%n cache hit</numerusform><numerusform>%n cache hits</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) through a Batch API cost %1; at real-time prices they would have cost %2.</source>
        <translation><numerusform>%n call through a Batch API cost %1; at real-time prices it would have cost %2.</numerusform><numerusform>%n calls through a Batch API cost %1; at real-time prices they would have cost %2.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::MainWindow</name>
    <message numerus="yes">
        <source>Exported %n call(s) of the dashboard's range to %1.</source>
        <translation><numerusform>Exported %n call of the dashboard's range to %1.</numerusform><numerusform>Exported %n calls of the dashboard's range to %1.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::PriceBookModel</name>
    <message numerus="yes">
        <source>This model has %n dated or time-of-day price variant(s); the default is shown.</source>
        <translation><numerusform>This model has %n dated or time-of-day price variant; the default is shown.</numerusform><numerusform>This model has %n dated or time-of-day price variants; the default is shown.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::PricingPage</name>
    <message numerus="yes">
        <source>Price book %1 (pydantic/genai-prices, MIT licence) with %n model(s).</source>
        <translation><numerusform>Price book %1 (pydantic/genai-prices, MIT licence) with %n model.</numerusform><numerusform>Price book %1 (pydantic/genai-prices, MIT licence) with %n models.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ProxyStatusIndicator</name>
    <message numerus="yes">
        <source>%n request(s) answered, %1 from the cache</source>
        <translation><numerusform>%n request answered, %1 from the cache</numerusform><numerusform>%n requests answered, %1 from the cache</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ReconciliationModel</name>
    <message numerus="yes">
        <source>%1 (+%n unpriced)</source>
        <translation><numerusform>%1 (+%n unpriced)</numerusform><numerusform>%1 (+%n unpriced)</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ReconciliationPage</name>
    <message numerus="yes">
        <source>Every %n hour(s)</source>
        <translation><numerusform>Every %n hour</numerusform><numerusform>Every %n hours</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) have no provider report: their recorded cost stands in for what was billed.</source>
        <translation><numerusform>%n row has no provider report: its recorded cost stands in for what was billed.</numerusform><numerusform>%n rows have no provider report: their recorded cost stands in for what was billed.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) with an unknown billed amount (a model the price book does not know) are not in these totals.</source>
        <translation><numerusform>%n row with an unknown billed amount (a model the price book does not know) is not in these totals.</numerusform><numerusform>%n rows with an unknown billed amount (a model the price book does not know) are not in these totals.</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::RoutingTestPanel</name>
    <message numerus="yes">
        <source>Tested %Ln recorded call(s) of “%1” as if routing were on.</source>
        <translation><numerusform>Tested %Ln recorded call of “%1” as if routing were on.</numerusform><numerusform>Tested %Ln recorded calls of “%1” as if routing were on.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Decided by the rules: %Ln call(s); %1 would be served another model. Cost as requested %2, routed %3: %4 (%5 saved).</source>
        <translation><numerusform>Decided by the rules: %Ln call; %1 would be served another model. Cost as requested %2, routed %3: %4 (%5 saved).</numerusform><numerusform>Decided by the rules: %Ln calls; %1 would be served another model. Cost as requested %2, routed %3: %4 (%5 saved).</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Undecided: %Ln call(s) reach a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, their cost would change by %1 to %2; they are not in the totals above.</source>
        <translation><numerusform>Undecided: %Ln call reaches a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, its cost would change by %1 to %2; it is not in the totals above.</numerusform><numerusform>Undecided: %Ln calls reach a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, their cost would change by %1 to %2; they are not in the totals above.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%Ln call(s) with an unpriced model are not in the totals.</source>
        <translation><numerusform>%Ln call with an unpriced model is not in the totals.</numerusform><numerusform>%Ln calls with an unpriced model are not in the totals.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%Ln cache hit(s) left out: they cost nothing whichever model is asked for.</source>
        <translation><numerusform>%Ln cache hit left out: it costs nothing whichever model is asked for.</numerusform><numerusform>%Ln cache hits left out: they cost nothing whichever model is asked for.</numerusform></translation>
    </message>
</context>
</TS>