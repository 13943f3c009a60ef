// libFuzzer target: line framing across arbitrary read boundaries. The first byte picks the
// line limit and the chunk size; every line must come out whole, in order, within the limit.
#include <cstdlib>
#include <string>

#include "shipper/sources/file/line_framer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t max_line = 1 + data[0] % 64;
  size_t chunk = 1 + data[1] % 17;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  logship::LineFramer framer(max_line, 0);
  uint64_t next = 0;
  auto on_line = [&](std::string_view line, uint64_t offset, uint64_t end, uint32_t flags) {
    if (offset != next || end <= offset || line.size() > max_line) std::abort();
    if (!(flags & logship::kFlagTruncated) && !(flags & logship::kFlagPartial)) {
      std::string_view original = text.substr(offset, end - offset - 1);
      if (!original.empty() && original.back() == '\r') original.remove_suffix(1);
      if (original != line) std::abort();
    }
    next = end;
  };
  for (size_t i = 0; i < text.size(); i += chunk) framer.feed(text.substr(i, chunk), on_line);
  framer.flush_partial(on_line);
  if (next != text.size()) std::abort();  // every byte belongs to exactly one line
  return 0;
}
