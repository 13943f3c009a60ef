// `logship fingerprint` and `logship digest`: the slow log tools for people.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <thread>
#include <iostream>

#include "core/json_writer.h"
#include "parser/mysql_slowlog/digest.h"
#include "parser/sql_fingerprint/fingerprint.h"
#include "shipper/cli/commands.h"
#include "shipper/cli/offline_reader.h"

namespace logship {
namespace {

std::string format_time(int64_t unix_seconds) {
  if (unix_seconds < 0) return "-";
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_seconds(double s) {
  char buf[32];
  if (s >= 100) std::snprintf(buf, sizeof(buf), "%.0fs", s);
  else if (s >= 1) std::snprintf(buf, sizeof(buf), "%.2fs", s);
  else if (s >= 0.001) std::snprintf(buf, sizeof(buf), "%.1fms", s * 1e3);
  else std::snprintf(buf, sizeof(buf), "%.0fus", s * 1e6);
  return buf;
}

std::string one_line(std::string_view s, size_t max) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      if (!space && !out.empty()) out.push_back(' ');
      space = true;
      continue;
    }
    space = false;
    out.push_back(c);
    if (out.size() >= max) {
      out += "...";
      break;
    }
  }
  return out;
}

// A progress bar on stderr, only when it is a terminal and the input is large.
class Progress {
 public:
  explicit Progress(uint64_t total) : enabled_(::isatty(STDERR_FILENO) && total > (64ull << 20)), total_(total) {}
  void update(uint64_t done) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    int pct = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_));
    std::fprintf(stderr, "\rdigest: [%-40s] %3d%%  %llu/%llu MiB", std::string(static_cast<size_t>(pct * 40 / 100), '#').c_str(),
                 pct, static_cast<unsigned long long>(done >> 20), static_cast<unsigned long long>(total_ >> 20));
  }
  void done() {
    if (enabled_) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  bool enabled_;
  uint64_t total_;
  std::chrono::steady_clock::time_point last_;
};

void print_table(const QueryDigest& digest, size_t limit) {
  auto classes = digest.ranked();
  std::printf("# %llu queries, %zu distinct fingerprints, %s total query time\n",
              static_cast<unsigned long long>(digest.total_queries()), classes.size(),
              format_seconds(digest.total_time()).c_str());
  std::printf("%-4s %-18s %9s %6s %7s %9s %9s %9s %9s %12s %14s  %-20s %-20s  %s\n", "Rank", "Query ID", "Total", "%",
              "Calls", "Mean", "p95", "Max", "Lock", "Rows sent", "Rows examined", "First seen", "Last seen", "Fingerprint");
  for (size_t i = 0; i < classes.size() && i < limit; ++i) {
    const QueryClass& c = *classes[i];
    double pct = digest.total_time() > 0 ? 100.0 * c.total_time / digest.total_time() : 0;
    std::printf("%-4zu 0x%-16.16s %9s %5.1f%% %7llu %9s %9s %9s %9s %12llu %14llu  %-20s %-20s  %s\n", i + 1, c.id.c_str(),
                format_seconds(c.total_time).c_str(), pct, static_cast<unsigned long long>(c.count),
                format_seconds(c.mean_time()).c_str(), format_seconds(c.p95_time()).c_str(),
                format_seconds(c.max_time).c_str(), format_seconds(c.total_lock).c_str(),
                static_cast<unsigned long long>(c.rows_sent), static_cast<unsigned long long>(c.rows_examined),
                format_time(c.first_seen).c_str(), format_time(c.last_seen).c_str(), one_line(c.fingerprint, 60).c_str());
  }
  std::printf("\n# Samples (the slowest statement of each class)\n");
  for (size_t i = 0; i < classes.size() && i < limit; ++i) {
    const QueryClass& c = *classes[i];
    std::printf("%-4zu %s%s%s\n", i + 1, c.schema.empty() ? "" : ("[" + c.schema + "] ").c_str(), one_line(c.sample, 200).c_str(), "");
  }
}

void print_json(const QueryDigest& digest, size_t limit) {
  std::string out = "[";
  auto classes = digest.ranked();
  char buf[64];
  auto num = [&](const char* key, double v) {
    std::snprintf(buf, sizeof(buf), ",\"%s\":%.6f", key, v);
    out += buf;
  };
  for (size_t i = 0; i < classes.size() && i < limit; ++i) {
    const QueryClass& c = *classes[i];
    if (i) out += ",";
    out += "\n{\"rank\":" + std::to_string(i + 1) + ",\"id\":\"" + c.id + "\",\"fingerprint\":";
    append_json_string(out, c.fingerprint);
    out += ",\"count\":" + std::to_string(c.count);
    num("total_time_sec", c.total_time);
    num("mean_time_sec", c.mean_time());
    num("p95_time_sec", c.p95_time());
    num("max_time_sec", c.max_time);
    num("total_lock_sec", c.total_lock);
    out += ",\"rows_sent\":" + std::to_string(c.rows_sent) + ",\"rows_examined\":" + std::to_string(c.rows_examined);
    out += ",\"first_seen\":" + (c.first_seen < 0 ? std::string("null") : "\"" + format_time(c.first_seen) + "\"");
    out += ",\"last_seen\":" + (c.last_seen < 0 ? std::string("null") : "\"" + format_time(c.last_seen) + "\"");
    out += ",\"schema\":";
    append_json_string(out, c.schema);
    // Names are merged as written in JSON: two invalid byte sequences both become U+FFFD.
    std::map<std::string, uint64_t> databases;
    for (const auto& [name, n] : c.databases) {
      std::string key;
      append_json_string(key, name);
      databases[key] += n;
    }
    out += ",\"databases\":{";
    for (const auto& [key, n] : databases) {
      if (out.back() != '{') out += ",";
      out += key + ":" + std::to_string(n);
    }
    out += "}";
    if (c.other_databases) out += ",\"other_databases\":" + std::to_string(c.other_databases);
    out += ",\"sample\":";
    append_json_string(out, c.sample);
    out += "}";
  }
  out += "\n]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

int command_fingerprint(const std::vector<std::string>& args) {
  Fingerprinter fp;
  auto print = [&](std::string_view query) {
    std::string_view f = fp.fingerprint(query);
    std::string line(f);
    line += '\t';
    append_query_id(line, f);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  };
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--query" && i + 1 < args.size()) {
      print(args[i + 1]);
      return 0;
    }
    std::cerr << "logship fingerprint: unknown argument '" << args[i] << "'\n";
    print_command_help("fingerprint");
    return 2;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    print(line);
  }
  return 0;
}

namespace {

// A batch's entries, parsed and fingerprinted (the batch stays alive: the samples point into it).
struct Reduced {
  BatchPtr batch;
  std::vector<DigestSample> samples;
};

Reduced reduce_batch(BatchPtr batch) {
  thread_local Fingerprinter fingerprinter;
  thread_local SlowlogEntry entry;
  Reduced r{std::move(batch), {}};
  r.samples.resize(r.batch->events.size());
  for (size_t i = 0; i < r.samples.size(); ++i) {
    parse_slowlog_entry(r.batch->raw_text(r.batch->events[i]), entry);
    QueryDigest::sample_of(entry, fingerprinter, r.samples[i], r.batch->events[i].flags & kFlagPartial);
  }
  return r;
}

}  // namespace

int command_digest(const std::vector<std::string>& args) {
  std::string format = "table";
  size_t limit = 20;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) format = args[++i];
    else if (args[i] == "--limit" && i + 1 < args.size()) limit = std::strtoul(args[++i].c_str(), nullptr, 10);
    else if (args[i].rfind("--", 0) == 0) {
      std::cerr << "logship digest: unknown argument '" << args[i] << "'\n";
      print_command_help("digest");
      return 2;
    } else files.push_back(args[i]);
  }
  if (format != "table" && format != "json") {
    std::cerr << "logship digest: --format must be table or json\n";
    return 2;
  }
  if (files.empty()) files.push_back("-");
  uint64_t total_bytes = 0;
  for (const auto& f : files) {
    struct stat st;
    if (f != "-" && ::stat(f.c_str(), &st) == 0) total_bytes += static_cast<uint64_t>(st.st_size);
  }
  Progress progress(total_bytes);
  uint64_t done_before = 0;
  QueryDigest digest;
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  int status = 0;
  for (const auto& f : files) {
    int fd = f == "-" ? STDIN_FILENO : ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "logship digest: cannot open " << f << ": " << std::strerror(errno) << "\n";
      status = 1;
      continue;
    }
    OfflineReaderOptions options;
    options.multiline = slowlog_framing();
    options.progress = [&](uint64_t n) { progress.update(done_before + n); };
    // Parsing and fingerprinting run on every core, one batch per task; the digest takes the
    // results in log order (entries without a time take the one before them).
    std::deque<std::future<Reduced>> in_flight;
    auto take_oldest = [&] {
      Reduced r = in_flight.front().get();
      in_flight.pop_front();
      for (const auto& sample : r.samples) digest.add(sample);
    };
    Status s = read_batches(fd, f, options, [&](BatchPtr batch) {
      in_flight.push_back(std::async(std::launch::async, reduce_batch, std::move(batch)));
      if (in_flight.size() > 2 * workers) take_oldest();
    });
    while (!in_flight.empty()) take_oldest();
    struct stat st;
    if (::fstat(fd, &st) == 0) done_before += static_cast<uint64_t>(st.st_size);
    if (fd != STDIN_FILENO) ::close(fd);
    if (!s) {
      std::cerr << "logship digest: " << s.error().message << "\n";
      status = 1;
    }
  }
  progress.done();
  if (format == "json") print_json(digest, limit);
  else print_table(digest, limit);
  return status;
}

}  // namespace logship
