// pt-query-digest-style aggregation of slow log entries by fingerprint.
//
//   QueryDigest digest;
//   digest.add(entry);                      // a parsed SlowlogEntry
//   for (const auto& c : digest.ranked()) … // classes by total query time, largest first
//
// Per class: count, total/mean/max query time and its 95th percentile, lock time, rows
// sent/examined, first and last seen, and the slowest statement as a sample. Percentiles come
// from a log-scale histogram (buckets 5% apart, as pt-query-digest's), so memory per class is
// fixed whatever the number of entries.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "parser/mysql_slowlog/slowlog_entry.h"
#include "parser/sql_fingerprint/fingerprint.h"

namespace logship {

class LogHistogram {
 public:
  void add(double seconds);
  // The upper bound of the bucket holding the q-quantile (0 < q <= 1).
  double quantile(double q) const;

 private:
  static constexpr int kBuckets = 400;  // 1 µs * 1.05^400 ≈ 3e2 hours: enough for any query
  std::array<uint32_t, kBuckets> counts_{};
  uint64_t total_ = 0;
};

struct QueryClass {
  std::string id;
  std::string fingerprint;
  uint64_t count = 0;
  double total_time = 0;
  double max_time = 0;
  double total_lock = 0;
  uint64_t rows_sent = 0;
  uint64_t rows_examined = 0;
  int64_t first_seen = -1;  // unix seconds, -1 when no entry had a time
  int64_t last_seen = -1;
  std::string sample;       // the slowest statement
  std::string schema;       // of the sample
  LogHistogram times;

  double mean_time() const { return count ? total_time / static_cast<double>(count) : 0; }
  // The histogram's bucket bound, but never above the largest value seen.
  double p95_time() const { return std::min(times.quantile(0.95), max_time); }
};

class QueryDigest {
 public:
  // Adds an entry (server headers, fragments and entries without Query_time are skipped).
  // Returns false when it was skipped.
  bool add(const SlowlogEntry& entry);
  std::vector<const QueryClass*> ranked() const;
  double total_time() const { return total_time_; }
  uint64_t total_queries() const { return total_queries_; }
  uint64_t skipped() const { return skipped_; }

 private:
  Fingerprinter fingerprinter_;
  std::unordered_map<std::string, QueryClass> classes_;  // by fingerprint
  double total_time_ = 0;
  uint64_t total_queries_ = 0;
  uint64_t skipped_ = 0;
  int64_t last_timestamp_ = -1;
};

}  // namespace logship
