# -*- coding: utf-8 -*-
# English singular and plural of the "%n" texts where more than the noun changes (a verb, "they", "their").
# fill_en.py makes the others from the source: "word(s)" -> "word" / "words", "word(es)" -> "word" / "words".
PLURALS = {
'%n request(s) set no output cap; their output is not in the estimate': (
    '%n request sets no output cap; its output is not in the estimate',
    '%n requests set no output cap; their output is not in the estimate'),
'%n call(s) matched a rule routing to %1, which the price book cannot price for them: they keep their recorded cost (no saving counted)': (
    '%n call matched a rule routing to %1, which the price book cannot price for it: it keeps its recorded cost (no saving counted)',
    '%n calls matched a rule routing to %1, which the price book cannot price for them: they keep their recorded cost (no saving counted)'),
'%n call(s) in this row have no price; the cost covers priced calls only.': (
    '%n call in this row has no price; the cost covers priced calls only.',
    '%n calls in this row have no price; the cost covers priced calls only.'),
'≈ Estimated: %n call(s) in this row were priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).': (
    '≈ Estimated: %n call in this row was priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).',
    '≈ Estimated: %n calls in this row were priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).'),
'Not counted, as a provider report covers their day: %n recorded call(s) (%1), usage report lines %2. Team spend compares them.': (
    'Not counted, as a provider report covers their day: %n recorded call (%1), usage report lines %2. Team spend compares them.',
    'Not counted, as a provider report covers their day: %n recorded calls (%1), usage report lines %2. Team spend compares them.'),
'%n call(s) through a Batch API cost %1; at real-time prices they would have cost %2.': (
    '%n call through a Batch API cost %1; at real-time prices it would have cost %2.',
    '%n calls through a Batch API cost %1; at real-time prices they would have cost %2.'),
'≈ %n call(s) or report line(s) in this spend were priced from estimated usage or a price the data lacks; the rest is exact.': (
    '≈ %n call or report line in this spend was priced from estimated usage or a price the data lacks; the rest is exact.',
    '≈ %n calls or report lines in this spend were priced from estimated usage or a price the data lacks; the rest is exact.'),
'%n row(s) with an unknown billed amount (a model the price book does not know) are not in these totals.': (
    '%n row with an unknown billed amount (a model the price book does not know) is not in these totals.',
    '%n rows with an unknown billed amount (a model the price book does not know) are not in these totals.'),
'%n row(s) have no provider report: their recorded cost stands in for what was billed.': (
    '%n row has no provider report: its recorded cost stands in for what was billed.',
    '%n rows have no provider report: their recorded cost stands in for what was billed.'),
'%Ln call(s) with an unpriced model are not in the totals.': (
    '%Ln call with an unpriced model is not in the totals.',
    '%Ln calls with an unpriced model are not in the totals.'),
'%Ln cache hit(s) left out: they cost nothing whichever model is asked for.': (
    '%Ln cache hit left out: it costs nothing whichever model is asked for.',
    '%Ln cache hits left out: they cost nothing whichever model is asked for.'),
'Undecided: %Ln call(s) reach a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, their cost would change by %1 to %2; they are not in the totals above.': (
    'Undecided: %Ln call reaches a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, its cost would change by %1 to %2; it is not in the totals above.',
    'Undecided: %Ln calls reach a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, their cost would change by %1 to %2; they are not in the totals above.'),
"%n call(s) were billed for %1: routed, they are re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted": (
    "%n call was billed for %1: routed, it is re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted",
    "%n calls were billed for %1: routed, they are re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted"),
"%n call(s) on %1 stay at their price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)": (
    "%n call on %1 stays at its price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)",
    "%n calls on %1 stay at their price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)"),
}
