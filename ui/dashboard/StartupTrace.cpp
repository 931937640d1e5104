#include "StartupTrace.h"

#include <QFile>

#include <chrono>

#ifdef Q_OS_LINUX
#include <ctime>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tl {

Q_LOGGING_CATEGORY(lcStartup, "tokenledger.startup")

namespace {

qint64 wallUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Milliseconds between the process's start and now (Linux: starttime of /proc/self/stat, in clock ticks
// since boot, against CLOCK_BOOTTIME); -1 when unknown.
double processAgeMs()
{
#ifdef Q_OS_LINUX
    QFile stat(u"/proc/self/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    // Fields after the command name (which may hold spaces) start after the last ')'; starttime is field 22.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 20)
        return -1;
    const double startTicks = fields.at(19).toDouble();
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    const double nowMs = double(now.tv_sec) * 1000.0 + double(now.tv_nsec) / 1e6;
    return nowMs - startTicks * 1000.0 / double(sysconf(_SC_CLK_TCK));
#else
    return -1;
#endif
}

QByteArray residentMemory()
{
#ifdef Q_OS_LINUX
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return {};
    QByteArray out;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:"))
            out += ' ' + line.simplified();
    }
    return out;
#else
    return {};
#endif
}

} // namespace

StartupTrace::StartupTrace(bool enabled)
    : m_enabled(enabled)
{
    if (!m_enabled)
        return;
    m_timer.start();
    const double age = processAgeMs();
    qCInfo(lcStartup, "%8.3f ms  main() entered, %.0f ms after the process started (10 ms resolution)  (wall %lld us)",
           0.0, age, qint64(wallUs()));
}

bool StartupTrace::requestedByEnvironment()
{
    return qEnvironmentVariableIntValue("TOKENLEDGER_STARTUP_TRACE") == 1;
}

void StartupTrace::mark(const char *milestone)
{
    if (!m_enabled)
        return;
    const double ms = double(m_timer.nsecsElapsed()) / 1e6;
    qCInfo(lcStartup, "%8.3f ms  %s  (wall %lld us)", ms, milestone, qint64(wallUs()));
}

void StartupTrace::markWithMemory(const char *milestone)
{
    if (!m_enabled)
        return;
    const QByteArray memory = residentMemory();
    mark(milestone);
    if (!memory.isEmpty())
        qCInfo(lcStartup, "           memory:%s", memory.constData());
}

} // namespace tl
