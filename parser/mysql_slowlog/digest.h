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

// The histogram pt-query-digest keeps per class: 1000 buckets 5% apart from 1 µs (values
// below 1 µs in bucket 0), and its 95th percentile read the way pt-query-digest reads it (the
// lower bound of the bucket where the top 5% end; the maximum for one, two or equal values),
// so that the two reports show the same p95.
class LogHistogram {
 public:
  void add(double seconds);
  double p95() const;
  uint64_t count() const { return count_; }

 private:
  static constexpr int kBuckets = 1000;
  std::array<uint32_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  double min_ = 0;
  double max_ = 0;
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
  // Entries per database (the entry's Schema: or "use", else the last one seen before it, as
  // pt-query-digest's --inherit-attributes carries it), the first kMaxDatabases names; the
  // entries of further names are counted in other_databases.
  static constexpr size_t kMaxDatabases = 32;
  std::vector<std::pair<std::string, uint64_t>> databases;
  uint64_t other_databases = 0;
  LogHistogram times;

  double mean_time() const { return count ? total_time / static_cast<double>(count) : 0; }
  double p95_time() const { return times.p95(); }
};

// One entry reduced to what the digest keeps: made on any thread (the fingerprint is most of
// the work), added in log order. Views point into the entry's text.
struct DigestSample {
  bool countable = false;  // false: a server header, a fragment, no sane Query_time
  double query_time = 0, lock_time = 0, rows_sent = 0, rows_examined = 0;
  int64_t set_timestamp = -1;
  std::string_view statement, schema;
  std::string fingerprint;
};

class QueryDigest {
 public:
  // `partial`: the entry's event is flagged partial (its file ended mid-entry).
  static void sample_of(const SlowlogEntry& entry, Fingerprinter& fingerprinter, DigestSample& out, bool partial = false);
  // Adds an entry (server headers, fragments and entries without Query_time are skipped).
  // Returns false when it was skipped.
  bool add(const SlowlogEntry& entry);
  // The same for an entry already reduced (in log order: entries without a time take the last one's).
  bool add(const DigestSample& sample);
  std::vector<const QueryClass*> ranked() const;
  double total_time() const { return total_time_; }
  uint64_t total_queries() const { return total_queries_; }
  uint64_t skipped() const { return skipped_; }

 private:
  Fingerprinter fingerprinter_;
  DigestSample sample_;
  std::unordered_map<std::string, QueryClass> classes_;  // by fingerprint
  double total_time_ = 0;
  uint64_t total_queries_ = 0;
  uint64_t skipped_ = 0;
  int64_t last_timestamp_ = -1;
  std::string last_schema_;
};

}  // namespace logship
