#pragma once

// Shared by the benchmarks in tests/bench: order statistics of timing samples.

#include <algorithm>
#include <vector>

namespace tl::bench {

// The q-quantile (0 = min, 0.5 = median, 1 = max) of `samples`, nearest rank; 0 for no samples.
inline double percentile(std::vector<double> samples, double q)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const size_t i = std::min(samples.size() - 1, size_t(q * double(samples.size() - 1) + 0.5));
    return samples[i];
}

} // namespace tl::bench
