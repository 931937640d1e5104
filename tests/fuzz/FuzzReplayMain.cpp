// A libFuzzer-style replay driver: runs LLVMFuzzerTestOneInput once on every file named on the
// command line (a folder: every regular file in it, recursively, in sorted order), so the fuzz harnesses
// run as plain ctest executables with any compiler (GCC included) on the seed corpus in
// tests/fuzz/corpus. Without arguments it replays TL_FUZZ_CORPUS_DIR (set by tests/fuzz/CMakeLists.txt).
// A harness reports a broken invariant with __builtin_trap(), which fails the test; the driver also
// fails when it found no input at all (a moved corpus must not turn the test into a no-op).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

void collect(const std::filesystem::path &p, std::vector<std::filesystem::path> &out)
{
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
        for (const auto &entry : std::filesystem::recursive_directory_iterator(p, ec)) {
            if (entry.is_regular_file(ec))
                out.push_back(entry.path());
        }
    } else if (std::filesystem::is_regular_file(p, ec)) {
        out.push_back(p);
    } else {
        std::fprintf(stderr, "no such input: %s\n", p.string().c_str());
    }
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<std::filesystem::path> inputs;
    if (argc > 1) {
        for (int i = 1; i < argc; ++i)
            collect(argv[i], inputs);
    } else {
#ifdef TL_FUZZ_CORPUS_DIR
        collect(TL_FUZZ_CORPUS_DIR, inputs);
#endif
    }
    std::sort(inputs.begin(), inputs.end());
    if (inputs.empty()) {
        std::fprintf(stderr, "no corpus inputs found\n");
        return 1;
    }
    size_t bytes = 0;
    for (const auto &path : inputs) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "cannot read %s\n", path.string().c_str());
            return 1;
        }
        const std::vector<char> data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        std::printf("replay %s (%zu bytes)\n", path.string().c_str(), data.size());
        std::fflush(stdout); // the last line names the input if the harness traps
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(data.data()), data.size());
        bytes += data.size();
    }
    // Also the edge cases libFuzzer always tries first: the empty input and a single byte.
    LLVMFuzzerTestOneInput(nullptr, 0);
    const uint8_t zero = 0;
    LLVMFuzzerTestOneInput(&zero, 1);
    std::printf("replayed %zu inputs, %zu bytes: ok\n", inputs.size(), bytes);
    return 0;
}
