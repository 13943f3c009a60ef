#include "parser/mysql_slowlog/digest.h"

#include <algorithm>
#include <cmath>

namespace logship {
namespace {

constexpr double kBucketSize = 1.05;
constexpr double kMinBucket = 0.000001;
constexpr int kNumBuckets = 1000;

double bucket_value(int bucket) { return bucket == 0 ? 0 : std::pow(kBucketSize, bucket - 1) * kMinBucket; }

}  // namespace

void LogHistogram::add(double seconds) {
  static const double base_log = std::log(kBucketSize);
  static const double base_offset = std::abs(1 - std::log(kMinBucket) / base_log);  // 284.16…
  int idx = 0;
  if (seconds >= kMinBucket) idx = std::min(static_cast<int>(base_offset + std::log(seconds) / base_log), kNumBuckets - 1);
  ++counts_[static_cast<size_t>(idx)];
  if (count_ == 0 || seconds < min_) min_ = seconds;
  if (count_ == 0 || seconds > max_) max_ = seconds;
  ++count_;
}

double LogHistogram::p95() const {
  if (count_ == 0) return 0;
  if (count_ <= 2 || max_ == min_) return max_;
  const uint64_t cutoff = count_ >= 10 ? static_cast<uint64_t>(static_cast<double>(count_) * 0.95) : count_;
  const uint64_t top = count_ - cutoff;  // values above the 95th percentile
  uint64_t seen = 0;
  for (int b = kNumBuckets - 1; b > 0; --b) {  // bucket 0 counts as "not found", as there
    seen += counts_[static_cast<size_t>(b)];
    if (counts_[static_cast<size_t>(b)] && seen > top) return bucket_value(b);
  }
  return 0;
}

bool QueryDigest::add(const SlowlogEntry& e) {
  double query_time = 0;
  if (e.kind == SlowlogEntry::Kind::kServerHeader || e.statement.empty() || !e.number("Query_time", query_time) ||
      !(query_time >= 0 && query_time < 1e12)) {
    ++skipped_;
    return false;
  }
  std::string_view fp = fingerprinter_.fingerprint(e.statement);
  auto it = classes_.find(std::string(fp));
  if (it == classes_.end()) {
    QueryClass c;
    c.fingerprint = std::string(fp);
    c.id = query_id(fp);
    it = classes_.emplace(c.fingerprint, std::move(c)).first;
  }
  QueryClass& c = it->second;
  int64_t ts = e.set_timestamp >= 0 ? e.set_timestamp : last_timestamp_;
  if (ts >= 0) {
    last_timestamp_ = ts;
    if (c.first_seen < 0 || ts < c.first_seen) c.first_seen = ts;
    if (ts > c.last_seen) c.last_seen = ts;
  }
  double lock = 0, sent = 0, examined = 0;
  e.number("Lock_time", lock);
  e.number("Rows_sent", sent);
  e.number("Rows_examined", examined);
  ++c.count;
  c.total_time += query_time;
  c.total_lock += lock;
  // Counters from the log are untrusted text: only sane values are added.
  auto count = [](double v) { return v > 0 && v < 1e18 ? static_cast<uint64_t>(v) : 0; };
  c.rows_sent += count(sent);
  c.rows_examined += count(examined);
  c.times.add(query_time);
  if (query_time >= c.max_time || c.sample.empty()) {
    c.max_time = query_time;
    c.sample.assign(e.statement);
    std::string_view schema = e.attribute("Schema");
    c.schema.assign(schema.empty() ? e.use_db : schema);
  }
  total_time_ += query_time;
  ++total_queries_;
  return true;
}

std::vector<const QueryClass*> QueryDigest::ranked() const {
  std::vector<const QueryClass*> out;
  out.reserve(classes_.size());
  for (const auto& [fp, c] : classes_) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const QueryClass* a, const QueryClass* b) {
    if (a->total_time != b->total_time) return a->total_time > b->total_time;
    return a->fingerprint < b->fingerprint;
  });
  return out;
}

}  // namespace logship
