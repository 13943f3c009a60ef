#include "alerts/group_window.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace logship {

void add_to(WindowFigures& f, bool matched, std::optional<double> number) {
  ++f.events;
  f.matched += matched;
  if (!number) return;
  f.min = f.numbers == 0 ? *number : std::min(f.min, *number);
  f.max = f.numbers == 0 ? *number : std::max(f.max, *number);
  f.sum += *number;
  ++f.numbers;
}

void merge_into(WindowFigures& all, const WindowFigures& f) {
  all.events += f.events;
  all.matched += f.matched;
  if (f.numbers == 0) return;
  all.min = all.numbers == 0 ? f.min : std::min(all.min, f.min);
  all.max = all.numbers == 0 ? f.max : std::max(all.max, f.max);
  all.sum += f.sum;
  all.numbers += f.numbers;
}

GroupWindow::GroupWindow(int64_t window_ns, size_t max_samples, bool keep_samples)
    : window_ns_(window_ns), width_ns_(std::max<int64_t>(window_ns / 60, 1'000'000'000)), max_samples_(max_samples), keep_samples_(keep_samples) {}

void GroupWindow::add(int64_t time_ns, bool matched, std::optional<double> number) {
  int64_t index = time_ns / width_ns_;
  Bucket* b = nullptr;
  if (buckets_.empty() || buckets_.back().index < index) {
    buckets_.push_back(Bucket{index, {}});
    b = &buckets_.back();
  } else if (index >= buckets_.front().index) {
    // Late events (several files, a slow host) go into the bucket of their time.
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index, [](const Bucket& x, int64_t i) { return x.index < i; });
    if (it == buckets_.end() || it->index != index) it = buckets_.insert(it, Bucket{index, {}});
    b = &*it;
  } else {
    return;  // older than everything kept: already out of the window
  }
  add_to(b->f, matched, number);
  if (number && keep_samples_) {
    samples_.emplace_back(time_ns, *number);
    if (samples_.size() > max_samples_) samples_.pop_front();
  }
}

bool GroupWindow::expire(int64_t now_ns) {
  int64_t oldest = now_ns - window_ns_;
  while (!buckets_.empty() && (buckets_.front().index + 1) * width_ns_ <= oldest) buckets_.pop_front();
  std::erase_if(samples_, [&](const auto& s) { return s.first <= oldest; });
  return buckets_.empty();
}

WindowFigures GroupWindow::figures() const {
  WindowFigures all;
  for (const Bucket& b : buckets_) merge_into(all, b.f);
  return all;
}

std::optional<double> GroupWindow::percentile(double p) const {
  if (samples_.empty()) return std::nullopt;
  std::vector<double> values;
  values.reserve(samples_.size());
  for (const auto& s : samples_) values.push_back(s.second);
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace logship
