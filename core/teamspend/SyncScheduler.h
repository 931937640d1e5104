#pragma once

#include "teamspend/AdminSync.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace tl {

class Settings;

// Runs the Admin API sync now ("Sync now") or on a schedule, one sync at a time (a second request while
// one runs is refused, so two syncs never replace the same days at once).
//
// Schedule: every `intervalHours` hours (0 = off, the default), counted from the last sync that
// started, whatever started it. Both are kept in Settings: "teamspend/sync_interval_hours" and
// "teamspend/last_sync_us" (UTC microseconds; 0 = never). A scheduled sync syncs only the providers
// whose admin key is in the keychain (AdminSync::sourcesWithKeys); with no key it does nothing and
// says so. After the app starts, an overdue sync waits `startDelayMs` (default 60 s) so it never
// competes with the first paint.
//
// Thread affinity: the thread of `sync` (GUI thread).
class SyncScheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SyncScheduler)

public:
    static constexpr auto intervalKey = "teamspend/sync_interval_hours";
    static constexpr auto lastSyncKey = "teamspend/last_sync_us";

    // `nowUs`: UTC microseconds (default: the system clock); tests pass their own.
    SyncScheduler(AdminSync &sync, Settings &settings, std::function<qint64()> nowUs = {}, QObject *parent = nullptr);
    ~SyncScheduler() override;

    AdminSync &adminSync() { return m_sync; }

    int intervalHours() const; // 0 = off
    void setIntervalHours(int hours); // clamped to 0..720; re-arms the timer
    qint64 lastSyncUs() const; // 0 = never
    bool isRunning() const { return m_running; }
    // When the next scheduled sync is due (UTC µs); 0 when the schedule is off.
    qint64 nextDueUs() const;
    // Pure rule behind nextDueUs(): last + interval, or `nowUs` when never synced; 0 when off.
    static qint64 nextDueUs(qint64 lastUs, int intervalHours, qint64 nowUs);

    void setStartDelayMs(int ms) { m_startDelayMs = ms; }
    // Arms the timer (call once the app has started).
    void start();

    // Starts a sync of `sources` (empty: every source whose provider's admin key is stored). Returns
    // false, doing nothing, when a sync is running.
    bool syncNow(QList<ReportSource> sources = {});

Q_SIGNALS:
    void started();
    void finished(const tl::SyncReport &report);
    void scheduleChanged();

private:
    QCoro::Task<> run(QList<ReportSource> sources);
    void arm(bool afterStart);
    qint64 now() const;

    AdminSync &m_sync;
    Settings &m_settings;
    std::function<qint64()> m_nowUs;
    QTimer m_timer;
    bool m_running = false;
    bool m_started = false;
    int m_startDelayMs = 60'000;
};

} // namespace tl
