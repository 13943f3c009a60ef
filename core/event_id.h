// Deterministic event ids: the same bytes read from the same place get the same id, in every
// run, so that a replay after a crash is recognised downstream (Elasticsearch `_id` with the
// `create` action answers 409 instead of storing a duplicate).
//
//   uint64_t seed = origin_id_seed("app_logs", st.st_dev, st.st_ino);
//   append_event_id(out, seed, offset, line);   // 32 lower-case hex digits
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/batch.h"

namespace logship {

// Identifies "this source reading this file" (name + device + inode).
uint64_t origin_id_seed(std::string_view source_name, uint64_t device, uint64_t inode);

// 128-bit XXH3 of (seed, offset, bytes), as 32 hex digits.
void append_event_id(std::string& out, uint64_t seed, uint64_t offset, std::string_view bytes);
// The same 32 digits written at `out`.
void write_event_id(char* out, uint64_t seed, uint64_t offset, std::string_view bytes);

// The id of batch.events[index]: the one it arrived with (batch.event_ids, from a Kafka
// header), else computed as above. `scratch` holds a computed id; the view points into it or
// into the batch.
std::string_view event_id_of(const Batch& batch, size_t index, std::string& scratch);

}  // namespace logship
