#include "tokenizer/EstimateCalibration.h"

#include <cmath>

namespace tl::tokenizer {

EstimateCalibration::EstimateCalibration(int minSamples)
    : m_minSamples(minSamples)
{
}

void EstimateCalibration::record(const QString &key, qint64 estimatedTokens, qint64 reportedTokens)
{
    if (estimatedTokens <= 0 || reportedTokens <= 0)
        return; // nothing to learn from an empty or failed call
    std::lock_guard lock(m_mutex);
    Sums &s = m_sums[key];
    s.estimated += estimatedTokens;
    s.reported += reportedTokens;
    ++s.samples;
}

std::optional<double> EstimateCalibration::factor(const QString &key) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_sums.constFind(key);
    if (it == m_sums.constEnd() || it->samples < m_minSamples || it->estimated < 1000)
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

} // namespace tl::tokenizer
