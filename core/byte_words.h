// Looking at 8 bytes at once in a uint64_t (SWAR), for scans that run over every byte of a
// line: where a byte equals c, or is below a bound, as the high bit of that byte. Exact for
// every byte (the carry of one byte never reaches the next), so the flags can be counted as
// well as searched. Bytes are in memory order: the first byte is the lowest.
#pragma once

#include <cstdint>
#include <cstring>

namespace logship::byte_words {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;
constexpr uint64_t kLow7Bits = 0x7f7f7f7f7f7f7f7full;

inline uint64_t load(const void* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// High bit of each byte that is zero.
inline uint64_t zero_bytes(uint64_t w) { return ~(((w & kLow7Bits) + kLow7Bits) | w | kLow7Bits); }

// High bit of each byte equal to c.
inline uint64_t bytes_equal(uint64_t w, unsigned char c) { return zero_bytes(w ^ (kOnes * c)); }

// High bit of each byte below `bound` (at most 0x80).
inline uint64_t bytes_below(uint64_t w, unsigned char bound) {
  // A byte under 0x80 plus (0x80 - bound) reaches 0x80 exactly when it is >= bound.
  return ~(((w & kLow7Bits) + kOnes * static_cast<unsigned char>(0x80 - bound)) | w) & kHighBits;
}

// Index (0-7) of the first flagged byte; `flags` must not be 0.
inline unsigned first(uint64_t flags) { return static_cast<unsigned>(__builtin_ctzll(flags)) / 8; }

// How many bytes are flagged (no popcnt instruction in baseline x86-64).
inline unsigned count(uint64_t flags) { return static_cast<unsigned>(((flags >> 7) * kOnes) >> 56); }

}  // namespace logship::byte_words
