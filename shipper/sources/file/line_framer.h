// Splits bytes read from a file into lines, carrying an unfinished line across reads.
//
//   LineFramer framer(1 << 20, /*start_offset=*/0);
//   framer.feed(chunk, [&](std::string_view line, uint64_t offset, uint64_t end, uint32_t flags) {…});
//   framer.flush_partial(on_line);   // the file is gone or --once: emit the held tail
//
// Lines end with "\n"; a "\r" before it is dropped. A complete line inside one chunk is handed
// out as a view into that chunk (no copy); only a line split across reads is copied, into a
// buffer capped at max_line_bytes: beyond that the line is truncated (flag `truncated`) and its
// remaining bytes are skipped up to the newline, so memory stays bounded whatever the input.
// `end` is the offset just past the newline: what a checkpoint may advance to.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/batch.h"

namespace logship {

class LineFramer {
 public:
  LineFramer(size_t max_line_bytes, uint64_t start_offset) : max_(max_line_bytes), line_start_(start_offset), pos_(start_offset) {}

  template <class OnLine>
  void feed(std::string_view data, OnLine&& on_line);

  template <class OnLine>
  void flush_partial(OnLine&& on_line) {
    if (pos_ == line_start_) return;
    std::string_view line = carry_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line, line_start_, pos_, kFlagPartial | (truncating_ ? kFlagTruncated : 0u));
    reset(pos_);
  }

  // Starts over at `offset` (after truncation of the file, or a seek).
  void reset(uint64_t offset) {
    carry_.clear();
    truncating_ = false;
    line_start_ = pos_ = offset;
  }

  // Offset of the next byte to feed.
  uint64_t position() const { return pos_; }
  // Offset just past the last complete line handed out.
  uint64_t completed() const { return line_start_; }
  // True when bytes of an unfinished line are held.
  bool holds_partial() const { return pos_ != line_start_; }

 private:
  void append_carry(std::string_view part) {
    if (carry_.size() < max_) carry_.append(part.substr(0, max_ - carry_.size()));
  }

  size_t max_;
  std::string carry_;
  bool truncating_ = false;  // carry_ is full: bytes up to the newline are dropped
  uint64_t line_start_;
  uint64_t pos_;
};

template <class OnLine>
void LineFramer::feed(std::string_view data, OnLine&& on_line) {
  size_t i = 0;
  while (i < data.size()) {
    const void* nl = std::memchr(data.data() + i, '\n', data.size() - i);
    if (!nl) {
      std::string_view rest = data.substr(i);
      if (carry_.size() + rest.size() > max_) truncating_ = true;
      append_carry(rest);
      pos_ += rest.size();
      return;
    }
    size_t end = static_cast<size_t>(static_cast<const char*>(nl) - data.data());
    std::string_view piece = data.substr(i, end - i);
    uint64_t line_end = pos_ + piece.size() + 1;
    uint32_t flags = 0;
    std::string_view line;
    if (carry_.empty() && !truncating_) {
      line = piece;  // the common case: the whole line is in this chunk
    } else {
      if (carry_.size() + piece.size() > max_) truncating_ = true;
      append_carry(piece);
      line = carry_;
    }
    if (line.size() > max_) {
      line = line.substr(0, max_);
      truncating_ = true;
    }
    if (truncating_) flags |= kFlagTruncated;
    if (!line.empty() && line.back() == '\r' && !(flags & kFlagTruncated)) line.remove_suffix(1);
    on_line(line, line_start_, line_end, flags);
    carry_.clear();
    truncating_ = false;
    pos_ = line_end;
    line_start_ = line_end;
    i = end + 1;
  }
}

}  // namespace logship
