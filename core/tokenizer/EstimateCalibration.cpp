#include "tokenizer/EstimateCalibration.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

EstimateCalibration::EstimateCalibration(int minSamples, qint64 minTokens)
    : m_minSamples(minSamples)
    , m_minTokens(minTokens)
{
}

void EstimateCalibration::recordLocked(const QString &key, qint64 estimatedTokens, qint64 reportedTokens)
{
    Sums &s = m_sums[key];
    const double ratio = double(reportedTokens) / double(estimatedTokens);
    s.ratioMin = s.samples == 0 ? ratio : std::min(s.ratioMin, ratio);
    s.ratioMax = s.samples == 0 ? ratio : std::max(s.ratioMax, ratio);
    s.estimated += estimatedTokens;
    s.reported += reportedTokens;
    s.ratioSum += ratio;
    s.ratioSquares += ratio * ratio;
    ++s.samples;
}

void EstimateCalibration::record(const QString &key, qint64 estimatedTokens, qint64 reportedTokens)
{
    if (estimatedTokens <= 0 || reportedTokens <= 0)
        return; // nothing to learn from an empty or failed call
    std::lock_guard lock(m_mutex);
    recordLocked(key, estimatedTokens, reportedTokens);
}

void EstimateCalibration::recordModel(QStringView model, qint64 estimatedTokens, qint64 reportedTokens)
{
    if (estimatedTokens <= 0 || reportedTokens <= 0)
        return;
    const QString modelK = modelKey(model);
    const QString providerK = providerKey(model);
    std::lock_guard lock(m_mutex);
    recordLocked(modelK, estimatedTokens, reportedTokens);
    recordLocked(providerK, estimatedTokens, reportedTokens);
}

void EstimateCalibration::clear()
{
    std::lock_guard lock(m_mutex);
    m_sums.clear();
}

CalibrationFactor EstimateCalibration::toFactor(const QString &key, const Sums &s)
{
    CalibrationFactor f;
    f.key = key;
    f.samples = s.samples;
    f.estimatedTokens = s.estimated;
    f.reportedTokens = s.reported;
    f.factor = s.estimated > 0 ? double(s.reported) / double(s.estimated) : 1.0;
    f.ratioMin = s.ratioMin;
    f.ratioMax = s.ratioMax;
    if (s.samples > 1) {
        const double mean = s.ratioSum / s.samples;
        const double variance = (s.ratioSquares - s.samples * mean * mean) / (s.samples - 1);
        f.ratioStdDev = variance > 0 ? std::sqrt(variance) : 0.0;
    }
    return f;
}

std::optional<double> EstimateCalibration::factor(const QString &key) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_sums.constFind(key);
    if (it == m_sums.constEnd() || !enough(*it))
        return std::nullopt;
    return double(it->reported) / double(it->estimated);
}

qint64 EstimateCalibration::apply(const QString &key, qint64 estimatedTokens) const
{
    const auto f = factor(key);
    return f ? qint64(std::llround(double(estimatedTokens) * *f)) : estimatedTokens;
}

int EstimateCalibration::samples(const QString &key) const
{
    std::lock_guard lock(m_mutex);
    return m_sums.value(key).samples;
}

std::optional<CalibrationFactor> EstimateCalibration::stats(const QString &key) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_sums.constFind(key);
    if (it == m_sums.constEnd())
        return std::nullopt;
    return toFactor(key, *it);
}

std::optional<CalibrationFactor> EstimateCalibration::forModel(QStringView model) const
{
    const QString modelK = modelKey(model);
    const QString providerK = providerKey(model);
    std::lock_guard lock(m_mutex);
    for (const QString &key : {modelK, providerK}) {
        const auto it = m_sums.constFind(key);
        if (it != m_sums.constEnd() && enough(*it))
            return toFactor(key, *it);
    }
    return std::nullopt;
}

int EstimateCalibration::samplesForModel(QStringView model) const
{
    const QString modelK = modelKey(model);
    const QString providerK = providerKey(model);
    std::lock_guard lock(m_mutex);
    const int own = m_sums.value(modelK).samples;
    return own > 0 ? own : m_sums.value(providerK).samples;
}

QString EstimateCalibration::providerKey(QStringView model)
{
    const QString lower = model.toString().toLower();
    if (lower.contains(u"claude"))
        return u"anthropic"_s;
    if (lower.contains(u"gemini") || lower.contains(u"gemma"))
        return u"google"_s;
    const qsizetype slash = lower.indexOf(u'/');
    return slash > 0 ? lower.left(slash) : u"other"_s;
}

QString EstimateCalibration::modelKey(QStringView model)
{
    QString name = model.toString().toLower().trimmed();
    if (const qsizetype slash = name.lastIndexOf(u'/'); slash >= 0)
        name = name.mid(slash + 1);
    // Snapshot suffixes name the same tokenizer: "-20250929" (Anthropic), "@20250929" (Vertex),
    // "-latest".
    const auto isDigit = [](QChar c) { return c >= u'0' && c <= u'9'; };
    if (name.endsWith(u"-latest"))
        name.chop(7);
    else if (name.size() > 9 && (name.at(name.size() - 9) == u'-' || name.at(name.size() - 9) == u'@')
             && std::all_of(name.cend() - 8, name.cend(), isDigit))
        name.chop(9);
    return providerKey(model) + u'/' + name;
}

} // namespace tl::tokenizer
