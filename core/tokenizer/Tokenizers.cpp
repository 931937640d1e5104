#include "tokenizer/Tokenizers.h"

#include <QDir>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

Tokenizers::Tokenizers(QString rankDirectory)
    : m_dir(std::move(rankDirectory))
{
}

QString Tokenizers::builtInDirectory()
{
    return u":/tokenledger/tokenizers"_s;
}

Result<std::shared_ptr<const Encoding>> Tokenizers::encoding(EncodingId id) const
{
    const std::size_t slot = id == EncodingId::O200kBase ? 0 : 1;
    std::lock_guard lock(m_mutex[slot]); // a load of the other encoding does not hold this one up
    if (m_loaded[slot])
        return m_loaded[slot];
    auto loaded = Encoding::load(id, QDir(m_dir).filePath(encodingSpec(id).rankFile));
    if (!loaded)
        return std::unexpected(loaded.error());
    m_loaded[slot] = *loaded;
    return *loaded;
}

bool Tokenizers::isLoaded(EncodingId id) const
{
    const std::size_t slot = id == EncodingId::O200kBase ? 0 : 1;
    std::lock_guard lock(m_mutex[slot]);
    return m_loaded[slot] != nullptr;
}

Result<std::shared_ptr<const Encoding>> Tokenizers::encodingForModel(QStringView model, ModelEncoding *how) const
{
    const ModelEncoding me = tokenizer::encodingForModel(model);
    if (how)
        *how = me;
    return encoding(me.encoding);
}

Result<TokenCount> Tokenizers::countText(QStringView model, QStringView text) const
{
    ModelEncoding how;
    auto enc = encodingForModel(model, &how);
    if (!enc)
        return std::unexpected(enc.error());
    TokenCount out{(*enc)->count(text), !how.exact, (*enc)->name(), how.note, std::nullopt, 0};
    out.uncalibratedTokens = out.tokens;
    if (out.estimate) {
        out.calibration = m_calibration.forModel(model);
        if (out.calibration)
            out.tokens = qint64(std::llround(double(out.tokens) * out.calibration->factor));
    }
    return out;
}

void Tokenizers::startCalibrationSampling(const QString &ledgerPath, CalibrationSamplerOptions options)
{
    m_sampler = std::make_unique<CalibrationSampler>(*this, m_calibration, ledgerPath, options);
    m_sampler->load();
}

bool Tokenizers::offerCalibrationSample(const CallRecord &record, const QByteArray &requestBody,
                                        const QJsonObject &sentBody) const
{
    return m_sampler ? m_sampler->offer(record, requestBody, sentBody) : false;
}

} // namespace tl::tokenizer
