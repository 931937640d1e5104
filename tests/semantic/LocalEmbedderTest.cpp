// LocalEmbedder: determinism, unit norm, normalisation invariances, similarity ordering, thread safety.
#include "semantic/LocalEmbedder.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QtConcurrent>
#include <QtTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace tl::semantic;

class LocalEmbedderTest : public QObject
{
    Q_OBJECT
private:
    LocalEmbedder m_embedder;

    float sim(const QString &a, const QString &b) const
    {
        const auto va = m_embedder.embed(a);
        const auto vb = m_embedder.embed(b);
        return cosine(va.data(), vb.data(), m_embedder.dims());
    }

private Q_SLOTS:
    void modelIdAndDims()
    {
        QCOMPARE(LocalEmbedder::modelId(), u"tokenledger-local-ngram-v1"_s);
        QCOMPARE(m_embedder.dims(), 512);
        QCOMPARE(m_embedder.modelKey(), u"tokenledger-local-ngram-v1/512"_s);
        QCOMPARE(LocalEmbedder(3).dims(), 16); // clamped
    }

    void deterministicAndUnitNorm_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("English question") << u"How do I reset my password?"_s;
        QTest::newRow("Chinese question") << u"今天北京的天气怎么样？"_s;
        QTest::newRow("one letter") << u"a"_s;
        QTest::newRow("mixed scripts with emoji") << u"Deploy 服务 to prod 🚀 now"_s;
        QTest::newRow("long text") << u"The quick brown fox jumps over the lazy dog. "_s.repeated(200);
    }
    void deterministicAndUnitNorm()
    {
        QFETCH(QString, text);
        const auto a = m_embedder.embed(text);
        const auto b = LocalEmbedder().embed(text);
        QCOMPARE(a.size(), std::size_t(512));
        QVERIFY(a == b); // bit for bit, across instances
        double sq = 0;
        for (float x : a)
            sq += double(x) * x;
        QVERIFY2(std::abs(sq - 1.0) < 1e-5, qPrintable(QString::number(sq)));
        QVERIFY(std::abs(cosine(a.data(), a.data(), 512) - 1.0f) < 1e-6f);
    }

    // The vector of a fixed text is pinned (hash of its float32 bytes) so a change of the features or
    // the hashing, which would make stored vectors incomparable, shows up as a failure here and must
    // come with a new model id.
    // The texts cover each path of the implementation: ASCII (no normaliser), Latin with
    // compatibility forms and case folding (ß, ﬁ, Ⅻ), CJK (a word per character), Kana mixed with
    // Latin, code points above U+FFFF (emoji, mathematical bold) and fullwidth forms, Greek/Cyrillic/
    // Hebrew/Arabic, and a text shorter than three characters. The digests were made by the implementation
    // as of commit 24c8361, before the ASCII and FNV fast paths, and must not change.
    void vectorIsPinnedForModelId_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("digest");
        QTest::newRow("ascii") << u"Turn the alarm off at 7 am, please."_s << QByteArray("37c11d7c5129e7b7");
        QTest::newRow("latin-compat") << u"Ünïcode STRASSE Straße ﬁle Ⅻ café"_s << QByteArray("a75cce28b5293a6f");
        QTest::newRow("cjk") << u"请把明天早上七点的闹钟关掉，谢谢！"_s << QByteArray("a5835db3ab6e7614");
        QTest::newRow("kana-latin") << u"カタカナとひらがな mixed with English WORDS"_s << QByteArray("81d9c6587d7f7c1f");
        QTest::newRow("astral-fullwidth") << u"Emoji 😀🚀 and 𝐌𝐚𝐭𝐡 bold, ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ"_s
                                          << QByteArray("7ced25c1700e6258");
        QTest::newRow("greek-cyrillic-rtl") << u"Ελληνικά ΣΊΣΥΦΟΣ русский ТЕКСТ עברית العربية"_s
                                            << QByteArray("89b8b26a6d4a3c0c");
        QTest::newRow("two-chars") << u"ab"_s << QByteArray("aebd906c32bcbb98");
    }

    void vectorIsPinnedForModelId()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, digest);
        const auto v = m_embedder.embed(text);
        const QByteArray bytes(reinterpret_cast<const char *>(v.data()), qsizetype(v.size() * sizeof(float)));
        QCOMPARE(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(16), digest);
    }

    void textWithoutLettersIsZero()
    {
        for (const QString &t : {QString(), u"   "_s, u"?!.,;"_s}) {
            const auto v = m_embedder.embed(t);
            QVERIFY(std::all_of(v.begin(), v.end(), [](float x) { return x == 0.0f; }));
            const auto other = m_embedder.embed(u"hello"_s);
            QCOMPARE(cosine(v.data(), other.data(), 512), 0.0f);
        }
    }

    void caseWidthAndPunctuationDoNotMatter()
    {
        QCOMPARE(sim(u"Hello World"_s, u"hello world"_s), 1.0f);
        QVERIFY(sim(u"ＨＥＬＬＯ　ｗｏｒｌｄ"_s, u"hello world"_s) > 0.9999f); // NFKC: full-width forms
        QVERIFY(sim(u"hello, world!"_s, u"hello world"_s) > 0.9999f);
        QVERIFY(sim(u"ΚΑΛΗΜΕΡΑ ΚΟΣΜΕ"_s, u"καλημερα κοσμε"_s) > 0.9999f); // case folding beyond ASCII
    }

    // A paraphrase with mostly the same words is closer than an unrelated request on the same topic,
    // which is closer than an unrelated one.
    void similarityOrdering_data()
    {
        QTest::addColumn<QString>("anchor");
        QTest::addColumn<QString>("paraphrase");
        QTest::addColumn<QString>("unrelated");
        QTest::newRow("password reset") << u"How do I reset my password?"_s << u"how can I reset my password please"_s
                                        << u"What is the capital of France?"_s;
        QTest::newRow("refund policy") << u"What is your refund policy for damaged items?"_s
                                       << u"what's the refund policy for items that arrive damaged"_s
                                       << u"Write a haiku about autumn leaves."_s;
        QTest::newRow("Chinese weather") << u"今天北京的天气怎么样？"_s << u"北京今天天气怎么样"_s
                                         << u"如何重置我的密码"_s;
        QTest::newRow("Chinese refund") << u"我想申请退款，订单号在哪里看？"_s << u"申请退款时订单号在哪里查看"_s
                                        << u"推荐一本关于历史的书"_s;
    }
    void similarityOrdering()
    {
        QFETCH(QString, anchor);
        QFETCH(QString, paraphrase);
        QFETCH(QString, unrelated);
        const float close = sim(anchor, paraphrase);
        const float far = sim(anchor, unrelated);
        QVERIFY2(close > far + 0.3f, qPrintable(u"paraphrase %1, unrelated %2"_s.arg(close).arg(far)));
        QVERIFY2(far < 0.3f, qPrintable(QString::number(far)));
    }

    void typoCostsLittle() { QVERIFY(sim(u"How do I reset my password?"_s, u"How do I reset my pasword?"_s) > 0.8f); }

    void threadSafe()
    {
        QStringList texts;
        for (int i = 0; i < 200; ++i)
            texts << u"request number %1 about topic %2 和 主题 %3"_s.arg(i).arg(i % 7).arg(i % 13);
        const QList<std::vector<float>> parallel
            = QtConcurrent::blockingMapped(texts, [this](const QString &t) { return m_embedder.embed(t); });
        for (int i = 0; i < texts.size(); ++i)
            QVERIFY(parallel.at(i) == m_embedder.embed(texts.at(i)));
    }

    // Session 17: keyed by the install's secret, the vectors are those of another hash: the same key gives the
    // same vectors and the same similarity structure, a guess embedded without the key (or with another key)
    // does not match, and the key is named in modelKey() so vectors of two keys are never compared.
    void keyedVectorsNeedTheKey()
    {
        const LocalEmbedder keyed(512, "install-secret-A-0123456789abcdef");
        const LocalEmbedder again(512, QByteArray("install-secret-A-0123456789abcdef"));
        const LocalEmbedder other(512, "install-secret-B-0123456789abcdef");
        QVERIFY(keyed.keyed() && !m_embedder.keyed());
        QVERIFY2(QRegularExpression(u"^tokenledger-local-ngram-v1\\+k[0-9a-f]{8}/512$"_s).match(keyed.modelKey()).hasMatch(),
                 qPrintable(keyed.modelKey()));
        QCOMPARE(again.modelKey(), keyed.modelKey());
        QVERIFY(other.modelKey() != keyed.modelKey());
        QVERIFY(!keyed.modelKey().contains(u"secret"_s));

        const QString prompt = u"Summarise the quarterly revenue report for ACME Corp, 2026 Q3"_s;
        const auto v = keyed.embed(prompt);
        QVERIFY(v == again.embed(prompt));
        QCOMPARE(cosine(v.data(), v.data(), 512), 1.0f);
        // A guess embedded with the public seeds, or another key, is unrelated to the stored vector.
        const auto guessUnkeyed = m_embedder.embed(prompt);
        const auto guessOtherKey = other.embed(prompt);
        const float unkeyedSim = cosine(v.data(), guessUnkeyed.data(), 512);
        const float otherSim = cosine(v.data(), guessOtherKey.data(), 512);
        QVERIFY2(std::abs(unkeyedSim) < 0.2f, qPrintable(QString::number(unkeyedSim)));
        QVERIFY2(std::abs(otherSim) < 0.2f, qPrintable(QString::number(otherSim)));

        // Under one key, paraphrases stay close and unrelated texts far, as without a key.
        auto keyedSim = [&](const QString &a, const QString &b) {
            const auto va = keyed.embed(a);
            const auto vb = keyed.embed(b);
            return cosine(va.data(), vb.data(), 512);
        };
        const float close = keyedSim(u"How do I reset my password?"_s, u"how can I reset my password please"_s);
        const float far = keyedSim(u"How do I reset my password?"_s, u"What is the capital of France?"_s);
        QVERIFY2(close > far + 0.3f && far < 0.3f, qPrintable(u"paraphrase %1, unrelated %2"_s.arg(close).arg(far)));
        QVERIFY2(std::abs(close - sim(u"How do I reset my password?"_s, u"how can I reset my password please"_s)) < 0.1f,
                 qPrintable(QString::number(close)));
        // An empty key is no key: the pinned public vectors.
        QCOMPARE(LocalEmbedder(512, QByteArray()).modelKey(), m_embedder.modelKey());
        QVERIFY(LocalEmbedder(512, QByteArray()).embed(prompt) == guessUnkeyed);
    }

    void cosineOfArbitraryVectors()
    {
        const float a[] = {3, 4, 0};
        const float b[] = {6, 8, 0};
        const float c[] = {0, 0, 5};
        const float d[] = {-3, -4, 0};
        QCOMPARE(cosine(a, b, 3), 1.0f);
        QCOMPARE(cosine(a, c, 3), 0.0f);
        QCOMPARE(cosine(a, d, 3), -1.0f);
        QCOMPARE(dot(a, b, 3), 50.0f);
    }
};

QTEST_GUILESS_MAIN(LocalEmbedderTest)
#include "LocalEmbedderTest.moc"
