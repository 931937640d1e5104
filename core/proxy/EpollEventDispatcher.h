#pragma once

#include <QtGlobal>

#ifdef Q_OS_LINUX

#include <QAbstractEventDispatcher>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

class QSocketNotifier;

namespace tl {

// A Qt event dispatcher on Linux epoll(7), installed on the proxy's worker thread only
// (QThread::setEventDispatcher before QThread::start, see Proxy::start).
//
// Why: Qt 6.4's default dispatcher on Linux (QEventDispatcherGlib, or QEventDispatcherUNIX with
// QT_NO_GLIB=1) hands every registered socket to poll(2) and walks all of them on every pass of the
// event loop. With 1,000 streams held open the proxy thread has 2,000+ sockets, so each pass cost
// milliseconds and every new stream, which needs several passes, paid 3-6 ms of time to first byte
// (issue 3 section 7: at most 200 us). Here a pass costs in proportion to the sockets that are ready
// and the timers that are due: sockets stay registered with the kernel (epoll_ctl only when a
// QSocketNotifier is enabled or disabled) and timers are kept ordered by due time (O(log n) start and
// stop instead of Qt's sorted list).
//
// What it implements of QAbstractEventDispatcher, with Qt's semantics (modelled on
// QEventDispatcherUNIX, through public API only):
// - posted events: QCoreApplication::sendPostedEvents() at the start of every pass (so deleteLater()
//   follows Qt's loop-level rules); wakeUp() from any thread writes an eventfd once until it is read.
// - socket notifiers (Read = EPOLLIN, Write = EPOLLOUT, Exception = EPOLLPRI; level-triggered like
//   poll(2); a hang-up or error activates the Read notifier, an error also the Write one). A notifier
//   disabled or deleted during a pass is not activated later in that pass, nor in nested passes.
//   A descriptor epoll refuses (a regular file) is reported ready on every pass, as poll(2) does.
// - timers: every type fires no earlier than its interval (Coarse and VeryCoarse are treated as
//   Precise: not rounded, so never later than a Precise one); the wait has nanosecond resolution
//   (epoll_pwait2, else epoll_wait rounded up to the next ms). A repeating timer that fell behind is
//   re-armed from now, not fired in a burst; a timer is not fired again from inside its own event
//   (nested event loop); a timer started from a timer event does not fire in that same round.
// - interrupt(): the current or next processEvents() returns without blocking.
// - QEventLoop::ExcludeSocketNotifiers: the pass waits for wake-ups and timers only (ppoll on the
//   eventfd), so ready sockets neither fire nor keep it from blocking; they fire in a later pass.
// - awake() at the start of each pass, aboutToBlock() before a pass that may block.
// Errors: isValid() is false when epoll or the eventfd cannot be created (the caller then keeps Qt's
// dispatcher); failures of epoll_ctl are logged (tokenledger.proxy) and the notifier stays silent.
// Thread affinity: everything on the thread it dispatches for, except wakeUp() and interrupt() (any
// thread). Linux only; other systems keep Qt's dispatcher.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool isValid() const { return m_epoll >= 0 && m_eventFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    // interval in ms
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    // ms until the timer is due (0 when overdue), -1 for an unknown id
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Busy polling (ProxyConfig::busyPollUs). A pass that would block, within `ns` nanoseconds of the end
    // of the last pass that activated a socket notifier, first polls epoll without blocking (epoll_wait
    // with timeout 0, again and again) until something is ready, a timer is due or those `ns` have passed;
    // only then does it block. Why: on this machine a thread that sleeps in epoll_wait takes 20-40 us to
    // run again when its socket gets data (the idle vCPU's halt and the wake-up IPI; bare metal pays a
    // C-state exit instead), and one request through the proxy sleeps twice (request in, answer back).
    // The proxy thread polling for a reply due within microseconds saves both (docs/proxy.md "Busy
    // polling": one request at a time, p50 added latency about 25 us lower). The price is CPU time: at
    // most `ns` after each burst of traffic, none while idle (the window starts at traffic, not at each
    // pass). 0 (the default): never poll. Passes that exclude socket notifiers never poll.
    // Adaptive: a pass inside the window polls only while most recent windows would have been worth it. Each
    // window ends as a hit (a socket became ready within it, found by polling or by the blocking wait that
    // replaced it) or a miss (the window passed with no socket ready); a timer or a wake-up from another
    // thread before that decides nothing. A saturating count (0..8, +1 a hit, -1 a miss) must be at least 4
    // for a pass to poll; setBusyPollNs() starts it at 8. So traffic that answers at once (a loopback
    // upstream, a client's next keep-alive request) keeps the polling, and traffic whose next bytes come
    // later than the window (events of streams paced milliseconds apart, a model that takes seconds)
    // stops it after 5 misses, saving up to `ns` of CPU a pass (docs/proxy.md "Busy polling", session 19:
    // 1,000 paced streams, 10,000 events/s: the proxy thread's CPU per event 36-37 us, 48-64 us before).
    void setBusyPollNs(qint64 ns)
    {
        m_busyPollNs = std::max<qint64>(0, ns);
        m_pollOutlook = kPollOutlookMax;
    }
    qint64 busyPollNs() const { return m_busyPollNs; }
    // Counters since construction (for tests and benchmarks): passes that polled, and of those, the ones
    // that found something ready (a socket, a wake-up) before their window ended.
    quint64 busyPolls() const { return m_busyPolls; }
    quint64 busyPollHits() const { return m_busyPollHits; }
    // Passes inside a window that did not poll because recent windows were misses (see setBusyPollNs).
    quint64 busyPollSkips() const { return m_busyPollSkips; }

private:
    struct Timer
    {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        qint64 dueNs = 0;    // CLOCK_MONOTONIC
        quint64 serial = 0;  // this registration (timer ids are reused by Qt)
        bool inEvent = false;
    };
    struct Watch
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr}; // by QSocketNotifier::Type
        uint32_t kernelEvents = 0; // what epoll watches now
        bool inKernel = false;
        bool alwaysReady = false;  // epoll refused the descriptor (EPERM: a regular file)
    };

    static qint64 nowNs();
    void updateKernel(int fd, Watch &watch);
    int activateTimers();
    void removeTimer(std::unordered_map<int, Timer>::iterator it);

    int m_epoll = -1;
    int m_eventFd = -1;
    std::atomic<bool> m_wakeUpPending{false};
    std::atomic<bool> m_interrupt{false};

    std::unordered_map<int, Watch> m_watches; // by descriptor
    int m_alwaysReady = 0;                    // watches with alwaysReady set
    // Notifiers found ready and not yet activated, one list per nested processEvents() (a deque keeps
    // the outer lists in place when a nested pass adds one); unregisterSocketNotifier() blanks entries.
    std::deque<std::vector<QSocketNotifier *>> m_pending;
    size_t m_depth = 0;

    std::unordered_map<int, Timer> m_timers;  // by timer id
    std::set<std::pair<qint64, int>> m_due;   // (dueNs, timer id), earliest first
    quint64 m_nextSerial = 1;

    qint64 m_busyPollNs = 0;
    qint64 m_lastSocketActivityNs = 0; // CLOCK_MONOTONIC, end of the last pass that activated a notifier
    quint64 m_busyPolls = 0;
    quint64 m_busyPollHits = 0;
    quint64 m_busyPollSkips = 0;
    static constexpr int kPollOutlookMax = 8;
    static constexpr int kPollOutlookThreshold = 4;
    int m_pollOutlook = kPollOutlookMax; // recent windows: +1 a hit, -1 a miss, within 0..kPollOutlookMax
    void learnWindow(bool hit)
    {
        m_pollOutlook = std::clamp(m_pollOutlook + (hit ? 1 : -1), 0, kPollOutlookMax);
    }
};

} // namespace tl

#endif // Q_OS_LINUX
