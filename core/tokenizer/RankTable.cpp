#include "tokenizer/RankTable.h"

#include <bit>

namespace tl::tokenizer {

void RankTable::reserve(std::size_t entries, std::size_t tokenBytes)
{
    m_arena.reserve(tokenBytes + entries * kHeaderBytes);
    m_byRank.reserve(entries);
    const std::size_t want = std::bit_ceil(entries * 2 + 16); // load factor <= 0.5
    if (want > m_slots.size())
        rehash(want);
}

void RankTable::rehash(std::size_t slots)
{
    std::vector<Slot> old(slots);
    old.swap(m_slots);
    m_mask = slots - 1;
    for (const Slot &s : old) {
        if (s.tagLen == 0)
            continue;
        const char *entry = m_arena.data() + s.offset;
        const std::size_t len = static_cast<unsigned char>(entry[sizeof(Rank)]);
        std::size_t i = std::size_t(hash(entry + kHeaderBytes, len)) & m_mask;
        while (m_slots[i].tagLen != 0)
            i = (i + 1) & m_mask;
        m_slots[i] = s;
    }
}

bool RankTable::insert(std::string_view bytes, Rank rank)
{
    if (bytes.empty() || bytes.size() > kMaxTokenBytes || rank == kNoRank
        || m_arena.size() + kHeaderBytes + bytes.size() > kNoEntry)
        return false;
    if (rank < m_byRank.size() && m_byRank[rank] != kNoEntry)
        return false;
    if ((m_size + 1) * 2 > m_slots.size())
        rehash(m_slots.empty() ? 64 : m_slots.size() * 2);
    const std::uint64_t h = hash(bytes.data(), bytes.size());
    const std::uint32_t want = tagLen(h, bytes.size());
    std::size_t i = std::size_t(h) & m_mask;
    for (;; i = (i + 1) & m_mask) {
        const Slot &s = m_slots[i];
        if (s.tagLen == 0)
            break;
        if (s.tagLen == want
            && std::memcmp(m_arena.data() + s.offset + kHeaderBytes, bytes.data(), bytes.size()) == 0)
            return false;
    }
    const auto offset = std::uint32_t(m_arena.size());
    m_slots[i] = Slot {offset, want};
    m_arena.append(reinterpret_cast<const char *>(&rank), sizeof rank);
    m_arena.push_back(char(static_cast<unsigned char>(bytes.size())));
    m_arena.append(bytes);
    if (rank >= m_byRank.size())
        m_byRank.resize(std::size_t(rank) + 1, kNoEntry);
    m_byRank[rank] = offset;
    ++m_size;
    return true;
}

} // namespace tl::tokenizer
