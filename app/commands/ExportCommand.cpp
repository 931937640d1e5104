#include "Command.h"

namespace tl::cli {

int runExport(const QStringList &args)
{
    Q_UNUSED(args);
    return failWith("export", kExitFailure, QStringLiteral("not built yet"));
}

} // namespace tl::cli
