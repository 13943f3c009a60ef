// libFuzzer target: slow log framing (entry assembly) and parsing of an arbitrary file.
#include <unistd.h>

#include <cstdlib>

#include "parser/multiline/multiline_joiner.h"
#include "parser/mysql_slowlog/slowlog_transform.h"
#include "shipper/cli/offline_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = std::move(logship::SlowlogTransform::create({}, logship::BuildContext{"fuzz", "", ""}).value());
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Assemble entries the way the file source does, then parse them.
  logship::MultilineJoiner joiner(logship::slowlog_framing());
  auto batch = logship::fuzz::batch_of_lines({});
  batch->raw.clear();
  batch->events.clear();
  auto add = [&](const logship::JoinedEvent& e) { batch->add_raw_event(e.text, e.offset, e.end_offset, e.flags); };
  size_t start = 0;
  uint64_t covered = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    joiner.push(text.substr(start, nl - start), start, nl + 1, 0, add);
    start = nl + 1;
  }
  joiner.flush(add);
  // Entries must not overlap or go backwards: nothing swallowed twice, nothing invented.
  for (const auto& e : batch->events) {
    if (e.offset < covered || e.end_offset < e.offset) std::abort();
    covered = e.end_offset;
  }
  transform->encode(*batch);
  logship::fuzz::require_valid_json_lines(*batch);
  return 0;
}
