#include "Command.h"

#include <cstdio>

namespace tl::cli {

// Each subcommand lives in its own file.
int runImport(const QStringList &args);
int runReport(const QStringList &args);
int runLabelKey(const QStringList &args);
int runExport(const QStringList &args);
int runSimulate(const QStringList &args);
int runProxy(const QStringList &args);
int runCount(const QStringList &args);
int runScreenshot(const QStringList &args);
int runFewShot(const QStringList &args);
int runSync(const QStringList &args);

const QList<Command> &commands()
{
    static const QList<Command> all = {
        {"import", "import calls from CSV, JSONL or provider usage reports", &runImport, false},
        {"report", "print the cost breakdown and totals", &runReport, false},
        {"label-key", "name a caller identity (salted key hash) for breakdowns by key", &runLabelKey, false},
        {"export", "export records as JSONL or CSV", &runExport, false},
        {"simulate", "replay the ledger under a savings scenario (what-if)", &runSimulate, false},
        {"proxy", "run the local OpenAI/Anthropic proxy until SIGINT/SIGTERM", &runProxy, false},
        {"fewshot", "import, list or remove the proxy's dynamic few-shot example sets", &runFewShot, false},
        {"sync", "pull organisation usage and cost reports from the OpenAI and Anthropic Admin APIs", &runSync, false},
        {"count", "count tokens of a text or chat request (tiktoken-exact for OpenAI models)", &runCount, false},
        {"screenshot", "render a page of the main window offscreen to a PNG", &runScreenshot, true},
    };
    return all;
}

int failWith(const char *command, int code, const QString &message)
{
    std::fprintf(stderr, "tokenledger %s: %s\n", command, message.toLocal8Bit().constData());
    return code;
}

} // namespace tl::cli
