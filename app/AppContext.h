#pragma once

#include "common/Result.h"
#include "ledger/Ledger.h"
#include "pricing/PriceBook.h"
#include "tokenizer/Tokenizers.h"

#include <memory>

namespace tl {

class MainWindow;
class Settings;
class StartupTrace;

// The core services every entry point needs: the price book and the ledger.
struct CoreServices
{
    std::shared_ptr<const PriceBook> book;
    std::unique_ptr<Ledger> ledger;
    // Token counting (tiktoken-exact): one registry, rank files loaded on first use; thread-safe.
    std::shared_ptr<const tokenizer::Tokenizers> tokenizers = std::make_shared<const tokenizer::Tokenizers>();
};

// The composition root: builds the services and hands them to the windows or commands.
namespace AppContext {
// Opens the built-in price book and the ledger at `dbPath` ("" = Database::defaultPath()).
Result<CoreServices> openCore(const QString &dbPath);
// The same services on a ledger opened for reading only (Ledger::openReadOnly): nothing in the file is
// written (no Batch savings fill-in, no token calibration sampling). For commands that only read.
Result<CoreServices> openCoreReadOnly(const QString &dbPath);
// Opens the main window on `dbPath` and runs the event loop; returns the exit code. `trace` gets the
// startup milestones when enabled (TOKENLEDGER_STARTUP_TRACE=1).
int runGui(const QString &dbPath, StartupTrace &trace);
// Builds the main window with every page (the composition root adds feature pages such as the proxy
// here; all but the dashboard are built on their first visit); used by runGui and the screenshot command.
std::unique_ptr<MainWindow> createMainWindow(CoreServices &core, Settings &settings);
} // namespace AppContext

} // namespace tl
