#include "Pricer.h"

#include "common/Logging.h"

#include <QSet>
#include <QTimeZone>
#include <QtNumeric>

using namespace Qt::StringLiterals;

namespace tl {

Pricer::Pricer(std::shared_ptr<const PriceBook> book, QList<PriceOverride> overrides, QList<ModelAlias> aliases)
    : m_book(std::move(book))
    , m_overrides(std::move(overrides))
    , m_aliases(std::move(aliases))
{
}

std::optional<ContextBand> parseContextWindow(QStringView text)
{
    auto amount = [](QStringView t) -> std::optional<qint64> {
        t = t.trimmed();
        qint64 scale = 1;
        if (t.endsWith(u'k', Qt::CaseInsensitive))
            scale = 1'000;
        else if (t.endsWith(u'm', Qt::CaseInsensitive))
            scale = 1'000'000;
        if (scale != 1)
            t.chop(1);
        bool ok = false;
        const qint64 v = t.toLongLong(&ok);
        if (!ok || v < 0 || v > kMaxUsageCount / scale)
            return std::nullopt;
        return v * scale;
    };
    const qsizetype dash = text.indexOf(u'-');
    if (dash <= 0)
        return std::nullopt;
    const auto above = amount(text.left(dash));
    const auto upTo = amount(text.mid(dash + 1));
    if (!above || !upTo || *upTo <= *above)
        return std::nullopt;
    return ContextBand{*above, *upTo};
}

std::optional<NanoUsd> Pricer::compute(const ModelPrices &p, const Usage &u, bool batch, bool anthropicCacheRules,
                                       bool *estimated, qint64 callCount, std::optional<ContextBand> band,
                                       bool *overflow)
{
    *estimated = false;
    if (overflow)
        *overflow = false;
    // Tier selection uses all input tokens of the request. For an aggregate of N calls (callCount != 1)
    // it uses the band its calls fell in when the report gives one; else the average per call, or the
    // base tier when the number of calls is unknown (0); an estimate when the model has tiers and the
    // band does not decide them, since the calls differ.
    const bool aggregate = callCount != 1;
    const qint64 contextTokens = !aggregate ? u.promptTokens
        : band                             ? band->above + 1
        : callCount > 1                    ? u.promptTokens / callCount
                                           : 0;
    PerMillionSum sum;
    bool missing = false;

    auto priceOf = [&](const std::optional<TieredPrice> &price) -> std::optional<NanoUsdPerMillion> {
        if (!price)
            return std::nullopt;
        if (aggregate && !price->tiers.isEmpty() && !(band && price->at(band->above + 1) == price->at(band->upTo)))
            *estimated = true;
        return price->at(contextTokens);
    };
    auto addUnits = [&](qint64 units, std::optional<NanoUsdPerMillion> price) {
        if (units == 0)
            return;
        if (!price) {
            missing = true;
            return;
        }
        sum.add(units, *price);
    };

    const auto input = priceOf(batch && p.batchInput ? p.batchInput : p.input);
    const auto output = priceOf(batch && p.batchOutput ? p.batchOutput : p.output);
    const bool halve = batch && !(p.batchInput || p.batchOutput);

    // Input side. Audio and image tokens are subsets of the prompt with their own price when listed; their
    // cached parts (subsets of the cache reads too) are read at cache_audio_read_mtok / cache_image_read_mtok
    // (genai-prices 0.1.x ModelPrice.calc_price: uncached audio = input audio - cached audio at
    // input_audio_mtok; cache reads less the cached audio at cache_read_mtok).
    qint64 textInput = u.uncachedInputTokens();
    qint64 textCached = u.cachedTokens;
    if (u.audioInputTokens > 0) {
        if (auto audio = priceOf(p.inputAudio)) {
            addUnits(u.audioInputTokens - u.cachedAudioTokens, audio);
            textInput -= u.audioInputTokens - u.cachedAudioTokens;
        } else {
            *estimated = true;
        }
    }
    if (u.cachedAudioTokens > 0) {
        if (auto cachedAudio = priceOf(p.cacheAudioRead)) {
            addUnits(u.cachedAudioTokens, cachedAudio);
            textCached -= u.cachedAudioTokens;
        } else {
            // Read with the other cache reads (genai-prices 0.1.x prices them at $0 instead).
            *estimated = true;
        }
    }
    if (u.imageInputTokens > 0) {
        if (auto image = priceOf(p.inputImage)) {
            addUnits(u.imageInputTokens - u.cachedImageTokens, image);
            textInput -= u.imageInputTokens - u.cachedImageTokens;
        }
    }
    if (u.cachedImageTokens > 0) {
        if (auto cachedImage = priceOf(p.cacheImageRead)) {
            addUnits(u.cachedImageTokens, cachedImage);
            textCached -= u.cachedImageTokens;
        } else if (p.inputImage) {
            *estimated = true; // image input has its own price, its cache read likely too
        }
    }
    if (textInput < 0) {
        // Audio or image tokens counted among the cache reads: the split is not known.
        textInput = 0;
        *estimated = true;
    }
    addUnits(textInput, input);

    if (textCached > 0) {
        auto read = priceOf(p.cacheRead);
        if (!read) {
            read = input;
            *estimated = true;
        }
        addUnits(textCached, read);
    }
    if (u.cacheWrite5mTokens > 0) {
        auto write = priceOf(p.cacheWrite);
        if (!write) {
            write = input;
            *estimated = true;
        }
        addUnits(u.cacheWrite5mTokens, write);
    }
    if (u.cacheWrite1hTokens > 0) {
        auto write = priceOf(p.cacheWrite1h);
        if (!write) {
            // Anthropic: "1-hour cache write tokens are 2 times the base input tokens price".
            write = anthropicCacheRules && input ? std::optional<NanoUsdPerMillion>(*input * 2) : priceOf(p.cacheWrite);
            *estimated = true;
        }
        addUnits(u.cacheWrite1hTokens, write);
    }

    // Output side: reasoning tokens are part of completion tokens and billed once, at the output price
    // unless the model lists output_reasoning_mtok; Perplexity's citation tokens and generated image tokens
    // likewise at output_citation_mtok / output_image_mtok (genai-prices: the parts with a price of their own
    // at it, the rest of output_tokens at output_mtok).
    qint64 textOutput = u.completionTokens;
    if (u.audioOutputTokens > 0) {
        if (auto audio = priceOf(p.outputAudio)) {
            addUnits(u.audioOutputTokens, audio);
            textOutput -= u.audioOutputTokens;
        } else {
            *estimated = true;
        }
    }
    const std::pair<qint64, const std::optional<TieredPrice> *> ownPriced[] = {
        {u.outputImageTokens, &p.outputImage},
        {u.reasoningTokens, &p.outputReasoning},
        {u.citationTokens, &p.outputCitation},
    };
    for (const auto &[tokens, price] : ownPriced) {
        if (tokens <= 0)
            continue;
        if (auto own = priceOf(*price)) {
            addUnits(tokens, own);
            textOutput -= tokens;
        }
    }
    if (textOutput < 0) {
        // Parts that overlap (reasoning spoken as audio?): the split is not known.
        textOutput = 0;
        *estimated = true;
    }
    addUnits(textOutput, output);

    // Web searches: per search, outside the Batch API's token discount. A model with a per-request fee and
    // no search price (Perplexity sonar, sonar-pro, sonar-reasoning[-pro]) has its searches in that fee
    // (Perplexity pricing: "Request fee ... depends on search context size"): no separate charge.
    PerMillionSum fees; // web and file searches, requests
    bool feeOverflow = false;
    // A count billed per 1,000 (searches, file search calls): unpriced when the price is missing.
    auto addPerThousand = [&](qint64 count, const std::optional<NanoUsd> &perThousand) {
        NanoUsdPerMillion perMillion = 0; // per 1,000 * 1,000 = per 1,000,000
        if (!perThousand)
            missing = true;
        else if (qMulOverflow(*perThousand, NanoUsdPerMillion(1000), &perMillion))
            feeOverflow = true;
        else
            fees.add(count, perMillion);
    };
    if (u.webSearchRequests > 0 && !(p.requestsPerThousand && !p.webSearchesPerThousand))
        addPerThousand(u.webSearchRequests, p.webSearchesPerThousand);
    // File search tool calls (OpenAI Responses file_search_call items): per call at storage_searches_kcount,
    // outside the Batch API's token discount as web searches are; calls on a model without that price: unpriced.
    if (u.fileSearchCalls > 0)
        addPerThousand(u.fileSearchCalls, p.fileSearchesPerThousand);
    // The per-request fee: one per call, callCount for an aggregate line; an aggregate of an unknown number
    // of calls (0) leaves it out, a lower bound.
    if (p.requestsPerThousand) {
        NanoUsdPerMillion perMillion = 0;
        if (callCount <= 0)
            *estimated = true;
        else if (qMulOverflow(*p.requestsPerThousand, NanoUsdPerMillion(1000), &perMillion))
            feeOverflow = true;
        else
            fees.add(callCount, perMillion);
    }

    if (missing)
        return std::nullopt;
    const std::optional<NanoUsd> tokens = halve ? sum.checked(1, 2) : sum.checked();
    const std::optional<NanoUsd> feeCost = fees.checked();
    NanoUsd total = 0;
    if (feeOverflow || !tokens || !feeCost || qAddOverflow(*tokens, *feeCost, &total) || total > kMaxRecordCost
        || total < -kMaxRecordCost) {
        if (overflow)
            *overflow = true;
        return std::nullopt;
    }
    return total;
}

CostResult Pricer::price(const QString &providerIn, const QString &modelIn, const Usage &usage, qint64 startedAtUs,
                         bool batch, qint64 callCount, std::optional<ContextBand> band) const
{
    QString provider = providerIn;
    QString model = modelIn;
    for (const ModelAlias &alias : m_aliases) {
        if (alias.alias == model) { // a deployment name maps whatever provider served it
            model = alias.model;
            if (!alias.provider.isEmpty())
                provider = alias.provider;
            break;
        }
    }

    const bool anthropic = provider == "anthropic"_L1 || model.startsWith("claude"_L1);
    CostResult result;
    for (const PriceOverride &o : m_overrides) {
        if (o.model == model && (o.provider.isEmpty() || provider.isEmpty() || o.provider == provider)) {
            bool estimated = false;
            bool overflow = false;
            result.cost = compute(o.prices, usage, batch, anthropic, &estimated, callCount, band, &overflow);
            result.priceEntry = u"override/"_s + o.model;
            result.priceVersion = u"override-r"_s + QString::number(o.revision);
            result.status = !result.cost ? CostStatus::Unpriced : estimated ? CostStatus::Estimated : CostStatus::Exact;
            if (overflow)
                result.note = QObject::tr("the cost for %1 exceeds what one record may carry").arg(model);
            else if (!result.cost)
                result.note = QObject::tr("the override for %1 lacks a price this call needs").arg(model);
            return result;
        }
    }

    const std::optional<ModelMatch> match = resolveCached(provider, model);
    if (!match) {
        result.note = QObject::tr("no price for model \"%1\"").arg(model);
        return result;
    }
    const QDateTime started = QDateTime::fromMSecsSinceEpoch(startedAtUs / 1000, QTimeZone::utc());
    bool estimated = false;
    bool overflow = false;
    const ModelPrices &prices = match->model->pricesAt(started);
    result.cost = compute(prices, usage, batch, anthropic || match->provider->id == "anthropic"_L1, &estimated,
                          callCount, band, &overflow);
    // genai-prices 0.1.8, provider perplexity, price_comments: "Prices per request vary based on usage, this is
    // not represented here, instead we just take the highest price shown for `requests_kcount`" (Perplexity
    // bills the request fee by search context size): the fee is an upper bound, the cost an estimate.
    const bool feeIsUpperBound = match->provider->id == "perplexity"_L1 && prices.requestsPerThousand;
    result.priceEntry = match->provider->id + u'/' + match->model->id;
    result.priceVersion = m_book->version();
    if (!result.cost) {
        result.status = CostStatus::Unpriced;
        result.note = overflow ? QObject::tr("the cost for %1 exceeds what one record may carry").arg(model)
                               : QObject::tr("the price book lacks a price this call needs for %1").arg(model);
    } else if (estimated || !match->exact || feeIsUpperBound) {
        result.status = CostStatus::Estimated;
        result.note = !match->note.isEmpty() || !feeIsUpperBound
            ? match->note
            : QObject::tr("the request fee for %1 is the price book's highest (Perplexity bills it by search "
                          "context size)")
                  .arg(model);
    } else {
        result.status = CostStatus::Exact;
    }
    return result;
}

bool Pricer::offersBatchApi(const QString &providerIn, const QString &modelIn) const
{
    static const QSet<QString> documented = {u"openai"_s, u"anthropic"_s, u"google"_s, u"azure"_s, u"mistral"_s};
    QString provider = providerIn;
    QString model = modelIn;
    for (const ModelAlias &alias : m_aliases) {
        if (alias.alias == model) { // as price()
            model = alias.model;
            if (!alias.provider.isEmpty())
                provider = alias.provider;
            break;
        }
    }
    const QString given = provider.trimmed().toLower();
    for (const PriceOverride &o : m_overrides) {
        if (o.model == model && (o.provider.isEmpty() || provider.isEmpty() || o.provider == provider))
            return o.prices.batchInput.has_value() || documented.contains(given);
    }
    if (const std::optional<ModelMatch> match = resolveCached(provider, model)) {
        if (documented.contains(match->provider->id))
            return true;
        for (const PriceVariant &v : match->model->variants) {
            if (v.prices.batchInput)
                return true;
        }
        return false;
    }
    return documented.contains(given);
}

std::optional<ModelMatch> Pricer::resolveCached(const QString &provider, const QString &model) const
{
    const QString key = provider + u'\x1f' + model;
    {
        QMutexLocker lock(&m_cacheMutex);
        auto it = m_resolved.constFind(key);
        if (it != m_resolved.constEnd())
            return *it;
    }
    std::optional<ModelMatch> match = m_book->resolve(provider, model);
    QMutexLocker lock(&m_cacheMutex);
    if (m_resolved.size() < 100'000) // bounded: names come from outside
        m_resolved.insert(key, match);
    return match;
}

void Pricer::apply(CallRecord &r) const
{
    const QString &model = r.servedModel.isEmpty() ? r.requestedModel : r.servedModel;
    if (r.usageStatus != UsageStatus::Invalid) {
        if (const QString problem = usageProblem(r.usage); !problem.isEmpty()) {
            qCWarning(lcPricing).noquote() << "usage of" << (r.sourceRef.isEmpty() ? u"a call"_s : r.sourceRef) << "("
                                           << model << ") not trusted, recorded unpriced:" << problem;
            r.usage = {};
            r.usageStatus = UsageStatus::Invalid;
        }
    }
    const CostResult result = price(r.provider, model, r.usage, r.startedAtUs, r.batch, r.callCount,
                                    r.callCount != 1 ? parseContextWindow(r.contextWindow) : std::nullopt);
    r.priceEntry = result.priceEntry;
    r.priceVersion = result.priceVersion;
    if (r.usageStatus == UsageStatus::Invalid || r.usageStatus == UsageStatus::Pending
        || (r.usageStatus == UsageStatus::Unknown && r.cacheOutcome != CacheOutcome::ExactHit)) {
        // No usage at all (a gzip answer, a cut stream), none yet (a background response: pending) or none
        // to trust: the cost is not known, never a silent $0. The proxy records such calls so; a re-price or an import must not turn them into
        // "estimated $0".
        r.cost.reset();
        r.costStatus = CostStatus::Unpriced;
        r.savedCost = 0;
        return;
    }
    const bool hit = r.cacheOutcome == CacheOutcome::ExactHit || r.cacheOutcome == CacheOutcome::SemanticHit;
    if (hit) {
        // A cache hit is not billed; what it would have cost is its saving, as known as that cost is: no
        // price, no known saving (unpriced, like the call it repeats); an estimated price, an estimated
        // saving.
        r.savedCost = result.cost.value_or(0);
        if (!result.cost) {
            r.cost.reset();
            r.costStatus = CostStatus::Unpriced;
            return;
        }
        r.cost = 0;
        r.costStatus = result.status == CostStatus::Estimated
                || (r.usageStatus != UsageStatus::Complete && r.usageStatus != UsageStatus::Unknown)
            ? CostStatus::Estimated
            : CostStatus::Exact;
        return;
    }
    r.cost = result.cost;
    r.costStatus = result.status;
    if (r.cost && r.usageStatus != UsageStatus::Complete)
        r.costStatus = CostStatus::Estimated;
    if (r.cost && r.tags.contains(kPriorityTierTag))
        r.costStatus = CostStatus::Estimated; // list price: priority processing bills more (applyServiceTier)
    // A Batch API call's saving is what the same usage costs at the real-time (list) price, less what
    // it cost; unknown list price: no saving claimed.
    if (r.batch)
        r.savedCost = 0;
    if (r.batch && r.cost) {
        const CostResult list = price(r.provider, model, r.usage, r.startedAtUs, false, r.callCount,
                                      r.callCount != 1 ? parseContextWindow(r.contextWindow) : std::nullopt);
        if (list.cost && *list.cost > *r.cost)
            r.savedCost = *list.cost - *r.cost;
    }
}

void applyServiceTier(CallRecord &r, QStringView tier)
{
    const auto tag = [&r](QLatin1StringView t) {
        if (!r.tags.contains(t))
            r.tags << QString(t);
    };
    if (tier == u"flex") {
        r.batch = true;
        tag(kFlexTierTag);
    } else if (tier == u"batch") {
        r.batch = true;
    } else if (tier == u"priority") {
        tag(kPriorityTierTag);
    }
}

} // namespace tl
