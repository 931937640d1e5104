#include "CliCommon.h"
#include "Command.h"

#include "compress/FewShot.h"
#include "ledger/Database.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace tl::cli {

// tokenledger fewshot import|list|remove: manages the dynamic few-shot example sets the proxy uses
// (X-TokenLedger-FewShot: <set>). The sets live beside the ledger in "<ledger>.fewshot.json"
// (compress::FewShotStore), or in --store FILE.
int runFewShot(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    parser.addOption({u"store"_s, u"Example-set file (default: <ledger>.fewshot.json)."_s, u"FILE"_s});
    parser.addOption({u"set"_s, u"Name of the example set."_s, u"NAME"_s});
    parser.addOption({u"endpoint"_s, u"Endpoint the set belongs to (import; default: any endpoint)."_s, u"ENDPOINT"_s});
    parser.addPositionalArgument(u"action"_s, u"import FILE.jsonl | list | remove"_s);
    QString error;
    if (!parseArgs(parser, "fewshot", args, &error))
        return failWith("fewshot", kExitUsage, error);
    const QStringList pos = parser.positionalArguments();
    const QString action = pos.value(0);
    if (action != "import"_L1 && action != "list"_L1 && action != "remove"_L1)
        return failWith("fewshot", kExitUsage, u"the action must be import, list or remove"_s);
    if (action != "list"_L1 && parser.value(u"set"_s).trimmed().isEmpty())
        return failWith("fewshot", kExitUsage, u"--set NAME is required"_s);
    if (action == "import"_L1 && pos.size() != 2)
        return failWith("fewshot", kExitUsage, u"import takes one JSONL file"_s);

    const QString db = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : Database::defaultPath();
    const QString storePath = parser.isSet(u"store"_s) ? parser.value(u"store"_s) : db + u".fewshot.json"_s;
    compress::FewShotStore store(storePath);
    if (auto loaded = store.load(); !loaded)
        return failWith("fewshot", kExitFailure, loaded.error().message);

    if (action == "list"_L1) {
        if (store.sets().isEmpty())
            out(u"no example sets in %1\n"_s.arg(storePath));
        for (const compress::FewShotSet &s : store.sets())
            out(u"%1\t%2\t%3\n"_s.arg(printable(s.name), s.endpoint.isEmpty() ? u"(any endpoint)"_s : printable(s.endpoint),
                                        counted(s.examples.size(), u"example"_s, u"examples"_s)));
        return kExitOk;
    }
    const QString name = parser.value(u"set"_s).trimmed();
    if (action == "remove"_L1) {
        if (!store.remove(name))
            return failWith("fewshot", kExitFailure, u"no example set named \"%1\" in %2"_s.arg(name, storePath));
        if (auto saved = store.save(); !saved)
            return failWith("fewshot", kExitFailure, saved.error().message);
        out(u"removed example set \"%1\"\n"_s.arg(name));
        return kExitOk;
    }

    const QString file = pos.at(1);
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return failWith("fewshot", kExitFailure, u"cannot read %1: %2"_s.arg(file, in.errorString()));
    const compress::JsonlImport imported = compress::importJsonl(in.readAll());
    for (const compress::JsonlLineError &e : imported.errors)
        err(u"%1:%2: skipped: %3\n"_s.arg(file).arg(e.line).arg(printable(e.message)));
    if (imported.examples.isEmpty())
        return failWith("fewshot", kExitFailure, u"%1 has no valid example line; the set was not changed"_s.arg(file));
    compress::FewShotSet set;
    set.name = name;
    set.endpoint = parser.value(u"endpoint"_s);
    set.examples = imported.examples;
    store.upsert(set);
    if (auto saved = store.save(); !saved)
        return failWith("fewshot", kExitFailure, saved.error().message);
    out(u"example set \"%1\" (%2): %3 imported, %4 skipped; stored in %5\n"_s
            .arg(name, set.endpoint.isEmpty() ? u"any endpoint"_s : set.endpoint,
                 counted(imported.examples.size(), u"example"_s, u"examples"_s),
                 counted(imported.errors.size(), u"line"_s, u"lines"_s), storePath));
    return kExitOk;
}

} // namespace tl::cli
