// `type: mysql_slowlog` transform: turns slow log entries into structured events.
//
//   sources:
//     slow: {type: file, include: [/var/log/mysql/slow.log], multiline: {preset: mysql_slowlog}}
//   transforms:
//     queries: {type: mysql_slowlog, inputs: [slow], threads: 0}   # 0: one per core, at most 4
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
  int64_t threads = 0;
  std::string required_input_framing() const { return "mysql_slowlog"; }
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

class SlowlogTransform final : public Transform {
 public:
  static const Schema<SlowlogTransformConfig>& schema();
  static Result<std::unique_ptr<SlowlogTransform>> create(const SlowlogTransformConfig&, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;
  void in_order(Batch& batch) override;
  // Encodes every event of `batch` in place (also used by `logship parse`).
  void encode(Batch& batch);

 private:
  explicit SlowlogTransform(const std::string& name);
  // Entries that carry no time of their own (no "SET timestamp", no "# Time", as in old logs)
  // happened at the time of the last one before that had a SET timestamp, as pt-query-digest
  // assumes too. process() knows that only from its own batch on; in_order() carries the time
  // from batch to batch per file and re-encodes the head entries that needed it.
  void encode_batch_alone(Batch& batch);

  SlowlogEntry entry_;  // process()
  SlowlogEncoder encoder_;
  std::shared_ptr<StringPool> encoded_ = std::make_shared<StringPool>();  // encode_each buffers
  SlowlogEntry carry_entry_;  // in_order()
  SlowlogEncoder carry_encoder_;
  std::string carry_head_;
  std::unordered_map<const Origin*, int64_t> carried_timestamp_;
  Counter& entries_;
  Counter& fragments_;
  Counter& headers_;
};

}  // namespace logship
