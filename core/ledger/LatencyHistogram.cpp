#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace tl::LatencyHistogram {

namespace {
constexpr double kGrowth = 1.25;
const double kLogGrowth = std::log(kGrowth);
}

int bucketOf(qint64 latencyUs)
{
    if (latencyUs < 1000)
        return 0;
    const int b = 1 + int(std::floor(std::log(double(latencyUs) / 1000.0) / kLogGrowth));
    return qBound(1, b, kBuckets - 1);
}

qint64 representativeUs(int bucket)
{
    if (bucket <= 0)
        return 500;
    const double lo = 1000.0 * std::pow(kGrowth, bucket - 1);
    return qint64(std::llround(lo * std::sqrt(kGrowth)));
}

qint64 percentileUs(const qint64 *counts, double q)
{
    qint64 total = 0;
    for (int i = 0; i < kBuckets; ++i)
        total += counts[i];
    if (total == 0)
        return -1;
    const qint64 rank = qint64(std::ceil(q * double(total)));
    qint64 seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts[i];
        if (seen >= rank)
            return representativeUs(i);
    }
    return representativeUs(kBuckets - 1);
}

qint64 percentileWithinSamplesUs(const qint64 *counts, double q, qint64 sumUs, qint64 calls)
{
    const qint64 estimate = percentileUs(counts, q);
    if (estimate < 0 || calls <= 0)
        return estimate;
    int first = -1;
    int last = -1;
    for (int i = 0; i < kBuckets; ++i) {
        if (counts[i] > 0) {
            if (first < 0)
                first = i;
            last = i;
        }
    }
    const double mean = double(sumUs) / double(calls);
    const double firstHigh = first >= kBuckets - 1 ? mean : 1000.0 * std::pow(kGrowth, first); // the last bucket is open above
    const double lastLow = last <= 0 ? 0.0 : 1000.0 * std::pow(kGrowth, last - 1);
    const double lo = std::min(firstHigh, mean);
    const double hi = std::max(lastLow, mean);
    return qint64(std::llround(std::clamp(double(estimate), lo, hi)));
}

namespace {
// Decimal digits of `v` at `out`; returns the end.
char *putNumber(char *out, qint64 v)
{
    quint64 magnitude = quint64(v);
    if (v < 0) {
        *out++ = '-';
        magnitude = ~magnitude + 1;
    }
    char digits[20];
    int n = 0;
    do {
        digits[n++] = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    while (n > 0)
        *out++ = digits[--n];
    return out;
}
} // namespace

qsizetype encodeInto(const qint64 *counts, char *out)
{
    char *p = out;
    for (int i = 0; i < kBuckets; ++i) {
        if (counts[i] == 0)
            continue;
        if (p != out)
            *p++ = ',';
        p = putNumber(p, i);
        *p++ = ':';
        p = putNumber(p, counts[i]);
    }
    return p - out;
}

QByteArray encode(const qint64 *counts)
{
    char buffer[kMaxEncodedSize];
    const qsizetype size = encodeInto(counts, buffer);
    return size == 0 ? QByteArray() : QByteArray(buffer, size);
}

bool addEncoded(const char *text, qsizetype size, qint64 *counts)
{
    qsizetype i = 0;
    auto number = [&](qint64 *value) {
        const qsizetype start = i;
        qint64 v = 0;
        while (i < size && text[i] >= '0' && text[i] <= '9' && i - start < 18)
            v = v * 10 + (text[i++] - '0');
        *value = v;
        return i > start;
    };
    while (i < size) {
        qint64 bucket = 0, count = 0;
        if (!number(&bucket) || i >= size || text[i++] != ':' || !number(&count) || bucket >= kBuckets)
            return false;
        counts[bucket] += count;
        if (i < size && text[i++] != ',')
            return false;
    }
    return true;
}

} // namespace tl::LatencyHistogram
