// Shared checks of the fuzz targets: every event a parser writes must be one valid JSON
// object on one line. A violation aborts, which libFuzzer reports as a finding.
#pragma once

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/batch.h"

namespace logship::fuzz {

inline void require_valid_json_lines(const Batch& batch) {
  static simdjson::dom::parser parser;
  for (const EventView& e : batch.events) {
    std::string_view line = batch.encoded_text(e);
    if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) {
      std::fprintf(stderr, "event is not exactly one line: %.*s\n", static_cast<int>(line.size()), line.data());
      std::abort();
    }
    simdjson::dom::element doc;
    auto err = parser.parse(line.data(), line.size() - 1).get(doc);
    if (err || !doc.is_object()) {
      std::fprintf(stderr, "invalid JSON (%s): %.*s\n", simdjson::error_message(err), static_cast<int>(line.size()), line.data());
      std::abort();
    }
  }
}

// A batch of one file's lines, as the file source would hand it over; with another
// `separator`, events that may hold line breaks (as joined multiline events do).
inline BatchPtr batch_of_lines(std::string_view data, char separator = '\n') {
  auto batch = std::make_shared<Batch>();
  auto origin = std::make_shared<Origin>();
  origin->source = "fuzz";
  origin->dataset = "fuzz";
  origin->path = "/fuzz.log";
  origin->host = "fuzz";
  batch->origin = origin;
  size_t start = 0;
  while (start <= data.size()) {
    size_t nl = data.find(separator, start);
    if (nl == std::string_view::npos) nl = data.size();
    batch->add_raw_event(data.substr(start, nl - start), start, nl + 1, 0);
    start = nl + 1;
  }
  return batch;
}

}  // namespace logship::fuzz
