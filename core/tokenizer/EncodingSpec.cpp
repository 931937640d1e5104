#include "tokenizer/EncodingSpec.h"

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

namespace {

const QString kContractions = u"(?i:'s|'t|'re|'ve|'m|'ll|'d)"_s;

EncodingSpec makeO200k()
{
    return EncodingSpec {
        EncodingId::O200kBase,
        u"o200k_base"_s,
        u"o200k_base.tiktoken"_s,
        u"446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"_s,
        u"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"_s + kContractions
            + u"?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"_s
            + kContractions + u"?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"_s,
        {{u"<|endoftext|>"_s, 199999}, {u"<|endofprompt|>"_s, 200018}},
    };
}

EncodingSpec makeCl100k()
{
    return EncodingSpec {
        EncodingId::Cl100kBase,
        u"cl100k_base"_s,
        u"cl100k_base.tiktoken"_s,
        u"223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"_s,
        kContractions
            + u"|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"_s,
        {{u"<|endoftext|>"_s, 100257},
         {u"<|fim_prefix|>"_s, 100258},
         {u"<|fim_middle|>"_s, 100259},
         {u"<|fim_suffix|>"_s, 100260},
         {u"<|endofprompt|>"_s, 100276}},
    };
}

} // namespace

const EncodingSpec &encodingSpec(EncodingId id)
{
    static const EncodingSpec o200k = makeO200k();
    static const EncodingSpec cl100k = makeCl100k();
    return id == EncodingId::O200kBase ? o200k : cl100k;
}

QList<EncodingId> allEncodings()
{
    return {EncodingId::O200kBase, EncodingId::Cl100kBase};
}

std::optional<EncodingId> encodingFromName(QStringView name)
{
    for (EncodingId id : allEncodings()) {
        if (encodingSpec(id).name.compare(name, Qt::CaseInsensitive) == 0)
            return id;
    }
    return std::nullopt;
}

ModelEncoding encodingForModel(QStringView modelName)
{
    QString m = modelName.trimmed().toString().toLower();
    if (m.startsWith(u"ft:"_s)) // ft:BASE:org:suffix:id
        m = m.mid(3).section(u':', 0, 0);
    if (const qsizetype slash = m.lastIndexOf(u'/'); slash >= 0) // openai/gpt-4o, azure/..., models/gemini-...
        m = m.mid(slash + 1);

    static const QStringList o200kPrefixes
        = {u"gpt-4o"_s, u"gpt-4.1"_s, u"gpt-4.5"_s, u"gpt-5"_s, u"chatgpt-4o"_s, u"o1"_s,
           u"o3"_s,     u"o4"_s,      u"gpt-oss"_s, u"codex"_s, u"gpt-image"_s,  u"computer-use"_s};
    static const QStringList cl100kPrefixes
        = {u"gpt-4"_s,       u"gpt-3.5"_s,    u"gpt-35"_s, u"text-embedding-3"_s, u"text-embedding-ada-002"_s,
           u"davinci-002"_s, u"babbage-002"_s};
    auto hasPrefix = [&](const QString &p) {
        // "o1" must not match "o100-foo" by accident: the prefix ends the name or is followed by '-'.
        if (!m.startsWith(p))
            return false;
        if (m.size() == p.size())
            return true;
        const QChar after = m.at(p.size());
        return after == u'-' || after == u'.' || after == u'_' || !p.back().isDigit();
    };
    for (const QString &p : o200kPrefixes) {
        if (hasPrefix(p))
            return {EncodingId::O200kBase, true, {}};
    }
    for (const QString &p : cl100kPrefixes) {
        if (hasPrefix(p))
            return {EncodingId::Cl100kBase, true, {}};
    }
    if (m.startsWith(u"claude"_s))
        return {EncodingId::O200kBase, false,
                u"Anthropic does not publish Claude's tokenizer: counted with o200k_base as an estimate"_s};
    if (m.startsWith(u"gemini"_s) || m.startsWith(u"gemma"_s))
        return {EncodingId::O200kBase, false,
                u"Google does not publish Gemini's tokenizer here: counted with o200k_base as an estimate"_s};
    return {EncodingId::O200kBase, false,
            u"No known tokenizer for model '%1': counted with o200k_base as an estimate"_s.arg(modelName)};
}

} // namespace tl::tokenizer
