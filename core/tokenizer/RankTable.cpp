#include "tokenizer/RankTable.h"

#include <bit>

namespace tl::tokenizer {

void RankTable::reserve(std::size_t entries, std::size_t arenaBytes)
{
    m_arena.reserve(arenaBytes);
    const std::size_t want = std::bit_ceil(entries * 2 + 16); // load factor <= 0.5
    if (want > m_slots.size()) {
        std::vector<Slot> old;
        old.swap(m_slots);
        m_slots.assign(want, Slot {});
        m_mask = want - 1;
        for (const Slot &s : old) {
            if (s.rank == kNoRank)
                continue;
            const std::uint64_t h = hash(m_arena.data() + s.offset, s.len);
            std::size_t i = std::size_t(h) & m_mask;
            while (m_slots[i].rank != kNoRank)
                i = (i + 1) & m_mask;
            m_slots[i] = s;
        }
    }
}

void RankTable::grow()
{
    reserve(m_slots.empty() ? 64 : m_slots.size(), m_arena.size());
}

bool RankTable::insert(std::string_view bytes, Rank rank)
{
    if ((m_size + 1) * 2 > m_slots.size())
        grow();
    const std::uint64_t h = hash(bytes.data(), bytes.size());
    const std::uint32_t tag = std::uint32_t(h >> 32);
    std::size_t i = std::size_t(h) & m_mask;
    for (;; i = (i + 1) & m_mask) {
        const Slot &s = m_slots[i];
        if (s.rank == kNoRank)
            break;
        if (s.tag == tag && s.len == bytes.size()
            && std::memcmp(m_arena.data() + s.offset, bytes.data(), bytes.size()) == 0)
            return false;
    }
    m_slots[i] = Slot {std::uint32_t(m_arena.size()), std::uint32_t(bytes.size()), tag, rank};
    m_arena.append(bytes);
    ++m_size;
    return true;
}

} // namespace tl::tokenizer
