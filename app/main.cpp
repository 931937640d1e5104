#include "AppContext.h"
#include "commands/Command.h"
#include "common/Translations.h"
#include "dashboard/StartupTrace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

void setIdentity()
{
    QCoreApplication::setOrganizationName(u"TokenLedger"_s);
    QCoreApplication::setApplicationName(u"TokenLedger"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(TOKENLEDGER_VERSION));
}

const tl::cli::Command *findCommand(const char *name)
{
    for (const tl::cli::Command &c : tl::cli::commands()) {
        if (std::strcmp(c.name, name) == 0)
            return &c;
    }
    return nullptr;
}

void printUsage()
{
    std::printf("Usage: tokenledger [--db PATH]            open the main window\n");
    std::printf("       tokenledger COMMAND [OPTIONS]      run a headless command\n\nCommands:\n");
    for (const tl::cli::Command &c : tl::cli::commands())
        std::printf("  %-12s %s\n", c.name, c.summary);
    std::printf("\nRun 'tokenledger COMMAND --help' for a command's options.\n");
}

} // namespace

int main(int argc, char **argv)
{
    // TOKENLEDGER_STARTUP_TRACE=1: startup milestones through tokenledger.startup (for the benchmark).
    tl::StartupTrace trace(tl::StartupTrace::requestedByEnvironment());
    if (argc > 1 && argv[1][0] != '-') {
        const tl::cli::Command *command = findCommand(argv[1]);
        if (!command) {
            std::fprintf(stderr, "tokenledger: unknown command '%s' (see tokenledger --help)\n", argv[1]);
            return tl::cli::kExitUsage;
        }
        // Headless commands print their results; the modules' informational log lines would only be
        // noise there (QT_LOGGING_RULES still wins when set).
        if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
            QLoggingCategory::setFilterRules(u"tokenledger.*.info=false"_s);
        QStringList args;
        for (int i = 2; i < argc; ++i)
            args << QString::fromLocal8Bit(argv[i]);
        if (command->needsGuiApp) {
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen"); // headless: never needs a display
            QApplication app(argc, argv);
            setIdentity();
            tl::Translations::installEnglishPlurals(); // "1 call", not "1 call(s)" (a --lang given wins)
            return command->run(args);
        }
        QCoreApplication app(argc, argv);
        setIdentity();
        tl::Translations::installEnglishPlurals(); // "1 call", not "1 call(s)", in the core texts printed
        return command->run(args);
    }

    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        printUsage();
        return 0;
    }

#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    // Without a display Qt's platform plugin aborts with a long message; say what to do instead.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        std::fprintf(stderr, "tokenledger: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not "
                             "set); run it in a desktop session, or use a headless command (tokenledger --help)\n");
        return 1;
    }
#endif
    QApplication app(argc, argv);
    setIdentity();
    trace.mark("QApplication constructed");
    QCommandLineParser parser;
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption dbOption(u"db"_s, QCoreApplication::translate("main", "Ledger database file."),
                                      u"PATH"_s);
    parser.addOption(dbOption);
    if (!parser.parse(QCoreApplication::arguments())) {
        // A usage error: exit 2 with one line, like the headless commands.
        std::fprintf(stderr, "tokenledger: %s (see tokenledger --help)\n", qPrintable(parser.errorText()));
        return tl::cli::kExitUsage;
    }
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "tokenledger: unexpected argument '%s' (see tokenledger --help)\n",
                     qPrintable(parser.positionalArguments().first()));
        return tl::cli::kExitUsage;
    }
    return tl::AppContext::runGui(parser.value(dbOption), trace);
}
