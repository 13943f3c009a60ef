// What a regression rule keeps of one group's past: the window's figures (counts, sums, min,
// max) per time bucket, a 24th of the baseline wide, and for percentile rules a sketch of the
// values per bucket (quantile_sketch.h). The baseline of a window is read from the buckets that
// lie wholly before the window and within the baseline span: its edges are a bucket wide.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "alerts/group_window.h"
#include "alerts/quantile_sketch.h"

namespace logship {

class Baseline {
 public:
  static constexpr int64_t kBuckets = 24;
  static constexpr size_t kMaxBuckets = 2 * kBuckets + 4;  // the span, the window's, a margin
  static int64_t bucket_width(int64_t baseline_ns);

  Baseline(int64_t width_ns, bool keep_sketch);
  void add(int64_t time_ns, bool matched, std::optional<double> number);
  // Drops the buckets that end at or before `oldest_ns`; true when nothing is left.
  bool expire(int64_t oldest_ns);

  struct Figures {
    WindowFigures figures;
    QuantileSketch sketch;
    int64_t covered_ns = 0;  // the time the buckets read span, from `origin_ns` on
  };
  // The buckets wholly within [from_ns, until_ns). Time before the group's first event is not
  // counted as covered: a group new this week is not judged against the days before it was.
  Figures read(int64_t from_ns, int64_t until_ns) const;
  int64_t origin_ns() const { return origin_ns_; }

  // {"origin_ns": the first event's time, "buckets": [[index, events, matched, numbers, sum,
  // min, max, sketch or null], ...]}
  void save(std::string& out) const;
  // False when `e` is not what save wrote (the baseline is then empty).
  bool load(const simdjson::dom::element& e);

 private:
  struct Bucket {
    int64_t index = 0;
    WindowFigures figures;
    QuantileSketch sketch;
  };
  int64_t width_ns_;
  bool keep_sketch_;
  int64_t origin_ns_ = INT64_MAX;  // the earliest event time added
  std::deque<Bucket> buckets_;     // ascending index
};

}  // namespace logship
