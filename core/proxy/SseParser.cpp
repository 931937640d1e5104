#include "SseParser.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tl {

namespace {
// Where the line that goes on at `from` ends: the first CR or LF at or after `from`, else `n`. `d` is a
// QByteArray's bytes, so a '\0' follows d[n - 1]. std::strcspn (SIMD in glibc) stops at a CR, a LF or a NUL; a
// NUL before `n` is part of the line, and the search goes on after it. Each byte is looked at once.
qsizetype lineEnd(const char *d, qsizetype from, qsizetype n)
{
    while (from < n) {
        const qsizetype k = from + qsizetype(std::strcspn(d + from, "\r\n"));
        if (k >= n)
            return n;
        if (d[k] != '\0')
            return k;
        from = k + 1;
    }
    return n;
}
} // namespace

void SseParser::parseFields(SseEvent &ev) const
{
    const QByteArray &raw = ev.raw;
    // A UTF-8 byte order mark opening the stream is not part of its first line (WHATWG: the event stream's
    // decoder strips one BOM at the start); `raw` keeps it, as it came.
    qsizetype i = raw.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    const qsizetype n = raw.size();
    bool firstData = true;
    while (i < n) {
        const qsizetype j = lineEnd(raw.constData(), i, n);
        const QByteArrayView line(raw.constData() + i, j - i);
        if (!line.isEmpty() && line[0] != ':') {
            const qsizetype colon = line.indexOf(':');
            QByteArrayView field = colon < 0 ? line : line.first(colon);
            QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
            if (!value.isEmpty() && value[0] == ' ')
                value = value.sliced(1);
            if (field == "data") {
                if (!firstData)
                    ev.data.append('\n');
                ev.data.append(value);
                firstData = false;
            } else if (field == "event") {
                ev.event = value.toByteArray();
            }
        }
        i = j + 1;
        if (j < n && raw[j] == '\r' && i < n && raw[i] == '\n')
            ++i;
    }
}

SseEvent SseParser::makeEvent(qsizetype from, qsizetype to)
{
    SseEvent ev;
    ev.raw = m_buffer.sliced(from, to - from);
    if (m_inOversized) { // the tail of an event whose head already left raw
        ev.oversized = true;
        m_inOversized = false;
    } else {
        parseFields(ev);
    }
    return ev;
}

void SseParser::reset()
{
    m_buffer.clear();
    m_consumed = 0;
    m_lineStart = 0;
    m_scanPos = 0;
    m_inOversized = false;
}

void SseParser::feed(QByteArrayView bytes, const Sink &sink)
{
    m_buffer.append(bytes);
    const char *d = m_buffer.constData();
    const qsizetype n = m_buffer.size();
    while (m_scanPos < n) {
        // Find the end of the line being scanned, from where the last look stopped.
        const qsizetype j = lineEnd(d, m_scanPos, n);
        m_bytesScanned += (j < n ? j + 1 : n) - m_scanPos;
        if (j >= n) {
            m_scanPos = n;
            break;
        }
        qsizetype next = j + 1;
        if (d[j] == '\r') {
            if (j + 1 >= n) { // a CR ending the read: a LF may follow in the next one (CRLF)
                m_scanPos = j;
                break;
            }
            if (d[j + 1] == '\n')
                next = j + 2;
        }
        const bool emptyLine = j == m_lineStart;
        m_lineStart = next;
        m_scanPos = next;
        if (emptyLine) {
            const SseEvent ev = makeEvent(m_consumed, next);
            m_consumed = next;
            sink(ev);
        }
    }
    if (n - m_consumed > m_maxEventBytes && m_scanPos > m_consumed) {
        // One event over the limit: what was scanned leaves now, raw (a CR waiting for its LF stays).
        SseEvent ev;
        ev.raw = m_buffer.sliced(m_consumed, m_scanPos - m_consumed);
        ev.oversized = true;
        m_inOversized = true;
        if (m_lineStart < m_scanPos)
            m_lineStart = -1; // the line goes on in the next piece: its end is not a blank line
        m_consumed = m_scanPos;
        sink(ev);
    }
    if (m_consumed > 0) { // drop what left, once per read
        m_buffer.remove(0, m_consumed);
        m_scanPos -= m_consumed;
        if (m_lineStart >= 0)
            m_lineStart -= m_consumed;
        m_consumed = 0;
    }
}

SseParser::End SseParser::finish()
{
    End end;
    const qsizetype n = m_buffer.size();
    if (n == m_consumed) {
        reset();
        return end;
    }
    // Every line ended: the scan reached the end on a line start, or stopped on a final CR (a line
    // ending, since no LF can follow any more).
    const bool linesEnded = (m_scanPos == n && m_lineStart == n)
                            || (m_scanPos == n - 1 && m_buffer.at(n - 1) == '\r');
    if (linesEnded) {
        end.hasEvent = true;
        end.event = makeEvent(m_consumed, n);
    } else {
        end.unfinished = m_buffer.sliced(m_consumed);
    }
    reset();
    return end;
}

QByteArray SseParser::takeRemainder()
{
    QByteArray rest = m_buffer.sliced(m_consumed);
    reset();
    return rest;
}

} // namespace tl
