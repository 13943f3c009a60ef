#include "parser/mysql_slowlog/slowlog_transform.h"

#include "core/plain_encoder.h"

namespace logship {

const Schema<SlowlogTransformConfig>& SlowlogTransform::schema() {
  static const auto s = Schema<SlowlogTransformConfig>().field(
      "threads", &SlowlogTransformConfig::threads, "Threads parsing batches in parallel (output order is kept); 0: one per core, at most 4.");
  return s;
}

void SlowlogTransformConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (threads < 0 || threads > 64) errors.add(node["threads"], join_path(path, "threads"), "must be between 0 (one per core) and 64");
}

SlowlogTransform::SlowlogTransform(const std::string& name)
    : entries_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                 {{"component", name}, {"outcome", "parsed"}})),
      fragments_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                   {{"component", name}, {"outcome", "slowlog_fragment"}})),
      headers_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                 {{"component", name}, {"outcome", "server_header"}})) {}

Result<std::unique_ptr<SlowlogTransform>> SlowlogTransform::create(const SlowlogTransformConfig&, const BuildContext& ctx) {
  return std::unique_ptr<SlowlogTransform>(new SlowlogTransform(ctx.name));
}

void SlowlogTransform::encode_batch_alone(Batch& batch) {
  int64_t last = 0;  // what the batch itself says; in_order() fills in the head from before it
  // Counted per batch: the counters are shared by the transform's threads (see JsonTransform).
  uint64_t entries = 0, fragments = 0, headers = 0;
  encode_each(batch, encoded_, [&](EventView& e, std::string& out) {
    parse_slowlog_entry(batch.raw_text(e), entry_);
    if (entry_.set_timestamp >= 0) last = entry_.set_timestamp;
    else if (entry_.time.empty() && last > 0) entry_.set_timestamp = last;
    switch (entry_.kind) {
      case SlowlogEntry::Kind::kEntry: ++entries; break;
      case SlowlogEntry::Kind::kFragment: ++fragments; break;
      case SlowlogEntry::Kind::kServerHeader: ++headers; break;
    }
    e.flags |= encoder_.encode(entry_, batch, e, out);
  });
  if (entries > 0) entries_.add(entries);
  if (fragments > 0) fragments_.add(fragments);
  if (headers > 0) headers_.add(headers);
}

void SlowlogTransform::in_order(Batch& batch) {
  if (carried_timestamp_.size() > 4096) carried_timestamp_.clear();  // bounded: files come and go
  int64_t& carried = carried_timestamp_[batch.origin.get()];
  if (carried > 0) {
    // Head entries up to the first with a SET timestamp: those without any time get `carried`.
    carry_head_.clear();
    bool changed = false;
    size_t i = 0;
    for (; i < batch.events.size(); ++i) {
      EventView& e = batch.events[i];
      parse_slowlog_entry(batch.raw_text(e), carry_entry_);
      if (carry_entry_.set_timestamp >= 0) break;
      uint32_t begin = static_cast<uint32_t>(carry_head_.size());
      if (carry_entry_.time.empty()) {
        carry_entry_.set_timestamp = carried;
        e.flags |= carry_encoder_.encode(carry_entry_, batch, e, carry_head_);
        changed = true;
      } else {
        carry_head_.append(batch.encoded_text(e));
      }
      e.enc_begin = begin;
      e.enc_len = static_cast<uint32_t>(carry_head_.size() - begin);
    }
    if (changed) {
      size_t rest = i < batch.events.size() ? batch.events[i].enc_begin : batch.encoded.size();
      int64_t shift = static_cast<int64_t>(carry_head_.size()) - static_cast<int64_t>(rest);
      carry_head_.append(batch.encoded, rest, std::string::npos);
      for (size_t k = i; k < batch.events.size(); ++k) batch.events[k].enc_begin = static_cast<uint32_t>(batch.events[k].enc_begin + shift);
      batch.encoded.swap(carry_head_);
    }  // else the offsets written above are the ones the events had: the head was copied as it was
  }
  // What the next batch of this file inherits: the last SET timestamp in this one.
  for (size_t j = batch.events.size(); j-- > 0;) {
    std::string_view raw = batch.raw_text(batch.events[j]);
    if (raw.find("timestamp=") == std::string_view::npos) continue;  // cheap test before parsing
    parse_slowlog_entry(raw, carry_entry_);
    if (carry_entry_.set_timestamp >= 0) {
      carried = carry_entry_.set_timestamp;
      break;
    }
  }
}

void SlowlogTransform::encode(Batch& batch) {
  encode_batch_alone(batch);
  in_order(batch);
}

void SlowlogTransform::process(BatchPtr batch, Emitter& out) {
  encode_batch_alone(*batch);
  out.emit(std::move(batch));
}

}  // namespace logship
