#pragma once

#include <QString>
#include <QStringList>

namespace tl::cli {

// Exit codes of headless subcommands: 0 success, 1 failure the user can act on (message on stderr),
// 2 usage error (one-line reason on stderr).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A headless subcommand: `tokenledger NAME ARGS...`. `run` gets the arguments after NAME and is
// called with a QCoreApplication (or, when needsGuiApp, a QApplication on the offscreen platform).
struct Command
{
    const char *name;
    const char *summary;
    int (*run)(const QStringList &args);
    bool needsGuiApp = false;
};

// Every subcommand; defined in Commands.cpp.
const QList<Command> &commands();

// Prints "tokenledger NAME: MESSAGE" to stderr and returns `code`.
int failWith(const char *command, int code, const QString &message);

} // namespace tl::cli
