// Writes a parsed slow log entry as one ECS-shaped JSON object (the field names of Filebeat's
// MySQL module, so Kibana users find what they know), plus the query fingerprint and id.
//
//   SlowlogEncoder enc;                          // reuse: scratch buffers stay allocated
//   uint32_t flags = enc.encode(entry, batch, event, out);   // appends "{…}\n" to out
//
// Known attributes get their types (numbers, booleans from Yes/No, seconds under `.sec`);
// unknown ones are kept under mysql.slowlog.<lower-cased key>. A value that does not fit its
// type is kept as text in mysql.slowlog.invalid_attributes and the event is flagged.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/batch.h"
#include "parser/mysql_slowlog/slowlog_entry.h"
#include "parser/sql_fingerprint/fingerprint.h"

namespace logship {

class SlowlogEncoder {
 public:
  // Returns the flags to add to the event.
  uint32_t encode(const SlowlogEntry& entry, const Batch& batch, const EventView& event, std::string& out);

 private:
  Fingerprinter fingerprinter_;
  std::string event_members_;
  std::string slowlog_;
  std::string innodb_;
  std::string invalid_;
  std::string scratch_;
  std::vector<std::string_view> seen_;  // field names written for the current entry
  static constexpr size_t kSeenLinear = 32;
  std::unordered_set<std::string_view> seen_many_;  // the same, once there are kSeenLinear
};

}  // namespace logship
