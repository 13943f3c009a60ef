#include "alerts/baseline.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace logship {

namespace {

void append_number(std::string& out, double v) {
  char buf[32];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), std::isfinite(v) ? v : 0.0).ptr);
}

}  // namespace

int64_t Baseline::bucket_width(int64_t baseline_ns) { return std::max<int64_t>(baseline_ns / kBuckets, 1'000'000'000); }

Baseline::Baseline(int64_t width_ns, bool keep_sketch) : width_ns_(width_ns), keep_sketch_(keep_sketch) {}

void Baseline::add(int64_t time_ns, bool matched, std::optional<double> number) {
  origin_ns_ = std::min(origin_ns_, time_ns);
  int64_t index = time_ns / width_ns_ - (time_ns % width_ns_ < 0);
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index, [](const Bucket& b, int64_t i) { return b.index < i; });
  if (it == buckets_.end() || it->index != index) it = buckets_.insert(it, Bucket{index, {}, {}});
  add_to(it->figures, matched, number);
  if (number && keep_sketch_) it->sketch.add(*number);
  // Bounded whatever the times: the engine passes only times within the span (and up to an hour
  // ahead), but a span of seconds has many buckets in an hour.
  if (buckets_.size() > kMaxBuckets) buckets_.pop_front();
}

bool Baseline::expire(int64_t oldest_ns) {
  while (!buckets_.empty() && (buckets_.front().index + 1) * width_ns_ <= oldest_ns) buckets_.pop_front();
  return buckets_.empty();
}

Baseline::Figures Baseline::read(int64_t from_ns, int64_t until_ns) const {
  Figures out;
  for (const Bucket& b : buckets_) {
    int64_t start = b.index * width_ns_, end = start + width_ns_;
    if (start < from_ns || end > until_ns) continue;
    merge_into(out.figures, b.figures);
    if (keep_sketch_) out.sketch.merge(b.sketch);
  }
  // Covered time counts every whole bucket in the span (a bucket without events is a time with
  // none), from the group's first event.
  int64_t first = from_ns / width_ns_ + (from_ns % width_ns_ > 0);
  int64_t last = until_ns / width_ns_ - (until_ns % width_ns_ < 0);  // exclusive
  for (int64_t i = first; i < last; ++i) {
    int64_t start = std::max(i * width_ns_, origin_ns_), end = (i + 1) * width_ns_;
    if (end > start) out.covered_ns += end - start;
  }
  return out;
}

void Baseline::save(std::string& out) const {
  out.append("{\"origin_ns\":").append(std::to_string(origin_ns_)).append(",\"buckets\":[");
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const Bucket& b = buckets_[i];
    const WindowFigures& f = b.figures;
    if (i) out.push_back(',');
    out.push_back('[');
    out.append(std::to_string(b.index)).push_back(',');
    out.append(std::to_string(f.events)).push_back(',');
    out.append(std::to_string(f.matched)).push_back(',');
    out.append(std::to_string(f.numbers)).push_back(',');
    append_number(out, f.sum);
    out.push_back(',');
    append_number(out, f.min);
    out.push_back(',');
    append_number(out, f.max);
    out.push_back(',');
    if (keep_sketch_) b.sketch.save(out);
    else out.append("null");
    out.push_back(']');
  }
  out.append("]}");
}

bool Baseline::load(const simdjson::dom::element& e) {
  buckets_.clear();
  origin_ns_ = INT64_MAX;
  simdjson::dom::array list;
  int64_t origin = 0;
  if (e["origin_ns"].get_int64().get(origin) != simdjson::SUCCESS || e["buckets"].get_array().get(list) != simdjson::SUCCESS) return false;
  // Bounds that no real baseline reaches, so that arithmetic on what a damaged (or crafted) file
  // says cannot overflow: times within ±2^62 ns (146 years), counts below 2^40 a bucket.
  constexpr int64_t kMaxTime = int64_t{1} << 62, kMaxCount = int64_t{1} << 40;
  if (origin < -kMaxTime || origin > kMaxTime) return false;
  std::deque<Bucket> read;
  for (simdjson::dom::element b : list) {
    Bucket bucket;
    WindowFigures& f = bucket.figures;
    if (b.at(0).get_int64().get(bucket.index) != simdjson::SUCCESS || b.at(1).get_int64().get(f.events) != simdjson::SUCCESS ||
        b.at(2).get_int64().get(f.matched) != simdjson::SUCCESS || b.at(3).get_int64().get(f.numbers) != simdjson::SUCCESS ||
        b.at(4).get_double().get(f.sum) != simdjson::SUCCESS || b.at(5).get_double().get(f.min) != simdjson::SUCCESS ||
        b.at(6).get_double().get(f.max) != simdjson::SUCCESS)
      return false;
    if (f.events <= 0 || f.events > kMaxCount || f.matched < 0 || f.numbers < 0 || f.matched > f.events || f.numbers > f.events) return false;
    if (bucket.index < -kMaxTime / width_ns_ || bucket.index > kMaxTime / width_ns_) return false;
    if (!std::isfinite(f.sum) || !std::isfinite(f.min) || !std::isfinite(f.max) || (f.numbers > 0 && f.min > f.max)) return false;
    if (!read.empty() && bucket.index <= read.back().index) return false;
    simdjson::dom::element sketch;
    if (keep_sketch_ && (b.at(7).get(sketch) != simdjson::SUCCESS || !bucket.sketch.load(sketch) || bucket.sketch.count() != f.numbers)) return false;
    read.push_back(std::move(bucket));
    if (read.size() > kMaxBuckets) read.pop_front();
  }
  if (!read.empty() && origin >= (read.front().index + 1) * width_ns_) return false;  // (its first event is in the first bucket)
  buckets_ = std::move(read);
  origin_ns_ = buckets_.empty() ? INT64_MAX : origin;
  return true;
}

}  // namespace logship
