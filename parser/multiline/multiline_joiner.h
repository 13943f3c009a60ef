// Joins consecutive lines into one event according to a MultilineConfig.
//
//   MultilineJoiner joiner(config);      // config already validated
//   joiner.push(line, offset, end, flags, [&](const JoinedEvent& e) { batch.add_raw_event(...); });
//   if (joiner.idle_for(now) > timeout) joiner.flush(emit);
//
// Lines are copied into one reused buffer only while an event is being assembled; a line that
// is an event by itself is handed straight through. An event never exceeds max_event_bytes:
// it is cut there and the rest of its lines are skipped (their offsets still move the event's
// end), so memory per file is bounded whatever a log writer does. Not thread-safe (one per file).
#pragma once

#include <re2/re2.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "parser/multiline/multiline_config.h"

namespace logship {

struct JoinedEvent {
  std::string_view text;  // lines joined with '\n'
  uint64_t offset;        // first line's offset
  uint64_t end_offset;    // just past the last line
  uint32_t flags;
  bool cut_at_max_bytes = false;  // flagged truncated because it reached max_event_bytes
};

class MultilineJoiner {
 public:
  using Emit = std::function<void(const JoinedEvent&)>;

  explicit MultilineJoiner(const MultilineConfig& config);

  void push(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags, const Emit& emit);
  // Emits the event being assembled, if any.
  void flush(const Emit& emit);
  bool has_pending() const { return lines_ > 0; }
  // Bytes held for the event being assembled.
  size_t pending_bytes() const { return buffer_.size(); }
  // Offset of the first line not yet emitted (valid while has_pending()).
  uint64_t pending_offset() const { return offset_; }

 private:
  enum class Mode { kContinueThrough, kContinuePast, kHaltBefore, kHaltWith, kSlowlog };
  void push_slowlog(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags, const Emit& emit);
  void start(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags, const Emit& emit);
  void append(std::string_view line, uint64_t end_offset, uint32_t flags);
  // Starts the buffer with `line` (cut to max_bytes_).
  void assign(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags);
  // The part of `text` that fits in `room` bytes without splitting a UTF-8 character.
  static std::string_view fit(std::string_view text, size_t room);

  std::unique_ptr<RE2> start_;
  std::unique_ptr<RE2> condition_;
  Mode mode_;
  int64_t max_lines_;
  size_t max_bytes_;
  bool cut_ = false;  // the event being assembled reached max_bytes_
  std::string buffer_;
  uint64_t offset_ = 0;
  uint64_t end_offset_ = 0;
  uint32_t flags_ = 0;
  int64_t lines_ = 0;
  // mysql_slowlog: what the entry being assembled is so far.
  enum class Pending {
    kEntry,
    kTimeOnly,       // a "# Time:" line alone: the "# User@Host:" that follows belongs to it
    kGluedTime,      // "# Time: … # User@Host: …" on one line: a repeated User@Host line belongs to it
    kServerHeader,
  } pending_kind_ = Pending::kEntry;
  bool statement_seen_ = false;   // the entry has a line other than "#", "use " and "SET timestamp="
  bool last_ends_with_semicolon_ = false;  // its last line ends with ';'  (";\n#" ends a record)
};

}  // namespace logship
