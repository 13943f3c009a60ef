#include "sinks/stdout/stdout_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"

namespace logship {

const Schema<StdoutSinkConfig>& StdoutSink::schema() {
  static const Schema<StdoutSinkConfig> s;
  return s;
}

Result<std::unique_ptr<StdoutSink>> StdoutSink::create(const StdoutSinkConfig&, const BuildContext& ctx) {
  return std::unique_ptr<StdoutSink>(new StdoutSink(ctx.name));
}

DeliveryReport StdoutSink::write(const Delivery& delivery) {
  int err = write_delivery(STDOUT_FILENO, delivery, iov_);
  if (err == 0) return DeliveryReport::delivered(delivery.events());
  if (!reported_) log_error("writing to stdout failed", {{"component", name_}, {"error", std::strerror(err)}});
  reported_ = true;
  // Nobody reads the pipe any more: that does not pass.
  if (err == EPIPE) return DeliveryReport::rejected(delivery.events(), "EPIPE", "standard output is a closed pipe");
  return DeliveryReport::retry(delivery.events(), "write_failed", std::string("writing to standard output: ") + std::strerror(err));
}

}  // namespace logship
