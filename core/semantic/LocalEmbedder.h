#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <cstdint>
#include <vector>

namespace tl::semantic {

// The built-in local embedder: needs no network, no model file and no GPU.
//
// What it is, honestly: a LEXICAL embedding, not a neural one. The text is NFKC-normalised and
// case-folded, split into words (runs of letters, digits and marks; every Han/Kana/Thai/Lao/Khmer/
// Myanmar character is a word of its own, because those scripts do not separate words with spaces),
// and turned into three families of features:
//   - word unigrams,
//   - word bigrams (adjacent words),
//   - character 3-, 4- and 5-grams over the words joined by single spaces (no space between two
//     adjacent CJK characters), with a space before the first and after the last word.
// Each feature's weight is sublinear in its count (1 + ln tf); features are hashed (64-bit FNV-1a
// over code points, then a splitmix64 finaliser; fixed seeds, so vectors are identical on every
// platform and run) into `dims` buckets with a hash-derived sign (signed feature hashing). Each family
// is L2-normalised on its own, the families are mixed with weights 0.5 (words), 0.2 (bigrams) and 0.3
// (character n-grams), and the result is L2-normalised.
//
// Consequences: texts sharing most of their words and word fragments score high (a typo, a changed
// inflection, a reordered clause or an added "please" costs little); paraphrases that use different
// words score much lower than they would with a neural model such as text-embedding-3-small, so with
// this embedder a 0.95 threshold means "nearly the same wording". Punctuation is ignored.
//
// Keyed (session 17): a vector of public feature hashes lets whoever holds it confirm a guessed prompt
// or word (embed the guess, compare). Given a key (the install's secret: the proxy passes its caller
// salt, ProxyConfig::callerSalt), two 64-bit words derived from it by SHA-256 (domain-separated) are
// mixed into every feature's hash seed and into the bucket-and-sign hash, so the buckets and signs are
// those of a hash only the key's holder can compute: a stolen ledger or an export alone no longer
// confirms a guess. This is keyed feature hashing, not a cryptographic MAC: FNV-1a and splitmix64 are
// not PRFs, but recovering the 128 bits of key from stored vectors has no known shortcut here.
// Under one key the similarities are those of the same construction with other seeds: which features
// share a bucket changes with the key, so a pair's similarity moves by a few hundredths (1,000 keys,
// session 17: "What is the best time of year to visit Kyoto for the autumn leaves?" against its "Please
// tell me ..." form, 0.8458 unkeyed, keyed p1 0.7986 / p50 0.8353 / p99 0.8766; an unrelated pair
// p1 -0.124 / p99 0.131), as it would with another dims. Vectors of two keys are unrelated (about 0) and
// never compared: the key is named in modelKey(). Without a key the seeds are the fixed ones (vectors
// as before session 17, pinned by LocalEmbedderTest).
//
// Output: a float32 vector of dims() values with L2 norm 1, or all zeros when the text has no letter
// or digit. Model id "tokenledger-local-ngram-v1" (modelId()); vectors of different dims, model ids or
// keys (modelKey()) are not comparable.
// Thread safety: immutable after construction; embed() is const and may be called from any thread
// concurrently. Cost: linear in the text length, about 0.4-0.6 us per character (30-40 us for a
// 70-character question) on the 2-core development machine (tests/bench/SemanticBench.cpp).
class LocalEmbedder
{
public:
    static constexpr int kDefaultDims = 512;

    // dims: number of hash buckets, 16..8192 (values outside are clamped). key: any bytes, the
    // install's secret (empty: unkeyed, see above).
    explicit LocalEmbedder(int dims = kDefaultDims, QByteArrayView key = {});

    // "tokenledger-local-ngram-v1"; stored beside every vector so vectors of another model are never mixed.
    static QString modelId();
    // modelId(), the key's id when keyed and the dimension: "tokenledger-local-ngram-v1/512" unkeyed,
    // "tokenledger-local-ngram-v1+k1a2b3c4d/512" keyed (8 hex digits from the key's SHA-256, bytes that
    // are not part of the key words; the same key always gives the same id): the string to compare.
    QString modelKey() const;
    int dims() const { return m_dims; }
    bool keyed() const { return !m_keyId.isEmpty(); }

    // The embedding of `text` (dims() floats, L2 norm 1, or all zeros for a text without letters/digits).
    std::vector<float> embed(QStringView text) const;
    // Same, written to out[0..dims()).
    void embedInto(QStringView text, float *out) const;

private:
    int m_dims;
    std::uint64_t m_seedKey = 0;   // xor-ed into the feature hashes' seeds (0: unkeyed)
    std::uint64_t m_bucketKey = 0; // xor-ed into the bucket-and-sign hash's input (0: unkeyed)
    QString m_keyId;               // "" unkeyed, else "k" + 8 hex digits
};

// Cosine similarity of two vectors of `dims` floats, in [-1, 1]; 0 when either vector is all zeros.
// For L2-normalised vectors this is their dot product.
float cosine(const float *a, const float *b, int dims);
// Dot product of two vectors of `dims` floats.
float dot(const float *a, const float *b, int dims);

} // namespace tl::semantic
