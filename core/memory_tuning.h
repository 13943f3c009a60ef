// Process-wide allocator settings, applied once at the start of main().
//
// glibc serves a block above its (adaptive) mmap threshold with a fresh mapping, and gives the
// top of a thread's heap back to the kernel once more than the trim threshold is free there.
// librdkafka allocates and frees a ~1 MB request buffer and its compressed copy for every
// produce request, so with glibc's defaults each request paid for mmap/munmap (or madvise) and
// for page faults on memory it had just released: perf put 22 % of librdkafka's broker thread in
// the kernel, and that thread bounds file -> Kafka throughput (see docs/architecture.md).
#pragma once

namespace logship {

// Blocks up to 32 MiB come from the heaps and up to 32 MiB free at a heap's top are kept for
// reuse. Measured (1 GiB JSON -> local Kafka, 3 interleaved runs each): kernel share of the
// broker thread 22 % -> 6 %, 132-149 -> 150-156 MB/s, 7.0-7.7 -> 6.4-6.7 CPU s/GB, peak RSS
// +1 to +4 MiB. Returns false where the allocator is not glibc's or refused the settings.
bool keep_freed_memory_for_reuse();

}  // namespace logship
