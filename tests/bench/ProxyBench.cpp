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
//   bench_proxy seqab BODY N ROUNDS TARGET...   one request at a time to several targets, interleaved:
//       TARGET is "NAME|HOST|PORT|PATH[|HEADER...]"; each target keeps one keep-alive connection, gets N/10
//       warm-up requests, then N requests in ROUNDS blocks of N/ROUNDS, the targets taking turns block by
//       block (the first target of a round rotates), so a change in the machine's load falls on every target
//       alike. Output: one line per target, "NAME requests=... p50_us=... p99_us=... mean_us=...".
//   bench_proxy paced-upstream HOST PORT EVENTS INTERVAL_MS  (Linux) a paced OpenAI chat-completions SSE
//       upstream, until killed: see pacedUpstream() below.
//   bench_proxy relay HOST PORT UPSTREAM_HOST UPSTREAM_PORT [SPIN_US]  (Linux) a one-thread epoll TCP relay,
//       until killed: see tcpRelay() below. SPIN_US: busy polling for that long after traffic (default 0).
//   bench_proxy paced HOST PORT PATH BODY STREAMS RAMP_MS [HEADER...]  (Linux) opens STREAMS streams to a
//       paced upstream (directly or through the proxy), the requests spread evenly over RAMP_MS, and for every
//       event computes delay = receive time - send time (the upstream writes its CLOCK_MONOTONIC send time into
//       the event) and gap growth = (gap received) - (gap as sent) between consecutive events of a stream;
//       over all events, and (ss_*) over the steady state: events sent while every stream was flowing.
// Output: one line of key=value pairs (seqab: one per target).
// A BODY with "{n}" in it (seq, seqab, load) gets a request counter in its place, so that no two requests
// carry the same bytes: the proxy remembers some work by a request's exact bytes (the parsed body, the
// cache key), which a repeated request (a cache hit, a retry) rightly skips but which must not flatter a
// cache-miss figure (real traffic rarely repeats a request byte for byte). The body is built before the
// request's clock starts.
#include "BenchNet.h"

#include <http_parser.h>
#ifdef __linux__
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <ctime>
#include <memory>
#include <queue>
#endif

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
#include <string_view>
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

// One request at a time to each target in turn (block by block), so a target's figures and its peers' are
// taken over the same minutes (the machine is shared: a comparison across separate runs moves with the load).
std::string withCounter(const std::string &body, unsigned long long n)
{
    std::string out = body;
    for (size_t at; (at = out.find("{n}")) != std::string::npos;)
        out.replace(at, 3, std::to_string(n));
    return out;
}

int seqInterleaved(const std::string &body, int n, int rounds, const std::vector<std::string> &specs)
{
    const bool vary = body.find("{n}") != std::string::npos;
    unsigned long long counter = 0;
    struct Target {
        std::string name, request, buf;
        std::string host, path;
        int port = 0;
        std::vector<std::string> headers;
        int fd = -1, errors = 0;
        std::vector<double> us;
    };
    std::vector<Target> targets;
    for (const auto &spec : specs) {
        std::vector<std::string> parts;
        size_t from = 0;
        for (size_t bar; (bar = spec.find('|', from)) != std::string::npos; from = bar + 1)
            parts.push_back(spec.substr(from, bar - from));
        parts.push_back(spec.substr(from));
        if (parts.size() < 4) {
            std::fprintf(stderr, "seqab: a target is NAME|HOST|PORT|PATH[|HEADER...], not %s\n", spec.c_str());
            return 2;
        }
        Target t;
        t.name = parts[0];
        t.host = parts[1];
        t.port = std::atoi(parts[2].c_str());
        t.path = parts[3];
        t.headers.assign(parts.begin() + 4, parts.end());
        t.request = buildRequest(t.host, t.port, t.path, body, t.headers);
        t.fd = connectTo(parts[1].c_str(), std::atoi(parts[2].c_str()));
        if (t.fd < 0) {
            std::printf("%s connect_failed=1\n", t.name.c_str());
            return 1;
        }
        targets.push_back(std::move(t));
    }
    // One request; its microseconds, or -1 when the connection failed (the target is then out).
    auto one = [&](Target &t) -> double {
        if (vary)
            t.request = buildRequest(t.host, t.port, t.path, withCounter(body, ++counter), t.headers);
        const auto t0 = Clock::now();
        if (::write(t.fd, t.request.data(), t.request.size()) != ssize_t(t.request.size()))
            return -1;
        const int status = readResponse(t.fd, t.buf);
        if (status == 0)
            return -1;
        if (status != 200)
            ++t.errors;
        return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    };
    for (auto &t : targets) // warm-up
        for (int i = 0; i < n / 10; ++i)
            if (one(t) < 0)
                return 1;
    rounds = std::max(1, rounds);
    const size_t nt = targets.size();
    for (int r = 0; r < rounds; ++r) {
        const int block = n / rounds + (r < n % rounds ? 1 : 0);
        for (size_t k = 0; k < nt; ++k) {
            Target &t = targets[(size_t(r) + k) % nt];
            for (int i = 0; i < block; ++i) {
                const double d = one(t);
                if (d < 0) {
                    std::printf("%s connection_lost_after=%zu\n", t.name.c_str(), t.us.size());
                    return 1;
                }
                t.us.push_back(d);
            }
        }
    }
    for (auto &t : targets) {
        double sum = 0;
        for (double d : t.us)
            sum += d;
        std::printf("%s requests=%zu errors=%d p50_us=%.1f p99_us=%.1f mean_us=%.1f rounds=%d\n", t.name.c_str(),
                    t.us.size(), t.errors, pct(t.us, 0.50), pct(t.us, 0.99), sum / double(t.us.size()), rounds);
        ::close(t.fd);
    }
    return 0;
}

#ifdef __linux__
// ---- paced streams (issue 3 section 7: "no gap between events grows by more than 100 us at p99") ----
// The upstream and the client are C++ on epoll, not a Node.js script: with 1,000 streams 10 ms apart the
// upstream writes 100,000 events/s on a 2-core machine it shares with the proxy and the client, and every
// microsecond it spends per event is taken from them; Node's timers are 1 ms grained and its per-write cost
// is several times a plain write(2). The upstream stamps each event with CLOCK_MONOTONIC just before its
// write, and the client reads the same clock when the bytes arrive (one machine, one clock), so the upstream's
// own lateness never counts as delay: it only shows in the sent gaps, printed as a check.

int64_t monoNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void setNonBlocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// A non-blocking listening socket on HOST:PORT (SO_REUSEADDR, backlog 4,096); -1 with a message naming `who`.
int listenOn(const char *who, const char *host, int port)
{
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    ::inet_pton(AF_INET, host, &addr.sin_addr);
    if (::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(lfd, 4096) != 0) {
        std::fprintf(stderr, "%s: cannot listen on %s:%d: %s\n", who, host, port, std::strerror(errno));
        ::close(lfd);
        return -1;
    }
    setNonBlocking(lfd);
    return lfd;
}

struct PacedConn {
    int fd = -1;
    uint64_t generation = 0; // a timer entry of an earlier connection on the same fd is stale
    http_parser parser{};
    std::string body;        // the request body (for stream_options.include_usage)
    bool requestDone = false;
    bool includeUsage = false;
    int nextEvent = -1;      // -1: no stream in progress
    int64_t startNs = 0;     // when the request was complete: event k is due at startNs + k * interval
    uint64_t streamId = 0;
    std::string out;         // bytes a full socket buffer did not take yet
};

// One SSE event as an HTTP/1.1 chunk.
std::string chunk(const std::string &event)
{
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", event.size());
    return size + event + "\r\n";
}

// An OpenAI chat.completion.chunk event (shape of fixtures/providers/b-openai-chat-stream-include-usage.sse);
// the delta's content is "t=" and the send time in ns, 19 digits.
std::string contentEvent(uint64_t id, bool first, int64_t sentNs)
{
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "data: {\"id\":\"chatcmpl-paced%012llu\",\"object\":\"chat.completion.chunk\",\"created\":1764403380,"
                  "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_paced\","
                  "\"choices\":[{\"index\":0,\"delta\":{%s\"content\":\"t=%019lld \"},\"logprobs\":null,"
                  "\"finish_reason\":null}],\"usage\":null}\n\n",
                  static_cast<unsigned long long>(id), first ? "\"role\":\"assistant\"," : "",
                  static_cast<long long>(sentNs));
    return buf;
}

std::string finalEvents(uint64_t id, int events, bool includeUsage)
{
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "data: {\"id\":\"chatcmpl-paced%012llu\",\"object\":\"chat.completion.chunk\",\"created\":1764403380,"
                  "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_paced\","
                  "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
                  static_cast<unsigned long long>(id));
    std::string out = chunk(buf);
    if (includeUsage) {
        std::snprintf(buf, sizeof buf,
                      "data: {\"id\":\"chatcmpl-paced%012llu\",\"object\":\"chat.completion.chunk\",\"created\":1764403380,"
                      "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_paced\","
                      "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":%d,\"total_tokens\":%d,"
                      "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
                      "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
                      "\"rejected_prediction_tokens\":0}}}\n\n",
                      static_cast<unsigned long long>(id), events, events + 9);
        out += chunk(buf);
    }
    return out + chunk("data: [DONE]\n\n") + "0\r\n\r\n";
}

// Writes what the socket takes; the rest waits in c.out for EPOLLOUT. False when the peer is gone.
bool sendOrQueue(int ep, PacedConn &c, std::string bytes)
{
    if (!c.out.empty()) {
        c.out += bytes;
        return true;
    }
    const ssize_t n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN)
        return false;
    const size_t sent = n < 0 ? 0 : size_t(n);
    if (sent < bytes.size()) {
        c.out = bytes.substr(sent);
        epoll_event ev{EPOLLIN | EPOLLOUT, {}};
        ev.data.fd = c.fd;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    }
    return true;
}

// The paced upstream: any POST answers 200 with a chunked text/event-stream of EVENTS content events,
// the first at once with the headers, the others INTERVAL_MS apart, then (at EVENTS * INTERVAL_MS) the
// finish_reason chunk, the usage chunk when the request asked for stream_options.include_usage, and
// `data: [DONE]`. Keep-alive: the next request on the connection starts a new stream. Requests are parsed
// with http_parser (the library core/proxy parses with). One thread: epoll plus a timerfd armed at the
// earliest due event.
int pacedUpstream(const char *host, int port, int events, double intervalMs)
{
    const int one = 1;
    const int lfd = listenOn("paced-upstream", host, port);
    if (lfd < 0)
        return 1;
    const int ep = ::epoll_create1(0);
    const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    epoll_event ev{EPOLLIN, {}};
    ev.data.fd = lfd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = tfd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

    const int64_t intervalNs = int64_t(intervalMs * 1e6);
    std::vector<std::unique_ptr<PacedConn>> conns; // by fd
    uint64_t generations = 0, streams = 0;
    struct Due {
        int64_t atNs;
        int fd;
        uint64_t generation;
        bool operator>(const Due &o) const { return atNs > o.atNs; }
    };
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
    int64_t armedNs = 0;
    auto arm = [&]() {
        if (due.empty() || due.top().atNs == armedNs)
            return;
        armedNs = due.top().atNs;
        itimerspec its{};
        its.it_value.tv_sec = armedNs / 1'000'000'000;
        its.it_value.tv_nsec = armedNs % 1'000'000'000;
        ::timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, nullptr);
    };
    auto closeConn = [&](int fd) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        conns[size_t(fd)].reset();
    };

    http_parser_settings settings{};
    settings.on_message_begin = [](http_parser *p) {
        auto *c = static_cast<PacedConn *>(p->data);
        c->body.clear();
        return 0;
    };
    settings.on_body = [](http_parser *p, const char *at, size_t len) {
        static_cast<PacedConn *>(p->data)->body.append(at, len);
        return 0;
    };
    settings.on_message_complete = [](http_parser *p) {
        static_cast<PacedConn *>(p->data)->requestDone = true;
        return 0;
    };
    // Sends event c.nextEvent (or the final events) and schedules the next one. False: the peer is gone.
    auto sendNext = [&](PacedConn &c) -> bool {
        std::string bytes;
        if (c.nextEvent == 0)
            bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n";
        if (c.nextEvent < events) {
            bytes += chunk(contentEvent(c.streamId, c.nextEvent == 0, monoNs()));
            ++c.nextEvent;
            due.push({c.startNs + int64_t(c.nextEvent) * intervalNs, c.fd, c.generation});
        } else {
            bytes += finalEvents(c.streamId, events, c.includeUsage);
            c.nextEvent = -1;
        }
        return sendOrQueue(ep, c, std::move(bytes));
    };

    std::vector<epoll_event> ready(1024);
    char buf[65536];
    for (;;) {
        const int nready = ::epoll_wait(ep, ready.data(), int(ready.size()), -1);
        if (nready < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < nready; ++i) {
            const int fd = ready[size_t(i)].data.fd;
            if (fd == lfd) {
                for (int cfd; (cfd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
                    ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (conns.size() <= size_t(cfd))
                        conns.resize(size_t(cfd) + 1);
                    auto c = std::make_unique<PacedConn>();
                    c->fd = cfd;
                    c->generation = ++generations;
                    http_parser_init(&c->parser, HTTP_REQUEST);
                    c->parser.data = c.get();
                    conns[size_t(cfd)] = std::move(c);
                    epoll_event cev{EPOLLIN, {}};
                    cev.data.fd = cfd;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            if (fd == tfd) {
                uint64_t expirations;
                [[maybe_unused]] const ssize_t r = ::read(tfd, &expirations, sizeof expirations);
                armedNs = 0;
                const int64_t now = monoNs();
                while (!due.empty() && due.top().atNs <= now) {
                    const Due d = due.top();
                    due.pop();
                    PacedConn *c = size_t(d.fd) < conns.size() ? conns[size_t(d.fd)].get() : nullptr;
                    if (c && c->generation == d.generation && c->nextEvent >= 0 && !sendNext(*c))
                        closeConn(d.fd);
                }
                continue;
            }
            PacedConn *c = size_t(fd) < conns.size() ? conns[size_t(fd)].get() : nullptr;
            if (!c)
                continue;
            if (ready[size_t(i)].events & EPOLLOUT) {
                const ssize_t n = ::send(fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN) {
                    closeConn(fd);
                    continue;
                }
                c->out.erase(0, n < 0 ? 0 : size_t(n));
                if (c->out.empty()) {
                    epoll_event cev{EPOLLIN, {}};
                    cev.data.fd = fd;
                    ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
                }
            }
            if (!(ready[size_t(i)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) {
                if (n == 0 || errno != EAGAIN)
                    closeConn(fd);
                continue;
            }
            const size_t parsed = http_parser_execute(&c->parser, &settings, buf, size_t(n));
            if (c->parser.http_errno != HPE_OK || parsed != size_t(n)) {
                closeConn(fd);
                continue;
            }
            if (c->requestDone) {
                c->requestDone = false;
                const size_t key = c->body.find("\"include_usage\"");
                const size_t colon = key == std::string::npos ? key : c->body.find(':', key);
                const size_t value = colon == std::string::npos ? colon : c->body.find_first_not_of(" \t\r\n", colon + 1);
                c->includeUsage = value != std::string::npos && c->body.compare(value, 4, "true") == 0;
                c->streamId = ++streams;
                c->startNs = monoNs();
                c->nextEvent = 0;
                if (!sendNext(*c))
                    closeConn(fd);
            }
        }
        arm();
    }
}

// The floor of any proxy on this machine: a one-thread epoll TCP relay that copies bytes between a client
// connection and its own upstream connection as they come (one read, one write; no parsing, no accounting,
// no timers). A peer in the paced phase: what the kernel and the scheduler alone cost a forwarded event,
// against which the proxy's and nginx-proxy's figures are read. Bytes a full socket buffer did not take wait
// for EPOLLOUT (reading from the other side pauses meanwhile).
int tcpRelay(const char *host, int port, const char *upHost, int upPort, double spinUs)
{
    const int one = 1;
    const int lfd = listenOn("relay", host, port);
    if (lfd < 0)
        return 1;
    const int ep = ::epoll_create1(0);
    epoll_event ev{EPOLLIN, {}};
    ev.data.fd = lfd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct Side {
        int peer = -1;
        std::string out; // bytes for this fd that its socket buffer did not take yet
    };
    std::vector<Side> sides; // by fd
    auto watch = [&](int fd, uint32_t events) {
        epoll_event e{events, {}};
        e.data.fd = fd;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
    };
    auto closePair = [&](int fd) {
        const int peer = sides[size_t(fd)].peer;
        for (int f : {fd, peer}) {
            if (f < 0)
                continue;
            ::epoll_ctl(ep, EPOLL_CTL_DEL, f, nullptr);
            ::close(f);
            sides[size_t(f)] = Side{};
        }
    };
    std::vector<epoll_event> ready(1024);
    char buf[65536];
    // SPIN_US > 0: busy polling, as the proxy's ProxyConfig::busyPollUs: before blocking, poll epoll
    // without blocking for up to SPIN_US after the last traffic (the floor of a busy-polling proxy).
    const int64_t spinNs = int64_t(spinUs * 1000);
    int64_t lastTrafficNs = 0;
    for (;;) {
        int nready = 0;
        if (spinNs > 0) {
            const int64_t until = lastTrafficNs + spinNs;
            while (monoNs() < until && (nready = ::epoll_wait(ep, ready.data(), int(ready.size()), 0)) == 0) {
            }
        }
        if (nready == 0)
            nready = ::epoll_wait(ep, ready.data(), int(ready.size()), -1);
        if (nready > 0 && spinNs > 0)
            lastTrafficNs = monoNs();
        if (nready < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < nready; ++i) {
            const int fd = ready[size_t(i)].data.fd;
            if (fd == lfd) {
                for (int cfd; (cfd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
                    const int ufd = connectTo(upHost, upPort);
                    if (ufd < 0) {
                        ::close(cfd);
                        continue;
                    }
                    setNonBlocking(ufd);
                    for (int f : {cfd, ufd})
                        ::setsockopt(f, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (sides.size() <= size_t(std::max(cfd, ufd)))
                        sides.resize(size_t(std::max(cfd, ufd)) + 1);
                    sides[size_t(cfd)].peer = ufd;
                    sides[size_t(ufd)].peer = cfd;
                    for (int f : {cfd, ufd}) {
                        epoll_event e{EPOLLIN, {}};
                        e.data.fd = f;
                        ::epoll_ctl(ep, EPOLL_CTL_ADD, f, &e);
                    }
                }
                continue;
            }
            if (size_t(fd) >= sides.size() || sides[size_t(fd)].peer < 0)
                continue; // closed earlier in this pass
            Side &me = sides[size_t(fd)];
            if (ready[size_t(i)].events & EPOLLOUT) {
                const ssize_t n = ::send(fd, me.out.data(), me.out.size(), MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN) {
                    closePair(fd);
                    continue;
                }
                me.out.erase(0, n < 0 ? 0 : size_t(n));
                if (me.out.empty()) {
                    watch(fd, EPOLLIN);
                    watch(me.peer, EPOLLIN);
                }
                continue;
            }
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) {
                if (n == 0 || errno != EAGAIN)
                    closePair(fd);
                continue;
            }
            const int peer = me.peer;
            const ssize_t w = ::send(peer, buf, size_t(n), MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN) {
                closePair(fd);
                continue;
            }
            if (w < n) {
                sides[size_t(peer)].out.assign(buf + (w < 0 ? 0 : w), size_t(n - (w < 0 ? 0 : w)));
                watch(peer, EPOLLOUT);
                watch(fd, 0); // read no more from this side until the peer drains
            }
        }
    }
}

// The client of the paced phase (see the header of this file).
int pacedClient(const char *host, int port, const std::string &path, const std::string &body, int streams,
                double rampMs, const std::vector<std::string> &headers)
{
    const std::string request = buildRequest(host, port, path, body, headers);
    struct Stream {
        int fd = -1;
        bool done = false;
        bool sawDone = false; // its [DONE] arrived
        int events = 0;
        int64_t lastSentNs = 0, lastRecvNs = 0;
        std::string pending; // the unread tail: a "t=" split across reads
    };
    std::vector<Stream> s(static_cast<size_t>(streams));
    const int ep = ::epoll_create1(0);
    const int64_t connectStartNs = monoNs();
    for (int i = 0; i < streams; ++i) {
        s[size_t(i)].fd = connectTo(host, port);
        if (s[size_t(i)].fd < 0) {
            std::printf("connect_failed_at=%d\n", i);
            return 1;
        }
        setNonBlocking(s[size_t(i)].fd);
        epoll_event ev{EPOLLIN, {}};
        ev.data.u32 = uint32_t(i);
        ::epoll_ctl(ep, EPOLL_CTL_ADD, s[size_t(i)].fd, &ev);
    }
    std::vector<double> delayUs, growthUs, sentGapMs;
    // Every event, for the steady-state figures (known only at the end): its send time, the previous event's
    // send time in its stream (-1 for the first) and its delay and gap growth.
    struct Event {
        int64_t sentNs, prevSentNs;
        double delayUs, growthUs;
    };
    std::vector<Event> all;
    all.reserve(size_t(streams) * 128);
    int64_t allStartedNs = 0; // the last stream's first event arrived
    int started = 0;
    int open = streams, sentCount = 0, errors = 0;
    std::vector<epoll_event> ready(1024);
    char buf[65536];
    const int64_t t0 = monoNs();
    const int64_t rampNs = int64_t(rampMs * 1e6);
    int64_t lastProgress = t0;
    static constexpr std::string_view marker = "\"t=";
    while (open > 0) {
        // Requests whose time has come (evenly over the ramp); the loop spins while the ramp lasts, so
        // what arrives meanwhile is read at once.
        const int64_t now = monoNs();
        while (sentCount < streams && (streams == 1 || t0 + rampNs * sentCount / (streams - 1) <= now)) {
            Stream &st = s[size_t(sentCount++)];
            if (::write(st.fd, request.data(), request.size()) != ssize_t(request.size())) {
                ++errors;
                st.done = true;
                --open;
            }
        }
        const int nready = ::epoll_wait(ep, ready.data(), int(ready.size()), sentCount < streams ? 0 : 200);
        if (nready < 0 && errno != EINTR)
            return 1;
        if (nready <= 0) {
            if (monoNs() - lastProgress > 5'000'000'000LL)
                break; // stalled: 5 s without a byte on any stream
            continue;
        }
        for (int i = 0; i < nready; ++i) {
            Stream &st = s[ready[size_t(i)].data.u32];
            if (st.done)
                continue;
            const ssize_t n = ::read(st.fd, buf, sizeof buf);
            const int64_t recvNs = monoNs();
            if (n <= 0) {
                if (n < 0 && errno == EAGAIN)
                    continue;
                ++errors; // closed before [DONE]
                st.done = true;
                --open;
                ::epoll_ctl(ep, EPOLL_CTL_DEL, st.fd, nullptr);
                continue;
            }
            lastProgress = recvNs;
            st.pending.append(buf, size_t(n));
            size_t pos = 0;
            for (;;) {
                const size_t at = st.pending.find(marker, pos);
                if (at == std::string::npos || at + marker.size() + 19 > st.pending.size()) {
                    pos = at;
                    break;
                }
                const int64_t sentNs = std::atoll(st.pending.c_str() + at + marker.size());
                delayUs.push_back(double(recvNs - sentNs) / 1e3);
                double growth = 0;
                if (st.events > 0) {
                    growth = double((recvNs - st.lastRecvNs) - (sentNs - st.lastSentNs)) / 1e3;
                    growthUs.push_back(growth);
                    sentGapMs.push_back(double(sentNs - st.lastSentNs) / 1e6);
                } else if (++started == streams) {
                    allStartedNs = recvNs;
                }
                all.push_back({sentNs, st.events > 0 ? st.lastSentNs : -1, delayUs.back(), growth});
                ++st.events;
                st.lastSentNs = sentNs;
                st.lastRecvNs = recvNs;
                pos = at + marker.size() + 19;
            }
            if (st.pending.find("data: [DONE]") != std::string::npos) {
                st.done = st.sawDone = true;
                --open;
                ::epoll_ctl(ep, EPOLL_CTL_DEL, st.fd, nullptr);
                continue;
            }
            // Keep a possibly split marker or [DONE] (at most 12 bytes) or an unfinished timestamp.
            st.pending.erase(0, pos != std::string::npos ? pos : st.pending.size() - std::min<size_t>(12, st.pending.size()));
        }
    }
    int completed = 0, events = 0;
    int64_t firstEndNs = INT64_MAX; // the earliest send time of a stream's last content event
    for (auto &st : s) {
        completed += st.sawDone ? 1 : 0;
        events += st.events;
        if (st.events > 0)
            firstEndNs = std::min(firstEndNs, st.lastSentNs);
        ::close(st.fd);
    }
    // Steady state: events the upstream sent while every stream was flowing (after the last stream's first
    // event arrived, before the first stream's last event was sent), so neither the admission of the
    // streams (a burst of requests, the TTFB phases' business) nor their ends weigh in. None when the
    // streams never all flowed at once.
    std::vector<double> ssDelay, ssGrowth;
    if (started == streams) {
        for (const Event &e : all) {
            if (e.sentNs < allStartedNs || e.sentNs > firstEndNs)
                continue;
            ssDelay.push_back(e.delayUs);
            if (e.prevSentNs >= allStartedNs)
                ssGrowth.push_back(e.growthUs);
        }
    }
    // n/a, not 0, for a figure with no samples (no steady state, or no gaps in it).
    auto fig = [](std::vector<double> &v, double q) {
        char b[32];
        if (v.empty())
            return std::string("n/a");
        std::snprintf(b, sizeof b, "%.1f", pct(v, q));
        return std::string(b);
    };
    std::vector<double> startedMs;
    if (started == streams)
        startedMs.push_back(double(allStartedNs - t0) / 1e6);
    const std::string allStarted = fig(startedMs, 0);
    std::printf("streams=%d completed=%d stalled=%d errors=%d events=%d delay_p50_us=%.1f delay_p99_us=%.1f "
                "delay_max_us=%.1f gap_growth_p50_us=%.1f gap_growth_p99_us=%.1f gap_growth_max_us=%.1f "
                "sent_gap_p50_ms=%.3f sent_gap_p99_ms=%.3f ramp_ms=%.1f all_started_ms=%s ss_events=%zu "
                "ss_delay_p50_us=%s ss_delay_p99_us=%s ss_delay_max_us=%s ss_gap_growth_p99_us=%s "
                "ss_gap_growth_max_us=%s connect_ms=%.1f run_ms=%.1f\n",
                streams, completed, open, errors, events, pct(delayUs, 0.5), pct(delayUs, 0.99), pct(delayUs, 1.0),
                pct(growthUs, 0.5), pct(growthUs, 0.99), pct(growthUs, 1.0), pct(sentGapMs, 0.5), pct(sentGapMs, 0.99),
                rampMs, allStarted.c_str(),
                ssDelay.size(), fig(ssDelay, 0.5).c_str(), fig(ssDelay, 0.99).c_str(), fig(ssDelay, 1.0).c_str(),
                fig(ssGrowth, 0.99).c_str(), fig(ssGrowth, 1.0).c_str(), double(t0 - connectStartNs) / 1e6,
                double(monoNs() - t0) / 1e6);
    return 0;
}
#endif

} // namespace

int main(int argc, char **argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "seqab" && argc >= 6) // argv: BODY N ROUNDS TARGET...
        return seqInterleaved(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::vector<std::string>(argv + 5, argv + argc));
    if (mode == "paced-upstream" && argc == 6) { // argv: HOST PORT EVENTS INTERVAL_MS
#ifdef __linux__
        return pacedUpstream(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atof(argv[5]));
#else
        std::fprintf(stderr, "paced-upstream needs Linux (epoll, timerfd)\n");
        return 2;
#endif
    }
    if (mode == "relay" && (argc == 6 || argc == 7)) { // argv: HOST PORT UPSTREAM_HOST UPSTREAM_PORT [SPIN_US]
#ifdef __linux__
        double spinUs = 0;
        if (argc == 7) {
            char *end = nullptr;
            spinUs = std::strtod(argv[6], &end);
            if (end == argv[6] || *end != '\0' || spinUs < 0) {
                std::fprintf(stderr, "relay: SPIN_US must be a number of microseconds >= 0, not %s\n", argv[6]);
                return 2;
            }
        }
        return tcpRelay(argv[2], std::atoi(argv[3]), argv[4], std::atoi(argv[5]), spinUs);
#else
        std::fprintf(stderr, "relay needs Linux (epoll)\n");
        return 2;
#endif
    }
    if (argc < 7) {
        std::fprintf(stderr, "usage: see the header of tests/bench/ProxyBench.cpp\n");
        return 2;
    }
    const char *host = argv[2];
    const int port = std::atoi(argv[3]);
    const std::string path = argv[4];
    const std::string body = std::string(argv[5]) == "-" ? std::string() : std::string(argv[5]);
    const int firstHeader = mode == "load" || mode == "paced" ? 8 : mode == "hold" ? 10 : 7;
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
    if (mode == "paced") { // argv: ... STREAMS RAMP_MS [HEADER...]
        if (argc < 8) {
            std::fprintf(stderr, "usage: see the header of tests/bench/ProxyBench.cpp\n");
            return 2;
        }
#ifdef __linux__
        return pacedClient(host, port, path, body, std::atoi(argv[6]), std::atof(argv[7]), headers);
#else
        std::fprintf(stderr, "paced needs Linux (epoll)\n");
        return 2;
#endif
    }
    const std::string request = buildRequest(host, port, path, body, headers);
    const bool vary = body.find("{n}") != std::string::npos;

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
        std::string varied;
        for (int i = 0; i < n + n / 10; ++i) { // the first 10% warm up
            if (vary)
                varied = buildRequest(host, port, path, withCounter(body, (unsigned long long)(i) + 1), headers);
            const std::string &r = vary ? varied : request;
            const auto t0 = Clock::now();
            if (::write(fd, r.data(), r.size()) != ssize_t(r.size()))
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
                std::string varied;
                unsigned long long k = 0;
                while (!stop.load(std::memory_order_relaxed)) {
                    if (fd < 0) {
                        ++errs[size_t(c)];
                        fd = connectTo(host, port);
                        continue;
                    }
                    if (vary) // connection c's k-th request: c * 10^9 + k, unique across connections
                        varied = buildRequest(host, port, path, withCounter(body, (unsigned long long)(c) * 1'000'000'000ULL + ++k), headers);
                    const std::string &r = vary ? varied : request;
                    const auto t0 = Clock::now();
                    if (::write(fd, r.data(), r.size()) != ssize_t(r.size()) || readResponse(fd, buf) != 200) {
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
