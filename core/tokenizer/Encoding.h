#pragma once

#include "common/Result.h"
#include "tokenizer/EncodingSpec.h"
#include "tokenizer/RankTable.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl::tokenizer {

class Pretokenizer;

using TokenId = std::uint32_t;

// Which special tokens in the text are encoded as special tokens. Default: none, so text that looks
// like "<|endoftext|>" in user content is counted as ordinary text (tiktoken's encode_ordinary).
// Only the caller, for text it built itself (e.g. a chat template), may allow them.
class AllowedSpecial
{
public:
    AllowedSpecial() = default;
    static AllowedSpecial none() { return {}; }
    static AllowedSpecial all();
    static AllowedSpecial only(QStringList tokens);

    bool allowsAll() const { return m_all; }
    const QStringList &tokens() const { return m_tokens; }
    bool isNone() const { return !m_all && m_tokens.isEmpty(); }

private:
    bool m_all = false;
    QStringList m_tokens;
};

// One byte-level BPE encoding (o200k_base or cl100k_base), token for token the same as OpenAI's
// tiktoken: the encoding's pre-tokenisation regex splits the text, each piece that is a whole token
// becomes that token, and the rest is merged by rank (see BytePairMerge.h).
//
// Input text: UTF-8 bytes or UTF-16. Invalid UTF-8 is replaced by U+FFFD per maximal subpart and
// unpaired UTF-16 surrogates by U+FFFD, as JavaScript's TextDecoder/TextEncoder do before npm tiktoken
// sees the text (Utf8.h).
//
// Units: token counts and ids; the rank file is OpenAI's `base64(token) rank` text format.
// Errors: load()/fromRankData() fail with Io (unreadable file), Parse (malformed line, duplicate
// token) or InvalidArgument (SHA-256 mismatch: the file is not the one tiktoken publishes).
// Thread affinity: immutable after construction; every const method may run concurrently from any
// thread. Share one instance through std::shared_ptr<const Encoding> (see Tokenizers).
class Encoding
{
public:
    static Result<std::shared_ptr<const Encoding>> load(EncodingId id, const QString &rankFilePath);
    static Result<std::shared_ptr<const Encoding>> fromRankData(EncodingId id, const QByteArray &rankFile);
    ~Encoding();
    Encoding(const Encoding &) = delete;
    Encoding &operator=(const Encoding &) = delete;

    EncodingId id() const { return m_spec.id; }
    const QString &name() const { return m_spec.name; }
    const EncodingSpec &spec() const { return m_spec; }
    // Ordinary tokens in the rank file (ranks 0..n-1); special token ids lie above.
    std::size_t ordinaryTokenCount() const { return m_ranks.rankLimit(); }
    // Bytes allocated for the rank tables (about 7.2 MB for o200k_base, 3.5 MB for cl100k_base).
    std::size_t tableBytes() const { return m_ranks.allocatedBytes(); }

    std::vector<TokenId> encode(std::string_view utf8, const AllowedSpecial &allowed = {}) const;
    std::vector<TokenId> encode(QStringView text, const AllowedSpecial &allowed = {}) const;
    // The number of tokens encode() would return, without storing the ids.
    qint64 count(std::string_view utf8, const AllowedSpecial &allowed = {}) const;
    qint64 count(QStringView text, const AllowedSpecial &allowed = {}) const;

    // Token ids back to bytes. A prefix of a multi-byte character may end a token, so the bytes of a
    // slice of ids need not be valid UTF-8. Fails with InvalidArgument on an unknown id.
    Result<QByteArray> decodeBytes(std::span<const TokenId> ids) const;
    // decodeBytes() as text; invalid UTF-8 becomes U+FFFD.
    Result<QString> decode(std::span<const TokenId> ids) const;

    // The id of a special token ("<|endoftext|>"), or nullopt.
    std::optional<TokenId> specialTokenId(QStringView text) const;

private:
    explicit Encoding(const EncodingSpec &spec);
    template<typename Sink> void encodeOrdinary(std::string_view validUtf8, Sink &&sink) const;
    template<typename Sink> void encodeWith(std::string_view utf8, const AllowedSpecial &allowed, Sink &&sink) const;

    EncodingSpec m_spec;
    RankTable m_ranks; // also the decoder (rank -> bytes)
    std::vector<std::pair<std::string, TokenId>> m_special;
    std::unique_ptr<Pretokenizer> m_pretokenizer;
};

} // namespace tl::tokenizer
