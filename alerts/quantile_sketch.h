// Percentiles of many values in little room, for the baselines of regression rules (a week of
// query times cannot be kept value by value). Each value counts in a bin of a logarithmic
// scale whose bins are 4 % apart, so a percentile read back is within 2 % of the value of the
// data at that rank (the idea of DDSketch: Masson, Rim, Lee, VLDB 2019); plenty to tell a
// query twice as slow. At most kMaxBins bins (values spanning a factor of 20 000): past that
// the lowest bins merge, which coarsens the low percentiles (p50 too, for values spread wider
// than that) and never the high ones. Values below 1e-9 (0 and negatives
// included) count in one bin read as 0.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace logship {

class QuantileSketch {
 public:
  static constexpr size_t kMaxBins = 256;
  static constexpr double kRelativeAccuracy = 0.02;

  void add(double value);
  void merge(const QuantileSketch& other);
  int64_t count() const { return count_; }
  // The percentile (0..100) by nearest rank; none when empty.
  std::optional<double> percentile(double p) const;

  // [zero count, [[bin, count], ...]]
  void save(std::string& out) const;
  // False (and the sketch empty) when `e` is not what save wrote.
  bool load(const simdjson::dom::element& e);

 private:
  void collapse();
  std::vector<std::pair<int32_t, int64_t>> bins_;  // ascending bin
  int64_t zero_ = 0;
  int64_t count_ = 0;
};

}  // namespace logship
