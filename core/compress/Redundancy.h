#pragma once

#include "routing/RoutingFeatures.h"

#include <QJsonObject>
#include <QString>
#include <QStringView>

namespace tl::compress {

using routing::BodyShape;

struct RedundancyResult
{
    QString text;
    qint64 charsSaved = 0; // UTF-16 code units removed (QString length difference)
    bool changed = false;
};

// Redundancy removal (issue #5 section 3), text-preserving everywhere it matters:
//  - trailing spaces and tabs at the end of a line are removed;
//  - a run of three or more blank (empty or whitespace-only) lines becomes one blank line; runs of
//    one or two blank lines stay;
//  - nothing inside a protected region changes: fenced code blocks (a line starting, after up to
//    three spaces, with ``` or ~~~, closed by a line starting with at least as many of the same fence
//    character; unclosed = to the end), inline code `...`, and quoted literals "..." and '...'.
//    A quote protects only when it is closed later in the text; a ' opens a literal only at the start
//    of a word (so the apostrophe in "don't" opens nothing) and closes at a ' not followed by a letter
//    or digit. A line any part of whose trailing whitespace or line break lies in a protected region
//    is left alone, and so is a blank line inside one.
// Line breaks "\n" and "\r\n" are both recognised and kept as they are.
// Pure; thread-safe.
RedundancyResult removeRedundancy(QStringView text);

struct BodyRedundancyResult
{
    QJsonObject body;
    qint64 charsSaved = 0; // sum over all rewritten strings, UTF-16 code units
    int stringsChanged = 0;
};

// removeRedundancy() on every text a request body sends as prompt: ChatCompletions "messages[].content"
// (string or text parts), Responses "instructions" and "input" (string, message items' text parts),
// Messages top-level "system" (string or text blocks) and "messages[].content" (string, text blocks,
// tool_result text). Tool-call arguments, tool definitions and all other members are untouched.
BodyRedundancyResult removeRedundancyInBody(const QJsonObject &body, BodyShape shape);

} // namespace tl::compress
