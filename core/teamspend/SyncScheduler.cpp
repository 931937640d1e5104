#include "teamspend/SyncScheduler.h"

#include "settings/Settings.h"

#include <QDateTime>
#include <QPointer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr qint64 kHourUs = 3'600'000'000;
}

SyncScheduler::SyncScheduler(AdminSync &sync, Settings &settings, std::function<qint64()> nowUs, QObject *parent)
    : QObject(parent), m_sync(sync), m_settings(settings), m_nowUs(std::move(nowUs))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!syncNow())
            arm(false); // a sync is running (started by hand); look again when it is due next
    });
}

SyncScheduler::~SyncScheduler() = default;

qint64 SyncScheduler::now() const { return m_nowUs ? m_nowUs() : QDateTime::currentMSecsSinceEpoch() * 1000; }

int SyncScheduler::intervalHours() const { return std::clamp(m_settings.value(QString::fromLatin1(intervalKey), 0).toInt(), 0, 720); }

void SyncScheduler::setIntervalHours(int hours)
{
    hours = std::clamp(hours, 0, 720);
    if (hours == intervalHours())
        return;
    m_settings.setValue(QString::fromLatin1(intervalKey), hours);
    if (m_started)
        arm(false);
    Q_EMIT scheduleChanged();
}

qint64 SyncScheduler::lastSyncUs() const { return m_settings.value(QString::fromLatin1(lastSyncKey), 0).toLongLong(); }

qint64 SyncScheduler::nextDueUs(qint64 lastUs, int intervalHours, qint64 nowUs)
{
    if (intervalHours <= 0)
        return 0;
    if (lastUs <= 0)
        return nowUs;
    return lastUs + qint64(intervalHours) * kHourUs;
}

qint64 SyncScheduler::nextDueUs() const { return nextDueUs(lastSyncUs(), intervalHours(), now()); }

void SyncScheduler::start()
{
    m_started = true;
    arm(true);
}

void SyncScheduler::arm(bool afterStart)
{
    m_timer.stop();
    const qint64 due = nextDueUs();
    if (due == 0 || m_running)
        return; // off, or re-armed when the running sync finishes
    qint64 waitMs = std::max<qint64>(0, (due - now()) / 1000);
    if (afterStart)
        waitMs = std::max<qint64>(waitMs, m_startDelayMs);
    // QTimer takes an int of milliseconds; a far due time is looked at again within a day.
    m_timer.start(int(std::min<qint64>(waitMs, 24ll * 3'600'000)));
}

bool SyncScheduler::syncNow(QList<ReportSource> sources)
{
    if (m_running)
        return false;
    m_running = true;
    m_timer.stop();
    m_settings.setValue(QString::fromLatin1(lastSyncKey), now());
    Q_EMIT started();
    run(std::move(sources));
    return true;
}

QCoro::Task<> SyncScheduler::run(QList<ReportSource> sources)
{
    QPointer<SyncScheduler> self(this);
    if (sources.isEmpty()) {
        auto awaitedSources = m_sync.sourcesWithKeys();
        sources = co_await awaitedSources;
        if (!self)
            co_return;
    }
    SyncReport report;
    if (!sources.isEmpty()) {
        auto awaitedSync = m_sync.sync(sources);
        report = co_await awaitedSync;
        if (!self)
            co_return;
    }
    m_running = false;
    if (m_started)
        arm(false);
    Q_EMIT finished(report);
}

} // namespace tl
