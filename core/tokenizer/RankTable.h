#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tl::tokenizer {

using Rank = std::uint32_t;
inline constexpr Rank kNoRank = UINT32_MAX;

// Byte string <-> BPE rank: an open-addressing hash table (linear probing, load factor <= 0.5) over one
// byte arena, and the rank -> bytes index decoding needs, over the same arena. Built once, then read-only:
// concurrent find() / bytesOf() calls are safe.
//
// Layout: a slot is 8 bytes (the entry's arena offset; 24 bits of the hash and the token's length); an
// arena entry is the rank (4 bytes, native order), the length (1 byte) and the token's bytes. Memory for
// o200k_base (199,998 tokens, 1.40 MB of token bytes): 4 MiB of slots, a 2.4 MB arena and a 0.8 MB rank
// index, about 7.2 MB; the layout before session 13 (16-byte slots, a second copy of the bytes for
// decoding) took about 13 MB.
// Limits: a token is 1..kMaxTokenBytes bytes (OpenAI's rank files: at most 128), ranks below 2^32 - 1, the
// arena below 4 GiB.
class RankTable
{
public:
    static constexpr std::size_t kMaxTokenBytes = 255;

    // Room for `entries` tokens of `tokenBytes` bytes in all (an upper bound is fine: untouched reserved
    // pages cost no memory).
    void reserve(std::size_t entries, std::size_t tokenBytes);
    // False when `bytes` or `rank` is already present, or `bytes` is empty or longer than kMaxTokenBytes.
    bool insert(std::string_view bytes, Rank rank);
    // Gives back the arena's and the rank index's unused reserve (after the last insert()).
    void shrinkToFit()
    {
        m_arena.shrink_to_fit();
        m_byRank.shrink_to_fit();
    }
    std::size_t size() const { return m_size; }
    // One past the highest rank inserted (0 when empty).
    std::size_t rankLimit() const { return m_byRank.size(); }

    Rank find(const char *data, std::size_t len) const
    {
        if (m_slots.empty() || len == 0 || len > kMaxTokenBytes)
            return kNoRank;
        const std::uint64_t h = hash(data, len);
        const std::uint32_t want = tagLen(h, len);
        for (std::size_t i = std::size_t(h) & m_mask;; i = (i + 1) & m_mask) {
            const Slot &s = m_slots[i];
            if (s.tagLen == 0)
                return kNoRank;
            if (s.tagLen == want) {
                const char *entry = m_arena.data() + s.offset;
                if (std::memcmp(entry + kHeaderBytes, data, len) == 0) {
                    Rank r;
                    std::memcpy(&r, entry, sizeof r);
                    return r;
                }
            }
        }
    }
    Rank find(std::string_view bytes) const { return find(bytes.data(), bytes.size()); }

    // The bytes of `rank`; empty when no token has that rank.
    std::string_view bytesOf(Rank rank) const
    {
        if (rank >= m_byRank.size() || m_byRank[rank] == kNoEntry)
            return {};
        const char *entry = m_arena.data() + m_byRank[rank];
        return {entry + kHeaderBytes, std::size_t(static_cast<unsigned char>(entry[sizeof(Rank)]))};
    }

    // Bytes allocated for the table (capacities), for figures.
    std::size_t allocatedBytes() const
    {
        return m_slots.capacity() * sizeof(Slot) + m_arena.capacity() + m_byRank.capacity() * sizeof(std::uint32_t);
    }

    static std::uint64_t hash(const char *data, std::size_t len)
    {
        std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xC2B2AE3D27D4EB4FULL);
        while (len >= 8) {
            std::uint64_t k;
            std::memcpy(&k, data, 8);
            h = (h ^ k) * 0xFF51AFD7ED558CCDULL;
            h ^= h >> 29;
            data += 8;
            len -= 8;
        }
        std::uint64_t k = 0;
        std::memcpy(&k, data, len);
        h = (h ^ k) * 0xC4CEB9FE1A85EC53ULL;
        h ^= h >> 32;
        h *= 0xFF51AFD7ED558CCDULL;
        h ^= h >> 29;
        return h;
    }

private:
    static constexpr std::size_t kHeaderBytes = sizeof(Rank) + 1;
    static constexpr std::uint32_t kNoEntry = UINT32_MAX;
    struct Slot
    {
        std::uint32_t offset = 0; // of the entry in m_arena
        std::uint32_t tagLen = 0; // hash bits 40..63 above the length (1..255); 0: an empty slot
    };
    static std::uint32_t tagLen(std::uint64_t h, std::size_t len)
    {
        return (std::uint32_t(h >> 32) & 0xFFFFFF00u) | std::uint32_t(len);
    }
    void rehash(std::size_t slots);

    std::string m_arena;
    std::vector<Slot> m_slots;
    std::vector<std::uint32_t> m_byRank; // rank -> entry offset, kNoEntry for a rank not present
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

} // namespace tl::tokenizer
