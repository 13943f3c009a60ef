// Encodes a batch of plain text events into NDJSON, one ECS-shaped object per event:
//
//   {"@timestamp":"…","message":"GET / 200","log":{"file":{"path":"/var/log/app.log"},
//    "offset":1234},"event":{"id":"…","dataset":"app"},"host":{"name":"web-1"}}
//
// `append_metadata_members` writes the metadata members alone so that parsers can splice them
// into the objects they produce (parse once, encode once).
#pragma once

#include <string>

#include "core/batch.h"

namespace logship {

// Members a parser adds inside the metadata objects (each empty, or starting with a comma), so
// that event.duration or an application's own "log": {...} members share one "event" / "log"
// key with logship's instead of making a second one.
struct MetadataExtras {
  std::string_view log;
  std::string_view event;
  std::string_view host;
};

// "log":{…},"event":{…},"host":{…} without surrounding braces.
void append_metadata_members(std::string& out, const Batch& batch, const EventView& event,
                             const MetadataExtras& extras = {});

// Recognises an event logship encoded, from the metadata append_metadata_members wrote at its
// end (`},"event":{"id":"<32 hex>","dataset":"<name>"`): its event.id and dataset as written.
// False for anything else (another producer's message). `dataset` is left empty when the name
// was written with escapes.
bool find_event_metadata(std::string_view encoded, std::string_view& id, std::string_view& dataset);

// Fills batch.encoded (if it is not encoded yet) with one JSON line per event.
void encode_plain(Batch& batch);

// The frame every encoder shares: calls `encode_one(event, out)` for each event, which appends
// the event's JSON line to `out` (and may set flags on the event); records each event's span;
// then moves the buffer in as batch.encoded. The buffer comes from `pool` and goes back to it
// when the batch is recycled, so encoding reuses memory instead of allocating it per batch.
template <class EncodeOne>
void encode_each(Batch& batch, const std::shared_ptr<StringPool>& pool, EncodeOne&& encode_one) {
  std::string out = pool->take();
  for (EventView& e : batch.events) {
    e.enc_begin = static_cast<uint32_t>(out.size());
    encode_one(e, out);
    e.enc_len = static_cast<uint32_t>(out.size() - e.enc_begin);
  }
  batch.release_encoded();
  batch.encoded = std::move(out);
  batch.encoded_pool = pool;
  batch.is_encoded = true;
}

// @timestamp's value (quoted) when the event carries no time of its own: the container
// runtime's time of the line when there is one, else when it was read.
void append_read_time(std::string& out, const Batch& batch, const EventView& event);

}  // namespace logship
