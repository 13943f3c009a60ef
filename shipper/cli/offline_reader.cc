#include "shipper/cli/offline_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/event_id.h"
#include "core/time_format.h"
#include "parser/container/container_path.h"
#include "parser/multiline/multiline_joiner.h"
#include "shipper/sources/file/line_framer.h"

namespace logship {

MultilineConfig slowlog_framing() {
  MultilineConfig c;
  c.preset = "mysql_slowlog";
  c.max_lines = 1 << 20;
  return c;
}

Status read_batches(int fd, const std::string& path, const OfflineReaderOptions& options,
                    const std::function<void(BatchPtr)>& on_batch) {
  struct stat st {};
  ::fstat(fd, &st);
  auto origin = std::make_shared<Origin>();
  origin->source = "parse";
  origin->dataset = options.dataset;
  origin->path = path;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  origin->host = host;
  origin->id_seed = origin_id_seed("parse", st.st_dev, st.st_ino);

  std::optional<ContainerLogDecoder> container;
  if (options.container) {
    container.emplace(options.container->parsed_format(), options.container->only_stream(), options.max_line_bytes);
    std::vector<std::pair<std::string, std::string>> fields;
    if (options.container->kubernetes_metadata) fields = container_fields_from_path(path);
    if (!fields.empty()) origin->fields_json = render_origin_fields(fields, origin->field_heads);
  }
  LineStamps stamps;

  BatchPtr batch;
  auto add = [&](std::string_view text, uint64_t offset, uint64_t end, uint32_t flags) {
    int64_t time_nanos = 0;
    IoStream stream = IoStream::kNone;
    if (container) stamps.take(offset, time_nanos, stream);
    if (text.empty() && flags == 0) return;
    if (!batch) {
      batch = std::make_shared<Batch>();
      batch->origin = origin;
    }
    if (container) batch->add_container_event(text, offset, end, flags, time_nanos, stream);
    else batch->add_raw_event(text, offset, end, flags);
  };
  auto send = [&] {
    if (!batch) return;
    batch->read_time_nanos = now_unix_nanos();
    on_batch(std::move(batch));
    batch.reset();
  };
  std::optional<MultilineJoiner> joiner;
  if (options.multiline) joiner.emplace(*options.multiline);
  auto on_message = [&](std::string_view line, uint64_t off, uint64_t end, uint32_t flags) {
    if (joiner) joiner->push(line, off, end, flags, [&](const JoinedEvent& e) { add(e.text, e.offset, e.end_offset, e.flags); });
    else add(line, off, end, flags);
  };
  auto on_line = [&](std::string_view line, uint64_t off, uint64_t end, uint32_t flags) {
    if (!container) return on_message(line, off, end, flags);
    container->push(line, off, end, flags, [&](const ContainerLine& m) {
      stamps.note(m);
      on_message(m.text, m.offset, m.end_offset, m.flags);
    });
  };

  LineFramer framer(options.max_line_bytes, 0);
  std::string buf(256 * 1024, '\0');
  uint64_t total = 0;
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::io("cannot read " + path, errno);
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    framer.feed(std::string_view(buf.data(), static_cast<size_t>(n)), on_line);
    if (batch && batch->raw.size() >= options.batch_bytes) send();
    if (options.progress) options.progress(total);
  }
  framer.flush_partial(on_line);
  if (container)
    container->flush([&](const ContainerLine& m) {
      stamps.note(m);
      on_message(m.text, m.offset, m.end_offset, m.flags);
    });
  if (joiner) joiner->flush([&](const JoinedEvent& e) { add(e.text, e.offset, e.end_offset, e.flags); });
  send();
  return {};
}

}  // namespace logship
