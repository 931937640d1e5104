#include "Command.h"

namespace tl::cli {

int runImport(const QStringList &args)
{
    Q_UNUSED(args);
    return failWith("import", kExitFailure, QStringLiteral("not built yet"));
}

} // namespace tl::cli
