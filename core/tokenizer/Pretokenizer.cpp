#include "tokenizer/Pretokenizer.h"

#include "common/Logging.h"
#include "tokenizer/UnicodeDelta.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

namespace {
// Unicode White_Space (PropList.txt; unchanged since Unicode 6.3), as a class body.
constexpr auto kWhiteSpace = "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
                             "\\x{205F}\\x{3000}"_L1;
} // namespace

struct Pretokenizer::Impl
{
    pcre2_code *code = nullptr;
    bool jit = false;
};

QString Pretokenizer::toPcre2Pattern(const QString &pattern)
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
                    if (name == property)
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
    const QByteArray pattern = toPcre2Pattern(tiktokenPattern).toUtf8();
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.constData()), PCRE2_SIZE(pattern.size()),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C, &errorCode, &errorOffset,
                                     nullptr);
    if (!code) {
        PCRE2_UCHAR buffer[256];
        pcre2_get_error_message(errorCode, buffer, sizeof buffer);
        return fail(ErrorCode::InvalidArgument,
                    u"Tokenizer pattern does not compile at offset %1: %2"_s.arg(errorOffset).arg(
                        QString::fromUtf8(reinterpret_cast<const char *>(buffer))));
    }
    std::unique_ptr<Pretokenizer> p(new Pretokenizer);
    p->m_impl = new Impl;
    p->m_impl->code = code;
    const int jitRc = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    p->m_impl->jit = jitRc == 0;
    if (!p->m_impl->jit)
        qCWarning(lcTokenizer) << "PCRE2 JIT unavailable (" << jitRc << "); tokenizing with the interpreter";
    return p;
}

Pretokenizer::~Pretokenizer()
{
    if (m_impl) {
        pcre2_code_free(m_impl->code);
        delete m_impl;
    }
}

bool Pretokenizer::run(std::string_view utf8, Callback cb, void *ctx) const
{
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(utf8.data());
    const PCRE2_SIZE length = utf8.size();
    pcre2_match_data *md = pcre2_match_data_create(1, nullptr);
    if (!md)
        return false;
    pcre2_match_context *mctx = nullptr;
    pcre2_jit_stack *stack = nullptr;
    bool ok = true;
    PCRE2_SIZE offset = 0;
    while (offset < length) {
        int rc = m_impl->jit ? pcre2_jit_match(m_impl->code, subject, length, offset, 0, md, mctx)
                             : pcre2_match(m_impl->code, subject, length, offset, PCRE2_NO_UTF_CHECK, md, mctx);
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
