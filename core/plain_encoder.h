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

// "log":{…},"event":{…},"host":{…} without surrounding braces. `extra_event_members` (empty, or
// starting with a comma) is written inside "event", after id and dataset, so that a parser
// can add event.duration and friends without a second "event" key.
void append_metadata_members(std::string& out, const Batch& batch, const EventView& event,
                             std::string_view extra_event_members = {});

// Fills batch.encoded (if it is not encoded yet) with one JSON line per event.
void encode_plain(Batch& batch);

}  // namespace logship
