#include "tokenizer/Utf8.h"

#include <QtGlobal>

#include <cstring>

namespace tl::tokenizer {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at `p` (1..4), or 0 with `*consumed` set to the length of the
// maximal invalid subpart (at least 1) when it is not valid.
size_t validSequence(const unsigned char *p, const unsigned char *end, size_t *consumed)
{
    const unsigned char b0 = p[0];
    if (b0 < 0x80)
        return 1;
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F; // no UTF-16 surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F; // nothing above U+10FFFF
    } else {
        *consumed = 1; // C0, C1, F5..FF or a stray continuation byte
        return 0;
    }
    size_t i = 1;
    for (; i <= need; ++i) {
        if (p + i >= end) {
            *consumed = i; // truncated at the end: the whole prefix is one subpart
            return 0;
        }
        const unsigned char b = p[i];
        const unsigned char l = (i == 1) ? lo : 0x80;
        const unsigned char h = (i == 1) ? hi : 0xBF;
        if (b < l || b > h) {
            *consumed = i; // the offending byte starts the next attempt
            return 0;
        }
    }
    return need + 1;
}

} // namespace

bool isValidUtf8(std::string_view bytes)
{
    auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    auto *end = p + bytes.size();
    while (p < end) {
        // Fast path over ASCII, 8 bytes at a time.
        while (end - p >= 8) {
            quint64 chunk;
            std::memcpy(&chunk, p, 8);
            if (chunk & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        size_t consumed = 0;
        const size_t n = validSequence(p, end, &consumed);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

std::string sanitizeUtf8(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() + 16);
    auto *begin = reinterpret_cast<const unsigned char *>(bytes.data());
    auto *p = begin;
    auto *end = p + bytes.size();
    while (p < end) {
        size_t consumed = 0;
        const size_t n = validSequence(p, end, &consumed);
        if (n) {
            out.append(reinterpret_cast<const char *>(p), n);
            p += n;
        } else {
            out.append(kReplacement, 3);
            p += consumed;
        }
    }
    return out;
}

std::string toUtf8(QStringView text)
{
    std::string out;
    out.reserve(size_t(text.size()) * 3 / 2 + 8);
    const char16_t *p = text.utf16();
    const char16_t *end = p + text.size();
    while (p < end) {
        char32_t c = *p++;
        if (c >= 0xD800 && c <= 0xDFFF) {
            if (c <= 0xDBFF && p < end && *p >= 0xDC00 && *p <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (char32_t(*p++) - 0xDC00);
            } else {
                out.append(kReplacement, 3);
                continue;
            }
        }
        if (c < 0x80) {
            out.push_back(char(c));
        } else if (c < 0x800) {
            out.push_back(char(0xC0 | (c >> 6)));
            out.push_back(char(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(char(0xE0 | (c >> 12)));
            out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(char(0x80 | (c & 0x3F)));
        } else {
            out.push_back(char(0xF0 | (c >> 18)));
            out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(char(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

} // namespace tl::tokenizer
