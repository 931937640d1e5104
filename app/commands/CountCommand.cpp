#include "CliCommon.h"
#include "Command.h"

#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace tl::tokenizer;

namespace tl::cli {

namespace {

void print(const QString &line)
{
    const QByteArray utf8 = line.toUtf8();
    std::fwrite(utf8.constData(), 1, std::size_t(utf8.size()), stdout);
    std::fputc('\n', stdout);
}

} // namespace

// tokenledger count --model MODEL [--encoding NAME] [--chat] [--ids] FILE|-
// Prints the token count of FILE (or stdin) on stdout; estimates say so on stderr ("note: ...").
int runCount(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Count tokens exactly as OpenAI's tiktoken does."_s);
    const QCommandLineOption model(u"model"_s, u"Model whose tokenizer to use (gpt-4o, gpt-4, claude-...)."_s,
                                   u"MODEL"_s);
    const QCommandLineOption encoding(
        u"encoding"_s, u"Encoding to use instead of the model's: o200k_base or cl100k_base."_s, u"NAME"_s);
    const QCommandLineOption chat(u"chat"_s,
                                  u"The input is a chat request body (JSON with \"messages\", or a messages "
                                  u"array): count its prompt tokens as the provider bills them."_s);
    const QCommandLineOption ids(u"ids"_s, u"Also print the token ids (not with --chat)."_s);
    const QCommandLineOption help(QStringList {u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOptions({model, encoding, chat, ids, help});
    parser.addPositionalArgument(u"FILE"_s, u"Text file to count, or - for standard input."_s);
    if (!parser.parse(QStringList {u"tokenledger count"_s} + args))
        return failWith("count", kExitUsage, parser.errorText());
    if (parser.isSet(help)) {
        print(helpText(parser, "count"));
        return kExitOk;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1)
        return failWith("count", kExitUsage, u"expected exactly one FILE (or - for standard input)"_s);
    if (!parser.isSet(model) && !parser.isSet(encoding))
        return failWith("count", kExitUsage, u"--model MODEL is required (or --encoding NAME)"_s);
    if (parser.isSet(chat) && !parser.isSet(model))
        return failWith("count", kExitUsage, u"--chat needs --model MODEL"_s);
    if (parser.isSet(chat) && parser.isSet(ids))
        return failWith("count", kExitUsage, u"--ids cannot be combined with --chat"_s);
    std::optional<EncodingId> forced;
    if (parser.isSet(encoding)) {
        forced = encodingFromName(parser.value(encoding));
        if (!forced)
            return failWith("count", kExitUsage,
                            u"unknown encoding '%1' (use o200k_base or cl100k_base)"_s.arg(parser.value(encoding)));
    }

    QFile in;
    const QString path = files.first();
    const bool opened
        = path == u"-"_s ? in.open(stdin, QIODevice::ReadOnly) : (in.setFileName(path), in.open(QIODevice::ReadOnly));
    if (!opened)
        return failWith("count", kExitFailure, u"cannot read %1: %2"_s.arg(path, in.errorString()));
    const QByteArray data = in.readAll();

    Tokenizers tokenizers; // the command is its own composition root
    ModelEncoding how = forced ? ModelEncoding {*forced, true, {}} : encodingForModel(parser.value(model));
    if (forced && parser.isSet(model)) {
        const ModelEncoding natural = encodingForModel(parser.value(model));
        if (natural.encoding != *forced || !natural.exact)
            how = {*forced, false,
                   u"encoding %1 forced; model %2 is not known to use it"_s.arg(encodingSpec(*forced).name,
                                                                                parser.value(model))};
    }
    auto enc = tokenizers.encoding(how.encoding);
    if (!enc)
        return failWith("count", kExitFailure, enc.error().message);

    if (parser.isSet(chat)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
        if (error.error != QJsonParseError::NoError || (!doc.isObject() && !doc.isArray()))
            return failWith("count", kExitFailure,
                            u"%1 is not a JSON chat request: %2"_s.arg(path, error.errorString()));
        const QJsonObject request = doc.isArray() ? QJsonObject {{u"messages"_s, doc.array()}} : doc.object();
        const ChatTokenCounter counter(*enc, parser.value(model), how);
        const ChatTokenCount c = counter.countRequest(request);
        print(QString::number(c.promptTokens));
        std::fprintf(stderr, "messages %lld, tools %lld, response format %lld, images %lld (%s)\n", c.messageTokens,
                     c.toolTokens, c.formatTokens, c.imageTokens, qPrintable(c.encoding));
        for (const QString &n : c.notes)
            std::fprintf(stderr, "note: estimate: %s\n", n.toUtf8().constData());
        return kExitOk;
    }

    const std::string_view text(data.constData(), std::size_t(data.size()));
    if (parser.isSet(ids)) {
        const std::vector<TokenId> tokens = (*enc)->encode(text);
        print(QString::number(tokens.size()));
        QString line;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                line += u' ';
            line += QString::number(tokens[i]);
        }
        print(line);
    } else {
        print(QString::number((*enc)->count(text)));
    }
    if (!how.exact)
        std::fprintf(stderr, "note: estimate: %s\n", how.note.toUtf8().constData());
    return kExitOk;
}

} // namespace tl::cli
