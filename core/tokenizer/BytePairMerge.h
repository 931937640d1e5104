#pragma once

#include "tokenizer/RankTable.h"

#include <string_view>
#include <vector>

namespace tl::tokenizer {

// tiktoken's byte-pair merge of one pre-tokenised piece: repeatedly merge the adjacent pair whose
// concatenation has the lowest rank (the leftmost one on ties) until no pair has a rank. Same result
// as tiktoken's `_byte_pair_merge`, but pieces longer than kLinearScanMax bytes use a min-heap with
// a linked list (O(n log n)) instead of tiktoken's rescans (O(n^2)), so a 1 MB run of one letter
// stays fast. Thread-safe (no shared state).
inline constexpr std::size_t kLinearScanMax = 10;

// Appends the piece's token ranks to `out`. `piece` is non-empty.
void bytePairEncode(const RankTable &ranks, std::string_view piece, std::vector<Rank> &out);
// Number of tokens bytePairEncode() would append, without storing them.
std::size_t bytePairCount(const RankTable &ranks, std::string_view piece);

// The heap-based merge alone, for tests that check it against the linear scan on short inputs.
// Fills `starts` with each token's start offset, followed by piece.size().
void bytePairMergeHeap(const RankTable &ranks, std::string_view piece, std::vector<std::uint32_t> &starts);
void bytePairMergeScan(const RankTable &ranks, std::string_view piece, std::vector<std::uint32_t> &starts);

} // namespace tl::tokenizer
