#include "parser/mysql_slowlog/slowlog_transform.h"

#include "core/plain_encoder.h"

namespace logship {

const Schema<SlowlogTransformConfig>& SlowlogTransform::schema() {
  static const Schema<SlowlogTransformConfig> s;
  return s;
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

void SlowlogTransform::encode(Batch& batch) {
  encode_each(batch, encoded_, [&](EventView& e, std::string& out) {
    parse_slowlog_entry(batch.raw_text(e), entry_);
    int64_t& last = last_timestamp_[batch.origin.get()];
    if (entry_.set_timestamp >= 0) last = entry_.set_timestamp;
    else if (entry_.time.empty() && last > 0) entry_.set_timestamp = last;
    switch (entry_.kind) {
      case SlowlogEntry::Kind::kEntry: entries_.add(); break;
      case SlowlogEntry::Kind::kFragment: fragments_.add(); break;
      case SlowlogEntry::Kind::kServerHeader: headers_.add(); break;
    }
    e.flags |= encoder_.encode(entry_, batch, e, out);
  });
  if (last_timestamp_.size() > 4096) last_timestamp_.clear();  // bounded: files come and go
}

void SlowlogTransform::process(BatchPtr batch, Emitter& out) {
  encode(*batch);
  out.emit(std::move(batch));
}

}  // namespace logship
