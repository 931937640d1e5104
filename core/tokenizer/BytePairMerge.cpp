#include "tokenizer/BytePairMerge.h"

#include <algorithm>
#include <functional>

namespace tl::tokenizer {

namespace {

// tiktoken's algorithm with fixed arrays: `start[i]` is the start of part i (start[count] = end),
// `pairRank[i]` the rank of parts i and i+1 merged. Returns the number of parts.
std::size_t mergeScan(const RankTable &ranks, std::string_view piece, std::uint32_t *start, Rank *pairRank)
{
    const std::size_t n = piece.size();
    const char *d = piece.data();
    for (std::size_t i = 0; i <= n; ++i)
        start[i] = std::uint32_t(i);
    std::size_t count = n; // parts
    for (std::size_t i = 0; i + 1 < count; ++i)
        pairRank[i] = ranks.find(d + i, 2);
    pairRank[count - 1] = kNoRank;
    auto rankOf = [&](std::size_t i) -> Rank { // parts i and i+1, in the current layout
        if (i + 2 > count)
            return kNoRank;
        return ranks.find(d + start[i], start[i + 2] - start[i]);
    };
    for (;;) {
        Rank best = kNoRank;
        std::size_t at = 0;
        for (std::size_t i = 0; i + 1 < count; ++i) {
            if (pairRank[i] < best) {
                best = pairRank[i];
                at = i;
            }
        }
        if (best == kNoRank)
            break;
        // Merge parts at and at+1: drop start[at+1].
        for (std::size_t i = at + 1; i < count; ++i)
            start[i] = start[i + 1];
        for (std::size_t i = at + 1; i + 1 < count; ++i)
            pairRank[i] = pairRank[i + 1];
        --count;
        pairRank[at] = rankOf(at);
        if (at > 0)
            pairRank[at - 1] = rankOf(at - 1);
        pairRank[count - 1] = kNoRank;
    }
    return count;
}

// Scratch space reused by each thread's merges, so long pieces allocate only when they grow it.
struct HeapScratch
{
    std::vector<std::uint32_t> next, prev;
    std::vector<Rank> pairRank;
    std::vector<std::uint64_t> heap;
};

template<typename Emit> void mergeHeap(const RankTable &ranks, std::string_view piece, Emit &&emit)
{
    const std::size_t n = piece.size();
    const char *d = piece.data();
    thread_local HeapScratch scratch;
    // Parts as a doubly linked list over byte offsets; part i starts at offset i until merged away
    // (then pairRank[i] is kDead).
    constexpr Rank kDead = kNoRank - 1;
    auto &next = scratch.next;
    auto &prev = scratch.prev;
    auto &pairRank = scratch.pairRank;
    next.resize(n);
    prev.resize(n);
    pairRank.assign(n, kNoRank);
    for (std::size_t i = 0; i < n; ++i) {
        next[i] = std::uint32_t(i + 1); // n means "end"
        prev[i] = std::uint32_t(i == 0 ? UINT32_MAX : i - 1);
    }
    // Min-heap keyed by (rank, start offset): the leftmost lowest-ranked pair, as tiktoken picks.
    using Key = std::uint64_t;
    auto &heap = scratch.heap;
    heap.clear();
    const auto greater = std::greater<Key> {};
    auto push = [&](Key k) {
        heap.push_back(k);
        std::push_heap(heap.begin(), heap.end(), greater);
    };
    for (std::size_t i = 0; i + 1 < n; ++i) {
        pairRank[i] = ranks.find(d + i, 2);
        if (pairRank[i] != kNoRank)
            heap.push_back((Key(pairRank[i]) << 32) | i);
    }
    std::make_heap(heap.begin(), heap.end(), greater);
    auto endOf = [&](std::uint32_t part) -> std::size_t { return next[part]; };
    auto pairRankOf = [&](std::uint32_t part) -> Rank {
        const std::uint32_t nx = next[part];
        if (nx >= n)
            return kNoRank;
        return ranks.find(d + part, endOf(nx) - part);
    };
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), greater);
        const Key top = heap.back();
        heap.pop_back();
        const std::uint32_t i = std::uint32_t(top & 0xFFFFFFFFu);
        const Rank r = Rank(top >> 32);
        // Stale entry: the part was merged away, or its pair changed (a pair's span only grows, so
        // an equal rank means the same pair).
        if (pairRank[i] != r)
            continue;
        const std::uint32_t j = next[i];
        pairRank[j] = kDead;
        next[i] = next[j];
        if (next[j] < n)
            prev[next[j]] = i;
        pairRank[i] = pairRankOf(i);
        if (pairRank[i] != kNoRank)
            push((Key(pairRank[i]) << 32) | i);
        if (prev[i] != UINT32_MAX) {
            const std::uint32_t p = prev[i];
            pairRank[p] = pairRankOf(p);
            if (pairRank[p] != kNoRank)
                push((Key(pairRank[p]) << 32) | p);
        }
    }
    for (std::uint32_t i = 0; i < n; i = next[i])
        emit(i, next[i]);
}

} // namespace

void bytePairEncode(const RankTable &ranks, std::string_view piece, std::vector<Rank> &out)
{
    const char *d = piece.data();
    if (piece.size() == 1) {
        out.push_back(ranks.find(d, 1));
        return;
    }
    if (piece.size() <= kLinearScanMax) {
        std::uint32_t start[kLinearScanMax + 1];
        Rank pairRank[kLinearScanMax];
        const std::size_t count = mergeScan(ranks, piece, start, pairRank);
        for (std::size_t i = 0; i < count; ++i)
            out.push_back(ranks.find(d + start[i], start[i + 1] - start[i]));
        return;
    }
    mergeHeap(ranks, piece, [&](std::size_t b, std::size_t e) { out.push_back(ranks.find(d + b, e - b)); });
}

std::size_t bytePairCount(const RankTable &ranks, std::string_view piece)
{
    if (piece.size() == 1)
        return 1;
    if (piece.size() <= kLinearScanMax) {
        std::uint32_t start[kLinearScanMax + 1];
        Rank pairRank[kLinearScanMax];
        return mergeScan(ranks, piece, start, pairRank);
    }
    std::size_t count = 0;
    mergeHeap(ranks, piece, [&](std::size_t, std::size_t) { ++count; });
    return count;
}

void bytePairMergeHeap(const RankTable &ranks, std::string_view piece, std::vector<std::uint32_t> &starts)
{
    starts.clear();
    if (piece.empty())
        return;
    mergeHeap(ranks, piece, [&](std::size_t b, std::size_t) { starts.push_back(std::uint32_t(b)); });
    starts.push_back(std::uint32_t(piece.size()));
}

void bytePairMergeScan(const RankTable &ranks, std::string_view piece, std::vector<std::uint32_t> &starts)
{
    starts.clear();
    if (piece.empty())
        return;
    std::vector<std::uint32_t> start(piece.size() + 1);
    std::vector<Rank> pairRank(piece.size());
    const std::size_t count = mergeScan(ranks, piece, start.data(), pairRank.data());
    starts.assign(start.begin(), start.begin() + std::ptrdiff_t(count) + 1);
}

} // namespace tl::tokenizer
