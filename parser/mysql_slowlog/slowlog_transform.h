// `type: mysql_slowlog` transform: turns slow log entries into structured events.
//
//   sources:
//     slow: {type: file, include: [/var/log/mysql/slow.log], multiline: {preset: mysql_slowlog}}
//   transforms:
//     queries: {type: mysql_slowlog, inputs: [slow]}
//
// The source's mysql_slowlog framing assembles each entry (its lines, up to the next entry) into
// one event; this transform parses it (slowlog_entry.h) and writes the event's JSON
// (slowlog_encoder.h). A source without that framing would hand over single lines, so the
// pipeline loader refuses such a wiring.
#pragma once

#include <memory>
#include <unordered_map>

#include "core/component.h"
#include "core/metrics.h"
#include "parser/mysql_slowlog/slowlog_encoder.h"

namespace logship {

struct SlowlogTransformConfig {
  std::string required_input_framing() const { return "mysql_slowlog"; }
};

class SlowlogTransform final : public Transform {
 public:
  static const Schema<SlowlogTransformConfig>& schema();
  static Result<std::unique_ptr<SlowlogTransform>> create(const SlowlogTransformConfig&, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;
  // Encodes every event of `batch` in place (also used by `logship parse`).
  void encode(Batch& batch);

 private:
  explicit SlowlogTransform(const std::string& name);
  SlowlogEntry entry_;
  // The last timestamp seen per file: entries that carry none (no "SET timestamp", no "# Time"
  // of their own, as in old logs) happened at the time of the one before, as pt-query-digest
  // assumes too.
  std::unordered_map<const Origin*, int64_t> last_timestamp_;
  SlowlogEncoder encoder_;
  std::string encoded_;
  Counter& entries_;
  Counter& fragments_;
  Counter& headers_;
};

}  // namespace logship
