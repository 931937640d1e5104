// libFuzzer harness: the proxy's HTTP/1.x request parser (HttpRequestParser over http-parser) on
// arbitrary bytes, fed whole and in small pieces, with small limits so 413/431 paths run too.
#include "proxy/HttpRequestParser.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *bytes = reinterpret_cast<const char *>(data);
    for (qsizetype step : {qsizetype(size) + 1, qsizetype(1), qsizetype(7)}) {
        tl::HttpRequestParser parser(512, 4096);
        qsizetype off = 0;
        int requests = 0;
        while (off < qsizetype(size) && requests < 64) {
            const qsizetype len = std::min<qsizetype>(step, qsizetype(size) - off);
            const qsizetype n = parser.feed(bytes + off, len);
            if (n < 0 || n > len)
                __builtin_trap();
            off += n;
            if (parser.state() == tl::HttpRequestParser::State::Error) {
                const int s = parser.errorStatus();
                if (s != 400 && s != 413 && s != 431)
                    __builtin_trap();
                break;
            }
            if (parser.state() == tl::HttpRequestParser::State::Complete) {
                const tl::HttpRequest r = parser.takeRequest();
                if (r.body.size() > 4096)
                    __builtin_trap();
                parser.reset();
                ++requests;
                continue;
            }
            if (n == 0 && len > 0)
                break;
        }
    }
    return 0;
}
