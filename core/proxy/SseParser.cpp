#include "SseParser.h"

namespace tl {

namespace {

// Finds the end of the first event in buf[from..): the index just past its terminating blank line,
// or -1. Returns in `safeFrom` where a later scan may resume.
qsizetype findEventEnd(const QByteArray &buf, qsizetype from, qsizetype *safeFrom)
{
    const char *d = buf.constData();
    const qsizetype n = buf.size();
    // Walk line by line from the start of a line.
    qsizetype i = from;
    while (i < n) {
        // i is at the start of a line; find its end.
        qsizetype j = i;
        while (j < n && d[j] != '\n' && d[j] != '\r')
            ++j;
        if (j >= n) {
            *safeFrom = i;
            return -1;
        }
        qsizetype next = j + 1;
        if (d[j] == '\r') {
            if (j + 1 >= n) { // CR at the end: could be CRLF split across reads
                *safeFrom = i;
                return -1;
            }
            if (d[j + 1] == '\n')
                next = j + 2;
        }
        if (j == i) // empty line: end of event
            return next;
        i = next;
    }
    *safeFrom = i;
    return -1;
}

} // namespace

void SseParser::parseFields(SseEvent &ev) const
{
    const QByteArray &raw = ev.raw;
    qsizetype i = 0;
    const qsizetype n = raw.size();
    bool firstData = true;
    while (i < n) {
        qsizetype j = i;
        while (j < n && raw[j] != '\n' && raw[j] != '\r')
            ++j;
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
        if (j < n && raw[j] == '\r' && j + 1 < n && raw[j + 1] == '\n')
            ++j;
        i = j + 1;
    }
}

void SseParser::feed(QByteArrayView bytes, const Sink &sink)
{
    m_buffer.append(bytes);
    while (!m_buffer.isEmpty()) {
        qsizetype safeFrom = m_scanFrom;
        const qsizetype end = findEventEnd(m_buffer, m_scanFrom, &safeFrom);
        if (end < 0) {
            m_scanFrom = safeFrom;
            if (m_buffer.size() > m_maxEventBytes) {
                SseEvent ev;
                ev.raw = std::exchange(m_buffer, {});
                m_scanFrom = 0;
                sink(ev);
            }
            return;
        }
        SseEvent ev;
        ev.raw = m_buffer.left(end);
        m_buffer.remove(0, end);
        m_scanFrom = 0;
        parseFields(ev);
        sink(ev);
    }
}

QByteArray SseParser::takeRemainder()
{
    m_scanFrom = 0;
    return std::exchange(m_buffer, {});
}

} // namespace tl
