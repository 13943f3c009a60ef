// How long a sink's driver waits before sending again what was answered "retry": exponential
// backoff with jitter, set per sink with the `retry:` key every sink has.
//
//   sinks:
//     search: {type: elasticsearch, inputs: [logs], endpoints: [...], retry: {initial: 100ms, max: 30s}}
//
//   Backoff b(policy);
//   auto wait = b.next(server_asked);   // grows after each failure in a row, never below what was asked
//   b.reset();                          // a delivery went through whole
//
// There is no limit on attempts: a transient failure is waited out (the log file, or Kafka, is
// the buffer meanwhile); only a permanent one (rejected) ends in the dead-letter output.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "core/config/schema.h"

namespace logship {

struct RetryPolicy {
  Duration initial{std::chrono::milliseconds(100)};
  Duration max{std::chrono::seconds(30)};
  static const Schema<RetryPolicy>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

class Backoff {
 public:
  explicit Backoff(RetryPolicy policy);
  // The wait before the next attempt: initial * 2^failures, capped at max, with "equal jitter"
  // (between half and all of that step, so that many sidecars retrying at once spread out),
  // and at least `at_least` (Retry-After). Counts one more failure.
  std::chrono::milliseconds next(std::chrono::milliseconds at_least = std::chrono::milliseconds(0));
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  RetryPolicy policy_;
  int failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace logship
