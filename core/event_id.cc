#include "core/event_id.h"

#include <xxhash.h>

namespace logship {

uint64_t origin_id_seed(std::string_view source_name, uint64_t device, uint64_t inode) {
  uint64_t h = XXH3_64bits(source_name.data(), source_name.size());
  uint64_t parts[3] = {h, device, inode};
  return XXH3_64bits(parts, sizeof(parts));
}

void append_event_id(std::string& out, uint64_t seed, uint64_t offset, std::string_view bytes) {
  // Mixing the offset into the seed keeps one pass over the bytes.
  XXH128_hash_t h = XXH3_128bits_withSeed(bytes.data(), bytes.size(), seed ^ (offset * 0x9E3779B97F4A7C15ull));
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[32];
  uint64_t words[2] = {h.high64, h.low64};
  for (int w = 0; w < 2; ++w) {
    for (int i = 0; i < 16; ++i) {
      buf[w * 16 + i] = kHex[(words[w] >> (60 - 4 * i)) & 15];
    }
  }
  out.append(buf, 32);
}

std::string_view event_id_of(const Batch& batch, size_t index, std::string& scratch) {
  if (batch.event_ids.size() >= (index + 1) * kEventIdChars)
    return std::string_view(batch.event_ids).substr(index * kEventIdChars, kEventIdChars);
  const EventView& e = batch.events[index];
  scratch.clear();
  append_event_id(scratch, batch.origin->id_seed, e.offset, batch.raw_text(e));
  return scratch;
}

}  // namespace logship
