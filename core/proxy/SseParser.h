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
    // A piece of an event longer than the parser's maxEventBytes: `raw` is passed on as it came, its
    // fields are not read (`event` and `data` stay empty), so a consumer that assembles the answer
    // knows it missed one.
    bool oversized = false;
};

// Splits a byte stream into server-sent events (WHATWG HTML, "Server-sent events", event stream
// interpretation: lines end in CRLF, LF or CR; an empty line ends an event; a line starting with ':'
// is a comment). Events split across network reads are reassembled; the raw bytes of each event are
// kept exactly, so the proxy can forward them unchanged, one upstream event to one downstream write.
// Linear in the bytes fed: the line scan resumes where the previous read stopped (only a CR that ends
// a read is looked at again, since a LF may follow), so one event of many MB arriving in small reads
// costs no more than many small events (bytesScanned() counts it; ProxyTest checks the bound).
// Bounded: a single event larger than `maxEventBytes` is flushed as-is (raw only, `oversized`) to keep
// memory flat. Never throws (fuzzed by tests/fuzz/fuzz_sse). Thread affinity: none (one owner thread).
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

    // What was left when the byte stream ended (the upstream's body ended properly). The parser is
    // empty afterwards.
    struct End
    {
        // The last event, when every line of it ended (LF, CRLF, or a CR the stream ended on) but the
        // blank line that dispatches it never came: the provider sent it whole, so it counts
        // (`hasEvent`). `event.raw` is the bytes unchanged.
        bool hasEvent = false;
        SseEvent event;
        // Bytes of an event whose last line has no line ending (cut inside a line); not an event.
        QByteArray unfinished;
    };
    End finish();

    // Bytes of an unfinished event (a stream cut short); clears them.
    QByteArray takeRemainder();
    qsizetype pendingBytes() const { return m_buffer.size() - m_consumed; }
    // True when part of the current event already left as an `oversized` piece: whoever ends the stream
    // early must end that event (a line ending and a blank line) before anything else follows.
    bool inOversizedEvent() const { return m_inOversized; }
    // Bytes the line scanner has looked at since construction (each byte once, plus one per read that
    // ended on a CR); for tests of the linear bound.
    qint64 bytesScanned() const { return m_bytesScanned; }

private:
    void parseFields(SseEvent &ev) const;
    SseEvent makeEvent(qsizetype from, qsizetype to);
    void reset();

    QByteArray m_buffer;
    qsizetype m_consumed = 0;  // bytes at the front of m_buffer already dispatched
    qsizetype m_lineStart = 0; // where the line being scanned starts (-1: before the buffer, in an oversized piece)
    qsizetype m_scanPos = 0;   // where the scan for the next line ending resumes
    bool m_inOversized = false;
    qint64 m_bytesScanned = 0;
    qsizetype m_maxEventBytes;
};

} // namespace tl
