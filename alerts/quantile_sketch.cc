#include "alerts/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace logship {

namespace {

constexpr double kGamma = (1 + QuantileSketch::kRelativeAccuracy) / (1 - QuantileSketch::kRelativeAccuracy);
constexpr double kSmallest = 1e-9;
const double kLogGamma = std::log(kGamma);

// The bins of 1e-9 and of DBL_MAX: a saved bin outside them was not written by add.
constexpr int64_t kMaxBin = 17'800;

int32_t bin_of(double v) { return static_cast<int32_t>(std::ceil(std::log(v) / kLogGamma)); }
// The value every member of the bin is within kRelativeAccuracy of: bin i holds (γ^(i-1), γ^i].
double value_of(int32_t bin) {
  double v = 2 * std::pow(kGamma, bin - 1) * (kGamma / (kGamma + 1));
  return std::isfinite(v) ? v : std::numeric_limits<double>::max();  // (the bin of values near DBL_MAX)
}

}  // namespace

void QuantileSketch::add(double value) {
  ++count_;
  if (!(value >= kSmallest) || !std::isfinite(value)) {
    ++zero_;  // (NaN too; the rules give only finite numbers)
    return;
  }
  int32_t bin = bin_of(value);
  auto it = std::lower_bound(bins_.begin(), bins_.end(), bin, [](const auto& b, int32_t i) { return b.first < i; });
  if (it != bins_.end() && it->first == bin) {
    ++it->second;
    return;
  }
  bins_.insert(it, {bin, 1});
  if (bins_.size() > kMaxBins) collapse();
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  std::vector<std::pair<int32_t, int64_t>> merged;
  merged.reserve(bins_.size() + other.bins_.size());
  auto a = bins_.cbegin();
  auto b = other.bins_.cbegin();
  while (a != bins_.cend() || b != other.bins_.cend()) {
    if (b == other.bins_.cend() || (a != bins_.cend() && a->first < b->first)) merged.push_back(*a++);
    else if (a == bins_.cend() || b->first < a->first) merged.push_back(*b++);
    else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  bins_ = std::move(merged);
  zero_ += other.zero_;
  count_ += other.count_;
  collapse();
}

void QuantileSketch::collapse() {
  if (bins_.size() <= kMaxBins) return;
  size_t extra = bins_.size() - kMaxBins;
  int64_t moved = 0;
  for (size_t i = 0; i <= extra; ++i) moved += bins_[i].second;
  bins_[extra].second = moved;
  bins_.erase(bins_.begin(), bins_.begin() + static_cast<std::ptrdiff_t>(extra));
}

std::optional<double> QuantileSketch::percentile(double p) const {
  if (count_ == 0) return std::nullopt;
  int64_t rank = static_cast<int64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  if (rank <= zero_) return 0.0;
  int64_t seen = zero_;
  for (const auto& [bin, n] : bins_) {
    seen += n;
    if (seen >= rank) return value_of(bin);
  }
  return value_of(bins_.back().first);
}

void QuantileSketch::save(std::string& out) const {
  out.push_back('[');
  out.append(std::to_string(zero_)).append(",[");
  for (size_t i = 0; i < bins_.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('[');
    out.append(std::to_string(bins_[i].first)).push_back(',');
    out.append(std::to_string(bins_[i].second)).push_back(']');
  }
  out.append("]]");
}

bool QuantileSketch::load(const simdjson::dom::element& e) {
  *this = QuantileSketch();
  int64_t zero = 0;
  simdjson::dom::array bins;
  if (e.at(0).get_int64().get(zero) != simdjson::SUCCESS || e.at(1).get_array().get(bins) != simdjson::SUCCESS || zero < 0) return false;
  QuantileSketch read;
  read.zero_ = zero;
  read.count_ = zero;
  for (simdjson::dom::element b : bins) {
    int64_t bin = 0, n = 0;
    if (b.at(0).get_int64().get(bin) != simdjson::SUCCESS || b.at(1).get_int64().get(n) != simdjson::SUCCESS) return false;
    // Ascending, in range and counted: anything else was not written by save.
    if (n <= 0 || n > INT64_MAX / 4 - read.count_ || bin < -kMaxBin || bin > kMaxBin || (!read.bins_.empty() && bin <= read.bins_.back().first)) return false;
    read.bins_.emplace_back(static_cast<int32_t>(bin), n);
    read.count_ += n;
  }
  if (read.bins_.size() > kMaxBins) return false;
  *this = std::move(read);
  return true;
}

}  // namespace logship
