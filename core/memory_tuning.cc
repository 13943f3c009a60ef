#include "core/memory_tuning.h"

#include <cstdlib>  // defines __GLIBC__ (through <features.h>) when the C library is glibc

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace logship {

bool keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit (HEAP_MAX_SIZE / 2). Setting
  // either value also turns glibc's adaptive thresholds off, so they stay where they are put.
  constexpr int kBytes = 32 << 20;
  return mallopt(M_MMAP_THRESHOLD, kBytes) == 1 && mallopt(M_TRIM_THRESHOLD, kBytes) == 1;
#else
  return false;
#endif
}

}  // namespace logship
