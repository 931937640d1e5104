#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

namespace tl {

// One server-sent event as it came over the wire.
struct SseEvent
{
    QByteArray raw;   // every byte of the event, including its terminating blank line, unchanged
    QByteArray event; // the "event:" field ("" when absent)
    QByteArray data;  // "data:" lines joined with '\n' (the WHATWG EventSource rule)
};

// Splits a byte stream into server-sent events (WHATWG HTML, "Server-sent events", event stream
// interpretation: lines end in CRLF, LF or CR; an empty line ends an event; a line starting with ':'
// is a comment). Events split across network reads are reassembled; the raw bytes of each event are
// kept exactly, so the proxy can forward them unchanged, one upstream event to one downstream write.
// Bounded: a single event larger than `maxEventBytes` is flushed as-is (raw only) to keep memory flat.
// Never throws (fuzzed by tests/fuzz/fuzz_sse). Thread affinity: none.
class SseParser
{
public:
    using Sink = std::function<void(const SseEvent &)>;

    explicit SseParser(qsizetype maxEventBytes = 8 * 1024 * 1024)
        : m_maxEventBytes(maxEventBytes)
    {
    }

    // Appends bytes; calls `sink` once per complete event, in order.
    void feed(QByteArrayView bytes, const Sink &sink);
    // Bytes of an unfinished event (a stream cut short); clears them.
    QByteArray takeRemainder();
    qsizetype pendingBytes() const { return m_buffer.size(); }

private:
    void parseFields(SseEvent &ev) const;

    QByteArray m_buffer;
    qsizetype m_scanFrom = 0; // where to continue looking for the blank line
    qsizetype m_maxEventBytes;
};

} // namespace tl
