// Reads the files container runtimes write for a container's stdout and stderr, giving back
// the application's own lines with the stream and the runtime's time of each.
//
//   CRI (containerd, CRI-O):  2026-12-04T05:06:07.123456789Z stdout F message
//                             `P` instead of `F`: a piece of a longer line, the rest follows
//   Docker json-file:         {"log":"message\n","stream":"stderr","time":"2026-12-04T05:06:07.1Z"}
//                             no "\n" at the end of `log`: a piece (Docker cuts lines at 16 KiB)
//
//   ContainerLogDecoder decoder(ContainerFormat::kAuto, IoStream::kNone, 1 << 20);
//   decoder.push(line, offset, end_offset, flags, [&](const ContainerLine& m) { … });
//   decoder.flush(emit);   // the file ends (rotated away, --once): a held piece goes out
//
// Pieces are joined, in the order they are in the file, up to the closing line, within
// `max_bytes` (beyond it the message is cut and flagged truncated; the rest of its pieces still
// belong to it). The joined message spans the file from its first piece to its last, so offsets
// and checkpoints stay those of the file. A line in neither form is handed on whole, flagged
// container_format_error, with no time or stream: nothing is lost. With `only` set, lines of the
// other stream are skipped (Filebeat's `stream:`). Not thread-safe: one per file.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "core/batch.h"
#include "core/config/schema.h"

namespace logship {

enum class ContainerFormat { kAuto, kCri, kDocker };

// The file source's `container:` option.
struct ContainerLogConfig {
  std::string format = "auto";  // auto | cri | docker
  std::string stream = "all";   // all | stdout | stderr
  bool kubernetes_metadata = true;

  static const Schema<ContainerLogConfig>& schema();
  ContainerFormat parsed_format() const;
  IoStream only_stream() const;  // kNone: every stream
};

struct ContainerLine {
  std::string_view text;  // the application's line, without the runtime's framing
  uint64_t offset;        // of its first piece in the file
  uint64_t end_offset;    // just past its last piece
  uint32_t flags;
  int64_t time_nanos;     // the runtime's time of the first piece; 0 when unknown
  IoStream stream;
};

class ContainerLogDecoder {
 public:
  using Emit = std::function<void(const ContainerLine&)>;

  ContainerLogDecoder(ContainerFormat format, IoStream only, size_t max_bytes);

  void push(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags, const Emit& emit);
  // Hands on a message whose closing piece never came, flagged partial.
  void flush(const Emit& emit);
  size_t pending_bytes() const { return joining_ ? joined_.size() : 0; }
  bool has_pending() const { return joining_; }

 private:
  struct Piece {
    std::string_view text;
    int64_t time_nanos = 0;
    IoStream stream = IoStream::kNone;
    bool partial = false;
  };
  bool read_cri(std::string_view line, Piece& out) const;
  bool read_docker(std::string_view line, Piece& out);
  void append_piece(std::string_view text, uint32_t flags);
  void release();

  ContainerFormat format_;
  IoStream only_;
  size_t max_bytes_;
  simdjson::dom::parser json_;
  std::string padded_;  // a Docker line with simdjson's padding after it
  // The message being joined from pieces.
  bool joining_ = false;
  std::string joined_;
  uint64_t offset_ = 0;
  uint64_t end_offset_ = 0;
  uint32_t flags_ = 0;
  int64_t time_nanos_ = 0;
  IoStream stream_ = IoStream::kNone;
};

// The runtime's time and stream of the lines a multiline joiner holds, by offset: an event
// coming out of the joiner takes those of its first line. Used by the file source and by
// `logship parse` alike. Bounded by what the joiner holds.
class LineStamps {
 public:
  void note(const ContainerLine& m) { stamps_.push_back({m.offset, m.time_nanos, m.stream}); }
  // The stamp of the line at `offset`, forgetting it and every earlier one (lines the joiner
  // folded into an event, or skipped). False, with nothing set, when there is none.
  bool take(uint64_t offset, int64_t& time_nanos, IoStream& stream) {
    while (!stamps_.empty() && stamps_.front().offset < offset) stamps_.pop_front();
    if (stamps_.empty() || stamps_.front().offset != offset) return false;
    time_nanos = stamps_.front().time_nanos;
    stream = stamps_.front().stream;
    stamps_.pop_front();
    return true;
  }
  void clear() { stamps_.clear(); }

 private:
  struct Stamp {
    uint64_t offset;
    int64_t time_nanos;
    IoStream stream;
  };
  std::deque<Stamp> stamps_;
};

}  // namespace logship
