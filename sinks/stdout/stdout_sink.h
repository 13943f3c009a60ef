// `type: stdout` sink: NDJSON on standard output, for trying pipelines out and for piping into
// other tools. A closed pipe (EPIPE) is a permanent failure: its events are rejected (dead
// letters) and logship says so once; other write errors are retried.
#pragma once

#include <memory>

#include "core/component.h"
#include "sinks/fd_writer.h"

namespace logship {

struct StdoutSinkConfig {};

class StdoutSink final : public SyncSink {
 public:
  static const Schema<StdoutSinkConfig>& schema();
  static Result<std::unique_ptr<StdoutSink>> create(const StdoutSinkConfig& config, const BuildContext& ctx);
  DeliveryReport write(const Delivery& delivery) override;

 private:
  explicit StdoutSink(std::string name) : name_(std::move(name)) {}
  std::string name_;
  bool reported_ = false;
  std::vector<iovec> iov_;
};

}  // namespace logship
