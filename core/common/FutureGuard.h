#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <type_traits>
#include <utility>

namespace tl {

// Runs `f(result)` (or `f()` for QFuture<void>) on `context`'s thread once `future` has finished,
// unless `context` has been destroyed by then or the future was cancelled without a result.
//
// Why not QFuture::then(context, f): in Qt 6.4 that continuation runs on the thread that finishes
// the future (the ledger's reader thread, a pool thread), checks a QPointer to `context` there and
// then posts to it. A page destroyed on the GUI thread in between gets an event for a dead object
// (seen as a rare crash in sendPostedEvents when a test destroys a page with a query in flight).
// A QFutureWatcher owned by `context` is Qt's thread-safe form: the watcher detaches from the
// future under the future's own lock when it is destroyed, so nothing is delivered afterwards.
//
// Thread affinity: call on `context`'s thread. The watcher is a child of `context` and deletes
// itself after the call.
template<typename T, typename F>
void continueOn(const QFuture<T> &future, QObject *context, F &&f)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, f = std::forward<F>(f)]() mutable {
        watcher->deleteLater();
        const QFuture<T> done = watcher->future();
        if constexpr (std::is_void_v<T>) {
            if (!done.isCanceled())
                f();
        } else {
            if (done.resultCount() > 0)
                f(done.result());
        }
    });
    watcher->setFuture(future);
}

} // namespace tl
