#include "PriceBook.h"

#include "common/Logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace tl {

NanoUsdPerMillion TieredPrice::at(qint64 inputTokens) const
{
    NanoUsdPerMillion price = base;
    for (const Tier &tier : tiers) {
        if (inputTokens > tier.start)
            price = tier.price;
    }
    return price;
}

const ModelPrices &ModelEntry::pricesAt(const QDateTime &startedAtUtc) const
{
    const QDateTime utc = startedAtUtc.toUTC();
    const PriceVariant *chosen = &variants.front();
    std::optional<QDate> chosenDate;
    for (const PriceVariant &v : variants) {
        if (v.windowStart && v.windowEnd) {
            const QTime t = utc.time();
            const bool inside = *v.windowStart <= *v.windowEnd ? (t >= *v.windowStart && t < *v.windowEnd)
                                                               : (t >= *v.windowStart || t < *v.windowEnd);
            if (inside)
                return v.prices; // an off-peak window overrides the date-based choice
            continue;
        }
        if (v.startDate && utc.date() >= *v.startDate && (!chosenDate || *v.startDate > *chosenDate)) {
            chosen = &v;
            chosenDate = v.startDate;
        }
    }
    return chosen->prices;
}

namespace {

std::optional<TieredPrice> parsePrice(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    TieredPrice price;
    if (value.isObject()) {
        const QJsonObject obj = value.toObject();
        price.base = obj.value("base"_L1).toInteger();
        const QJsonArray tiers = obj.value("tiers"_L1).toArray();
        for (const QJsonValue &t : tiers) {
            const QJsonObject to = t.toObject();
            price.tiers.append({to.value("start"_L1).toInteger(), to.value("price"_L1).toInteger()});
        }
        std::sort(price.tiers.begin(), price.tiers.end(),
                  [](const TieredPrice::Tier &a, const TieredPrice::Tier &b) { return a.start < b.start; });
    } else {
        price.base = value.toInteger();
    }
    return price;
}

} // namespace

ModelPrices ModelPrices::fromJson(const QJsonObject &obj)
{
    ModelPrices p;
    p.input = parsePrice(obj.value("input_mtok"_L1));
    p.cacheRead = parsePrice(obj.value("cache_read_mtok"_L1));
    p.cacheWrite = parsePrice(obj.value("cache_write_mtok"_L1));
    p.cacheWrite1h = parsePrice(obj.value("cache_write_1h_mtok"_L1));
    p.output = parsePrice(obj.value("output_mtok"_L1));
    p.inputAudio = parsePrice(obj.value("input_audio_mtok"_L1));
    p.outputAudio = parsePrice(obj.value("output_audio_mtok"_L1));
    p.inputImage = parsePrice(obj.value("input_image_mtok"_L1));
    p.cacheAudioRead = parsePrice(obj.value("cache_audio_read_mtok"_L1));
    p.cacheImageRead = parsePrice(obj.value("cache_image_read_mtok"_L1));
    p.outputImage = parsePrice(obj.value("output_image_mtok"_L1));
    p.outputReasoning = parsePrice(obj.value("output_reasoning_mtok"_L1));
    p.outputCitation = parsePrice(obj.value("output_citation_mtok"_L1));
    p.batchInput = parsePrice(obj.value("batch_input_mtok"_L1));
    p.batchOutput = parsePrice(obj.value("batch_output_mtok"_L1));
    if (const QJsonValue searches = obj.value("web_searches_kcount"_L1); searches.isDouble())
        p.webSearchesPerThousand = searches.toInteger();
    if (const QJsonValue requests = obj.value("requests_kcount"_L1); requests.isDouble())
        p.requestsPerThousand = requests.toInteger();
    if (const QJsonValue fileSearches = obj.value("storage_searches_kcount"_L1); fileSearches.isDouble())
        p.fileSearchesPerThousand = fileSearches.toInteger();
    return p;
}

QJsonObject ModelPrices::toJson() const
{
    QJsonObject obj;
    auto put = [&](const char *key, const std::optional<TieredPrice> &price) {
        if (!price)
            return;
        if (price->tiers.isEmpty()) {
            obj.insert(QLatin1StringView(key), price->base);
            return;
        }
        QJsonArray tiers;
        for (const TieredPrice::Tier &t : price->tiers)
            tiers.append(QJsonObject{{u"start"_s, t.start}, {u"price"_s, t.price}});
        obj.insert(QLatin1StringView(key), QJsonObject{{u"base"_s, price->base}, {u"tiers"_s, tiers}});
    };
    put("input_mtok", input);
    put("cache_read_mtok", cacheRead);
    put("cache_write_mtok", cacheWrite);
    put("cache_write_1h_mtok", cacheWrite1h);
    put("output_mtok", output);
    put("input_audio_mtok", inputAudio);
    put("output_audio_mtok", outputAudio);
    put("input_image_mtok", inputImage);
    put("cache_audio_read_mtok", cacheAudioRead);
    put("cache_image_read_mtok", cacheImageRead);
    put("output_image_mtok", outputImage);
    put("output_reasoning_mtok", outputReasoning);
    put("output_citation_mtok", outputCitation);
    put("batch_input_mtok", batchInput);
    put("batch_output_mtok", batchOutput);
    if (webSearchesPerThousand)
        obj.insert("web_searches_kcount"_L1, *webSearchesPerThousand);
    if (requestsPerThousand)
        obj.insert("requests_kcount"_L1, *requestsPerThousand);
    if (fileSearchesPerThousand)
        obj.insert("storage_searches_kcount"_L1, *fileSearchesPerThousand);
    return obj;
}

namespace {

// "gpt-4o-2099-01-01" -> "gpt-4o"; "claude-3-5-sonnet-20991022" -> "claude-3-5-sonnet"; else empty.
QString stripSnapshotDate(const QString &model)
{
    static const QRegularExpression re(uR"(^(.+?)-(\d{4}-\d{2}-\d{2}|\d{8})$)"_s);
    const QRegularExpressionMatch m = re.match(model);
    return m.hasMatch() ? m.captured(1) : QString();
}

} // namespace

Result<std::shared_ptr<const PriceBook>> PriceBook::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QObject::tr("Cannot read the price book %1: %2").arg(path, file.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(ErrorCode::Parse,
                    QObject::tr("The price book %1 is not valid JSON: %2").arg(path, err.errorString()));
    const QJsonObject root = doc.object();
    auto book = std::make_shared<PriceBook>();
    book->m_version = root.value("version"_L1).toString();
    book->m_source = root.value("source"_L1).toString();
    const QJsonArray providers = root.value("providers"_L1).toArray();
    for (const QJsonValue &pv : providers) {
        const QJsonObject po = pv.toObject();
        ProviderEntry provider;
        provider.id = po.value("id"_L1).toString();
        provider.name = po.value("name"_L1).toString();
        if (po.contains("model_match"_L1))
            provider.modelMatch = MatchRule::fromJson(po.value("model_match"_L1));
        for (const QJsonValue &f : po.value("fallback_model_providers"_L1).toArray())
            provider.fallbackProviders.append(f.toString());
        for (const QJsonValue &mv : po.value("models"_L1).toArray()) {
            const QJsonObject mo = mv.toObject();
            ModelEntry model;
            model.id = mo.value("id"_L1).toString();
            model.name = mo.value("name"_L1).toString(model.id);
            model.match = MatchRule::fromJson(mo.value("match"_L1));
            model.contextWindow = mo.value("context_window"_L1).toInteger();
            model.deprecated = mo.value("deprecated"_L1).toBool();
            for (const QJsonValue &vv : mo.value("prices"_L1).toArray()) {
                const QJsonObject vo = vv.toObject();
                PriceVariant variant;
                variant.prices = ModelPrices::fromJson(vo.value("prices"_L1).toObject());
                const QJsonObject c = vo.value("constraint"_L1).toObject();
                if (c.value("type"_L1).toString() == "start_date"_L1)
                    variant.startDate = QDate::fromString(c.value("start_date"_L1).toString(), Qt::ISODate);
                else if (c.value("type"_L1).toString() == "time_of_date"_L1) {
                    variant.windowStart = QTime::fromString(c.value("start_time"_L1).toString().chopped(1), Qt::ISODate);
                    variant.windowEnd = QTime::fromString(c.value("end_time"_L1).toString().chopped(1), Qt::ISODate);
                }
                model.variants.append(std::move(variant));
            }
            if (model.variants.isEmpty() || model.id.isEmpty()) {
                qCWarning(lcPricing) << "skipping price book model without prices" << provider.id << model.id;
                continue;
            }
            provider.models.append(std::move(model));
        }
        book->m_providers.append(std::move(provider));
    }
    if (book->m_providers.isEmpty() || book->m_version.isEmpty())
        return fail(ErrorCode::Parse, QObject::tr("The price book %1 has no providers or no version.").arg(path));
    return std::shared_ptr<const PriceBook>(std::move(book));
}

Result<std::shared_ptr<const PriceBook>> PriceBook::builtIn()
{
    return load(u":/tokenledger/pricing/pricebook.json"_s);
}

const ProviderEntry *PriceBook::provider(QStringView id) const
{
    for (const ProviderEntry &p : m_providers) {
        if (QStringView(p.id).compare(id, Qt::CaseInsensitive) == 0)
            return &p;
    }
    return nullptr;
}

std::optional<ModelMatch> PriceBook::bestInProvider(const ProviderEntry &p, const QString &model, int *score,
                                                    Qt::CaseSensitivity cs) const
{
    std::optional<ModelMatch> best;
    *score = -1;
    for (const ModelEntry &m : p.models) {
        const int s = m.match.specificity(model, cs);
        if (s > *score) {
            *score = s;
            best = ModelMatch{&p, &m, true, {}};
        }
    }
    return best;
}

std::optional<ModelMatch> PriceBook::resolveInBook(const QString &providerId, const QString &model,
                                                   Qt::CaseSensitivity cs) const
{
    if (!providerId.isEmpty()) {
        if (const ProviderEntry *p = provider(providerId)) {
            int score = -1;
            if (auto m = bestInProvider(*p, model, &score, cs))
                return m;
            for (const QString &fallback : p->fallbackProviders) {
                if (const ProviderEntry *fp = provider(fallback)) {
                    if (auto m = bestInProvider(*fp, model, &score, cs))
                        return m;
                }
            }
            return std::nullopt;
        }
    }
    // No (known) provider: prefer providers that claim the name through their model_match, in book
    // order; otherwise take the most specific match of any provider.
    std::optional<ModelMatch> best;
    int bestScore = -1;
    for (int pass = 0; pass < 2 && !best; ++pass) {
        for (const ProviderEntry &p : m_providers) {
            if (pass == 0 && !(p.modelMatch && p.modelMatch->matches(model, cs)))
                continue;
            int score = -1;
            auto m = bestInProvider(p, model, &score, cs);
            if (m && score > bestScore) {
                best = m;
                bestScore = score;
            }
        }
    }
    return best;
}

std::optional<ModelMatch> PriceBook::resolve(const QString &providerIn, const QString &modelIn) const
{
    const QString providerId = providerIn;
    const QString model = modelIn.trimmed();
    if (model.isEmpty())
        return std::nullopt;

    // "openai/gpt-4o": a prefix naming a provider of the book resolves inside that provider first
    // (unless the caller's provider is an aggregator whose own ids carry such prefixes).
    const qsizetype slash = model.indexOf(u'/');
    const QString prefix = slash > 0 ? model.left(slash) : QString();
    const bool prefixIsProvider = !prefix.isEmpty() && provider(prefix) && (providerId.isEmpty() || providerId.compare(prefix, Qt::CaseInsensitive) == 0);
    if (prefixIsProvider) {
        if (auto m = resolveInBook(prefix, model.mid(slash + 1)))
            return m;
    }
    if (auto m = resolveInBook(providerId, model))
        return m;
    // The same name in another case: the book's own rules are case-sensitive (genai-prices), the names people
    // type or export are not always.
    if (prefixIsProvider) {
        if (auto m = resolveInBook(prefix, model.mid(slash + 1), Qt::CaseInsensitive))
            return m;
    }
    if (auto m = resolveInBook(providerId, model, Qt::CaseInsensitive))
        return m;

    // "ft:gpt-4o-mini-2024-07-18:acme::abc123": the book's own ft: rules were tried above with the
    // full id; fall back to the base model's price and say so.
    if (model.startsWith("ft:"_L1)) {
        const QString base = model.mid(3).section(u':', 0, 0);
        if (auto m = resolve(providerId, base)) {
            m->exact = false;
            m->note = QObject::tr("fine-tuned model priced at its base model %1 (no fine-tuned price known)").arg(base);
            return m;
        }
    }

    // A dated snapshot the book does not list yet.
    const QString undated = stripSnapshotDate(model);
    if (!undated.isEmpty()) {
        if (auto m = resolveInBook(providerId, undated)) {
            m->exact = false;
            m->note = QObject::tr("snapshot %1 not in the price book; priced as %2").arg(model, undated);
            return m;
        }
    }
    return std::nullopt;
}

} // namespace tl
