#include "Command.h"

namespace tl::cli {

int runReport(const QStringList &args)
{
    Q_UNUSED(args);
    return failWith("report", kExitFailure, QStringLiteral("not built yet"));
}

} // namespace tl::cli
