#include "semantic/LocalEmbedder.h"

#include <QChar>
#include <QCryptographicHash>
#include <QtEndian>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>

using namespace Qt::StringLiterals;

namespace tl::semantic {

namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

// Family seeds: the same n-gram in two families lands in unrelated buckets.
constexpr std::uint64_t kSeedWord = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kSeedBigram = 0xc2b2ae3d27d4eb4fULL;
constexpr std::uint64_t kSeedChar = 0x165667b19e3779f9ULL;

constexpr float kWeightWord = 0.5f;
constexpr float kWeightBigram = 0.2f;
constexpr float kWeightChar = 0.3f;

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Powers of the FNV prime (mod 2^64): FNV-1a over a zero byte is a multiplication only, so the zero
// bytes at the top of a code point fold into one multiplication by the matching power.
constexpr std::uint64_t kFnvPrime2 = kFnvPrime * kFnvPrime;
constexpr std::uint64_t kFnvPrime3 = kFnvPrime2 * kFnvPrime;
constexpr std::uint64_t kFnvPrime4 = kFnvPrime3 * kFnvPrime;

std::uint64_t fnv(const char32_t *p, std::size_t n, std::uint64_t seed)
{
    std::uint64_t h = kFnvOffset ^ seed;
    for (std::size_t i = 0; i < n; ++i) {
        // Four bytes per code point, little-endian order, so the hash does not depend on the host.
        // The same value as xor-and-multiply over each of the four bytes (LocalEmbedderTest pins vectors).
        const std::uint32_t c = std::uint32_t(p[i]);
        if (c < 0x100u) {
            h = (h ^ c) * kFnvPrime4;
        } else if (c < 0x10000u) {
            h = (h ^ (c & 0xffu)) * kFnvPrime;
            h = (h ^ (c >> 8)) * kFnvPrime3;
        } else {
            for (int b = 0; b < 4; ++b) {
                h ^= (c >> (8 * b)) & 0xffu;
                h *= kFnvPrime;
            }
        }
    }
    return h;
}

// Scripts written without spaces between words: each character is a word of its own.
bool isUnspacedScript(char32_t c)
{
    switch (QChar::script(c)) {
    case QChar::Script_Han:
    case QChar::Script_Hiragana:
    case QChar::Script_Katakana:
    case QChar::Script_Thai:
    case QChar::Script_Lao:
    case QChar::Script_Khmer:
    case QChar::Script_Myanmar:
    case QChar::Script_Yi:
        return true;
    default:
        return false;
    }
}

bool isWordChar(char32_t c)
{
    return QChar::isLetterOrNumber(c) || QChar::isMark(c);
}

struct Word
{
    std::size_t begin = 0; // in Tokens::chars
    std::size_t length = 0;
    bool unspaced = false;
};

struct Tokens
{
    std::u32string chars;
    std::vector<Word> words;
};

bool isAscii(QStringView text)
{
    for (QChar c : text) {
        if (c.unicode() >= 0x80)
            return false;
    }
    return true;
}

// ASCII text is its own NFKC form and case-folds to A-Z -> a-z only (Unicode CaseFolding.txt), so it
// skips Qt's normaliser and folder (about 7% of an embedding's instructions on a 153-character English
// prompt, callgrind; the folder's share).
QString foldAscii(QStringView text)
{
    QString out(text.size(), Qt::Uninitialized);
    QChar *d = out.data();
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        d[i] = QChar(c >= u'A' && c <= u'Z' ? char16_t(c + (u'a' - u'A')) : c);
    }
    return out;
}

Tokens tokenize(QStringView text)
{
    const QString folded = isAscii(text) ? foldAscii(text)
                                         : text.toString().normalized(QString::NormalizationForm_KC).toCaseFolded();
    Tokens t;
    t.chars.reserve(std::size_t(folded.size()));
    bool inWord = false;
    const qsizetype n = folded.size();
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = folded.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && folded.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(folded.at(i).unicode(), folded.at(i + 1).unicode());
            ++i;
        }
        if (!isWordChar(c)) {
            inWord = false;
            continue;
        }
        if (isUnspacedScript(c)) {
            t.words.push_back(Word {t.chars.size(), 1, true});
            t.chars.push_back(c);
            inWord = false;
            continue;
        }
        if (!inWord) {
            t.words.push_back(Word {t.chars.size(), 0, false});
            inWord = true;
        }
        t.chars.push_back(c);
        ++t.words.back().length;
    }
    return t;
}

// A set of bucket numbers, one bit a bucket: visited in ascending order without sorting.
struct BucketSet
{
    std::vector<std::uint64_t> words;

    explicit BucketSet(int dims) : words(std::size_t(dims + 63) / 64, 0) {}
    void add(int bucket) { words[std::size_t(bucket) >> 6] |= std::uint64_t(1) << (bucket & 63); }
    void unite(const BucketSet &other)
    {
        for (std::size_t w = 0; w < words.size(); ++w)
            words[w] |= other.words[w];
    }
    template <class F>
    void forEach(F &&f) const
    {
        for (std::size_t w = 0; w < words.size(); ++w) {
            for (std::uint64_t bits = words[w]; bits != 0; bits &= bits - 1)
                f(int(w * 64 + std::size_t(std::countr_zero(bits))));
        }
    }
};

// Adds one family's features (hashes, with repeats) to `acc` with sublinear tf and marks the buckets it
// touched in `touched`. The caller normalises the family.
void accumulate(std::vector<std::uint64_t> &hashes, float *acc, int dims, BucketSet &touched, std::uint64_t key)
{
    std::sort(hashes.begin(), hashes.end());
    const std::uint64_t d = std::uint64_t(dims);
    const bool powerOfTwo = (d & (d - 1)) == 0;
    for (std::size_t i = 0; i < hashes.size();) {
        std::size_t j = i + 1;
        while (j < hashes.size() && hashes[j] == hashes[i])
            ++j;
        const std::uint64_t h = splitmix64(hashes[i] ^ key);
        // Most features occur once: log(1) is exactly 0, so their weight is exactly 1 without the call.
        const float w = j - i == 1 ? 1.0f : 1.0f + std::log(float(j - i));
        // The remainder by a power of two (512, the default) is the low bits: the same bucket without a division.
        const int bucket = int(powerOfTwo ? (h >> 1) & (d - 1) : (h >> 1) % d);
        touched.add(bucket);
        acc[bucket] += (h & 1) ? -w : w;
        i = j;
    }
}

// Adds `family` scaled to norm `weight` to `out`. Only the buckets in `touched` are read, in ascending order:
// every other bucket of `family` is +0, which adds nothing to the sum of squares or to `out` (no entry of
// either is ever -0), so the result is bit for bit that of a loop over all buckets, in the same order of
// additions.
void addScaledNormalised(const float *family, const BucketSet &touched, float weight, float *out)
{
    double sq = 0;
    touched.forEach([&](int i) { sq += double(family[i]) * family[i]; });
    if (sq <= 0)
        return;
    const float scale = float(weight / std::sqrt(sq));
    touched.forEach([&](int i) { out[i] += family[i] * scale; });
}

} // namespace

LocalEmbedder::LocalEmbedder(int dims, QByteArrayView key)
    : m_dims(std::clamp(dims, 16, 8192))
{
    if (key.isEmpty())
        return;
    // Domain-separated, so the same install secret used elsewhere (caller ids) gives unrelated words here.
    QCryptographicHash sha(QCryptographicHash::Sha256);
    sha.addData("tokenledger-local-ngram-v1 feature-hash key\n");
    sha.addData(key);
    const QByteArray d = sha.result();
    m_seedKey = qFromLittleEndian<quint64>(d.constData());
    m_bucketKey = qFromLittleEndian<quint64>(d.constData() + 8);
    m_keyId = u"k"_s + QString::fromLatin1(d.mid(16, 4).toHex());
}

QString LocalEmbedder::modelId()
{
    return u"tokenledger-local-ngram-v1"_s;
}

QString LocalEmbedder::modelKey() const
{
    return modelId() + (m_keyId.isEmpty() ? QString() : u'+' + m_keyId) + u'/' + QString::number(m_dims);
}

std::vector<float> LocalEmbedder::embed(QStringView text) const
{
    std::vector<float> out(std::size_t(m_dims), 0.0f);
    embedInto(text, out.data());
    return out;
}

void LocalEmbedder::embedInto(QStringView text, float *out) const
{
    std::fill(out, out + m_dims, 0.0f);
    const Tokens t = tokenize(text);
    if (t.words.empty())
        return;

    std::vector<std::uint64_t> words;
    std::vector<std::uint64_t> bigrams;
    words.reserve(t.words.size());
    bigrams.reserve(t.words.size());
    for (const Word &w : t.words)
        words.push_back(fnv(t.chars.data() + w.begin, w.length, kSeedWord ^ m_seedKey));
    for (std::size_t i = 1; i < words.size(); ++i)
        bigrams.push_back(splitmix64(words[i - 1] ^ kSeedBigram) ^ words[i]);

    // The joined text for character n-grams: " w1 w2 ... " with no space between adjacent CJK chars.
    std::u32string joined;
    joined.reserve(t.chars.size() + t.words.size() + 2);
    joined.push_back(U' ');
    for (std::size_t i = 0; i < t.words.size(); ++i) {
        const Word &w = t.words[i];
        if (i > 0 && !(w.unspaced && t.words[i - 1].unspaced))
            joined.push_back(U' ');
        joined.append(t.chars, w.begin, w.length);
    }
    joined.push_back(U' ');

    std::vector<std::uint64_t> grams;
    grams.reserve(joined.size() * 3);
    for (std::size_t n = 3; n <= 5; ++n) {
        for (std::size_t i = 0; i + n <= joined.size(); ++i)
            grams.push_back(fnv(joined.data() + i, n, (kSeedChar + n) ^ m_seedKey));
    }
    // A text shorter than three characters still gets its single (padded) gram.
    if (grams.empty())
        grams.push_back(fnv(joined.data(), joined.size(), kSeedChar ^ m_seedKey));

    // A short text touches a few dozen of the 512 buckets: the norms and sums below visit only those (the
    // fixed cost of four passes over every bucket was most of an embedding of a one-line prompt).
    std::vector<float> family(std::size_t(m_dims) * 3, 0.0f);
    float *fw = family.data();
    float *fb = fw + m_dims;
    float *fc = fb + m_dims;
    BucketSet tw(m_dims), tb(m_dims), tc(m_dims);
    accumulate(words, fw, m_dims, tw, m_bucketKey);
    accumulate(bigrams, fb, m_dims, tb, m_bucketKey);
    accumulate(grams, fc, m_dims, tc, m_bucketKey);
    addScaledNormalised(fw, tw, kWeightWord, out);
    addScaledNormalised(fb, tb, kWeightBigram, out);
    addScaledNormalised(fc, tc, kWeightChar, out);

    BucketSet all = tw;
    all.unite(tb);
    all.unite(tc);
    double sq = 0;
    all.forEach([&](int i) { sq += double(out[i]) * out[i]; });
    if (sq > 0) {
        const float inv = float(1.0 / std::sqrt(sq));
        all.forEach([&](int i) { out[i] *= inv; });
    }
}

float dot(const float *a, const float *b, int dims)
{
    // Eight independent partial sums: the compiler vectorises this (SSE/AVX) without -ffast-math, and
    // the result does not depend on the build's instruction set (same order of additions everywhere).
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= dims; i += 8) {
        for (int k = 0; k < 8; ++k)
            acc[k] += a[i + k] * b[i + k];
    }
    for (; i < dims; ++i)
        acc[i % 8] += a[i] * b[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

float cosine(const float *a, const float *b, int dims)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < dims; ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    if (aa <= 0 || bb <= 0)
        return 0.0f;
    return float(std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0));
}

} // namespace tl::semantic
