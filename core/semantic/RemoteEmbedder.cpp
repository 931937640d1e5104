#include "semantic/RemoteEmbedder.h"

#include "tokenizer/Tokenizers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QObject>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::semantic {

QUrl RemoteEmbedderConfig::embeddingsUrl() const
{
    QUrl url = baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/embeddings"_s);
    return url;
}

QString RemoteEmbedderConfig::modelKey() const
{
    return dimensions > 0 ? model + u'/' + QString::number(dimensions) : model;
}

qint64 RemoteEmbedderConfig::inputLimit() const
{
    return maxInputTokens > 0 ? maxInputTokens : maxInputTokensForModel(model);
}

QJsonObject embeddingRequest(const QString &model, const QString &input, int dimensions)
{
    QJsonObject body {{u"model"_s, model}, {u"input"_s, input}, {u"encoding_format"_s, u"float"_s}};
    if (dimensions > 0)
        body.insert(u"dimensions"_s, dimensions);
    return body;
}

QJsonObject embeddingRequest(const QString &model, const QStringList &inputs, int dimensions)
{
    QJsonObject body {
        {u"model"_s, model}, {u"input"_s, QJsonArray::fromStringList(inputs)}, {u"encoding_format"_s, u"float"_s}};
    if (dimensions > 0)
        body.insert(u"dimensions"_s, dimensions);
    return body;
}

bool normaliseL2(std::vector<float> &v)
{
    double sq = 0;
    for (float x : v) {
        if (!std::isfinite(x))
            return false;
        sq += double(x) * x;
    }
    if (!(sq > 0) || !std::isfinite(sq))
        return false;
    const double inv = 1.0 / std::sqrt(sq);
    for (float &x : v)
        x = float(x * inv);
    return true;
}

namespace {

Result<std::vector<float>> parseVector(const QJsonValue &ev, int i)
{
    if (ev.isString())
        return fail(ErrorCode::Parse,
                    QObject::tr("The embeddings answer is base64-encoded; request encoding_format \"float\"."));
    const QJsonArray arr = ev.toArray();
    if (arr.size() < 2)
        return fail(ErrorCode::Parse, QObject::tr("data[%1].embedding is missing or has fewer than 2 numbers.").arg(i));
    std::vector<float> v;
    v.reserve(std::size_t(arr.size()));
    for (const QJsonValue &x : arr) {
        if (!x.isDouble())
            return fail(ErrorCode::Parse,
                        QObject::tr("data[%1].embedding contains a value that is not a number.").arg(i));
        v.push_back(float(x.toDouble()));
    }
    if (!normaliseL2(v))
        return fail(ErrorCode::Parse, QObject::tr("data[%1].embedding is all zeros or not finite.").arg(i));
    return v;
}

} // namespace

Result<std::vector<Embedding>> parseEmbeddingBatch(const QByteArray &body, int expected)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(ErrorCode::Parse,
                    QObject::tr("The embeddings answer is not a JSON object (%1).").arg(err.errorString()));
    const QJsonObject root = doc.object();
    if (root.value("error"_L1).isObject()) {
        const QString msg = root.value("error"_L1).toObject().value("message"_L1).toString();
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("The embeddings endpoint answered with an error: %1").arg(msg));
    }
    const QJsonArray data = root.value("data"_L1).toArray();
    if (data.isEmpty() || !data.at(0).isObject())
        return fail(ErrorCode::Parse, QObject::tr("The embeddings answer has no data[0]."));
    if (data.size() != expected)
        return fail(ErrorCode::Parse,
                    QObject::tr("The embeddings answer has %1 items for %2 inputs.").arg(data.size()).arg(expected));
    std::vector<Embedding> out(static_cast<std::size_t>(expected));
    std::vector<bool> seen(std::size_t(expected), false);
    for (int i = 0; i < expected; ++i) {
        const QJsonObject item = data.at(i).toObject();
        const int index = item.contains("index"_L1) ? item.value("index"_L1).toInt(-1) : i;
        if (index < 0 || index >= expected || seen[std::size_t(index)])
            return fail(ErrorCode::Parse,
                        QObject::tr("The embeddings answer has a bad or repeated index %1.").arg(index));
        seen[std::size_t(index)] = true;
        auto v = parseVector(item.value("embedding"_L1), i);
        if (!v)
            return std::unexpected(v.error());
        out[std::size_t(index)].vector = std::move(*v);
    }
    out.front().promptTokens
        = std::max<qint64>(0, root.value("usage"_L1).toObject().value("prompt_tokens"_L1).toInteger(0));
    out.front().model = root.value("model"_L1).toString();
    return out;
}

Result<Embedding> parseEmbeddingResponse(const QByteArray &body)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    const int n = int(doc.object().value("data"_L1).toArray().size());
    auto batch = parseEmbeddingBatch(body, std::max(1, n));
    if (!batch)
        return std::unexpected(batch.error());
    return std::move(batch->front());
}

qint64 maxInputTokensForModel(QStringView model)
{
    if (model.startsWith(u"text-embedding-3-") || model.startsWith(u"text-embedding-ada-002"))
        return 8191;
    return 0;
}

Result<qint64> inputFits(const tokenizer::Tokenizers &tokenizers, const RemoteEmbedderConfig &config, QStringView text)
{
    const qint64 limit = config.inputLimit();
    auto count = tokenizers.countText(config.model, text);
    if (!count)
        return std::unexpected(count.error());
    if (limit > 0 && count->tokens > limit) {
        return fail(ErrorCode::Unsupported,
                    QObject::tr("The request is %1 tokens long, over the %2-token input limit of %3; it is not "
                                "embedded (never truncated), so the semantic cache skips it.")
                        .arg(count->tokens)
                        .arg(limit)
                        .arg(config.model));
    }
    return count->tokens;
}

} // namespace tl::semantic
