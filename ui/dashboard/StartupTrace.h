#pragma once

#include <QElapsedTimer>
#include <QLoggingCategory>

namespace tl {

Q_DECLARE_LOGGING_CATEGORY(lcStartup)

// Optional startup timing, on when the environment has TOKENLEDGER_STARTUP_TRACE=1 (for the benchmark;
// tests/bench/run-benchmarks.sh reads it). Each mark() logs one line through the "tokenledger.startup"
// category (info level):
//   tokenledger.startup: 123.456 ms  <milestone>  (wall 1764432000123456 us)
// where the first figure is milliseconds since the StartupTrace was constructed at the top of main()
// (QElapsedTimer, monotonic) and the wall figure is the UTC time in microseconds since the epoch, so a
// launcher that noted the time before exec() can measure the whole start including the dynamic loader.
// The construction line also says how long after the process started main() was entered (Linux:
// /proc/self/stat, 10 ms resolution). mark() with a resident-memory note reads /proc/self/status (Linux).
// Disabled: every call is a no-op costing one branch. Not thread-safe: GUI thread only.
class StartupTrace final
{
public:
    explicit StartupTrace(bool enabled);

    static bool requestedByEnvironment(); // TOKENLEDGER_STARTUP_TRACE is 1

    bool isEnabled() const { return m_enabled; }
    void mark(const char *milestone);
    // As mark(), followed by the process's VmRSS and VmHWM (KiB) on Linux.
    void markWithMemory(const char *milestone);

private:
    bool m_enabled;
    QElapsedTimer m_timer;
};

} // namespace tl
