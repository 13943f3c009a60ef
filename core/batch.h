// Batches, not events, move between pipeline stages.
//
// A batch owns its bytes: `raw` holds the events' original text back to back, `encoded` their
// wire form (one JSON object per line, NDJSON) once a parser or the plain encoder has run. An
// event is a pair of spans into those buffers plus its position in the source, so moving a
// batch moves two strings and one vector, whatever the number of events.
//
//   auto batch = std::make_shared<Batch>();
//   batch->origin = origin;                  // where the bytes came from (one file)
//   batch->add_raw_event("GET / 200", offset, next_offset, 0);
//   encode_plain(*batch);                    // fills `encoded`
//
// Thread-safety: a batch is filled by one thread, then handed over through a queue; once shared
// between several sinks it is read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ack.h"
#include "core/string_pool.h"

namespace logship {

// Flags shipped in `log.flags` so nothing odd about a line goes unnoticed.
enum EventFlag : uint32_t {
  kFlagTruncated = 1u << 0,    // longer than max_line_bytes (or a multiline event past max_event_bytes); the rest was skipped
  kFlagPartial = 1u << 1,      // the file ended (rotated away, --once) without a final newline
  kFlagInvalidUtf8 = 1u << 2,  // bytes that are not UTF-8 were replaced by U+FFFD
  kFlagMultiline = 1u << 3,    // several lines joined into one event
  kFlagMaxLines = 1u << 4,     // a multiline event cut at max_lines
  kFlagJsonParseError = 1u << 5,     // `type: json` could not parse the line; it is kept as message
  kFlagUnparsed = 1u << 6,           // `type: rules`: no rule matched
  kFlagSlowlogFragment = 1u << 7,    // slow log text without an entry header (file began mid-entry)
  kFlagInvalidAttribute = 1u << 8,   // a value that is not of its field's type was kept apart
  kFlagTimestampParseError = 1u << 9,  // the configured timestamp field was missing or unreadable
  kFlagNotAnEvent = 1u << 10,  // a Kafka message carrying logship's event metadata but not one JSON object on one line
  kFlagContainerFormatError = 1u << 11,  // `container:` source option: a line in neither the CRI nor Docker's json-file form; kept whole
};

// The output stream a container runtime recorded for a line (log.iostream).
enum class IoStream : uint8_t { kNone = 0, kStdout = 1, kStderr = 2 };

// Appends the names of the set flags as a JSON array body: "truncated","partial".
void append_flag_names(std::string& out, uint32_t flags);

// Where the events of a batch came from. Shared by every batch of one file.
struct Origin {
  std::string source;    // component name
  std::string dataset;   // event.dataset
  std::string path;      // log.file.path
  std::string host;      // host.name
  uint64_t id_seed = 0;  // hash of source name and file identity; see core/event_id.h
  // Members every event of this origin carries at the top level, written after `host` as
  // ready JSON: `,"kubernetes":{…},"container":{…}` (from a container log's path, or the
  // source's add_fields); empty for most files. `field_heads` names their top-level keys, so
  // that a parser gives a line's own member of that name another name instead of a second key.
  std::string fields_json;
  std::vector<std::string> field_heads;
};

inline constexpr size_t kEventIdChars = 32;  // 128 bits as lower-case hex

struct EventView {
  uint32_t raw_begin = 0;
  uint32_t raw_len = 0;
  uint32_t enc_begin = 0;
  uint32_t enc_len = 0;
  uint64_t offset = 0;       // byte offset of the event's first byte in the source
  uint64_t end_offset = 0;   // offset just past the event (and its newline)
  uint32_t flags = 0;
  IoStream stream = IoStream::kNone;  // in the padding after flags: the view stays 40 bytes
};

struct Batch {
  std::shared_ptr<const Origin> origin;
  std::string raw;
  std::vector<EventView> events;
  std::string encoded;
  // Where `encoded` goes back when the batch is recycled or destroyed (the encoder's pool),
  // so the next batch's encoding reuses its capacity; null: it is freed.
  std::shared_ptr<StringPool> encoded_pool;
  // Ids the events arrived with (the Kafka source keeps the event.id header): kEventIdChars
  // per event, in order; empty when ids are computed from origin, offset and text.
  std::string event_ids;
  // The container runtime's time of each event (CRI, Docker json-file), in order, 0 for none;
  // empty for every other source. @timestamp when the parser finds no time of its own. Kept
  // apart so that the views every batch moves stay small.
  std::vector<int64_t> event_times;
  bool is_encoded = false;
  int64_t read_time_nanos = 0;  // when the bytes were read; @timestamp when nothing better
  AckToken ack;

  std::string_view raw_text(const EventView& e) const { return {raw.data() + e.raw_begin, e.raw_len}; }
  std::string_view encoded_text(const EventView& e) const {
    return {encoded.data() + e.enc_begin, e.enc_len};
  }
  // Inline: called once per line at full speed.
  void add_raw_event(std::string_view text, uint64_t offset, uint64_t end_offset, uint32_t flags) {
    EventView& e = events.emplace_back();
    e.raw_begin = static_cast<uint32_t>(raw.size());
    e.raw_len = static_cast<uint32_t>(text.size());
    e.offset = offset;
    e.end_offset = end_offset;
    e.flags = flags;
    raw.append(text);
  }
  // A container log's line: with the runtime's time and stream.
  void add_container_event(std::string_view text, uint64_t offset, uint64_t end_offset, uint32_t flags, int64_t time_nanos,
                           IoStream stream) {
    event_times.resize(events.size(), 0);
    add_raw_event(text, offset, end_offset, flags);
    events.back().stream = stream;
    event_times.push_back(time_nanos);
  }
  // When `e` (one of `events`) happened as far as the source knows: the runtime's time, else
  // the read time.
  int64_t fallback_time(const EventView& e) const {
    if (event_times.empty()) return read_time_nanos;
    size_t i = static_cast<size_t>(&e - events.data());
    return i < event_times.size() && event_times[i] != 0 ? event_times[i] : read_time_nanos;
  }
  // Moves `encoded` back to its pool (or frees it); the batch is no longer encoded.
  void release_encoded();
  Batch() = default;
  Batch(const Batch&) = default;  // a copy's encoded buffer is its own, and goes back too
  Batch(Batch&&) = default;
  Batch& operator=(const Batch&) = default;
  Batch& operator=(Batch&&) = default;
  ~Batch() { release_encoded(); }
  // Bytes this batch holds, for queue accounting.
  size_t memory_bytes() const {
    return raw.size() + encoded.size() + events.size() * sizeof(EventView) + sizeof(Batch);
  }
};

using BatchPtr = std::shared_ptr<Batch>;

}  // namespace logship
