#include "FewShot.h"

#include "semantic/LocalEmbedder.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QObject>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <numeric>

using namespace Qt::StringLiterals;

namespace tl::compress {

namespace {

constexpr int kStoreVersion = 1;
constexpr qint64 kReplyPriming = 3; // ChatTokenCounter adds it once per request

QJsonObject message(const QString &role, const QString &content)
{
    return QJsonObject {{u"role"_s, role}, {u"content"_s, content}};
}

// Text parts of content (a string, or parts/blocks); tool results are not the user's words.
QString textOf(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QStringList out;
    for (const QJsonValue &pv : content.toArray()) {
        const QJsonObject p = pv.toObject();
        const QString type = p.value(u"type"_s).toString();
        if ((type == u"text"_s || type == u"input_text"_s) && p.value(u"text"_s).isString())
            out << p.value(u"text"_s).toString();
    }
    return out.join(u'\n');
}

} // namespace

JsonlImport importJsonl(const QByteArray &dataIn)
{
    JsonlImport result;
    QByteArray data = dataIn;
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3);
    const QList<QByteArray> lines = data.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int lineNo = int(i) + 1;
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error != QJsonParseError::NoError) {
            result.errors << JsonlLineError {
                lineNo, QObject::tr("not valid JSON (%1 at column %2)").arg(err.errorString()).arg(err.offset + 1)};
            continue;
        }
        if (!doc.isObject()) {
            result.errors << JsonlLineError {lineNo, u"expected a JSON object {\"input\": ..., \"output\": ...}"_s};
            continue;
        }
        const QJsonObject o = doc.object();
        const QJsonValue input = o.value(u"input"_s);
        const QJsonValue output = o.value(u"output"_s);
        if (!input.isString() || input.toString().trimmed().isEmpty()) {
            result.errors << JsonlLineError {lineNo, u"\"input\" must be a non-empty string"_s};
            continue;
        }
        if (!output.isString() || output.toString().trimmed().isEmpty()) {
            result.errors << JsonlLineError {lineNo, u"\"output\" must be a non-empty string"_s};
            continue;
        }
        result.examples << FewShotExample {input.toString(), output.toString()};
    }
    return result;
}

FewShotStore::FewShotStore(QString path)
    : m_path(std::move(path))
{
}

QJsonObject FewShotStore::toJson(const QList<FewShotSet> &sets)
{
    QJsonArray setsJson;
    for (const FewShotSet &s : sets) {
        QJsonArray examples;
        for (const FewShotExample &e : s.examples)
            examples.append(QJsonObject {{u"input"_s, e.input}, {u"output"_s, e.output}});
        setsJson.append(QJsonObject {{u"name"_s, s.name}, {u"endpoint"_s, s.endpoint}, {u"examples"_s, examples}});
    }
    return QJsonObject {{u"version"_s, kStoreVersion}, {u"sets"_s, setsJson}};
}

Result<QList<FewShotSet>> FewShotStore::fromJson(const QJsonObject &o)
{
    const int version = o.value(u"version"_s).toInt(kStoreVersion);
    if (version > kStoreVersion)
        return fail(ErrorCode::Unsupported,
                    QObject::tr("few-shot store version %1 is newer than this build understands (%2)")
                        .arg(version)
                        .arg(kStoreVersion));
    if (!o.value(u"sets"_s).isArray())
        return fail(ErrorCode::Parse, QObject::tr("few-shot store: \"sets\" must be an array"));
    QList<FewShotSet> sets;
    const QJsonArray a = o.value(u"sets"_s).toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QJsonObject so = a[i].toObject();
        FewShotSet s;
        s.name = so.value(u"name"_s).toString().trimmed();
        s.endpoint = so.value(u"endpoint"_s).toString();
        if (s.name.isEmpty())
            return fail(ErrorCode::Parse, QObject::tr("few-shot store: sets[%1] has no name").arg(i));
        if (std::any_of(sets.cbegin(), sets.cend(), [&s](const FewShotSet &x) { return x.name == s.name; }))
            return fail(ErrorCode::Parse, QObject::tr("few-shot store: the set name \"%1\" is used twice").arg(s.name));
        const QJsonArray ex = so.value(u"examples"_s).toArray();
        for (qsizetype j = 0; j < ex.size(); ++j) {
            const QJsonObject eo = ex[j].toObject();
            if (!eo.value(u"input"_s).isString() || !eo.value(u"output"_s).isString())
                return fail(
                    ErrorCode::Parse,
                    QObject::tr("few-shot store: sets[%1].examples[%2] needs string input and output").arg(i).arg(j));
            s.examples << FewShotExample {eo.value(u"input"_s).toString(), eo.value(u"output"_s).toString()};
        }
        sets << s;
    }
    return sets;
}

Result<void> FewShotStore::load()
{
    QFile f(m_path);
    if (!f.exists()) {
        m_sets.clear();
        return {};
    }
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QObject::tr("cannot read the few-shot store %1: %2").arg(m_path, f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(ErrorCode::Parse,
                    QObject::tr("the few-shot store %1 is not a JSON object (%2)").arg(m_path, err.errorString()));
    auto sets = fromJson(doc.object());
    if (!sets)
        return std::unexpected(sets.error());
    m_sets = *sets;
    return {};
}

Result<void> FewShotStore::save() const
{
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Io, QObject::tr("cannot write the few-shot store %1: %2").arg(m_path, f.errorString()));
    f.write(QJsonDocument(toJson(m_sets)).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return fail(ErrorCode::Io, QObject::tr("cannot write the few-shot store %1: %2").arg(m_path, f.errorString()));
    return {};
}

const FewShotSet *FewShotStore::find(const QString &name) const
{
    for (const FewShotSet &s : m_sets) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

void FewShotStore::upsert(FewShotSet set)
{
    for (FewShotSet &s : m_sets) {
        if (s.name == set.name) {
            s = std::move(set);
            return;
        }
    }
    m_sets << std::move(set);
}

bool FewShotStore::remove(const QString &name)
{
    return m_sets.removeIf([&name](const FewShotSet &s) { return s.name == name; }) > 0;
}

Result<FewShotIndex> FewShotIndex::build(FewShotSet set, const semantic::LocalEmbedder &embedder,
                                         const tokenizer::Tokenizers &tokenizers, const QString &model)
{
    auto counter = tokenizer::ChatTokenCounter::forModel(tokenizers, model);
    if (!counter)
        return std::unexpected(counter.error());
    FewShotIndex index;
    index.m_embedder = &embedder;
    index.m_dims = embedder.dims();
    index.m_vectors.resize(size_t(set.examples.size()) * size_t(index.m_dims));
    for (qsizetype i = 0; i < set.examples.size(); ++i) {
        const FewShotExample &e = set.examples[i];
        embedder.embedInto(e.input, index.m_vectors.data() + size_t(i) * size_t(index.m_dims));
        const QJsonArray pair {message(u"user"_s, e.input), message(u"assistant"_s, e.output)};
        index.m_exampleTokens << counter->countMessages(pair).promptTokens - kReplyPriming;
    }
    index.m_set = std::move(set);
    return index;
}

FewShotSelection FewShotIndex::select(QStringView lastUserMessage, int k) const
{
    FewShotSelection sel;
    const int n = int(m_set.examples.size());
    sel.wholeSetTokens = std::accumulate(m_exampleTokens.cbegin(), m_exampleTokens.cend(), qint64(0));
    if (n == 0 || !m_embedder)
        return sel;
    k = std::clamp(k, 1, 3);
    k = std::min(k, n);
    const std::vector<float> query = m_embedder->embed(lastUserMessage);
    QList<float> sims(n);
    for (int i = 0; i < n; ++i)
        sims[i] = semantic::cosine(query.data(), m_vectors.data() + size_t(i) * size_t(m_dims), m_dims);
    QList<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&sims](int a, int b) { return sims[a] > sims[b]; });
    for (int i = 0; i < k; ++i) {
        sel.indices << order[i];
        sel.similarities << sims[order[i]];
        sel.insertedTokens += m_exampleTokens[order[i]];
    }
    return sel;
}

QString lastUserMessage(const QJsonObject &body, BodyShape shape)
{
    QJsonArray messages;
    if (shape == BodyShape::Responses) {
        const QJsonValue input = body.value(u"input"_s);
        if (input.isString())
            return input.toString();
        messages = input.toArray();
    } else {
        messages = body.value(u"messages"_s).toArray();
    }
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        const QJsonObject m = messages[i].toObject();
        if (m.value(u"role"_s).toString() != u"user"_s)
            continue;
        const QString text = textOf(m.value(u"content"_s));
        if (!text.isEmpty())
            return text;
    }
    return {};
}

QJsonObject insertExamples(const QJsonObject &body, BodyShape shape, const FewShotSet &set,
                           const FewShotSelection &selection)
{
    QJsonArray examples; // most similar last, next to the real question
    for (qsizetype i = selection.indices.size() - 1; i >= 0; --i) {
        const int at = selection.indices[i];
        if (at < 0 || at >= set.examples.size())
            continue;
        examples.append(message(u"user"_s, set.examples[at].input));
        examples.append(message(u"assistant"_s, set.examples[at].output));
    }
    if (examples.isEmpty())
        return body;

    QJsonObject out = body;
    if (shape == BodyShape::Responses) {
        QJsonArray input;
        const QJsonValue original = body.value(u"input"_s);
        for (const QJsonValue &e : std::as_const(examples))
            input.append(e);
        if (original.isString())
            input.append(message(u"user"_s, original.toString()));
        for (const QJsonValue &item : original.toArray())
            input.append(item);
        out.insert(u"input"_s, input);
        return out;
    }

    const QJsonArray messages = body.value(u"messages"_s).toArray();
    qsizetype insertAt = 0;
    if (shape == BodyShape::ChatCompletions) {
        while (insertAt < messages.size()) {
            const QString role = messages[insertAt].toObject().value(u"role"_s).toString();
            if (role != u"system"_s && role != u"developer"_s)
                break;
            ++insertAt;
        }
    }
    QJsonArray result;
    for (qsizetype i = 0; i < insertAt; ++i)
        result.append(messages[i]);
    for (const QJsonValue &e : std::as_const(examples))
        result.append(e);
    for (qsizetype i = insertAt; i < messages.size(); ++i)
        result.append(messages[i]);
    out.insert(u"messages"_s, result);
    return out;
}

} // namespace tl::compress
