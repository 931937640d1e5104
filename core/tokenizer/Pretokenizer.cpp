#include "tokenizer/Pretokenizer.h"

#include "common/Logging.h"
#include "tokenizer/UnicodeDelta.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

namespace {
// Unicode White_Space (PropList.txt; unchanged since Unicode 6.3), as a class body.
constexpr auto kWhiteSpace = "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
                             "\\x{205F}\\x{3000}"_L1;
} // namespace

struct Pretokenizer::Impl
{
    // `exact` has the Unicode delta classes; `fast` has plain properties and is used for text without
    // any delta code point, where both match identically (the delta ranges cost about 4x in speed).
    pcre2_code *exact = nullptr;
    pcre2_code *fast = nullptr;
    bool jit = false;
    std::vector<std::pair<char32_t, char32_t>> deltaRanges; // sorted, inclusive

    bool hasDeltaCodePoint(std::string_view utf8) const
    {
        const auto *p = reinterpret_cast<const unsigned char *>(utf8.data());
        const auto *end = p + utf8.size();
        while (p < end) {
            if (*p < 0xC0) { // ASCII or continuation byte
                ++p;
                continue;
            }
            char32_t c;
            int n;
            if (*p < 0xE0) {
                c = *p & 0x1F;
                n = 1;
            } else if (*p < 0xF0) {
                c = *p & 0x0F;
                n = 2;
            } else {
                c = *p & 0x07;
                n = 3;
            }
            if (end - p <= n)
                return false;
            for (int k = 1; k <= n; ++k)
                c = (c << 6) | (p[k] & 0x3F);
            p += n + 1;
            if (c < deltaRanges.front().first)
                continue;
            auto it = std::upper_bound(deltaRanges.begin(), deltaRanges.end(), c,
                                       [](char32_t v, const std::pair<char32_t, char32_t> &r) { return v < r.first; });
            if (it != deltaRanges.begin() && c <= std::prev(it)->second)
                return true;
        }
        return false;
    }
};

namespace {

pcre2_code *compile(const QString &pcrePattern, QString *error)
{
    const QByteArray pattern = pcrePattern.toUtf8();
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code *code
        = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.constData()), PCRE2_SIZE(pattern.size()),
                        PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C, &errorCode, &errorOffset, nullptr);
    if (!code) {
        PCRE2_UCHAR buffer[256];
        pcre2_get_error_message(errorCode, buffer, sizeof buffer);
        *error = u"Tokenizer pattern does not compile at offset %1: %2"_s.arg(errorOffset)
                     .arg(QString::fromUtf8(reinterpret_cast<const char *>(buffer)));
    }
    return code;
}

// "\\x{1C89}\\x{A7CB}-\\x{A7CC}..." -> ranges.
void parseRanges(const QString &body, std::vector<std::pair<char32_t, char32_t>> &out)
{
    qsizetype i = 0;
    auto next = [&](char32_t *v) {
        const qsizetype open = body.indexOf(u"\\x{"_s, i);
        if (open != i)
            return false;
        const qsizetype close = body.indexOf(u'}', open);
        *v = char32_t(body.mid(open + 3, close - open - 3).toUInt(nullptr, 16));
        i = close + 1;
        return true;
    };
    char32_t a = 0, b = 0;
    while (i < body.size() && next(&a)) {
        b = a;
        if (i < body.size() && body.at(i) == u'-') {
            ++i;
            next(&b);
        }
        out.emplace_back(a, b);
    }
}

} // namespace

QString Pretokenizer::toPcre2Pattern(const QString &pattern, bool withUnicodeDelta)
{
    QString out;
    out.reserve(pattern.size() * 2);
    bool inClass = false;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c == u'\\' && i + 1 < pattern.size()) {
            const QChar e = pattern.at(i + 1);
            ++i;
            if (e == u's') {
                out += inClass ? QString(kWhiteSpace) : u'[' + QString(kWhiteSpace) + u']';
            } else if (e == u'S') {
                // tiktoken's patterns use \S only outside classes.
                out += u"[^"_s + QString(kWhiteSpace) + u']';
            } else if (e == u'p' && i + 1 < pattern.size() && pattern.at(i + 1) == u'{') {
                const qsizetype close = pattern.indexOf(u'}', i);
                const QString property = u"\\p"_s + pattern.mid(i + 1, close - i);
                i = close;
                QString extra;
                for (const auto &[name, ranges] : unicodeDelta()) {
                    if (name == property && withUnicodeDelta)
                        extra = ranges;
                }
                if (extra.isEmpty())
                    out += property;
                else
                    out += inClass ? QString(property + extra) : QString(u'[' + property + extra + u']');
            } else {
                out += c;
                out += e;
            }
            continue;
        }
        if (c == u'[' && !inClass)
            inClass = true;
        else if (c == u']' && inClass)
            inClass = false;
        out += c;
    }
    return out;
}

Result<std::unique_ptr<Pretokenizer>> Pretokenizer::create(const QString &tiktokenPattern)
{
    QString error;
    pcre2_code *exact = compile(toPcre2Pattern(tiktokenPattern, true), &error);
    if (!exact)
        return fail(ErrorCode::InvalidArgument, error);
    pcre2_code *fast = compile(toPcre2Pattern(tiktokenPattern, false), &error);
    if (!fast) {
        pcre2_code_free(exact);
        return fail(ErrorCode::InvalidArgument, error);
    }
    std::unique_ptr<Pretokenizer> p(new Pretokenizer);
    p->m_impl = new Impl;
    p->m_impl->exact = exact;
    p->m_impl->fast = fast;
    for (const auto &[name, ranges] : unicodeDelta())
        parseRanges(ranges, p->m_impl->deltaRanges);
    std::sort(p->m_impl->deltaRanges.begin(), p->m_impl->deltaRanges.end());
    if (p->m_impl->deltaRanges.empty())
        p->m_impl->deltaRanges.emplace_back(0x110000, 0x110000);
    const int jitRc = pcre2_jit_compile(exact, PCRE2_JIT_COMPLETE);
    p->m_impl->jit = jitRc == 0 && pcre2_jit_compile(fast, PCRE2_JIT_COMPLETE) == 0;
    if (!p->m_impl->jit)
        qCWarning(lcTokenizer) << "PCRE2 JIT unavailable (" << jitRc << "); tokenizing with the interpreter";
    return p;
}

Pretokenizer::~Pretokenizer()
{
    if (m_impl) {
        pcre2_code_free(m_impl->exact);
        pcre2_code_free(m_impl->fast);
        delete m_impl;
    }
}

bool Pretokenizer::run(std::string_view utf8, Callback cb, void *ctx) const
{
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(utf8.data());
    pcre2_code *code = m_impl->hasDeltaCodePoint(utf8) ? m_impl->exact : m_impl->fast;
    const PCRE2_SIZE length = utf8.size();
    pcre2_match_data *md = pcre2_match_data_create(1, nullptr);
    if (!md)
        return false;
    pcre2_match_context *mctx = nullptr;
    pcre2_jit_stack *stack = nullptr;
    bool ok = true;
    PCRE2_SIZE offset = 0;
    while (offset < length) {
        int rc = m_impl->jit ? pcre2_jit_match(code, subject, length, offset, 0, md, mctx)
                             : pcre2_match(code, subject, length, offset, PCRE2_NO_UTF_CHECK, md, mctx);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !stack) {
            // Only very long backtracking runs need more than the default 32 KiB JIT stack.
            mctx = pcre2_match_context_create(nullptr);
            stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
            if (!mctx || !stack) {
                ok = false;
                break;
            }
            pcre2_jit_stack_assign(mctx, nullptr, stack);
            continue;
        }
        if (rc == PCRE2_ERROR_NOMATCH)
            break; // like Rust's find_iter: text after the last match yields nothing
        if (rc < 0) {
            qCWarning(lcTokenizer) << "PCRE2 match failed with code" << rc;
            ok = false;
            break;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        const PCRE2_SIZE begin = ov[0], end = ov[1];
        if (end == begin) { // the patterns never match empty; guard against a loop anyway
            ++offset;
            while (offset < length && (subject[offset] & 0xC0) == 0x80)
                ++offset; // stay on a character boundary
            continue;
        }
        cb(ctx, utf8.data() + begin, end - begin);
        offset = end;
    }
    if (stack)
        pcre2_jit_stack_free(stack);
    if (mctx)
        pcre2_match_context_free(mctx);
    pcre2_match_data_free(md);
    return ok;
}

} // namespace tl::tokenizer
