#include "FreedMemory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tl {

qint64 allocatorFreeBytes()
{
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
    return qint64(::mallinfo2().fordblks);
#else
    return -1;
#endif
}

bool releaseFreedMemory()
{
#if defined(__GLIBC__)
    (void)::malloc_trim(0);
    return true;
#else
    return false;
#endif
}

} // namespace tl
