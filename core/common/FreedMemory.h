#pragma once

#include <QtGlobal>

namespace tl {

// Memory the C library's allocator holds freed but not returned to the system.
//
// Why: glibc's malloc keeps what a burst freed (1,000 streams ended, a run of large bodies) in its arenas,
// so a long-running process stays at the burst's peak RSS. Measured on the proxy (docs/proxy.md, "Memory
// after bursts"): 117 MiB resident after three rounds of 1,000 paced streams, 74 MiB after malloc_trim(0).
//
// allocatorFreeBytes(): bytes in free chunks (glibc mallinfo2().fordblks, all arenas; it walks the free
// lists under each arena's lock: microseconds); -1 where not known (another C library).
// releaseFreedMemory(): returns whole free pages to the system (glibc malloc_trim(0), which walks every
// arena's heap under its lock: milliseconds for a heap of 100 MiB; run it off a latency-sensitive thread);
// false where not supported.
// Thread affinity: any thread.
qint64 allocatorFreeBytes();
bool releaseFreedMemory();

} // namespace tl
