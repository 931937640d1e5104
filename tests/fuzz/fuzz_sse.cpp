// libFuzzer harness: the SSE splitter and the proxy's stream accounting (usage, assembly, replay)
// on arbitrary bytes. Invariant: the raw bytes of the events plus what finish() leaves (a last event
// or an unfinished line) are the input, byte for byte, however the input is split.
#include "proxy/ProviderProtocol.h"
#include "proxy/SseParser.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const tl::proxy::ApiKind kinds[] = {tl::proxy::ApiKind::ChatCompletions, tl::proxy::ApiKind::Responses,
                                        tl::proxy::ApiKind::Messages};
    for (qsizetype step : {qsizetype(size) + 1, qsizetype(1), qsizetype(5)}) {
        tl::SseParser parser(1024);
        tl::proxy::StreamAccounting accounting(kinds[size % 3]);
        QByteArray joined;
        for (qsizetype off = 0; off < input.size(); off += step) {
            parser.feed(QByteArrayView(input).sliced(off, std::min(step, input.size() - off)), [&](const tl::SseEvent &ev) {
                joined += ev.raw;
                accounting.onEvent(ev, true);
                (void)tl::proxy::stripNullUsage(ev.raw);
            });
        }
        // The end of the body: a last event whose lines all ended is dispatched, a cut line is not.
        const tl::SseParser::End end = parser.finish();
        if (end.hasEvent) {
            joined += end.event.raw;
            accounting.onEvent(end.event, true);
            (void)tl::proxy::stripNullUsage(end.event.raw);
        } else {
            joined += end.unfinished;
        }
        if (parser.pendingBytes() != 0)
            __builtin_trap();
        if (joined != input)
            __builtin_trap();
        (void)accounting.usage();
        (void)tl::proxy::synthesizeStream(kinds[size % 3], accounting.assembled(), true);
    }
    return 0;
}
