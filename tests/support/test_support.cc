#include "tests/support/test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace logship::testing {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st.st_mode & 07777;
}

UmaskZero::UmaskZero() : old_(::umask(0)) {}
UmaskZero::~UmaskZero() { ::umask(old_); }

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/logship-test-XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  // LOGSHIP_KEEP_TEST_DIRS=1 leaves them (logs, data_dir, server folders) to look at after a failure.
  if (const char* keep = std::getenv("LOGSHIP_KEEP_TEST_DIRS"); keep && *keep && std::string(keep) != "0") return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

void append_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << content;
}

std::string api_url_in_log(const std::string& log) {
  size_t listening = log.find("api listening");
  if (listening == std::string::npos) return "";
  constexpr std::string_view kAddress = "address=127.0.0.1:";
  size_t at = log.find(kAddress, listening);
  if (at == std::string::npos) return "";
  at += kAddress.size();
  std::string line = log.substr(listening, log.find('\n', listening) - listening);
  std::string scheme = line.find("scheme=https") != std::string::npos ? "https" : "http";
  return scheme + "://127.0.0.1:" + log.substr(at, log.find_first_of(" \n", at) - at);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> split_lines(const std::string& text, bool sorted) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (sorted) std::sort(out.begin(), out.end());
  return out;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

std::vector<std::string> messages_of(const std::string& ndjson_path, int* not_json) {
  std::vector<std::string> out;
  simdjson::ondemand::parser parser;
  for (const std::string& line : read_lines(ndjson_path)) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view message;
    if (parser.iterate(padded).get(doc) || doc["message"].get_string().get(message)) {
      if (!not_json) throw std::runtime_error("not a JSON event with a message: " + line);
      ++*not_json;
      continue;
    }
    out.emplace_back(message);
  }
  return out;
}

namespace {

void flatten(simdjson::dom::element e, const std::string& path, FlatEvent& out) {
  if (e.type() == simdjson::dom::element_type::OBJECT) {
    for (auto [key, value] : e.get_object()) flatten(value, path.empty() ? std::string(key) : path + "." + std::string(key), out);
    return;
  }
  if (e.type() == simdjson::dom::element_type::STRING) out[path] = std::string(e.get_string().value());
  else out[path] = simdjson::minify(e);
}

}  // namespace

std::vector<FlatEvent> flat_events_of(const std::string& ndjson_path) {
  std::vector<FlatEvent> events;
  simdjson::dom::parser parser;
  for (const std::string& line : read_lines(ndjson_path)) {
    FlatEvent ev;
    flatten(parser.parse(line), "", ev);
    events.push_back(std::move(ev));
  }
  return events;
}

Process::Process(const std::vector<std::string>& argv, const std::string& stderr_path, const std::string& stdout_path) {
  pid_ = ::fork();
  if (pid_ == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!stderr_path.empty()) {
      int fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
    }
    if (!stdout_path.empty()) {
      int fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void Process::signal(int sig) const { ::kill(pid_, sig); }

bool Process::running() {
  if (reaped_) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    status_ = status;
    return false;
  }
  return true;
}

int Process::wait(std::chrono::milliseconds timeout) {
  if (!eventually([&] { return !running(); }, timeout)) return -1;
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

std::string logship_binary() { return LOGSHIP_BINARY; }

CommandResult run_logship(const std::vector<std::string>& args) {
  TempDir tmp;
  std::vector<std::string> argv{logship_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, tmp / "err", tmp / "out");
  int code = p.wait();
  return {code, read_file(tmp / "out"), read_file(tmp / "err")};
}

std::string run_for_value(const std::vector<std::string>& argv, const std::string& log_prefix, const std::string& key,
                          std::chrono::seconds timeout) {
  Process p(argv, log_prefix + ".err", log_prefix + ".out");
  if (p.wait(timeout) != 0) return "";
  std::string out = read_file(log_prefix + ".out");
  size_t at = out.find(key + "=");
  if (at == std::string::npos) return "";
  std::string value = out.substr(at + key.size() + 1);
  return value.substr(0, value.find_first_of("\r\n"));
}

}  // namespace logship::testing
