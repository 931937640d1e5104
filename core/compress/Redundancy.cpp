#include "Redundancy.h"

#include <QJsonArray>

#include <vector>

using namespace Qt::StringLiterals;

namespace tl::compress {

namespace {

struct Line
{
    qsizetype start = 0;
    qsizetype end = 0; // exclusive, before the line break
    qsizetype brEnd = 0; // exclusive, after the line break ("\n" or "\r\n"); == end on the last line
};

QList<Line> splitLines(QStringView t)
{
    QList<Line> lines;
    qsizetype start = 0;
    const qsizetype n = t.size();
    while (start < n) {
        qsizetype nl = t.indexOf(u'\n', start);
        Line l;
        l.start = start;
        if (nl < 0) {
            l.end = l.brEnd = n;
        } else {
            l.end = (nl > start && t[nl - 1] == u'\r') ? nl - 1 : nl;
            l.brEnd = nl + 1;
        }
        lines << l;
        start = l.brEnd;
    }
    return lines;
}

// The fence of a line: its character and run length when, after up to three spaces, it starts with at
// least three backticks or tildes.
std::pair<QChar, qsizetype> fenceOf(QStringView t, const Line &l)
{
    qsizetype i = l.start;
    while (i < l.end && i - l.start < 3 && t[i] == u' ')
        ++i;
    if (i >= l.end || (t[i] != u'`' && t[i] != u'~'))
        return {QChar(), 0};
    const QChar c = t[i];
    qsizetype run = 0;
    while (i + run < l.end && t[i + run] == c)
        ++run;
    return run >= 3 ? std::pair {c, run} : std::pair {QChar(), qsizetype(0)};
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber();
}

// Marks the characters inside fenced code blocks, inline code and quoted literals.
std::vector<bool> protectedMask(QStringView t, const QList<Line> &lines)
{
    const qsizetype n = t.size();
    std::vector<bool> mask(size_t(n), false);
    std::vector<bool> inFence(size_t(n), false);

    // Fenced code blocks, whole lines including their line breaks.
    for (qsizetype li = 0; li < lines.size(); ++li) {
        const auto [c, run] = fenceOf(t, lines[li]);
        if (run == 0)
            continue;
        qsizetype close = lines.size() - 1;
        for (qsizetype lj = li + 1; lj < lines.size(); ++lj) {
            const auto [c2, run2] = fenceOf(t, lines[lj]);
            if (c2 == c && run2 >= run) {
                close = lj;
                break;
            }
        }
        for (qsizetype p = lines[li].start; p < lines[close].brEnd; ++p)
            mask[size_t(p)] = inFence[size_t(p)] = true;
        li = close;
    }

    // Quoted literals and inline code outside fences. A failed search for a closer from position p
    // fails from every later position too, so each kind is searched to the end at most once.
    bool noDouble = false, noSingle = false;
    QList<qsizetype> noBacktickRun;
    qsizetype i = 0;
    while (i < n) {
        if (inFence[size_t(i)]) {
            ++i;
            continue;
        }
        const QChar c = t[i];
        qsizetype closeEnd = -1; // exclusive end of the literal
        if (c == u'"' && !noDouble) {
            const qsizetype j = t.indexOf(u'"', i + 1);
            if (j < 0)
                noDouble = true;
            else
                closeEnd = j + 1;
        } else if (c == u'\'' && !noSingle && (i == 0 || !isWordChar(t[i - 1]))) {
            qsizetype j = i + 1;
            while (true) {
                j = t.indexOf(u'\'', j);
                if (j < 0 || j + 1 >= n || !isWordChar(t[j + 1]))
                    break;
                ++j;
            }
            if (j < 0)
                noSingle = true;
            else
                closeEnd = j + 1;
        } else if (c == u'`') {
            qsizetype run = 0;
            while (i + run < n && t[i + run] == u'`')
                ++run;
            if (!noBacktickRun.contains(run)) {
                qsizetype j = i + run;
                while (true) {
                    j = t.indexOf(u'`', j);
                    if (j < 0)
                        break;
                    qsizetype run2 = 0;
                    while (j + run2 < n && t[j + run2] == u'`')
                        ++run2;
                    if (run2 == run)
                        break;
                    j += run2;
                }
                if (j < 0)
                    noBacktickRun << run;
                else
                    closeEnd = j + run;
            }
            if (closeEnd < 0) {
                i += run;
                continue;
            }
        }
        if (closeEnd > i) {
            for (qsizetype p = i; p < closeEnd; ++p)
                mask[size_t(p)] = true;
            i = closeEnd;
        } else {
            ++i;
        }
    }
    return mask;
}

bool anyProtected(const std::vector<bool> &mask, qsizetype from, qsizetype to)
{
    for (qsizetype p = from; p < to; ++p) {
        if (mask[size_t(p)])
            return true;
    }
    return false;
}

bool isBlankSpace(QChar c)
{
    return c == u' ' || c == u'\t';
}

} // namespace

RedundancyResult removeRedundancy(QStringView text)
{
    const QList<Line> lines = splitLines(text);
    const std::vector<bool> mask = protectedMask(text, lines);

    struct Out
    {
        qsizetype start, end, brStart, brEnd; // content [start,end) + line break [brStart,brEnd)
        bool blank;
    };
    QList<Out> outs;
    outs.reserve(lines.size());
    for (const Line &l : lines) {
        qsizetype contentEnd = l.end;
        while (contentEnd > l.start && isBlankSpace(text[contentEnd - 1]))
            --contentEnd;
        const bool lineTouchable = !anyProtected(mask, contentEnd, l.brEnd);
        const qsizetype keptEnd = lineTouchable ? contentEnd : l.end;
        const bool blank = contentEnd == l.start && !anyProtected(mask, l.start, l.brEnd);
        outs << Out {l.start, keptEnd, l.end, l.brEnd, blank};
    }

    QString result;
    result.reserve(text.size());
    for (qsizetype i = 0; i < outs.size();) {
        if (outs[i].blank) {
            qsizetype j = i;
            while (j < outs.size() && outs[j].blank)
                ++j;
            if (j - i >= 3) {
                // One blank line: the first line of the run, emptied, with its own line break.
                result += text.mid(outs[i].brStart, outs[i].brEnd - outs[i].brStart);
                i = j;
                continue;
            }
        }
        result += text.mid(outs[i].start, outs[i].end - outs[i].start);
        result += text.mid(outs[i].brStart, outs[i].brEnd - outs[i].brStart);
        ++i;
    }

    RedundancyResult r;
    r.charsSaved = text.size() - result.size();
    r.changed = r.charsSaved != 0 || result != text;
    r.text = std::move(result);
    return r;
}

namespace {

struct BodyRewriter
{
    BodyRedundancyResult &acc;

    QJsonValue text(const QJsonValue &v)
    {
        if (!v.isString())
            return v;
        RedundancyResult r = removeRedundancy(v.toString());
        if (!r.changed)
            return v;
        acc.charsSaved += r.charsSaved;
        ++acc.stringsChanged;
        return r.text;
    }

    // A string, or an array of parts/blocks whose "text" members are rewritten (and, for Anthropic
    // tool_result blocks, their nested content).
    QJsonValue content(const QJsonValue &v)
    {
        if (v.isString())
            return text(v);
        if (!v.isArray())
            return v;
        QJsonArray parts = v.toArray();
        for (qsizetype i = 0; i < parts.size(); ++i) {
            QJsonObject part = parts[i].toObject();
            if (part.isEmpty())
                continue;
            const QString type = part.value(u"type"_s).toString();
            bool changed = false;
            if ((type == u"text"_s || type == u"input_text"_s) && part.value(u"text"_s).isString()) {
                const QJsonValue t = text(part.value(u"text"_s));
                changed = t != part.value(u"text"_s);
                part.insert(u"text"_s, t);
            } else if (type == u"tool_result"_s && part.contains(u"content"_s)) {
                const QJsonValue c = content(part.value(u"content"_s));
                changed = c != part.value(u"content"_s);
                part.insert(u"content"_s, c);
            }
            if (changed)
                parts[i] = part;
        }
        return parts;
    }

    QJsonArray messages(const QJsonArray &in)
    {
        QJsonArray out = in;
        for (qsizetype i = 0; i < out.size(); ++i) {
            QJsonObject m = out[i].toObject();
            if (!m.contains(u"content"_s))
                continue;
            const QJsonValue c = content(m.value(u"content"_s));
            if (c != m.value(u"content"_s)) {
                m.insert(u"content"_s, c);
                out[i] = m;
            }
        }
        return out;
    }
};

} // namespace

BodyRedundancyResult removeRedundancyInBody(const QJsonObject &body, BodyShape shape)
{
    BodyRedundancyResult acc;
    acc.body = body;
    BodyRewriter rw {acc};
    switch (shape) {
    case BodyShape::ChatCompletions:
        if (body.value(u"messages"_s).isArray())
            acc.body.insert(u"messages"_s, rw.messages(body.value(u"messages"_s).toArray()));
        break;
    case BodyShape::Responses:
        if (body.value(u"instructions"_s).isString())
            acc.body.insert(u"instructions"_s, rw.text(body.value(u"instructions"_s)));
        if (body.value(u"input"_s).isString())
            acc.body.insert(u"input"_s, rw.text(body.value(u"input"_s)));
        else if (body.value(u"input"_s).isArray())
            acc.body.insert(u"input"_s, rw.messages(body.value(u"input"_s).toArray()));
        break;
    case BodyShape::Messages:
        if (body.contains(u"system"_s))
            acc.body.insert(u"system"_s, rw.content(body.value(u"system"_s)));
        if (body.value(u"messages"_s).isArray())
            acc.body.insert(u"messages"_s, rw.messages(body.value(u"messages"_s).toArray()));
        break;
    }
    if (acc.stringsChanged == 0)
        acc.body = body;
    return acc;
}

} // namespace tl::compress
