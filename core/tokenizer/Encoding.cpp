#include "tokenizer/Encoding.h"

#include "common/Logging.h"
#include "tokenizer/BytePairMerge.h"
#include "tokenizer/Pretokenizer.h"
#include "tokenizer/Utf8.h"

#include <QCryptographicHash>
#include <QFile>
#include <QResource>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

AllowedSpecial AllowedSpecial::all()
{
    AllowedSpecial a;
    a.m_all = true;
    return a;
}

AllowedSpecial AllowedSpecial::only(QStringList tokens)
{
    AllowedSpecial a;
    a.m_tokens = std::move(tokens);
    return a;
}

Encoding::Encoding(const EncodingSpec &spec)
    : m_spec(spec)
{
}

Encoding::~Encoding() = default;

Result<std::shared_ptr<const Encoding>> Encoding::load(EncodingId id, const QString &rankFilePath)
{
    // A compiled-in resource is read once, from its own uncompressed copy: QFile would make one on open()
    // and readAll() a second (3.6 MB each for o200k_base, on top of the tables being built).
    if (rankFilePath.startsWith(u':')) {
        const QResource resource(rankFilePath);
        if (!resource.isValid())
            return fail(ErrorCode::Io, u"Cannot read the tokenizer rank file %1: no such resource"_s.arg(rankFilePath));
        return fromRankData(id, resource.uncompressedData());
    }
    QFile file(rankFilePath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io,
                    u"Cannot read the tokenizer rank file %1: %2"_s.arg(rankFilePath, file.errorString()));
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(ErrorCode::Io,
                    u"Cannot read the tokenizer rank file %1: %2"_s.arg(rankFilePath, file.errorString()));
    return fromRankData(id, data);
}

Result<std::shared_ptr<const Encoding>> Encoding::fromRankData(EncodingId id, const QByteArray &data)
{
    const EncodingSpec &spec = encodingSpec(id);
    const QByteArray digest = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
    if (QString::fromLatin1(digest) != spec.sha256)
        return fail(ErrorCode::InvalidArgument,
                    u"The %1 rank file has SHA-256 %2, expected %3: it is not OpenAI's file"_s.arg(
                        spec.name, QString::fromLatin1(digest), spec.sha256));

    std::shared_ptr<Encoding> enc(new Encoding(spec));
    const qsizetype approxLines = data.count('\n') + 1;
    enc->m_ranks.reserve(std::size_t(approxLines), std::size_t(data.size())); // base64 is longer than its bytes
    qsizetype lineNo = 0;
    for (qsizetype pos = 0; pos < data.size();) {
        qsizetype eol = data.indexOf('\n', pos);
        if (eol < 0)
            eol = data.size();
        ++lineNo;
        const QByteArrayView line(data.constData() + pos, eol - pos);
        pos = eol + 1;
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype space = line.indexOf(' ');
        bool ok = false;
        const qulonglong rank = space > 0 ? line.sliced(space + 1).trimmed().toULongLong(&ok) : 0;
        if (!ok || rank >= std::size_t(approxLines))
            return fail(ErrorCode::Parse,
                        u"%1 rank file, line %2: expected 'base64 rank'"_s.arg(spec.name).arg(lineNo));
        const auto decoded
            = QByteArray::fromBase64Encoding(line.first(space).toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty())
            return fail(ErrorCode::Parse, u"%1 rank file, line %2: bad base64"_s.arg(spec.name).arg(lineNo));
        const std::string_view bytes(decoded.decoded.constData(), std::size_t(decoded.decoded.size()));
        if (bytes.size() > RankTable::kMaxTokenBytes)
            return fail(ErrorCode::Parse, u"%1 rank file, line %2: a token of %3 bytes (at most %4)"_s.arg(spec.name)
                                              .arg(lineNo)
                                              .arg(bytes.size())
                                              .arg(RankTable::kMaxTokenBytes));
        if (!enc->m_ranks.insert(bytes, Rank(rank)))
            return fail(ErrorCode::Parse,
                        u"%1 rank file, line %2: duplicate token or rank"_s.arg(spec.name).arg(lineNo));
    }
    enc->m_ranks.shrinkToFit();
    for (std::size_t r = 0; r < enc->m_ranks.rankLimit(); ++r) {
        if (enc->m_ranks.bytesOf(Rank(r)).empty())
            return fail(ErrorCode::Parse, u"%1 rank file: rank %2 is missing"_s.arg(spec.name).arg(r));
    }
    for (int b = 0; b < 256; ++b) { // byte-level BPE needs every single byte
        const char c = char(b);
        if (enc->m_ranks.find(&c, 1) == kNoRank)
            return fail(ErrorCode::Parse, u"%1 rank file lacks the single byte %2"_s.arg(spec.name).arg(b));
    }
    for (const SpecialTokenSpec &s : spec.specialTokens)
        enc->m_special.emplace_back(s.text.toStdString(), s.id);

    auto pretokenizer = Pretokenizer::create(spec.pattern);
    if (!pretokenizer)
        return std::unexpected(pretokenizer.error());
    enc->m_pretokenizer = std::move(*pretokenizer);
    qCDebug(lcTokenizer) << "loaded" << spec.name << enc->m_ranks.rankLimit() << "ranks,"
                         << enc->m_ranks.allocatedBytes() << "bytes of tables";
    return std::shared_ptr<const Encoding>(std::move(enc));
}

template<typename Sink> void Encoding::encodeOrdinary(std::string_view text, Sink &&sink) const
{
    m_pretokenizer->forEachPiece(text, [&](std::string_view piece) {
        const Rank whole = m_ranks.find(piece);
        if (whole != kNoRank)
            sink.one(whole);
        else
            sink.piece(piece);
    });
}

// Splits at the allowed special tokens (leftmost first) and encodes the text between them on its
// own, as tiktoken's _encode_native does.
template<typename Sink>
void Encoding::encodeWith(std::string_view raw, const AllowedSpecial &allowed, Sink &&sink) const
{
    std::string sanitized;
    std::string_view text = raw;
    if (!isValidUtf8(raw)) {
        sanitized = sanitizeUtf8(raw);
        text = sanitized;
    }
    if (allowed.isNone()) {
        encodeOrdinary(text, sink);
        return;
    }
    std::vector<const std::pair<std::string, TokenId> *> specials;
    for (const auto &s : m_special) {
        if (allowed.allowsAll() || allowed.tokens().contains(QString::fromStdString(s.first)))
            specials.push_back(&s);
    }
    std::size_t start = 0;
    std::size_t from = 0;
    while (true) {
        const std::size_t at = text.find("<|", from);
        if (at == std::string_view::npos)
            break;
        const std::pair<std::string, TokenId> *hit = nullptr;
        for (const auto *s : specials) {
            if (text.substr(at).starts_with(s->first)) {
                hit = s;
                break;
            }
        }
        if (!hit) {
            from = at + 1;
            continue;
        }
        if (at > start)
            encodeOrdinary(text.substr(start, at - start), sink);
        sink.one(hit->second);
        start = from = at + hit->first.size();
    }
    if (start < text.size())
        encodeOrdinary(text.substr(start), sink);
}

namespace {
struct IdSink
{
    const RankTable &ranks;
    std::vector<TokenId> &out;
    void one(Rank r) { out.push_back(r); }
    void piece(std::string_view p) { bytePairEncode(ranks, p, out); }
};
struct CountSink
{
    const RankTable &ranks;
    qint64 n = 0;
    void one(Rank) { ++n; }
    void piece(std::string_view p) { n += qint64(bytePairCount(ranks, p)); }
};
} // namespace

std::vector<TokenId> Encoding::encode(std::string_view utf8, const AllowedSpecial &allowed) const
{
    std::vector<TokenId> out;
    out.reserve(utf8.size() / 4 + 8);
    IdSink sink {m_ranks, out};
    encodeWith(utf8, allowed, sink);
    return out;
}

std::vector<TokenId> Encoding::encode(QStringView text, const AllowedSpecial &allowed) const
{
    return encode(std::string_view(toUtf8(text)), allowed);
}

qint64 Encoding::count(std::string_view utf8, const AllowedSpecial &allowed) const
{
    CountSink sink {m_ranks};
    encodeWith(utf8, allowed, sink);
    return sink.n;
}

qint64 Encoding::count(QStringView text, const AllowedSpecial &allowed) const
{
    return count(std::string_view(toUtf8(text)), allowed);
}

Result<QByteArray> Encoding::decodeBytes(std::span<const TokenId> ids) const
{
    QByteArray out;
    for (const TokenId id : ids) {
        if (const std::string_view bytes = m_ranks.bytesOf(id); !bytes.empty()) {
            out.append(bytes.data(), qsizetype(bytes.size()));
            continue;
        }
        bool found = false;
        for (const auto &s : m_special) {
            if (s.second == id) {
                out.append(s.first.data(), qsizetype(s.first.size()));
                found = true;
                break;
            }
        }
        if (!found)
            return fail(ErrorCode::InvalidArgument, u"Token id %1 is not in %2"_s.arg(id).arg(m_spec.name));
    }
    return out;
}

Result<QString> Encoding::decode(std::span<const TokenId> ids) const
{
    auto bytes = decodeBytes(ids);
    if (!bytes)
        return std::unexpected(bytes.error());
    const std::string clean = sanitizeUtf8(std::string_view(bytes->constData(), std::size_t(bytes->size())));
    return QString::fromUtf8(clean.data(), qsizetype(clean.size()));
}

std::optional<TokenId> Encoding::specialTokenId(QStringView text) const
{
    for (const auto &s : m_special) {
        if (QString::fromStdString(s.first) == text)
            return s.second;
    }
    return std::nullopt;
}

} // namespace tl::tokenizer
