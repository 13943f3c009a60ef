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

void QueryDigest::sample_of(const SlowlogEntry& e, Fingerprinter& fingerprinter, DigestSample& out, bool partial) {
  out.countable = false;
  // What later entries inherit is kept even from entries that are not counted.
  out.set_timestamp = e.set_timestamp;
  std::string_view schema = e.attribute("Schema");
  out.schema = !e.use_db.empty() ? e.use_db : schema;  // "use" first, as pt-query-digest's db
  double query_time = 0;
  if (e.kind == SlowlogEntry::Kind::kServerHeader || e.statement.empty() || slowlog_entry_unfinished(e, partial) ||
      !e.number("Query_time", query_time) || !(query_time >= 0 && query_time < 1e12))
    return;
  out.countable = true;
  out.query_time = query_time;
  out.lock_time = out.rows_sent = out.rows_examined = 0;
  e.number("Lock_time", out.lock_time);
  e.number("Rows_sent", out.rows_sent);
  e.number("Rows_examined", out.rows_examined);
  out.statement = e.statement;
  out.fingerprint.assign(fingerprinter.fingerprint(e.statement));
}

bool QueryDigest::add(const SlowlogEntry& e) {
  sample_of(e, fingerprinter_, sample_);
  return add(sample_);
}

namespace {

void count_database(QueryClass& c, std::string_view db) {
  if (db.empty()) return;
  for (auto& [name, n] : c.databases) {
    if (name == db) {
      ++n;
      return;
    }
  }
  if (c.databases.size() < QueryClass::kMaxDatabases) c.databases.emplace_back(db, 1);
  else ++c.other_databases;
}

}  // namespace

bool QueryDigest::add(const DigestSample& s) {
  if (!s.schema.empty() && s.schema != last_schema_) last_schema_.assign(s.schema);
  if (!s.countable) {
    if (s.set_timestamp >= 0) last_timestamp_ = s.set_timestamp;
    ++skipped_;
    return false;
  }
  auto it = classes_.find(s.fingerprint);
  if (it == classes_.end()) {
    QueryClass c;
    c.fingerprint = s.fingerprint;
    c.id = query_id(s.fingerprint);
    it = classes_.emplace(c.fingerprint, std::move(c)).first;
  }
  QueryClass& c = it->second;
  int64_t ts = s.set_timestamp >= 0 ? s.set_timestamp : last_timestamp_;
  if (ts >= 0) {
    last_timestamp_ = ts;
    if (c.first_seen < 0 || ts < c.first_seen) c.first_seen = ts;
    if (ts > c.last_seen) c.last_seen = ts;
  }
  ++c.count;
  c.total_time += s.query_time;
  c.total_lock += s.lock_time;
  // Counters from the log are untrusted text: only sane values are added.
  auto count = [](double v) { return v > 0 && v < 1e18 ? static_cast<uint64_t>(v) : 0; };
  c.rows_sent += count(s.rows_sent);
  c.rows_examined += count(s.rows_examined);
  c.times.add(s.query_time);
  count_database(c, last_schema_);
  if (s.query_time >= c.max_time || c.sample.empty()) {
    c.max_time = s.query_time;
    c.sample.assign(s.statement);
    c.schema.assign(last_schema_);
  }
  total_time_ += s.query_time;
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
