// Runs a FileSource in a thread of the test, collecting what it emits. Batches are
// acknowledged at once (like a sink that always succeeds) unless manual acks are asked for.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/component.h"
#include "shipper/sources/file/file_source.h"

namespace logship::testing {

struct SeenEvent {
  std::string text;
  std::string path;
  uint64_t offset;
  uint32_t flags;
};

class FileSourceHarness : public Emitter {
 public:
  FileSourceHarness(FileSourceConfig config, std::string data_dir, bool once = false, bool auto_ack = true);
  ~FileSourceHarness() override;

  void start();
  // Stops the source (or, in once mode, waits for it to end), joins it and commits
  // checkpoints: what the runtime does at shutdown.
  void stop();
  void emit(BatchPtr batch) override;
  // While blocked, the harness takes nothing, like a pipeline whose sink is down.
  bool try_emit(BatchPtr& batch, std::chrono::milliseconds wait) override;
  void set_blocked(bool blocked);
  std::vector<std::string> health_problems() const { return source_ ? source_->health_problems() : std::vector<std::string>{}; }

  std::vector<SeenEvent> events() const;
  size_t batches() const;  // how many batches the source emitted
  std::vector<std::string> texts() const;
  // Acknowledges every batch held so far (manual mode).
  void ack_all();
  bool wait_for_count(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

 private:
  FileSourceConfig config_;
  std::string data_dir_;
  bool once_;
  bool auto_ack_;
  std::unique_ptr<FileSource> source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<SeenEvent> events_;
  size_t batches_ = 0;
  std::vector<BatchPtr> unacked_;
  bool blocked_ = false;
  std::condition_variable unblocked_;
};

// A source config for tests: short intervals so rotation handling is quick.
FileSourceConfig quick_config(const std::vector<std::string>& include);

// "prefix-0000\n" … numbered lines, for counting what arrived.
std::string numbered_lines(const std::string& prefix, int from, int to);

}  // namespace logship::testing
