// Helpers shared by the test suites: temporary folders, file writing, polling for a condition
// (instead of sleeping), and running the logship binary as a child process.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace logship::testing {

// The permission bits of `path` itself (a link is not followed).
mode_t mode_of(const std::string& path);

// A umask of 0 while it lives (inherited by processes started meanwhile): what the code under
// test creates would be 0666 / 0777 unless it sets the mode itself.
class UmaskZero {
 public:
  UmaskZero();
  ~UmaskZero();
  UmaskZero(const UmaskZero&) = delete;
  UmaskZero& operator=(const UmaskZero&) = delete;

 private:
  mode_t old_;
};

// A fresh folder under $TMPDIR, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& content);
void append_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);

// "a\nb\n" -> {"a", "b"}; with `sorted`, in sorted order (to compare line sets).
std::vector<std::string> split_lines(const std::string& text, bool sorted = false);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

// "http://127.0.0.1:<port>" once `logship run`'s stderr says "api listening" (the address it
// bound for `api: {address: '127.0.0.1:0'}`), "" before that.
std::string api_url_in_log(const std::string& log);

// The `message` of every NDJSON line of a file, parsed with simdjson. A line that is not a JSON
// object with a message throws, unless `not_json` is given: then it is counted there.
std::vector<std::string> messages_of(const std::string& ndjson_path, int* not_json = nullptr);

// One shipped event: its fields by dotted path, strings as their text, anything else as JSON
// ("4242", "[\"truncated\"]").
using FlatEvent = std::map<std::string, std::string>;
// Every NDJSON line of a file as a FlatEvent (a line that is not JSON throws).
std::vector<FlatEvent> flat_events_of(const std::string& ndjson_path);

// A child process; killed with SIGKILL at destruction if still running.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& stderr_path = "",
          const std::string& stdout_path = "");
  ~Process();
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for exit; returns the exit code, or 128+signal, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  bool running();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
};

// Runs a script that starts a server and prints KEY=value (scripts/kafka-broker,
// scripts/opensearch-node); stderr and stdout go to `log_prefix`.err / .out. Returns the value,
// or "" when the script failed or printed no such line.
std::string run_for_value(const std::vector<std::string>& argv, const std::string& log_prefix, const std::string& key,
                          std::chrono::seconds timeout);

// The binary under test (build/logship of the same build).
std::string logship_binary();

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
CommandResult run_logship(const std::vector<std::string>& args);

}  // namespace logship::testing
