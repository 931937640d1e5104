#pragma once

#include "common/Result.h"
#include "ledger/Ledger.h"
#include "pricing/PriceBook.h"

#include <memory>

namespace tl {

// The core services every entry point needs: the price book and the ledger.
struct CoreServices
{
    std::shared_ptr<const PriceBook> book;
    std::unique_ptr<Ledger> ledger;
};

// The composition root: builds the services and hands them to the windows or commands.
namespace AppContext {
// Opens the built-in price book and the ledger at `dbPath` ("" = Database::defaultPath()).
Result<CoreServices> openCore(const QString &dbPath);
// Opens the main window on `dbPath` and runs the event loop; returns the exit code.
int runGui(const QString &dbPath);
} // namespace AppContext

} // namespace tl
