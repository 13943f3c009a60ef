#include "sinks/stdout/stdout_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "sinks/fd_writer.h"

namespace logship {

const Schema<StdoutSinkConfig>& StdoutSink::schema() {
  static const Schema<StdoutSinkConfig> s;
  return s;
}

Result<std::unique_ptr<StdoutSink>> StdoutSink::create(const StdoutSinkConfig&, const BuildContext& ctx) {
  return std::unique_ptr<StdoutSink>(new StdoutSink(ctx.name));
}

SinkResult StdoutSink::write(std::span<const BatchPtr> batches) {
  int err = write_batches(STDOUT_FILENO, batches);
  if (err == 0) return SinkResult::kOk;
  if (!reported_) log_error("writing to stdout failed", {{"component", name_}, {"error", std::strerror(err)}});
  reported_ = true;
  return err == EPIPE ? SinkResult::kFail : SinkResult::kRetry;
}

}  // namespace logship
