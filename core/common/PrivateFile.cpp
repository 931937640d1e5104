#include "PrivateFile.h"

#include <QFile>
#include <QFileDevice>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
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

bool restrictToOwner(QFileDevice &file)
{
#ifdef Q_OS_UNIX
    // On its descriptor: a QSaveFile's temporary file may have no name yet (Linux O_TMPFILE), and its
    // setPermissions() would name the target.
    return file.handle() >= 0 && ::fchmod(file.handle(), 0600) == 0;
#else
    Q_UNUSED(file);
    return true;
#endif
}

} // namespace tl
