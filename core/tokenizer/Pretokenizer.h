#pragma once

#include "common/Result.h"

#include <QString>

#include <memory>
#include <string_view>

namespace tl::tokenizer {

// Splits valid UTF-8 text into the pieces an encoding's pre-tokenisation regex matches, with PCRE2
// (UTF + Unicode properties, JIT-compiled). The pattern is tiktoken's own, with one translation:
// `\s` and `\S` become explicit classes of the Unicode White_Space property (what Rust's regex crate,
// which tiktoken uses, means by `\s`; PCRE2's \s would also match U+180E), and each \p{..} class gains
// the code points tiktoken's newer Unicode tables have and PCRE2's lack (UnicodeDelta.h).
//
// Built once, then const: forEachPiece() may run concurrently from many threads (each call has its
// own match data). Errors: create() fails with InvalidArgument when the pattern does not compile.
class Pretokenizer
{
public:
    static Result<std::unique_ptr<Pretokenizer>> create(const QString &tiktokenPattern);
    ~Pretokenizer();
    Pretokenizer(const Pretokenizer &) = delete;
    Pretokenizer &operator=(const Pretokenizer &) = delete;

    // The PCRE2 form of a tiktoken pattern (\s and \S replaced; with the Unicode delta classes if asked).
    // Text without any delta code point runs on the pattern without them (same matches, ~4x faster).
    static QString toPcre2Pattern(const QString &tiktokenPattern, bool withUnicodeDelta = true);

    // Calls sink(std::string_view piece) for each match in `utf8`, left to right. `utf8` must be valid
    // UTF-8 (sanitize first). Returns false if PCRE2 failed (out of memory); pieces already sent stay.
    template<typename Sink> bool forEachPiece(std::string_view utf8, Sink &&sink) const
    {
        return run(utf8, &Pretokenizer::callSink<Sink>, &sink);
    }

private:
    Pretokenizer() = default;
    using Callback = void (*)(void *ctx, const char *data, std::size_t len);
    template<typename Sink> static void callSink(void *ctx, const char *data, std::size_t len)
    {
        (*static_cast<Sink *>(ctx))(std::string_view(data, len));
    }
    bool run(std::string_view utf8, Callback cb, void *ctx) const;

    struct Impl;
    Impl *m_impl = nullptr;
};

} // namespace tl::tokenizer
