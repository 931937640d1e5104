// bench_proxy: an HTTP/1.1 keep-alive load generator for the proxy benchmark (not a test). Plain
// POSIX sockets and threads, so the client adds as little as possible to what it measures.
//   bench_proxy seq    HOST PORT PATH BODY N [HEADER...]     one request at a time: p50/p99/mean µs
//   bench_proxy load   HOST PORT PATH BODY SECONDS CONNS [HEADER...]  RPS, p50/p99 ms, errors
//   bench_proxy stream HOST PORT PATH BODY STREAMS [HEADER...]  concurrent SSE streams: TTFB p50/p99,
//                                                               completed, stalled (>5 s without data)
//   bench_proxy hold   HOST PORT HOLDPATH PATH BODY STREAMS N PID [HEADER...]
//       opens STREAMS SSE streams on HOLDPATH (an upstream that trickles its events, so they stay open),
//       waits until every one has sent its first bytes, then, with all of them open, sends N streaming
//       requests on PATH one at a time on a fresh connection each and measures each one's time to first
//       byte and to its [DONE]; reads VmRSS of process PID (0: none) while the streams are open.
//       Run against the upstream directly and through the proxy: the difference is what the proxy adds
//       with STREAMS streams open (issue 3 section 7: TTFB + <= 200 us, RSS <= 150 MiB).
// Output: one line of key=value pairs.
#include "BenchNet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using tl::bench::connectTo;
using Clock = std::chrono::steady_clock;

std::string buildRequest(const std::string &host, int port, const std::string &path, const std::string &body,
                         const std::vector<std::string> &headers)
{
    std::string r = (body.empty() ? "GET " : "POST ") + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port)
                    + "\r\n";
    for (const auto &h : headers)
        r += h + "\r\n";
    if (!body.empty())
        r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

// Reads one Content-Length response; returns the status (0 on failure). `buf` keeps leftovers.
int readResponse(int fd, std::string &buf)
{
    char tmp[65536];
    for (;;) {
        const size_t end = buf.find("\r\n\r\n");
        if (end != std::string::npos) {
            int status = std::atoi(buf.c_str() + 9);
            size_t len = 0;
            const char *cl = strcasestr(buf.c_str(), "content-length:");
            if (cl && size_t(cl - buf.c_str()) < end)
                len = size_t(std::atoll(cl + 15));
            while (buf.size() < end + 4 + len) {
                const ssize_t n = ::read(fd, tmp, sizeof tmp);
                if (n <= 0)
                    return 0;
                buf.append(tmp, size_t(n));
            }
            buf.erase(0, end + 4 + len);
            return status;
        }
        const ssize_t n = ::read(fd, tmp, sizeof tmp);
        if (n <= 0)
            return 0;
        buf.append(tmp, size_t(n));
    }
}

double pct(std::vector<double> &v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

long vmRssKiB(int pid)
{
    if (pid <= 0)
        return -1;
    FILE *f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0)
            kib = std::atol(line + 6);
    }
    std::fclose(f);
    return kib;
}

int holdStreams(const char *host, int port, const std::string &holdPath, const std::string &path,
                const std::string &body, int streams, int n, int pid, const std::vector<std::string> &headers)
{
    const std::string holdRequest = buildRequest(host, port, holdPath, body, headers);
    const std::string request = buildRequest(host, port, path, body, headers);
    std::vector<int> held;
    const auto openStart = Clock::now();
    for (int i = 0; i < streams; ++i) {
        const int fd = connectTo(host, port);
        if (fd < 0 || ::write(fd, holdRequest.data(), holdRequest.size()) != ssize_t(holdRequest.size())) {
            std::printf("connect_failed_at=%d\n", i);
            return 1;
        }
        held.push_back(fd);
    }
    // Every held stream has sent its first bytes (headers and the first trickled event).
    std::vector<bool> started(size_t(streams), false);
    std::vector<pollfd> pfds(static_cast<size_t>(streams));
    int open = 0;
    char tmp[65536];
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (open < streams && Clock::now() < deadline) {
        for (int i = 0; i < streams; ++i)
            pfds[size_t(i)] = {started[size_t(i)] ? -1 : held[size_t(i)], POLLIN, 0};
        ::poll(pfds.data(), nfds_t(streams), 200);
        for (int i = 0; i < streams; ++i) {
            if (!started[size_t(i)] && (pfds[size_t(i)].revents & POLLIN) && ::read(held[size_t(i)], tmp, sizeof tmp) > 0) {
                started[size_t(i)] = true;
                ++open;
            }
        }
    }
    const double openMs = std::chrono::duration<double, std::milli>(Clock::now() - openStart).count();
    const long rss = vmRssKiB(pid);
    std::vector<double> ttfb, total;
    int errors = 0;
    for (int i = 0; i < n + n / 10; ++i) { // the first 10% warm up
        const int fd = connectTo(host, port);
        if (fd < 0) {
            ++errors;
            continue;
        }
        const auto t0 = Clock::now();
        if (::write(fd, request.data(), request.size()) != ssize_t(request.size())) {
            ++errors;
            ::close(fd);
            continue;
        }
        std::string buf;
        double first = -1;
        for (;;) {
            const ssize_t got = ::read(fd, tmp, sizeof tmp);
            if (got <= 0)
                break;
            if (first < 0)
                first = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
            buf.append(tmp, size_t(got));
            if (buf.find("data: [DONE]") != std::string::npos)
                break;
        }
        const double all = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
        ::close(fd);
        if (first < 0 || buf.find("data: [DONE]") == std::string::npos) {
            ++errors;
            continue;
        }
        if (i >= n / 10) {
            ttfb.push_back(first);
            total.push_back(all);
        }
    }
    // Still open: neither closed nor at its [DONE] event (what arrived since the first bytes is read now).
    int stillOpen = 0;
    for (int fd : held) {
        std::string rest;
        bool closed = false;
        for (;;) {
            const ssize_t got = ::recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
            if (got > 0) {
                rest.append(tmp, size_t(got));
                continue;
            }
            closed = got == 0 || errno != EAGAIN;
            break;
        }
        stillOpen += !closed && rest.find("data: [DONE]") == std::string::npos ? 1 : 0;
        ::close(fd);
    }
    std::printf("held=%d opened=%d open_ms=%.0f still_open=%d requests=%zu errors=%d ttfb_p50_us=%.1f "
                "ttfb_p99_us=%.1f total_p50_us=%.1f rss_kib=%ld\n",
                streams, open, openMs, stillOpen, ttfb.size(), errors, pct(ttfb, 0.5), pct(ttfb, 0.99),
                pct(total, 0.5), rss);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 7) {
        std::fprintf(stderr, "usage: see the header of tests/bench/ProxyBench.cpp\n");
        return 2;
    }
    const std::string mode = argv[1];
    const char *host = argv[2];
    const int port = std::atoi(argv[3]);
    const std::string path = argv[4];
    const std::string body = std::string(argv[5]) == "-" ? std::string() : std::string(argv[5]);
    const int firstHeader = mode == "load" ? 8 : mode == "hold" ? 10 : 7;
    std::vector<std::string> headers;
    for (int i = firstHeader; i < argc; ++i)
        headers.emplace_back(argv[i]);
    if (mode == "hold") { // argv: HOLDPATH PATH BODY STREAMS N PID
        if (argc < 10) {
            std::fprintf(stderr, "usage: see the header of tests/bench/ProxyBench.cpp\n");
            return 2;
        }
        return holdStreams(host, port, argv[4], argv[5], argv[6], std::atoi(argv[7]), std::atoi(argv[8]),
                           std::atoi(argv[9]), headers);
    }
    const std::string request = buildRequest(host, port, path, body, headers);

    if (mode == "seq") {
        const int n = std::atoi(argv[6]);
        const int fd = connectTo(host, port);
        if (fd < 0)
            return 1;
        std::string buf;
        std::vector<double> us;
        // TL_BENCH_TIMES=FILE: each timed request's start (steady clock, ns) and latency (µs), one per line,
        // for bench-commit-overlap.py (requests that overlapped a ledger commit against the others).
        std::vector<std::pair<long long, double>> times;
        const char *timesPath = std::getenv("TL_BENCH_TIMES");
        int errors = 0;
        for (int i = 0; i < n + n / 10; ++i) { // the first 10% warm up
            const auto t0 = Clock::now();
            if (::write(fd, request.data(), request.size()) != ssize_t(request.size()))
                return 1;
            const int status = readResponse(fd, buf);
            const double d = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
            if (status != 200)
                ++errors;
            if (i >= n / 10) {
                us.push_back(d);
                if (timesPath)
                    times.emplace_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count(), d);
            }
        }
        if (timesPath) {
            if (FILE *f = std::fopen(timesPath, "w")) {
                for (const auto &[start, d] : times)
                    std::fprintf(f, "%lld %.1f\n", start, d);
                std::fclose(f);
            }
        }
        double sum = 0;
        for (double d : us)
            sum += d;
        const double mean = sum / double(us.size());
        std::printf("requests=%zu errors=%d p50_us=%.1f p99_us=%.1f mean_us=%.1f\n", us.size(), errors, pct(us, 0.50),
                    pct(us, 0.99), mean);
        return 0;
    }
    if (mode == "load") {
        const double seconds = std::atof(argv[6]);
        const int conns = std::atoi(argv[7]);
        std::atomic<bool> stop{false};
        std::vector<std::vector<double>> lat(static_cast<size_t>(conns));
        std::vector<int> errs(static_cast<size_t>(conns), 0);
        std::vector<std::thread> threads;
        for (int c = 0; c < conns; ++c) {
            threads.emplace_back([&, c]() {
                int fd = connectTo(host, port);
                std::string buf;
                while (!stop.load(std::memory_order_relaxed)) {
                    if (fd < 0) {
                        ++errs[size_t(c)];
                        fd = connectTo(host, port);
                        continue;
                    }
                    const auto t0 = Clock::now();
                    if (::write(fd, request.data(), request.size()) != ssize_t(request.size()) || readResponse(fd, buf) != 200) {
                        ++errs[size_t(c)];
                        ::close(fd);
                        fd = -1;
                        buf.clear();
                        continue;
                    }
                    lat[size_t(c)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                }
                if (fd >= 0)
                    ::close(fd);
            });
        }
        const auto t0 = Clock::now();
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        stop = true;
        for (auto &t : threads)
            t.join();
        const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        std::vector<double> all;
        int errors = 0;
        for (int c = 0; c < conns; ++c) {
            all.insert(all.end(), lat[size_t(c)].begin(), lat[size_t(c)].end());
            errors += errs[size_t(c)];
        }
        std::printf("requests=%zu errors=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f conns=%d\n", all.size(), errors,
                    double(all.size()) / elapsed, pct(all, 0.50), pct(all, 0.99), conns);
        return 0;
    }
    if (mode == "stream") {
        const int streams = std::atoi(argv[6]);
        std::vector<int> fds;
        std::vector<Clock::time_point> sent(static_cast<size_t>(streams)), first(static_cast<size_t>(streams)), last(static_cast<size_t>(streams));
        std::vector<bool> done(static_cast<size_t>(streams), false), gotFirst(static_cast<size_t>(streams), false);
        std::vector<std::string> bufs(static_cast<size_t>(streams));
        for (int i = 0; i < streams; ++i) {
            const int fd = connectTo(host, port);
            if (fd < 0) {
                std::printf("connect_failed_at=%d\n", i);
                return 1;
            }
            fds.push_back(fd);
        }
        for (int i = 0; i < streams; ++i) {
            sent[size_t(i)] = Clock::now();
            last[size_t(i)] = sent[size_t(i)];
            if (::write(fds[size_t(i)], request.data(), request.size()) != ssize_t(request.size()))
                return 1;
        }
        std::vector<pollfd> pfds(static_cast<size_t>(streams));
        int open = streams;
        int stalled = 0;
        char tmp[65536];
        double maxGapMs = 0;
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        while (open > 0 && Clock::now() < deadline) {
            for (int i = 0; i < streams; ++i)
                pfds[size_t(i)] = {done[size_t(i)] ? -1 : fds[size_t(i)], POLLIN, 0};
            ::poll(pfds.data(), nfds_t(streams), 200);
            const auto now = Clock::now();
            for (int i = 0; i < streams; ++i) {
                if (done[size_t(i)])
                    continue;
                if (!(pfds[size_t(i)].revents & (POLLIN | POLLHUP | POLLERR))) {
                    if (now - last[size_t(i)] > std::chrono::seconds(5)) {
                        ++stalled;
                        done[size_t(i)] = true;
                        --open;
                    }
                    continue;
                }
                const ssize_t n = ::read(fds[size_t(i)], tmp, sizeof tmp);
                if (n <= 0) {
                    done[size_t(i)] = true;
                    --open;
                    continue;
                }
                if (!gotFirst[size_t(i)]) {
                    gotFirst[size_t(i)] = true;
                    first[size_t(i)] = now;
                } else {
                    maxGapMs = std::max(maxGapMs, std::chrono::duration<double, std::milli>(now - last[size_t(i)]).count());
                }
                last[size_t(i)] = now;
                bufs[size_t(i)].append(tmp, size_t(n));
                // End of the stream: the [DONE] event (chunked or Content-Length framing alike).
                if (bufs[size_t(i)].find("data: [DONE]") != std::string::npos) {
                    done[size_t(i)] = true;
                    --open;
                }
                if (bufs[size_t(i)].size() > 4096)
                    bufs[size_t(i)].erase(0, bufs[size_t(i)].size() - 16);
            }
        }
        std::vector<double> ttfb;
        int completed = 0;
        for (int i = 0; i < streams; ++i) {
            if (gotFirst[size_t(i)])
                ttfb.push_back(std::chrono::duration<double, std::milli>(first[size_t(i)] - sent[size_t(i)]).count());
            completed += done[size_t(i)] ? 1 : 0;
            ::close(fds[size_t(i)]);
        }
        std::printf("streams=%d completed=%d stalled=%d ttfb_p50_ms=%.3f ttfb_p99_ms=%.3f max_gap_ms=%.3f\n", streams,
                    completed - stalled, stalled, pct(ttfb, 0.5), pct(ttfb, 0.99), maxGapMs);
        return 0;
    }
    return 2;
}
