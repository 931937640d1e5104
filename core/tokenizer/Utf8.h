#pragma once

#include <QStringView>

#include <string>
#include <string_view>

namespace tl::tokenizer {

// UTF-8 helpers for the tokenizer. tiktoken works on valid UTF-8 text: callers (Python str, JS string)
// hand it text where invalid input was already replaced by U+FFFD. These functions do that replacement
// the way the WHATWG Encoding Standard's UTF-8 decoder (and so Node's TextDecoder and
// String.fromUtf8 in most runtimes) does: one U+FFFD per maximal invalid subpart.
//
// Thread-safe (pure functions).

// True when `bytes` is well-formed UTF-8 (no surrogates, no overlongs, nothing above U+10FFFF).
bool isValidUtf8(std::string_view bytes);

// `bytes` with every maximal invalid subpart replaced by U+FFFD (EF BF BD). Valid input is copied as is.
std::string sanitizeUtf8(std::string_view bytes);

// UTF-16 to UTF-8; each unpaired surrogate becomes U+FFFD (as JavaScript's TextEncoder does, and as
// tiktoken's Python binding does via surrogatepass/replace).
std::string toUtf8(QStringView text);

} // namespace tl::tokenizer
