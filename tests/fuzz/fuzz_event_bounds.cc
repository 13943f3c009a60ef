// libFuzzer target: the size bounds of joined events. Arbitrary bytes are framed into lines
// (max_line_bytes) and joined (a multiline preset, max_lines, max_event_bytes, all picked by
// the first bytes); every event must stay within max_event_bytes, be a prefix of the lines it
// covers (flagged truncated when it is not all of them, never cut inside a UTF-8 character),
// and cover the input in order without overlap. Slow log entries are then parsed: the output
// must be valid JSON lines of bounded size.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "parser/multiline/multiline_joiner.h"
#include "parser/mysql_slowlog/slowlog_transform.h"
#include "shipper/sources/file/line_framer.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

struct Line {
  std::string text;
  uint64_t offset;
};

[[noreturn]] void fail(const char* why, std::string_view event) {
  std::fprintf(stderr, "%s\nevent: %.*s\n", why, static_cast<int>(event.size()), event.data());
  std::abort();
}

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Whether a cut before text[n] falls inside a well-formed multi-byte sequence (a lead byte
// within the 3 bytes before n, followed by as many continuation bytes as it announces).
bool splits_a_character(std::string_view text, size_t n) {
  if (n >= text.size() || !continuation(text[n])) return false;
  size_t p = n;
  while (p > 0 && n - p < 3 && continuation(text[p - 1])) --p;
  if (p == 0) return false;
  unsigned char lead = static_cast<unsigned char>(text[--p]);
  size_t len = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
  if (p + len <= n || p + len > text.size()) return false;
  for (size_t i = p + 1; i < p + len; ++i)
    if (!continuation(text[i])) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto slowlog = std::move(logship::SlowlogTransform::create({}, logship::BuildContext{"fuzz", "", ""}).value());
  static const char* kPresets[] = {"java", "python", "python_logging", "go", "mysql_slowlog"};
  if (size < 4) return 0;
  logship::MultilineConfig config;
  config.preset = kPresets[data[0] % (sizeof(kPresets) / sizeof(kPresets[0]))];
  config.max_lines = 1 + data[1] % 40;
  config.max_event_bytes.value = 8 + data[2] * 2;  // below the config's minimum, to cut often
  size_t max_line = 1 + data[3] % 200;
  std::string_view text(reinterpret_cast<const char*>(data) + 4, size - 4);

  std::vector<Line> lines;
  auto batch = logship::fuzz::batch_of_lines({});
  batch->raw.clear();
  batch->events.clear();
  logship::MultilineJoiner joiner(config);
  auto add = [&](const logship::JoinedEvent& e) { batch->add_raw_event(e.text, e.offset, e.end_offset, e.flags); };
  logship::LineFramer framer(max_line, 0);
  auto on_line = [&](std::string_view line, uint64_t offset, uint64_t end, uint32_t flags) {
    lines.push_back({std::string(line), offset});
    joiner.push(line, offset, end, flags, add);
  };
  framer.feed(text, on_line);
  framer.flush_partial(on_line);
  joiner.flush(add);

  uint64_t covered = 0;
  size_t next_line = 0;
  for (const auto& e : batch->events) {
    std::string_view got = batch->raw_text(e);
    if (got.size() > config.max_event_bytes.value) fail("event larger than max_event_bytes", got);
    if (e.offset < covered || e.end_offset < e.offset) fail("events overlap or go backwards", got);
    covered = e.end_offset;
    // The lines this event covers, joined: what it would be without a limit.
    while (next_line < lines.size() && lines[next_line].offset < e.offset) ++next_line;  // skipped blank lines
    std::string whole;
    for (bool first = true; next_line < lines.size() && lines[next_line].offset < e.end_offset; ++next_line, first = false) {
      if (!first) whole.push_back('\n');
      whole += lines[next_line].text;
    }
    if (whole.compare(0, got.size(), got) != 0) fail("event is not a prefix of its lines", got);
    if (got.size() < whole.size()) {
      if (!(e.flags & logship::kFlagTruncated)) fail("event cut without the truncated flag", got);
      if (splits_a_character(whole, got.size())) fail("event cut inside a UTF-8 character", got);
    }
  }
  if (config.preset == std::string("mysql_slowlog")) {
    slowlog->encode(*batch);
    logship::fuzz::require_valid_json_lines(*batch);
    for (const auto& e : batch->events) {
      // JSON escapes at most sextuple a byte (\u0000), and an entry's text appears at most
      // three times (message, query, fingerprint).
      if (e.enc_len > 18 * e.raw_len + 4096) fail("parsed entry far larger than its text", batch->raw_text(e));
    }
  }
  return 0;
}
