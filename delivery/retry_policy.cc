#include "delivery/retry_policy.h"

#include <algorithm>

namespace logship {

const Schema<RetryPolicy>& RetryPolicy::schema() {
  static const auto s = Schema<RetryPolicy>()
                            .field("initial", &RetryPolicy::initial, "Wait before sending again what the destination answered with a transient failure; doubled after each failure in a row.")
                            .field("max", &RetryPolicy::max, "Longest wait between two attempts (attempts never stop: only a permanent refusal goes to dead letters).");
  return s;
}

void RetryPolicy::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (initial.value.count() < 1 || initial.value > std::chrono::hours(1))
    errors.add(node["initial"], join_path(path, "initial"), "must be between 1ms and 1h");
  if (max.value < initial.value) errors.add(node["max"], join_path(path, "max"), "must be at least `initial`");
  else if (max.value > std::chrono::hours(24)) errors.add(node["max"], join_path(path, "max"), "must be at most 24h");
}

Backoff::Backoff(RetryPolicy policy) : policy_(policy), rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next(std::chrono::milliseconds at_least) {
  int64_t initial = std::max<int64_t>(1, policy_.initial.value.count());
  int64_t cap = std::max<int64_t>(initial, policy_.max.value.count());
  int exponent = std::min(failures_, 30);
  int64_t step = std::min<int64_t>(cap, initial << exponent);
  std::uniform_int_distribution<int64_t> jitter(step / 2, step);
  ++failures_;
  return std::max(std::chrono::milliseconds(jitter(rng_)), at_least);
}

}  // namespace logship
