// libFuzzer target: container log decoding (CRI and Docker json-file) on arbitrary lines. The
// first byte picks the format, the stream filter and the message limit. Messages must come out
// in file order without overlapping, within the limit, each inside the file; a line taken as
// neither format must come out whole; with the filter off, the messages tile the file: every
// line belongs to exactly one, blank lines outside a joined line aside.
#include <cstdlib>
#include <string>

#include "parser/container/container_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  using logship::ContainerFormat;
  using logship::IoStream;
  ContainerFormat format = static_cast<ContainerFormat>(data[0] % 3);
  IoStream only = static_cast<IoStream>((data[0] / 3) % 3);
  size_t max_bytes = 1 + (data[0] / 9) * 8;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  logship::ContainerLogDecoder decoder(format, only, max_bytes);
  uint64_t next = 0;  // messages never start before the end of the previous one
  // Blank lines are skipped, as in any file: the only gaps allowed between messages.
  auto skip_blank = [&](uint64_t to) {
    while (next < to && text[next] == '\n') ++next;
  };
  auto emit = [&](const logship::ContainerLine& m) {
    if (only == IoStream::kNone) skip_blank(m.offset);
    if (m.offset < next || (only == IoStream::kNone && m.offset != next) || m.end_offset <= m.offset || m.end_offset > text.size()) std::abort();
    bool whole = (m.flags & logship::kFlagContainerFormatError) != 0;
    if (whole && m.text != text.substr(m.offset, m.end_offset - m.offset - 1)) std::abort();
    if (!whole && m.offset == m.end_offset) std::abort();
    if (!whole && m.text.size() > std::max(max_bytes, m.end_offset - m.offset)) std::abort();
    if (only != IoStream::kNone && !whole && m.stream != only) std::abort();
    next = m.end_offset;
  };
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;  // the framer holds an unfinished line
    decoder.push(text.substr(start, nl - start), start, nl + 1, 0, emit);
    start = nl + 1;
  }
  decoder.flush(emit);
  if (only == IoStream::kNone) skip_blank(start);
  if (only == IoStream::kNone && next != start) std::abort();
  return 0;
}
