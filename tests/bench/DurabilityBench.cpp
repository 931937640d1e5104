// bench_durability: how much a `kill -9` under load loses (issue 3 section 7: "after kill -9 under
// load, the database opens clean and at most the last 250 ms of records are missing"). A benchmark,
// not a test: it prints figures and asserts nothing.
//
//   bench_durability --port P --pid PID --db LEDGER [--connections 32] [--seconds 2] [--mode hit|miss]
//
// CONNECTIONS keep-alive connections send chat completions to the proxy on 127.0.0.1:P as fast as it
// answers (mode hit: one request, the same every time, so after the first answer every call is an
// exact-cache hit; mode miss: every request distinct). Each answer's X-TokenLedger-Record-Id and the
// time it arrived are kept. After SECONDS the bench sends SIGKILL to PID (the proxy process) with the
// load still running, then opens LEDGER with SQLite (recovering its WAL, as the app would), runs
// PRAGMA integrity_check and looks up every answered record id. Printed: answered, missing, and the
// lost window: the time from the oldest answer whose record is missing to the kill, in ms (0 when
// nothing is missing). The target is a window of at most 250 ms.
#include "BenchNet.h"

#include <sqlite3.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Answer
{
    long long recordId;
    double atMs; // since the load started
};

// Reads one response with a Content-Length body from `fd` (leftovers stay in `buf`); returns its record
// id (X-TokenLedger-Record-Id), 0 when the response has none, -1 when the connection ended.
long long readAnswer(int fd, std::string &buf)
{
    char tmp[65536];
    for (;;) {
        const size_t end = buf.find("\r\n\r\n");
        if (end != std::string::npos) {
            const std::string head = buf.substr(0, end);
            size_t len = 0;
            if (const char *cl = strcasestr(head.c_str(), "\ncontent-length:"))
                len = size_t(std::atoll(cl + 16));
            long long id = 0;
            if (const char *rid = strcasestr(head.c_str(), "\nx-tokenledger-record-id:"))
                id = std::atoll(rid + 25);
            while (buf.size() < end + 4 + len) {
                const ssize_t n = ::read(fd, tmp, sizeof tmp);
                if (n <= 0)
                    return -1;
                buf.append(tmp, size_t(n));
            }
            buf.erase(0, end + 4 + len);
            return id;
        }
        const ssize_t n = ::read(fd, tmp, sizeof tmp);
        if (n <= 0)
            return -1;
        buf.append(tmp, size_t(n));
    }
}

std::string request(int port, const std::string &content)
{
    const std::string body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":")" + content + R"("}]})";
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
           + "\r\nX-TokenLedger-Endpoint: durability\r\nContent-Type: application/json\r\nContent-Length: "
           + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const char *arg(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

} // namespace

int main(int argc, char **argv)
{
    const int port = std::atoi(arg(argc, argv, "--port", "0"));
    const int pid = std::atoi(arg(argc, argv, "--pid", "0"));
    const std::string db = arg(argc, argv, "--db", "");
    const int connections = std::atoi(arg(argc, argv, "--connections", "32"));
    const double seconds = std::atof(arg(argc, argv, "--seconds", "2"));
    const std::string mode = arg(argc, argv, "--mode", "hit");
    if (port <= 0 || pid <= 0 || db.empty() || (mode != "hit" && mode != "miss")) {
        std::fprintf(stderr, "usage: bench_durability --port P --pid PID --db LEDGER [--connections N] "
                             "[--seconds S] [--mode hit|miss]\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);

    // Hit mode: the first answer fills the cache before the clock starts.
    if (mode == "hit") {
        const int fd = tl::bench::connectTo("127.0.0.1", port);
        std::string buf;
        const std::string r = request(port, "durability");
        if (fd < 0 || ::write(fd, r.data(), r.size()) != ssize_t(r.size()) || readAnswer(fd, buf) < 0) {
            std::fprintf(stderr, "bench_durability: the proxy on port %d did not answer\n", port);
            return 1;
        }
        ::close(fd);
    }

    const auto t0 = Clock::now();
    auto msSince = [&](Clock::time_point t) { return std::chrono::duration<double, std::milli>(t - t0).count(); };
    std::mutex mutex;
    std::vector<Answer> answers;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c]() {
            const int fd = tl::bench::connectTo("127.0.0.1", port);
            if (fd < 0)
                return;
            std::vector<Answer> mine;
            std::string buf;
            for (long long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
                const std::string r = request(port, mode == "hit" ? std::string("durability")
                                                                  : "durability " + std::to_string(c) + "-" + std::to_string(i));
                if (::write(fd, r.data(), r.size()) != ssize_t(r.size()))
                    break;
                const long long id = readAnswer(fd, buf);
                if (id < 0)
                    break;
                if (id > 0)
                    mine.push_back({id, msSince(Clock::now())});
            }
            ::close(fd);
            const std::lock_guard lock(mutex);
            answers.insert(answers.end(), mine.begin(), mine.end());
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const double killMs = msSince(Clock::now());
    ::kill(pid, SIGKILL);
    stop = true;
    for (auto &t : threads)
        t.join();

    // The ledger as the app would next open it: SQLite recovers the WAL of the killed writer.
    sqlite3 *h = nullptr;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "bench_durability: cannot open %s: %s\n", db.c_str(), sqlite3_errmsg(h));
        return 1;
    }
    sqlite3_busy_timeout(h, 5000);
    std::string integrity = "(none)";
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        integrity = reinterpret_cast<const char *>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    std::unordered_set<long long> kept;
    if (sqlite3_prepare_v2(h, "SELECT id FROM calls", -1, &s, nullptr) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW)
            kept.insert(sqlite3_column_int64(s, 0));
    }
    sqlite3_finalize(s);
    sqlite3_close(h);

    long long missing = 0;
    double oldestMissingMs = killMs;
    for (const Answer &a : answers) {
        if (!kept.count(a.recordId)) {
            ++missing;
            oldestMissingMs = std::min(oldestMissingMs, a.atMs);
        }
    }
    std::printf("durability %-4s: %d connections, killed after %.0f ms; answered %zu (%.0f/s); integrity_check %s; "
                "missing %lld; lost window %.1f ms (target <= 250)\n",
                mode.c_str(), connections, killMs, answers.size(), double(answers.size()) / (killMs / 1000.0),
                integrity.c_str(), missing, killMs - oldestMissingMs);
    return 0;
}
