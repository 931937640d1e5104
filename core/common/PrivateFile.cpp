#include "PrivateFile.h"

#include <QFile>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#endif

namespace tl {

bool createPrivateFileIfMissing(const QString &path)
{
    // SQLite's special names (":memory:", a "file:" URI) are no file of ours.
    if (path.isEmpty() || path.startsWith(u':') || path.startsWith(QLatin1StringView("file:")))
        return true;
#ifdef Q_OS_UNIX
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);
        return true;
    }
    return errno == EEXIST;
#else
    Q_UNUSED(path);
    return true;
#endif
}

} // namespace tl
