#include "CliCommon.h"
#include "Command.h"

#include "ledger/Ledger.h"

using namespace Qt::StringLiterals;

namespace tl::cli {

// tokenledger label-key [--db PATH] KEY_ID LABEL: sets the user's label of a caller identity (the salted
// key hash shown by `report --by key`); an empty LABEL ("") removes it. The label is checked by
// KeyLabels::validate (never a key, at most 64 characters).
int runLabelKey(const QStringList &args)
{
    QCommandLineParser parser;
    addDbOption(parser);
    parser.addPositionalArgument(u"KEY_ID"_s, u"Caller identity as `tokenledger report --by key` lists it (k_...)."_s);
    parser.addPositionalArgument(u"LABEL"_s, u"Name to show for it, e.g. \"billing service\"; \"\" removes the label."_s);
    QString error;
    if (!parseArgs(parser, "label-key", args, &error))
        return failWith("label-key", kExitUsage, error);
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 2)
        return failWith("label-key", kExitUsage, u"expected KEY_ID and LABEL (use \"\" to remove a label)"_s);
    auto core = openFromDbOption(parser, LedgerUse::MustExist);
    if (!core)
        return failWith("label-key", kExitFailure, core.error().message);
    const Result<void> result = core->ledger->setKeyLabel(pos[0], pos[1]).result();
    if (!result)
        return failWith("label-key", result.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure,
                        result.error().message);
    const QString label = pos[1].trimmed();
    out(label.isEmpty() ? u"%1: label removed\n"_s.arg(printable(pos[0]))
                        : u"%1: %2\n"_s.arg(printable(pos[0]), printable(label)));
    return kExitOk;
}

} // namespace tl::cli
