// Tokenizer benchmark (not a test): our count throughput against npm tiktoken 1.0.22 on the same texts,
// single thread, MB/s of UTF-8 input, median of repeated runs. Prints one line per text and encoding
// and the ratio ours / tiktoken. Usage: bench_tokenizer [SECONDS_PER_MEASUREMENT]
#include "tokenizer/Tokenizers.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace tl::tokenizer;

namespace {

QByteArray englishProse(qsizetype size)
{
    // Deterministic prose from common English words: sentences of 6-20 words, commas, paragraphs.
    static const char *words[]
        = {"the",         "of",          "and",     "to",       "in",        "a",         "is",
           "that",        "for",         "it",      "as",       "was",       "with",      "be",
           "by",          "on",          "not",     "he",       "this",      "are",       "or",
           "his",         "from",        "at",      "which",    "but",       "have",      "an",
           "had",         "they",        "you",     "were",     "their",     "one",       "all",
           "we",          "can",         "her",     "has",      "there",     "been",      "if",
           "more",        "when",        "will",    "would",    "who",       "so",        "no",
           "people",      "time",        "market",  "cost",     "model",     "request",   "budget",
           "team",        "because",     "however", "although", "important", "different", "government",
           "information", "development", "between", "through",  "during",    "without",   "understanding",
           "experience",  "company's",   "don't",   "it's",     "we're"};
    QRandomGenerator rng(1);
    QByteArray out;
    while (out.size() < size) {
        const int n = int(rng.bounded(6, 21));
        for (int i = 0; i < n; ++i) {
            QByteArray w = words[rng.bounded(int(std::size(words)))];
            if (i == 0)
                w[0] = char(std::toupper(w[0]));
            out += w;
            out += (i + 1 == n) ? (rng.bounded(8) == 0 ? "?" : ".") : (rng.bounded(9) == 0 ? ", " : " ");
        }
        out += rng.bounded(6) == 0 ? "\n\n" : " ";
    }
    out.truncate(size);
    return out;
}

QByteArray chineseText(qsizetype size)
{
    static const char *phrases[] = {
        "我们", "今天", "天气", "很好", "机器学习", "模型",     "成本", "主要", "来自", "计算", "资源", "公司", "发展",
        "经济", "社会", "问题", "需要", "研究",     "人工智能", "数据", "分析", "时间", "因为", "所以", "但是", "如果",
        "已经", "可以", "进行", "中国", "世界",     "政府",     "市场", "技术", "服务", "管理", "系统", "网络"};
    QRandomGenerator rng(2);
    QByteArray out;
    while (out.size() < size) {
        const int n = int(rng.bounded(4, 14));
        for (int i = 0; i < n; ++i)
            out += phrases[rng.bounded(int(std::size(phrases)))];
        out += rng.bounded(3) == 0 ? "。" : "，";
        if (rng.bounded(10) == 0)
            out += "\n";
    }
    return out.left(size - 2) + "。";
}

QByteArray sourceCode(const QString &root, qsizetype size)
{
    // TokenLedger's own C++ sources, concatenated in a stable order.
    QStringList files;
    QDirIterator it(root + u"/core"_s, {u"*.cpp"_s, u"*.h"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    std::sort(files.begin(), files.end());
    QByteArray out;
    while (out.size() < size && !files.isEmpty()) {
        for (const QString &f : std::as_const(files)) {
            QFile file(f);
            if (file.open(QIODevice::ReadOnly))
                out += file.readAll();
            if (out.size() >= size)
                break;
        }
    }
    out.truncate(size);
    return out;
}

struct Measure
{
    double medianMs = 0;
    int runs = 0;
    qint64 tokens = 0;
};

template<typename F> Measure measure(double seconds, F &&f)
{
    QList<double> times;
    QElapsedTimer total;
    total.start();
    qint64 tokens = 0;
    do {
        QElapsedTimer t;
        t.start();
        tokens = f();
        times << double(t.nsecsElapsed()) / 1e6;
    } while (total.elapsed() < seconds * 1000 || times.size() < 3);
    std::sort(times.begin(), times.end());
    return {times.at(times.size() / 2), int(times.size()), tokens};
}

std::optional<QJsonObject> tiktokenBench(const QString &enc, const QString &file, double seconds)
{
    const QString dir = QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/tests/tokenizer/oracle"_s;
    const QString node = QStandardPaths::findExecutable(u"node"_s);
    if (node.isEmpty() || !QFile::exists(dir + u"/node_modules/tiktoken/package.json"_s))
        return std::nullopt;
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(node, {u"oracle.cjs"_s, u"bench"_s, enc, file, QString::number(seconds)});
    if (!p.waitForFinished(900'000) || p.exitCode() != 0)
        return std::nullopt;
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double seconds = argc > 1 ? QString::fromLocal8Bit(argv[1]).toDouble() : 2.0;
    Tokenizers tokenizers;
    QTemporaryDir tmp;
    constexpr qsizetype kSize = 1 << 20;
    const QList<std::pair<QString, QByteArray>> texts = {
        {u"English prose"_s, englishProse(kSize)},
        {u"Chinese"_s, chineseText(kSize)},
        {u"Source code (C++)"_s, sourceCode(QStringLiteral(TOKENLEDGER_SOURCE_DIR), kSize)},
    };
    std::printf(
        "Tokenizer count throughput, single thread, MB/s of UTF-8 input (median of repeated runs, %.1f s each)\n",
        seconds);
    std::printf("%-20s %-12s %9s %10s %12s %12s %8s\n", "text", "encoding", "MB", "tokens", "ours MB/s",
                "tiktoken MB/s", "ratio");
    for (EncodingId id : allEncodings()) {
        auto enc = tokenizers.encoding(id);
        if (!enc) {
            std::fprintf(stderr, "cannot load %s: %s\n", qPrintable(encodingSpec(id).name),
                         qPrintable(enc.error().message));
            return 1;
        }
        for (const auto &[name, text] : texts) {
            const QString path = tmp.filePath(name.left(7).trimmed() + u".txt"_s);
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
                return 1;
            f.close();
            const std::string_view sv(text.constData(), std::size_t(text.size()));
            const Measure ours = measure(seconds, [&] { return (*enc)->count(sv); });
            const double mb = double(text.size()) / 1e6;
            const double oursMbs = mb / (ours.medianMs / 1000);
            const auto ref = tiktokenBench((*enc)->name(), path, seconds);
            if (ref) {
                const double refMbs = ref->value(u"mb_per_s"_s).toDouble();
                const qint64 refTokens = ref->value(u"tokens"_s).toInteger();
                std::printf("%-20s %-12s %9.3f %10lld %12.2f %12.2f %7.2fx%s\n", qPrintable(name),
                            qPrintable((*enc)->name()), mb, ours.tokens, oursMbs, refMbs, oursMbs / refMbs,
                            refTokens == ours.tokens ? "" : "  (TOKEN COUNTS DIFFER)");
            } else {
                std::printf("%-20s %-12s %9.3f %10lld %12.2f %12s\n", qPrintable(name), qPrintable((*enc)->name()), mb,
                            ours.tokens, oursMbs, "n/a (npm ci in tests/tokenizer/oracle)");
            }
            std::fflush(stdout);
        }
    }

    // Loading an encoding (what the first estimate of a cut stream pays): the compiled-in rank file's
    // decompression, SHA-256 check and the tables; and the bytes the tables take.
    std::printf("\nLoading an encoding from the compiled-in rank file (median of 7 loads):\n");
    std::printf("%-12s %10s %14s\n", "encoding", "load ms", "table MB");
    for (EncodingId id : allEncodings()) {
        std::vector<double> ms;
        std::size_t bytes = 0;
        for (int i = 0; i < 7; ++i) {
            QElapsedTimer t;
            t.start();
            auto enc = Encoding::load(id, QDir(Tokenizers::builtInDirectory()).filePath(encodingSpec(id).rankFile));
            ms.push_back(double(t.nsecsElapsed()) / 1e6);
            if (!enc)
                return 1;
            bytes = (*enc)->tableBytes();
        }
        std::sort(ms.begin(), ms.end());
        std::printf("%-12s %10.1f %14.2f\n", qPrintable(encodingSpec(id).name), ms[ms.size() / 2], double(bytes) / 1e6);
    }
    std::fflush(stdout);

    // Long pieces without spaces: tiktoken's merge is quadratic, ours n log n.
    auto o200k = tokenizers.encoding(EncodingId::O200kBase);
    std::printf("\nOne run of a single letter ('a' x N), o200k_base, count time (median):\n");
    std::printf("%-12s %12s %14s\n", "N bytes", "ours ms", "tiktoken ms");
    for (const qsizetype n : {qsizetype(16) << 10, qsizetype(32) << 10, qsizetype(1) << 20}) {
        const QByteArray text(n, 'a');
        const Measure ours = measure(std::min(seconds, 1.0), [&] {
            return (*o200k)->count(std::string_view(text.constData(), std::size_t(text.size())));
        });
        QString refMs = u"not run (quadratic: hours)"_s;
        if (n <= (qsizetype(32) << 10)) {
            const QString path = tmp.filePath(u"run-%1.txt"_s.arg(n));
            QFile f(path);
            if (f.open(QIODevice::WriteOnly))
                f.write(text);
            f.close();
            if (const auto ref = tiktokenBench(u"o200k_base"_s, path, 0.5))
                refMs = QString::number(ref->value(u"median_ms"_s).toDouble(), 'f', 1);
        }
        std::printf("%-12lld %12.2f %14s\n", qint64(n), ours.medianMs, qPrintable(refMs));
        std::fflush(stdout);
    }
    return 0;
}
