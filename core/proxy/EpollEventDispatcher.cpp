#include "EpollEventDispatcher.h"

#ifdef Q_OS_LINUX

#include "common/Logging.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

constexpr int kMaxEvents = 256; // per epoll call; more ready descriptors are reported by the next pass
constexpr qint64 kNsPerMs = 1'000'000;

// Blocks for at most `timeoutNs` (-1: no limit, 0: not at all).
int waitEpoll(int epoll, epoll_event *events, qint64 timeoutNs)
{
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 35)
    static std::atomic<bool> pwait2Missing{false}; // a kernel older than 5.11
    if (timeoutNs > 0 && !pwait2Missing.load(std::memory_order_relaxed)) {
        const timespec ts{time_t(timeoutNs / 1'000'000'000), long(timeoutNs % 1'000'000'000)};
        const int n = ::epoll_pwait2(epoll, events, kMaxEvents, &ts, nullptr);
        if (n >= 0 || errno != ENOSYS)
            return n;
        pwait2Missing.store(true, std::memory_order_relaxed);
    }
#endif
    // Rounded up: a timer never fires early.
    const int ms = timeoutNs < 0 ? -1 : int(std::min<qint64>((timeoutNs + kNsPerMs - 1) / kNsPerMs, INT_MAX));
    return ::epoll_wait(epoll, events, kMaxEvents, ms);
}

// Whether events[0..n) name a socket, not only the wake-up eventfd.
bool anySocket(const epoll_event *events, int n, int eventFd)
{
    for (int i = 0; i < n; ++i) {
        if (events[i].data.fd != eventFd)
            return true;
    }
    return false;
}

// Waits for the eventfd alone (a pass that excludes socket notifiers); 1 when it is readable.
int waitWakeUp(int eventFd, qint64 timeoutNs)
{
    pollfd p{eventFd, POLLIN, 0};
    const timespec ts{time_t(std::max<qint64>(0, timeoutNs) / 1'000'000'000),
                      long(std::max<qint64>(0, timeoutNs) % 1'000'000'000)};
    const int r = ::ppoll(&p, 1, timeoutNs < 0 ? nullptr : &ts, nullptr);
    return r > 0 && (p.revents & POLLIN) ? 1 : r < 0 ? -1 : 0;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_eventFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll < 0 || m_eventFd < 0) {
        qCWarning(lcProxy) << "epoll dispatcher unavailable:" << std::strerror(errno);
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = m_eventFd;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_eventFd, &ev) != 0) {
        qCWarning(lcProxy) << "epoll dispatcher unavailable:" << std::strerror(errno);
        ::close(m_eventFd);
        m_eventFd = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_eventFd >= 0)
        ::close(m_eventFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

qint64 EpollEventDispatcher::nowNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupt.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    // Events posted meanwhile have written the eventfd, so a wait returns at once for them.
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupt.load(std::memory_order_relaxed);
    if (canWait)
        Q_EMIT aboutToBlock();
    if (m_interrupt.load(std::memory_order_relaxed))
        return false;

    qint64 timeoutNs = -1;
    if (!canWait || (includeNotifiers && m_alwaysReady > 0)) {
        timeoutNs = 0;
    } else if (includeTimers && !m_due.empty()) {
        timeoutNs = std::max<qint64>(0, m_due.begin()->first - nowNs());
    }

    epoll_event events[kMaxEvents];
    int n = 0;
    bool polled = false; // busy polling (setBusyPollNs) found what is ready
    qint64 windowEndNs = -1; // this pass waits inside a busy-polling window ending then; -1: it does not
    if (includeNotifiers && timeoutNs != 0 && m_busyPollNs > 0) {
        const qint64 now = nowNs();
        const qint64 windowEnd = m_lastSocketActivityNs + m_busyPollNs;
        qint64 until = windowEnd;
        if (timeoutNs > 0)
            until = std::min(until, now + timeoutNs); // a due timer ends the polling
        if (now < until) {
            windowEndNs = windowEnd;
            if (m_pollOutlook >= kPollOutlookThreshold) {
                ++m_busyPolls;
                while ((n = ::epoll_wait(m_epoll, events, kMaxEvents, 0)) == 0 && nowNs() < until) {
                }
                polled = n > 0;
                m_busyPollHits += polled ? 1 : 0;
                if (n < 0)
                    n = 0; // EINTR: the blocking wait below
                if (n == 0 && timeoutNs > 0)
                    timeoutNs = std::max<qint64>(0, m_due.begin()->first - nowNs());
                if (polled && anySocket(events, n, m_eventFd)) {
                    learnWindow(true);
                    windowEndNs = -1;
                } else if (!polled && until == windowEnd) {
                    learnWindow(false); // the window passed, not cut short by a due timer
                    windowEndNs = -1;
                }
            } else {
                ++m_busyPollSkips;
            }
        }
    }
    if (polled) {
        // events[0..n) came from the polling
    } else if (includeNotifiers) {
        n = waitEpoll(m_epoll, events, timeoutNs);
        if (windowEndNs >= 0) {
            // What polling would have made of this window, had this pass polled: a socket ready before
            // the window's end is a hit; the end passing first is a miss; a timer or wake-up says nothing.
            const bool socketReady = anySocket(events, n, m_eventFd);
            const bool windowPassed = nowNs() > windowEndNs;
            if (socketReady && !windowPassed)
                learnWindow(true);
            else if (windowPassed)
                learnWindow(false);
        }
    } else {
        // Sockets excluded: wait for a wake-up or a timer only (the epoll set would report a ready
        // socket at once, every time, and turn the wait into a spin).
        n = waitWakeUp(m_eventFd, timeoutNs);
        if (n > 0) {
            events[0].events = EPOLLIN;
            events[0].data.fd = m_eventFd;
        }
    }
    if (n < 0) {
        if (errno != EINTR)
            qCWarning(lcProxy) << "epoll_wait:" << std::strerror(errno);
        n = 0;
    }

    int activated = 0;
    if (m_pending.size() <= m_depth)
        m_pending.emplace_back();
    std::vector<QSocketNotifier *> &pending = m_pending[m_depth];
    pending.clear();
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_eventFd) {
            eventfd_t value = 0;
            (void)::eventfd_read(m_eventFd, &value);
            // After the read: a wakeUp() racing with it writes again or finds its event handled by the
            // next pass's sendPostedEvents().
            m_wakeUpPending.store(false, std::memory_order_release);
            ++activated;
            continue;
        }
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            continue;
        const uint32_t got = events[i].events;
        QSocketNotifier *const *ns = it->second.notifiers;
        if ((got & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) && ns[QSocketNotifier::Read])
            pending.push_back(ns[QSocketNotifier::Read]);
        if ((got & (EPOLLOUT | EPOLLERR)) && ns[QSocketNotifier::Write])
            pending.push_back(ns[QSocketNotifier::Write]);
        if ((got & EPOLLPRI) && ns[QSocketNotifier::Exception])
            pending.push_back(ns[QSocketNotifier::Exception]);
    }
    if (includeNotifiers && m_alwaysReady > 0) {
        for (const auto &[fd, watch] : m_watches) {
            if (!watch.alwaysReady)
                continue;
            for (QSocketNotifier *notifier : watch.notifiers) {
                if (notifier && notifier->type() != QSocketNotifier::Exception)
                    pending.push_back(notifier);
            }
        }
    }
    if (!pending.empty()) {
        ++m_depth;
        QEvent event(QEvent::SockAct);
        // By index: a nested pass uses its own list, and unregisterSocketNotifier() blanks entries
        // of notifiers disabled or deleted meanwhile.
        for (size_t i = 0; i < m_pending[m_depth - 1].size(); ++i) {
            QSocketNotifier *notifier = std::exchange(m_pending[m_depth - 1][i], nullptr);
            if (!notifier)
                continue;
            QCoreApplication::sendEvent(notifier, &event);
            ++activated;
        }
        --m_depth;
        m_pending[m_depth].clear();
        if (m_busyPollNs > 0)
            m_lastSocketActivityNs = nowNs();
    }
    if (includeTimers)
        activated += activateTimers();
    return activated > 0;
}

int EpollEventDispatcher::activateTimers()
{
    if (m_due.empty())
        return 0;
    const qint64 now = nowNs();
    if (m_due.begin()->first > now)
        return 0;
    // The timers due now, by id and registration: one started, stopped or restarted by a timer event of
    // this round is left for the next round.
    std::vector<std::pair<int, quint64>> due;
    for (auto it = m_due.begin(); it != m_due.end() && it->first <= now; ++it)
        due.emplace_back(it->second, m_timers.at(it->second).serial);
    int fired = 0;
    for (const auto &[id, serial] : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.serial != serial || it->second.inEvent || it->second.dueNs > now)
            continue;
        Timer &t = it->second;
        m_due.erase({t.dueNs, id});
        const qint64 intervalNs = t.intervalMs * kNsPerMs;
        t.dueNs = t.dueNs + intervalNs > now ? t.dueNs + intervalNs : now + intervalNs;
        m_due.emplace(t.dueNs, id);
        t.inEvent = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(t.object, &event);
        ++fired;
        // The event may have stopped the timer, deleted its object, or restarted it (a new serial).
        if (auto again = m_timers.find(id); again != m_timers.end() && again->second.serial == serial)
            again->second.inEvent = false;
    }
    return fired;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    Watch &watch = m_watches[fd];
    if (watch.notifiers[type] && watch.notifiers[type] != notifier)
        qCWarning(lcProxy) << "epoll dispatcher: two socket notifiers of one type for descriptor" << fd;
    watch.notifiers[type] = notifier;
    updateKernel(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    for (size_t d = 0; d < m_depth; ++d) {
        for (QSocketNotifier *&p : m_pending[d]) {
            if (p == notifier)
                p = nullptr;
        }
    }
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    Watch &watch = it->second;
    const int type = int(notifier->type());
    if (watch.notifiers[type] != notifier)
        return;
    watch.notifiers[type] = nullptr;
    updateKernel(fd, watch);
    if (!watch.notifiers[0] && !watch.notifiers[1] && !watch.notifiers[2]) {
        if (watch.alwaysReady)
            --m_alwaysReady;
        m_watches.erase(it);
    }
}

void EpollEventDispatcher::updateKernel(int fd, Watch &watch)
{
    if (watch.alwaysReady)
        return;
    const uint32_t want = (watch.notifiers[QSocketNotifier::Read] ? uint32_t(EPOLLIN) : 0u)
                          | (watch.notifiers[QSocketNotifier::Write] ? uint32_t(EPOLLOUT) : 0u)
                          | (watch.notifiers[QSocketNotifier::Exception] ? uint32_t(EPOLLPRI) : 0u);
    if (watch.inKernel && want == watch.kernelEvents)
        return;
    if (want == 0) {
        // Fails harmlessly when the descriptor was closed first (the kernel dropped it then).
        (void)::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        watch.inKernel = false;
        watch.kernelEvents = 0;
        return;
    }
    epoll_event ev{};
    ev.events = want;
    ev.data.fd = fd;
    int op = watch.inKernel ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int r = ::epoll_ctl(m_epoll, op, fd, &ev);
    if (r != 0 && ((op == EPOLL_CTL_MOD && errno == ENOENT) || (op == EPOLL_CTL_ADD && errno == EEXIST))) {
        // ENOENT: closed and reopened under the same number without the notifier being disabled first.
        op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        r = ::epoll_ctl(m_epoll, op, fd, &ev);
    }
    if (r == 0) {
        watch.inKernel = true;
        watch.kernelEvents = want;
    } else if (errno == EPERM) {
        watch.alwaysReady = true; // a regular file: always ready, as for poll(2)
        ++m_alwaysReady;
    } else {
        qCWarning(lcProxy) << "epoll dispatcher: cannot watch descriptor" << fd << std::strerror(errno);
    }
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (auto it = m_timers.find(timerId); it != m_timers.end())
        removeTimer(it);
    Timer t;
    t.object = object;
    t.intervalMs = std::max<qint64>(0, interval);
    t.type = timerType;
    t.dueNs = nowNs() + t.intervalMs * kNsPerMs;
    t.serial = m_nextSerial++;
    m_due.emplace(t.dueNs, timerId);
    m_timers.emplace(timerId, t);
}

void EpollEventDispatcher::removeTimer(std::unordered_map<int, Timer>::iterator it)
{
    m_due.erase({it->second.dueNs, it->first});
    m_timers.erase(it);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    removeTimer(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_due.erase({it->second.dueNs, it->first});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (const auto &[id, t] : m_timers) {
        if (t.object == object)
            list.append(TimerInfo(id, int(t.intervalMs), t.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const qint64 left = it->second.dueNs - nowNs();
    return left <= 0 ? 0 : int((left + kNsPerMs / 2) / kNsPerMs);
}

void EpollEventDispatcher::wakeUp()
{
    if (!m_wakeUpPending.exchange(true, std::memory_order_acq_rel))
        (void)::eventfd_write(m_eventFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace tl

#endif // Q_OS_LINUX
