#include "tests/cluster/failover_harness.h"

#include <simdjson.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "clients/elasticsearch/es_connection.h"
#include "tests/integration/kafka_broker.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship::testing {

void NumberedWriter::start() {
  running_.store(true);
  thread_ = std::thread([this] {
    auto begin = std::chrono::steady_clock::now();
    std::string chunk;
    size_t file = 0;
    while (running_.load() && written_.load() < total_) {
      // Every 20 ms, the lines due by then, written in one append per file.
      auto due = static_cast<int64_t>(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count() * rate_);
      int64_t upto = std::min(due, total_);
      std::vector<std::string> chunks(files_.size());
      for (int64_t seq = written_.load(); seq < upto; ++seq) {
        char line[128];
        std::snprintf(line, sizeof(line), "seq=%08lld GET /api/orders/%lld status=200 took=%lldms from a test writer\n",
                      static_cast<long long>(seq), static_cast<long long>(seq % 977), static_cast<long long>(seq % 113));
        chunks[file].append(line);
        file = (file + 1) % files_.size();
      }
      for (size_t f = 0; f < files_.size(); ++f)
        if (!chunks[f].empty()) append_file(files_[f], chunks[f]);
      written_.store(std::max(upto, written_.load()));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

void NumberedWriter::stop() {
  running_.store(false);
  if (thread_.joinable()) thread_.join();
}

void CounterWatch::start() {
  running_.store(true);
  thread_ = std::thread([this] {
    EsConnection conn;
    conn.endpoints = {url_};
    conn.request_timeout = Duration{std::chrono::seconds(2)};
    EsClient api(conn);
    while (running_.load()) {
      EsResponse r = api.request("GET", "/metrics");
      size_t at = r.ok() ? r.body.find("\n" + series_ + " ") : std::string::npos;
      if (at != std::string::npos) {
        double v = std::stod(r.body.substr(at + series_.size() + 2));
        std::lock_guard lock(mu_);
        samples_.emplace_back(std::chrono::steady_clock::now(), v);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void CounterWatch::stop() {
  running_.store(false);
  if (thread_.joinable()) thread_.join();
}

double CounterWatch::latest() const {
  std::lock_guard lock(mu_);
  return samples_.empty() ? 0 : samples_.back().second;
}

double CounterWatch::longest_stall(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) const {
  std::lock_guard lock(mu_);
  double longest = 0;
  std::chrono::steady_clock::time_point moved = from;
  double last = -1;
  for (const auto& [t, v] : samples_) {
    if (t < from) {
      last = v;
      continue;
    }
    if (t > to) break;
    if (v != last) {
      longest = std::max(longest, std::chrono::duration<double>(t - moved).count());
      moved = t;
      last = v;
    }
  }
  longest = std::max(longest, std::chrono::duration<double>(std::min(to, std::chrono::steady_clock::now()) - moved).count());
  return longest;
}

int64_t sequence_of(const std::string& text) {
  size_t at = text.find("seq=");
  if (at == std::string::npos || at + 12 > text.size()) return -1;
  int64_t n = 0;
  for (size_t i = at + 4; i < at + 12; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    n = n * 10 + (text[i] - '0');
  }
  return n;
}

TopicAccount account_topic(const std::string& bootstrap, const std::string& topic, int64_t total) {
  auto messages = consume_all(bootstrap, topic, static_cast<size_t>(total), std::chrono::minutes(5), std::chrono::seconds(10));
  TopicAccount a;
  a.messages = static_cast<int64_t>(messages.size());
  std::map<int64_t, std::string> first_id;
  simdjson::dom::parser parser;
  for (const auto& m : messages) {
    simdjson::dom::element doc;
    std::string_view message, id;
    if (parser.parse(m.value).get(doc) || doc["message"].get(message) || doc["event"]["id"].get(id)) continue;
    int64_t seq = sequence_of(std::string(message));
    if (seq < 0) continue;
    auto [it, fresh] = first_id.emplace(seq, std::string(id));
    if (!fresh) {
      ++a.duplicates;
      if (it->second != id) ++a.duplicates_with_other_id;
    }
  }
  a.distinct = static_cast<int64_t>(first_id.size());
  for (int64_t s = 0; s < total && a.missing.size() < 20; ++s)
    if (!first_id.count(s)) a.missing.push_back(s);
  return a;
}

IndexAccount account_index(const std::string& url, const std::string& index, int64_t total) {
  IndexAccount a;
  std::map<int64_t, int> seen;
  for (const auto& line : ids_and_at(url, index, "message")) {
    ++a.documents;
    ++seen[sequence_of(line.substr(line.find('\t') + 1))];
  }
  for (const auto& [seq, n] : seen)
    if (n > 1 && a.duplicated.size() < 20) a.duplicated.push_back(seq);
  for (int64_t s = 0; s < total; ++s) {
    if (seen.count(s)) ++a.distinct;
    else if (a.missing.size() < 20) a.missing.push_back(s);
  }
  return a;
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

void print_figures(const std::string& test, const std::vector<std::pair<std::string, std::string>>& figures) {
  std::string line = "[figures] " + test + ":";
  for (const auto& [k, v] : figures) line += " " + k + "=" + v;
  std::cout << line << std::endl;
}

}  // namespace logship::testing
