// Long outages with rotation, against the real servers: apps keep writing and their logs keep
// rotating while Kafka (or OpenSearch, behind an indexer) is away. Back-pressure must pause
// reading only: files that appear and are rotated away meanwhile are held and delivered
// afterwards, a restart in the middle finds them again, and max_open_files is never silent.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "clients/elasticsearch/es_connection.h"
#include "core/plain_encoder.h"
#include "tests/integration/kafka_broker.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;

// Apps writing JSON lines with a unique sequence number to `files` logs in `dir`, each rotated
// by rename every 2-5 s (app-K.json.log -> app-K.json.log.1, or .N with `unique_names`, which
// keeps every generation on disk), the app reopening its log right after, as with logrotate's
// `create` and a reopen signal.
class RotatingWriter {
 public:
  RotatingWriter(std::string dir, int files, int lines_per_second, bool unique_names)
      : dir_(std::move(dir)), files_(files), rate_(lines_per_second), unique_(unique_names) {}
  ~RotatingWriter() { stop(); }

  void start() {
    for (int k = 0; k < files_; ++k) fds_.push_back(open_log(k));
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    running_.store(false);
    if (thread_.joinable()) thread_.join();
    for (int fd : fds_) ::close(fd);
    fds_.clear();
  }
  // Once, for file 0, while the writer is paused: copy it aside (out of the glob) and truncate
  // it, after `ready` says logship has read it to its end.
  void copytruncate_once(const std::function<bool(const std::string& path, uint64_t size)>& ready) {
    std::lock_guard lock(mu_);
    std::string path = log_path(0);
    uint64_t size = std::filesystem::file_size(path);
    ASSERT_TRUE(testing::eventually([&] { return ready(path, size); }, 60s)) << "logship did not read " << path;
    std::filesystem::copy_file(path, path + ".copied", std::filesystem::copy_options::overwrite_existing);
    ASSERT_EQ(::ftruncate(fds_[0], 0), 0);
  }
  int64_t written() const { return next_seq_.load(); }
  int rotations() const { return rotations_.load(); }

 private:
  std::string log_path(int k) const { return dir_ + "/app-" + std::to_string(k) + ".json.log"; }
  int open_log(int k) const { return ::open(log_path(k).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644); }

  void run() {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> period_ms(2000, 5000);
    std::vector<std::chrono::steady_clock::time_point> next_rotation;
    auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < files_; ++k) next_rotation.push_back(start + std::chrono::milliseconds(period_ms(rng)));
    std::vector<int> generation(files_, 0);
    std::string pad(100, 'p');
    int64_t sent = 0;
    while (running_.load()) {
      std::this_thread::sleep_for(20ms);
      std::lock_guard lock(mu_);
      auto now = std::chrono::steady_clock::now();
      // Lines due by now at `rate_` per second, spread over the files.
      int64_t due = static_cast<int64_t>(std::chrono::duration<double>(now - start).count() * rate_);
      std::vector<std::string> chunks(files_);
      for (; sent < due; ++sent) {
        int64_t seq = next_seq_.fetch_add(1);
        int k = static_cast<int>(seq % files_);
        chunks[k] += "{\"seq\":" + std::to_string(seq) + ",\"file\":" + std::to_string(k) + ",\"pad\":\"" + pad + "\"}\n";
      }
      for (int k = 0; k < files_; ++k) {
        if (chunks[k].empty()) continue;
        ASSERT_EQ(::write(fds_[k], chunks[k].data(), chunks[k].size()), static_cast<ssize_t>(chunks[k].size()));
      }
      for (int k = 0; k < files_; ++k) {
        if (now < next_rotation[k]) continue;
        std::string to = log_path(k) + "." + std::to_string(unique_ ? ++generation[k] : 1);
        std::filesystem::rename(log_path(k), to);
        ::close(fds_[k]);
        fds_[k] = open_log(k);
        ++rotations_;
        next_rotation[k] = now + std::chrono::milliseconds(period_ms(rng));
      }
    }
  }

  std::string dir_;
  int files_;
  int rate_;
  bool unique_;
  std::vector<int> fds_;
  std::thread thread_;
  std::mutex mu_;
  std::atomic<bool> running_{true};
  std::atomic<int64_t> next_seq_{0};
  std::atomic<int> rotations_{0};
};

// What arrived, by sequence number, with the event id of each copy.
struct Arrivals {
  std::map<int64_t, std::set<std::string>> ids;  // seq -> distinct event ids
  size_t copies = 0;
  size_t duplicates() const { return copies - ids.size(); }
};

Arrivals arrivals_in_topic(const std::string& bootstrap, size_t expected) {
  Arrivals a;
  simdjson::dom::parser parser;
  simdjson::dom::parser inner;
  for (const auto& m : testing::consume_all(bootstrap, "logs.app", expected, 240s)) {
    // The sidecar ships each line as `message`: its sequence number is inside.
    simdjson::dom::element e, line;
    std::string_view message;
    int64_t seq = 0;
    if (parser.parse(m.value).get(e) || e["message"].get(message) || inner.parse(std::string(message)).get(line) || line["seq"].get(seq)) continue;
    std::string_view id, dataset;
    find_event_metadata(m.value, id, dataset);
    a.ids[seq].insert(std::string(id));
    ++a.copies;
  }
  return a;
}

// "missing: 1200-1300 (file 0) …" for a failure message: the first few runs of missing lines.
std::string missing_ranges(const Arrivals& a, size_t written) {
  std::string out = "missing:";
  int runs = 0;
  for (size_t seq = 0; seq < written && runs < 20;) {
    if (a.ids.count(static_cast<int64_t>(seq))) {
      ++seq;
      continue;
    }
    size_t end = seq;
    while (end < written && !a.ids.count(static_cast<int64_t>(end))) end += 1;
    out += " " + std::to_string(seq) + "-" + std::to_string(end - 1);
    ++runs;
    seq = end;
  }
  return out + "\n";
}

long peak_rss_kib(pid_t pid) {
  std::string status = testing::read_file("/proc/" + std::to_string(pid) + "/status");
  size_t at = status.find("VmHWM:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

class OutageTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "logs"); }

  std::string sidecar(const std::string& bootstrap, const std::string& extra_source = "") {
    return "data_dir: " + dir_ / "data" + "\nshutdown_timeout: 5s\napi: {address: '127.0.0.1:0', max_blocked: 5s}\n"
           "sources:\n  app:\n    type: file\n    include: ['" + dir_ / "logs/*.json.log" + "']\n    dataset: app\n"
           "    rotate_wait: 1s\n" + extra_source +
           "sinks:\n  kafka:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " + bootstrap +
           "\n    topic: 'logs.{{ event.dataset }}'\n";
  }
  std::string api_url(const std::string& err_path) {
    std::string url;
    EXPECT_TRUE(testing::eventually([&] { return !(url = testing::api_url_in_log(testing::read_file(err_path))).empty(); }, 30s));
    return url;
  }
  // The sum of a gauge over its series in /metrics (-1 when the endpoint does not answer).
  static double gauge(EsClient& api, const std::string& name) {
    EsResponse r = api.request("GET", "/metrics");
    if (!r.ok()) return -1;
    double sum = 0;
    for (const auto& line : testing::split_lines(r.body))
      if (line.rfind(name + "{", 0) == 0 || line.rfind(name + " ", 0) == 0) sum += std::stod(line.substr(line.rfind(' ') + 1));
    return sum;
  }

  testing::TempDir dir_;
};

TEST_F(OutageTest, RotationDuringASixtySecondBrokerOutageLosesNoLine) {
  testing::KafkaBroker broker(dir_ / "kafka");
  ASSERT_TRUE(broker.start()) << testing::read_file(dir_ / "kafka.start.err");
  ASSERT_EQ(testing::create_topic(broker.bootstrap(), "logs.app", 3), "");
  testing::write_file(dir_ / "p.yaml", sidecar(broker.bootstrap()));
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  EsConnection conn;
  conn.endpoints = {api_url(dir_ / "logship.err")};
  EsClient api(conn);
  RotatingWriter writer(dir_ / "logs", 3, 4000, /*unique_names=*/false);
  writer.start();
  std::this_thread::sleep_for(3s);
  // Once by copytruncate, while logship keeps up (during an outage the bytes it has not read
  // would be truncated away: that is copytruncate's own race, see the README).
  writer.copytruncate_once([&](const std::string& path, uint64_t size) {
    EsResponse r = api.request("GET", "/metrics");
    std::string series = "logship_file_read_offset_bytes{component=\"app\",path=\"" + path + "\"} ";
    size_t at = r.body.find(series);
    return at != std::string::npos && std::stoull(r.body.substr(at + series.size())) >= size;
  });
  std::this_thread::sleep_for(2s);
  broker.stop();
  auto outage_start = std::chrono::steady_clock::now();
  double most_held = 0, most_lag = 0;
  while (std::chrono::steady_clock::now() - outage_start < 60s) {
    most_held = std::max(most_held, gauge(api, "logship_file_open_files"));
    most_lag = std::max(most_lag, gauge(api, "logship_file_lag_bytes"));
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_GE(most_held, 6) << "the files rotated during the outage were held";
  EXPECT_GT(most_lag, 10e6) << "the lag grew during the outage";
  ASSERT_TRUE(broker.restart_same_port()) << testing::read_file(dir_ / "kafka.restart.err");
  std::this_thread::sleep_for(5s);
  writer.stop();
  size_t written = static_cast<size_t>(writer.written());
  Arrivals got = arrivals_in_topic(broker.bootstrap(), written);
  long rss = peak_rss_kib(p.pid());
  std::cout << "[ info ] broker outage 60 s, 3 files rotated " << writer.rotations() << " times and once by copytruncate: lines written " << written
            << ", delivered " << got.ids.size() << ", duplicates " << got.duplicates() << ", peak RSS " << rss / 1024.0 << " MiB, most files held "
            << most_held << ", most lag " << most_lag / 1e6 << " MB\n";
  EXPECT_EQ(got.ids.size(), written) << missing_ranges(got, written) << testing::read_file(dir_ / "logship.err").substr(0, 20000);
  for (const auto& [seq, ids] : got.ids) EXPECT_EQ(ids.size(), 1u) << "a duplicate of " << seq << " with another event id";
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(rss, 200 * 1024);  // the sidecar's budget; AddressSanitizer's shadow and quarantine double it
#endif
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(60s), 0);
}

TEST_F(OutageTest, ASidecarRestartedDuringTheOutageFindsAndFinishesTheRotatedFiles) {
  testing::KafkaBroker broker(dir_ / "kafka");
  ASSERT_TRUE(broker.start()) << testing::read_file(dir_ / "kafka.start.err");
  ASSERT_EQ(testing::create_topic(broker.bootstrap(), "logs.app", 3), "");
  testing::write_file(dir_ / "p.yaml", sidecar(broker.bootstrap()));
  RotatingWriter writer(dir_ / "logs", 3, 2000, /*unique_names=*/true);
  writer.start();
  {
    testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship1.err");
    std::this_thread::sleep_for(3s);
    broker.stop();
    std::this_thread::sleep_for(15s);  // rotations while the broker is away
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait(60s), 0) << testing::read_file(dir_ / "logship1.err");
  }
  testing::Process again({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship2.err");
  std::this_thread::sleep_for(15s);  // more rotations, still without a broker
  ASSERT_TRUE(broker.restart_same_port()) << testing::read_file(dir_ / "kafka.restart.err");
  std::this_thread::sleep_for(3s);
  writer.stop();
  size_t written = static_cast<size_t>(writer.written());
  Arrivals got = arrivals_in_topic(broker.bootstrap(), written);
  std::cout << "[ info ] restart during a broker outage, " << writer.rotations() << " rotations: lines written " << written << ", delivered "
            << got.ids.size() << ", duplicates " << got.duplicates() << "\n";
  std::string log2 = testing::read_file(dir_ / "logship2.err");
  EXPECT_NE(log2.find("found a file rotated while stopped"), std::string::npos) << log2;
  EXPECT_EQ(got.ids.size(), written) << missing_ranges(got, written) << log2.substr(0, 20000);
  for (const auto& [seq, ids] : got.ids) EXPECT_EQ(ids.size(), 1u) << "a duplicate of " << seq << " with another event id";
  again.signal(SIGTERM);
  EXPECT_EQ(again.wait(60s), 0);
}

TEST_F(OutageTest, MaxOpenFilesReachedIsLoggedCountedAndReportedByHealth) {
  // A broker that is never there: everything read stays unacknowledged, nothing is released.
  for (int i = 0; i < 5; ++i) testing::write_file(dir_ / ("logs/f" + std::to_string(i) + ".json.log"), "{\"seq\":" + std::to_string(i) + "}\n");
  testing::write_file(dir_ / "p.yaml", sidecar("127.0.0.1:1", "    max_open_files: 3\n"));
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  EsConnection conn;
  conn.endpoints = {api_url(dir_ / "logship.err")};
  EsClient api(conn);
  ASSERT_TRUE(testing::eventually([&] { return gauge(api, "logship_file_skipped_files_total") == 2; }, 30s));
  EXPECT_EQ(gauge(api, "logship_file_open_files"), 3);
  EsResponse health = api.request("GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find("max_open_files (3) reached, 2 matching files not held"), std::string::npos) << health.body;
  std::string log = testing::read_file(dir_ / "logship.err");
  EXPECT_NE(log.find("max_open_files reached"), std::string::npos) << log;
  size_t first = log.find("max_open_files reached");
  EXPECT_EQ(log.find("max_open_files reached", first + 1), std::string::npos) << "said once per spell";
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(60s), 0);
}

TEST_F(OutageTest, RotationDuringAnOpenSearchOutageBehindAnIndexerLosesNothing) {
  testing::KafkaBroker broker(dir_ / "kafka");
  ASSERT_TRUE(broker.start()) << testing::read_file(dir_ / "kafka.start.err");
  ASSERT_EQ(testing::create_topic(broker.bootstrap(), "logs.app", 3), "");
  testing::OpenSearchNode node(dir_ / "os");
  ASSERT_TRUE(node.start()) << testing::read_file(dir_ / "os.start.err");
  testing::write_file(dir_ / "sidecar.yaml", sidecar(broker.bootstrap()));
  testing::write_file(dir_ / "indexer.yaml",
                      "data_dir: " + dir_ / "idx" + "\nshutdown_timeout: 5s\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " +
                          broker.bootstrap() + "\n    group_id: indexer\n    topics: [logs.app]\n"
                          "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + node.url() +
                          "']\n    retry: {initial: 100ms, max: 2s}\n");
  testing::Process sidecar_p({testing::logship_binary(), "run", "-c", dir_ / "sidecar.yaml"}, dir_ / "sidecar.err");
  testing::Process indexer_p({testing::logship_binary(), "run", "-c", dir_ / "indexer.yaml"}, dir_ / "indexer.err");
  RotatingWriter writer(dir_ / "logs", 3, 1500, /*unique_names=*/false);
  writer.start();
  ASSERT_TRUE(testing::eventually([&] { return node.count("logs-app-default") > 1000; }, 120s)) << testing::read_file(dir_ / "indexer.err");
  node.stop();
  std::this_thread::sleep_for(60s);
  ASSERT_TRUE(node.restart_same_port()) << testing::read_file(dir_ / "os.restart.err");
  std::this_thread::sleep_for(3s);
  writer.stop();
  int64_t written = writer.written();
  bool all = testing::eventually([&] { return node.count("logs-app-default") >= written; }, 300s);
  int64_t stored = node.count("logs-app-default");
  // The sidecar ships each line as `message`: its sequence number is inside.
  std::set<int64_t> seqs;
  simdjson::dom::parser parser;
  for (const auto& message : node.values_of("logs-app-default", "message")) {
    simdjson::dom::element e;
    int64_t seq = 0;
    if (!parser.parse(message).get(e) && !e["seq"].get(seq)) seqs.insert(seq);
  }
  std::cout << "[ info ] OpenSearch outage 60 s behind an indexer, " << writer.rotations() << " rotations: lines written " << written
            << ", documents stored " << stored << ", distinct lines " << seqs.size() << "\n";
  EXPECT_TRUE(all) << testing::read_file(dir_ / "indexer.err").substr(0, 20000);
  EXPECT_EQ(stored, written) << "every line once";
  EXPECT_EQ(static_cast<int64_t>(seqs.size()), written);
  EXPECT_NE(testing::read_file(dir_ / "indexer.err").find("events will be sent again"), std::string::npos);
  indexer_p.signal(SIGTERM);
  sidecar_p.signal(SIGTERM);
  EXPECT_EQ(indexer_p.wait(60s), 0);
  EXPECT_EQ(sidecar_p.wait(60s), 0);
}

}  // namespace
}  // namespace logship
