// `type: stdout` sink: NDJSON on standard output, for trying pipelines out and for piping into
// other tools. A closed pipe (EPIPE) is a permanent failure: logship says so and drops.
#pragma once

#include <memory>

#include "core/component.h"

namespace logship {

struct StdoutSinkConfig {};

class StdoutSink final : public Sink {
 public:
  static const Schema<StdoutSinkConfig>& schema();
  static Result<std::unique_ptr<StdoutSink>> create(const StdoutSinkConfig& config, const BuildContext& ctx);
  SinkResult write(std::span<const BatchPtr> batches) override;

 private:
  explicit StdoutSink(std::string name) : name_(std::move(name)) {}
  std::string name_;
  bool reported_ = false;
};

}  // namespace logship
