#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tl::tokenizer {

using Rank = std::uint32_t;
inline constexpr Rank kNoRank = UINT32_MAX;

// Byte string -> BPE rank, an open-addressing hash table over one byte arena. Built once, then
// read-only: concurrent find() calls are safe. About 4 MB for o200k_base's 200k entries.
class RankTable
{
public:
    void reserve(std::size_t entries, std::size_t arenaBytes);
    // False when `bytes` is already present (a rank file must not repeat a token).
    bool insert(std::string_view bytes, Rank rank);
    std::size_t size() const { return m_size; }

    Rank find(const char *data, std::size_t len) const
    {
        if (m_slots.empty())
            return kNoRank;
        const std::uint64_t h = hash(data, len);
        const std::uint32_t tag = std::uint32_t(h >> 32);
        for (std::size_t i = std::size_t(h) & m_mask;; i = (i + 1) & m_mask) {
            const Slot &s = m_slots[i];
            if (s.rank == kNoRank)
                return kNoRank;
            if (s.tag == tag && s.len == len && std::memcmp(m_arena.data() + s.offset, data, len) == 0)
                return s.rank;
        }
    }
    Rank find(std::string_view bytes) const { return find(bytes.data(), bytes.size()); }

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
    struct Slot
    {
        std::uint32_t offset = 0;
        std::uint32_t len = 0;
        std::uint32_t tag = 0;
        Rank rank = kNoRank;
    };
    void grow();

    std::string m_arena;
    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

} // namespace tl::tokenizer
