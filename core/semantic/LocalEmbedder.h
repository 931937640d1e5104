#pragma once

#include <QString>
#include <QStringView>

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
// Output: a float32 vector of dims() values with L2 norm 1, or all zeros when the text has no letter
// or digit. Model id "tokenledger-local-ngram-v1" (modelId()); vectors of different dims or model ids
// are not comparable.
// Thread safety: immutable after construction; embed() is const and may be called from any thread
// concurrently. Cost: linear in the text length, about 0.4-0.6 us per character (30-40 us for a
// 70-character question) on the 2-core development machine (tests/bench/SemanticBench.cpp).
class LocalEmbedder
{
public:
    static constexpr int kDefaultDims = 512;

    // dims: number of hash buckets, 16..8192 (values outside are clamped).
    explicit LocalEmbedder(int dims = kDefaultDims);

    // "tokenledger-local-ngram-v1"; stored beside every vector so vectors of another model are never mixed.
    static QString modelId();
    // modelId() with the dimension, e.g. "tokenledger-local-ngram-v1/512": the string to compare.
    QString modelKey() const;
    int dims() const { return m_dims; }

    // The embedding of `text` (dims() floats, L2 norm 1, or all zeros for a text without letters/digits).
    std::vector<float> embed(QStringView text) const;
    // Same, written to out[0..dims()).
    void embedInto(QStringView text, float *out) const;

private:
    int m_dims;
};

// Cosine similarity of two vectors of `dims` floats, in [-1, 1]; 0 when either vector is all zeros.
// For L2-normalised vectors this is their dot product.
float cosine(const float *a, const float *b, int dims);
// Dot product of two vectors of `dims` floats.
float dot(const float *a, const float *b, int dims);

} // namespace tl::semantic
