// Throughput of each parser, the fingerprint, the plain encoder and line framing, on
// generated data. Every benchmark checks its output first (counts, valid JSON, known fields),
// so a wrong answer cannot be fast. Figures are bytes of input per second, one thread.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdlib>
#include <cstdio>

#include "bench/micro/bench_data.h"
#include "core/plain_encoder.h"
#include "parser/json/json_transform.h"
#include "parser/mysql_slowlog/digest.h"
#include "parser/mysql_slowlog/slowlog_transform.h"
#include "parser/multiline/multiline_joiner.h"
#include "parser/rules/rules_transform.h"
#include "parser/sql_fingerprint/fingerprint.h"
#include "shipper/cli/offline_reader.h"
#include "shipper/sources/file/line_framer.h"

namespace logship::bench {
namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "benchmark output check failed: %s\n", what);
    std::abort();
  }
}

// Splits text into 1 MiB batches of lines, as the file source hands them over.
std::vector<BatchPtr> batches_of_lines(const std::string& text) {
  std::vector<BatchPtr> out;
  auto origin = std::make_shared<Origin>();
  origin->source = "bench";
  origin->dataset = "bench";
  origin->path = "/var/log/bench.log";
  origin->host = "bench";
  BatchPtr b;
  LineFramer framer(1 << 20, 0);
  framer.feed(text, [&](std::string_view line, uint64_t off, uint64_t end, uint32_t flags) {
    if (!b) {
      b = std::make_shared<Batch>();
      b->origin = origin;
    }
    b->add_raw_event(line, off, end, flags);
    if (b->raw.size() >= (1 << 20)) out.push_back(std::move(b));
  });
  if (b) out.push_back(std::move(b));
  return out;
}

// Slow log entries assembled the way the source's mysql_slowlog framing does.
std::vector<BatchPtr> batches_of_entries(const std::string& text) {
  std::vector<BatchPtr> out;
  auto lines = batches_of_lines(text);
  MultilineJoiner joiner(slowlog_framing());
  BatchPtr b = std::make_shared<Batch>();
  b->origin = lines[0]->origin;
  auto add = [&](const JoinedEvent& e) {
    b->add_raw_event(e.text, e.offset, e.end_offset, e.flags);
    if (b->raw.size() >= (1 << 20)) {
      out.push_back(std::move(b));
      b = std::make_shared<Batch>();
      b->origin = lines[0]->origin;
    }
  };
  for (const auto& batch : lines)
    for (const auto& e : batch->events) joiner.push(batch->raw_text(e), e.offset, e.end_offset, 0, add);
  joiner.flush(add);
  if (!b->events.empty()) out.push_back(std::move(b));
  return out;
}

void check_json(const Batch& b, std::string_view must_contain) {
  simdjson::dom::parser p;
  for (size_t i = 0; i < b.events.size(); i += 97) {
    simdjson::dom::element doc;
    std::string_view line = b.encoded_text(b.events[i]);
    require(!p.parse(line.data(), line.size() - 1).get(doc), "output is valid JSON");
  }
  require(b.encoded.find(must_contain) != std::string::npos, "output holds the expected field");
}

size_t raw_bytes(const std::vector<BatchPtr>& batches) {
  size_t n = 0;
  for (const auto& b : batches) n += b->raw.size() + b->events.size();  // + the newlines
  return n;
}

void BM_JsonTransform(benchmark::State& state) {
  auto batches = batches_of_lines(json_lines(20000));
  JsonTransformConfig config;
  config.timestamp_field = "ts";
  config.level_field = "level";
  auto t = std::move(JsonTransform::create(config, BuildContext{"bench", "", ""}).value());
  t->encode(*batches[0]);
  check_json(*batches[0], R"("log":{"file":{"path":"/var/log/bench.log"},"offset":0,"level":)");
  require(batches[0]->encoded.find("json_parse_error") == std::string::npos, "every line parses");
  for (auto _ : state) {
    for (auto& b : batches) {
      b->is_encoded = false;
      t->encode(*b);
    }
    benchmark::DoNotOptimize(batches.back()->encoded.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw_bytes(batches)));
}
BENCHMARK(BM_JsonTransform)->Unit(benchmark::kMillisecond);

void BM_RulesNginx(benchmark::State& state) {
  auto batches = batches_of_lines(nginx_lines(20000));
  auto t = std::move(RulesTransform::create({{"nginx"}, false}, BuildContext{"bench", "", ""}).value());
  t->encode(*batches[0]);
  check_json(*batches[0], R"("http":{"request":{"method":"GET","referrer":"https://example.com/"})");
  require(batches[0]->encoded.find("unparsed") == std::string::npos, "every line matches");
  for (auto _ : state) {
    for (auto& b : batches) t->encode(*b);
    benchmark::DoNotOptimize(batches.back()->encoded.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw_bytes(batches)));
}
BENCHMARK(BM_RulesNginx)->Unit(benchmark::kMillisecond);

void BM_SlowlogParseAndEncode(benchmark::State& state) {
  std::string text = slowlog(20000);
  auto batches = batches_of_entries(text);
  auto t = std::move(SlowlogTransform::create({}, BuildContext{"bench", "", ""}).value());
  size_t entries = 0;
  for (auto& b : batches) entries += b->events.size();
  require(entries == 20001, "20000 entries and the header");
  t->encode(*batches[0]);
  check_json(*batches[0], R"("fingerprint":"select * from)");
  for (auto _ : state) {
    for (auto& b : batches) t->encode(*b);
    benchmark::DoNotOptimize(batches.back()->encoded.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SlowlogParseAndEncode)->Unit(benchmark::kMillisecond);

// What `logship digest` does per byte: framing, entry parsing, fingerprint, aggregation.
void BM_SlowlogDigest(benchmark::State& state) {
  std::string text = slowlog(20000);
  SlowlogEntry entry;
  for (auto _ : state) {
    QueryDigest digest;
    auto batches = batches_of_entries(text);
    for (auto& b : batches)
      for (const auto& e : b->events) {
        parse_slowlog_entry(b->raw_text(e), entry);
        digest.add(entry);
      }
    require(digest.total_queries() == 20000, "every entry counted");
    benchmark::DoNotOptimize(digest.ranked().size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SlowlogDigest)->Unit(benchmark::kMillisecond);

void BM_Fingerprint(benchmark::State& state) {
  std::vector<std::string> queries = {
      "SELECT * FROM orders WHERE id = 42",
      "SELECT id, status FROM orders WHERE user_id IN (1, 2, 3, 4) ORDER BY id ASC LIMIT 10",
      "UPDATE users SET status = 'paid', updated_at = NOW() WHERE id = 123456",
      "INSERT INTO invoices (user_id, status, total) VALUES (12, 'new', 12.50), (13, 'new', 3.10)",
  };
  Fingerprinter fp;
  require(fp.fingerprint(queries[1]) == "select id, status from orders where user_id in(?+) order by id limit ?", "fingerprint");
  size_t bytes = 0;
  for (const auto& q : queries) bytes += q.size();
  for (auto _ : state) {
    for (const auto& q : queries) benchmark::DoNotOptimize(fp.fingerprint(q).data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_Fingerprint);

void BM_PlainEncoder(benchmark::State& state) {
  auto batches = batches_of_lines(nginx_lines(20000));
  encode_plain(*batches[0]);
  check_json(*batches[0], R"("event":{"id":")");
  for (auto _ : state) {
    for (auto& b : batches) {
      b->is_encoded = false;
      encode_plain(*b);
    }
    benchmark::DoNotOptimize(batches.back()->encoded.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw_bytes(batches)));
}
BENCHMARK(BM_PlainEncoder)->Unit(benchmark::kMillisecond);

void BM_LineFraming(benchmark::State& state) {
  std::string text = json_lines(20000);
  for (auto _ : state) {
    LineFramer framer(1 << 20, 0);
    size_t lines = 0;
    for (size_t i = 0; i < text.size(); i += 256 * 1024)
      framer.feed(std::string_view(text).substr(i, 256 * 1024), [&](std::string_view, uint64_t, uint64_t, uint32_t) { ++lines; });
    require(lines == 20000, "every line framed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LineFraming)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace logship::bench

BENCHMARK_MAIN();
