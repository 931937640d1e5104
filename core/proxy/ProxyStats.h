#pragma once

#include <QtGlobal>

#include <atomic>

namespace tl {

// Live counters of a running proxy, written by the proxy thread and read from any thread.
struct ProxyStats
{
    std::atomic<qint64> requests{0};       // client requests answered (any status)
    std::atomic<qint64> cacheHits{0};      // answered from the exact cache
    std::atomic<qint64> upstreamErrors{0}; // timeouts, cut streams, upstream 5xx
    std::atomic<int> openConnections{0};
    std::atomic<int> inFlight{0};          // requests being answered now
    std::atomic<int> freedMemoryReleases{0}; // times freed memory went back to the system after a burst
    // Upstream requests carried by the builtin plain-HTTP client (Http1Client; the rest go through libcurl).
    std::atomic<qint64> builtinUpstreamRequests{0};
};

} // namespace tl
