#include "tests/unit/shipper/file_source_harness.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/support/test_support.h"

namespace logship::testing {

FileSourceConfig quick_config(const std::vector<std::string>& include) {
  FileSourceConfig c;
  c.include = include;
  c.scan_interval.value = std::chrono::milliseconds(50);
  c.rotate_wait.value = std::chrono::milliseconds(200);
  c.checkpoint_interval.value = std::chrono::milliseconds(50);
  return c;
}

std::string numbered_lines(const std::string& prefix, int from, int to) {
  std::string out;
  char buf[64];
  for (int i = from; i < to; ++i) {
    std::snprintf(buf, sizeof(buf), "%s-%05d\n", prefix.c_str(), i);
    out += buf;
  }
  return out;
}

FileSourceHarness::FileSourceHarness(FileSourceConfig config, std::string data_dir, bool once, bool auto_ack)
    : config_(std::move(config)), data_dir_(std::move(data_dir)), once_(once), auto_ack_(auto_ack) {}

FileSourceHarness::~FileSourceHarness() {
  if (thread_.joinable()) stop();
}

void FileSourceHarness::start() {
  auto r = FileSource::create(config_, BuildContext{"src", data_dir_, "test-host"});
  ASSERT_TRUE(r) << r.error().message;
  source_ = std::move(r.value());
  stop_ = false;
  thread_ = std::thread([this] {
    RunContext ctx{&stop_, once_};
    Status s = source_->run(*this, ctx);
    EXPECT_TRUE(s) << s.error().message;
  });
}

void FileSourceHarness::stop() {
  if (!once_) stop_ = true;  // a --once source ends by itself
  thread_.join();
  source_->finish();
  source_.reset();  // releases the data_dir lock, as the process exit would
}

bool FileSourceHarness::try_emit(BatchPtr& batch, std::chrono::milliseconds wait) {
  {
    std::unique_lock lock(mu_);
    if (!unblocked_.wait_for(lock, wait, [&] { return !blocked_; })) return false;
  }
  emit(std::move(batch));
  return true;
}

void FileSourceHarness::set_blocked(bool blocked) {
  std::lock_guard lock(mu_);
  blocked_ = blocked;
  unblocked_.notify_all();
}

void FileSourceHarness::emit(BatchPtr batch) {
  std::unique_lock lock(mu_);
  unblocked_.wait(lock, [&] { return !blocked_; });
  ++batches_;
  for (const auto& e : batch->events) {
    events_.push_back({std::string(batch->raw_text(e)), batch->origin->path, e.offset, e.flags});
  }
  if (auto_ack_) batch->ack.ack();
  else unacked_.push_back(std::move(batch));
}

void FileSourceHarness::ack_all() {
  std::lock_guard lock(mu_);
  for (auto& b : unacked_) b->ack.ack();
  unacked_.clear();
}

size_t FileSourceHarness::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

std::vector<SeenEvent> FileSourceHarness::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::vector<std::string> FileSourceHarness::texts() const {
  std::vector<std::string> out;
  for (const auto& e : events()) out.push_back(e.text);
  return out;
}

bool FileSourceHarness::wait_for_count(size_t n, std::chrono::milliseconds timeout) const {
  return eventually(
      [&] {
        std::lock_guard lock(mu_);
        return events_.size() >= n;
      },
      timeout);
}

}  // namespace logship::testing
