#include "core/event_id.h"

#include <xxhash.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logship {

uint64_t origin_id_seed(std::string_view source_name, uint64_t device, uint64_t inode) {
  uint64_t h = XXH3_64bits(source_name.data(), source_name.size());
  uint64_t parts[3] = {h, device, inode};
  return XXH3_64bits(parts, sizeof(parts));
}

namespace {

// The 16 hex digits of w, most significant first. With SSE2 the 16 nibbles are spread over 16
// bytes and turned into digits at once: the loop of table lookups it replaces was most of the
// cost of an id after the hash itself.
void write_hex(char* out, uint64_t w) {
#if defined(__SSE2__)
  __m128i bytes = _mm_cvtsi64_si128(static_cast<long long>(__builtin_bswap64(w)));  // most significant byte first
  __m128i low_nibble = _mm_set1_epi8(0x0f);
  __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_nibble);
  __m128i low = _mm_and_si128(bytes, low_nibble);
  __m128i nibbles = _mm_unpacklo_epi8(high, low);  // high, low, high, low, ...
  // '0' + n, and 'a' - '0' - 10 more for n above 9.
  __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
  __m128i digits = _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8('0')), letters);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), digits);
#else
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) out[i] = kHex[(w >> (60 - 4 * i)) & 15];
#endif
}

}  // namespace

void write_event_id(char* out, uint64_t seed, uint64_t offset, std::string_view bytes) {
  // Mixing the offset into the seed keeps one pass over the bytes.
  XXH128_hash_t h = XXH3_128bits_withSeed(bytes.data(), bytes.size(), seed ^ (offset * 0x9E3779B97F4A7C15ull));
  write_hex(out, h.high64);
  write_hex(out + 16, h.low64);
}

void append_event_id(std::string& out, uint64_t seed, uint64_t offset, std::string_view bytes) {
  char buf[kEventIdChars];
  write_event_id(buf, seed, offset, bytes);
  out.append(buf, kEventIdChars);
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
