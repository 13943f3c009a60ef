// Reads whole files (or stdin) into batches the way the file source would frame them, without
// checkpoints or tailing: for the `parse` and `digest` commands, benchmarks and fuzzing.
//
//   OfflineReaderOptions options;
//   options.multiline = slowlog_framing();       // optional
//   read_batches(fd, "slow.log", options, [&](BatchPtr batch) { … });
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/batch.h"
#include "core/error.h"
#include "parser/container/container_log.h"
#include "parser/multiline/multiline_config.h"

namespace logship {

struct OfflineReaderOptions {
  std::string dataset = "parse";
  size_t max_line_bytes = 1 << 20;
  size_t batch_bytes = 1 << 20;
  std::optional<MultilineConfig> multiline;
  std::optional<ContainerLogConfig> container;  // applied before multiline, as the file source does
  // Called with the bytes read so far, for progress bars.
  std::function<void(uint64_t)> progress;
};

MultilineConfig slowlog_framing();

// Reads `fd` to its end; the last line is sent even without a newline (flagged partial).
Status read_batches(int fd, const std::string& path, const OfflineReaderOptions& options,
                    const std::function<void(BatchPtr)>& on_batch);

}  // namespace logship
