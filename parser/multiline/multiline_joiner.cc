#include "parser/multiline/multiline_joiner.h"

#include "core/batch.h"
#include "parser/mysql_slowlog/slowlog_lines.h"

namespace logship {

namespace {

constexpr size_t kKeptCapacity = 256u << 10;

}  // namespace

MultilineJoiner::MultilineJoiner(const MultilineConfig& config) {
  MultilineConfig c = config;
  max_lines_ = c.max_lines;
  max_bytes_ = c.event_byte_limit();
  if (c.preset == "mysql_slowlog") {
    mode_ = Mode::kSlowlog;
    return;
  }
  c.apply_preset();
  start_ = std::make_unique<RE2>(c.start_pattern, RE2::Quiet);
  condition_ = std::make_unique<RE2>(c.condition_pattern, RE2::Quiet);
  if (c.mode == "continue_past") mode_ = Mode::kContinuePast;
  else if (c.mode == "halt_before") mode_ = Mode::kHaltBefore;
  else if (c.mode == "halt_with") mode_ = Mode::kHaltWith;
  else mode_ = Mode::kContinueThrough;
  max_lines_ = c.max_lines;
}

void MultilineJoiner::flush(const Emit& emit) {
  if (lines_ == 0) return;
  // Slow log entries are multi-line by nature: no flag for that.
  bool joined = lines_ > 1 && mode_ != Mode::kSlowlog;
  uint32_t flags = flags_ | (joined ? static_cast<uint32_t>(kFlagMultiline) : 0u);
  emit(JoinedEvent{buffer_, offset_, end_offset_, flags, cut_});
  buffer_.clear();
  // A large event's room is given back: many files each keeping megabytes they needed once
  // would add up.
  if (buffer_.capacity() > kKeptCapacity) std::string().swap(buffer_);
  lines_ = 0;
  flags_ = 0;
  cut_ = false;
}

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Bytes a UTF-8 sequence starting with `lead` announces (1 for anything that is no lead byte).
size_t announced_length(char lead) {
  auto b = static_cast<unsigned char>(lead);
  return (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
}

}  // namespace

std::string_view MultilineJoiner::fit(std::string_view text, size_t room) {
  if (text.size() <= room) return text;
  if (!is_continuation(text[room])) return text.substr(0, room);
  // Cutting inside a character: back to its lead byte, if one is at most 3 bytes back and
  // announces a sequence that reaches past the cut. Otherwise the bytes are not UTF-8 anyway.
  size_t p = room;
  while (p > 0 && room - p < 3 && is_continuation(text[p - 1])) --p;
  if (p == 0) return text.substr(0, room);
  size_t lead = p - 1;
  return text.substr(0, announced_length(text[lead]) > room - lead ? lead : room);
}

void MultilineJoiner::assign(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags) {
  std::string_view kept = fit(line, max_bytes_);
  cut_ = kept.size() < line.size();
  buffer_.assign(kept);
  offset_ = offset;
  end_offset_ = end_offset;
  flags_ = flags | (cut_ ? static_cast<uint32_t>(kFlagTruncated) : 0u);
  lines_ = 1;
}

void MultilineJoiner::append(std::string_view line, uint64_t end_offset, uint32_t flags) {
  end_offset_ = end_offset;
  flags_ |= flags;
  ++lines_;
  if (cut_) return;
  if (buffer_.size() + 1 + line.size() > max_bytes_) {
    cut_ = true;
    flags_ |= kFlagTruncated;
    if (buffer_.size() + 1 >= max_bytes_) return;
    line = fit(line, max_bytes_ - buffer_.size() - 1);
  }
  buffer_.push_back('\n');
  buffer_.append(line);
}

void MultilineJoiner::start(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags,
                            const Emit& emit) {
  if (!RE2::PartialMatch(line, *start_)) {  // a line on its own
    std::string_view kept = fit(line, max_bytes_);
    bool cut = kept.size() < line.size();
    emit(JoinedEvent{kept, offset, end_offset, flags | (cut ? static_cast<uint32_t>(kFlagTruncated) : 0u), cut});
    return;
  }
  assign(line, offset, end_offset, flags);
}

void MultilineJoiner::push(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags,
                           const Emit& emit) {
  if (mode_ == Mode::kSlowlog) {
    push_slowlog(line, offset, end_offset, flags, emit);
    return;
  }
  if (lines_ == 0) {
    start(line, offset, end_offset, flags, emit);
    return;
  }
  bool matches = RE2::PartialMatch(line, *condition_);
  switch (mode_) {
    case Mode::kContinueThrough:
      if (!matches) {
        flush(emit);
        start(line, offset, end_offset, flags, emit);
        return;
      }
      append(line, end_offset, flags);
      break;
    case Mode::kContinuePast:
      append(line, end_offset, flags);
      if (!matches) {
        flush(emit);
        return;
      }
      break;
    case Mode::kHaltBefore:
      if (matches) {
        flush(emit);
        start(line, offset, end_offset, flags, emit);
        return;
      }
      append(line, end_offset, flags);
      break;
    case Mode::kHaltWith:
      append(line, end_offset, flags);
      if (matches) {
        flush(emit);
        return;
      }
      break;
    case Mode::kSlowlog:  // handled by push_slowlog
      break;
  }
  if (lines_ >= max_lines_) {
    flags_ |= kFlagMaxLines;
    flush(emit);
  }
}

namespace {

using namespace slowlog_lines;

bool is_column_titles(std::string_view line) {
  return starts_with(line, "Time") && line.find("Id Command") != std::string_view::npos &&
         line.find("Argument") != std::string_view::npos;
}

// The two lines that follow a server header: "Tcp port: 3306  Unix socket: …" (Windows: "TCP
// Port: 3306, Named Pipe: …") and the column titles "Time  Id Command  Argument".
bool is_server_header_continuation(std::string_view line) {
  return starts_with(line, "Tcp port:") || starts_with(line, "TCP Port:") || is_column_titles(line);
}

}  // namespace

// Entry boundaries of a slow log (../shared/SLOWLOG.md, "One entry"): an entry starts at
// "# Time:" or "# User@Host:" (a User@Host right after a lone Time line belongs to it, as does
// the repeated User@Host after an old Percona Time line that carries one), and, as
// pt-query-digest splits records at ";\n#", at any '#' line that follows a line ending in ';'.
// The exception is pt-query-digest's too: an entry with no statement yet (only "use db;" or
// "SET timestamp=N;") takes a following '#' line that is not "# Key: …" as its statement
// ("# administrator command: Quit;"). The three server header lines form an event of their
// own; lines before the first entry of a file (it began mid-entry) form a fragment.
void MultilineJoiner::push_slowlog(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags,
                                   const Emit& emit) {
  bool after_semicolon = lines_ > 0 && last_ends_with_semicolon_;
  // A line cut at max_line_bytes may have ended in ';': the next '#' line is taken to start an
  // entry, as it almost always does after a statement that long.
  last_ends_with_semicolon_ = ends_with_semicolon(line) || (flags & kFlagTruncated);
  auto begin = [&](Pending kind) {
    flush(emit);
    assign(line, offset, end_offset, flags);
    pending_kind_ = kind;
    statement_seen_ = is_statement_line(line);
  };
  auto add = [&] {
    append(line, end_offset, flags);
    if (is_statement_line(line)) statement_seen_ = true;
  };
  if (is_server_header(line)) {
    begin(Pending::kServerHeader);
    return;
  }
  if (lines_ > 0 && pending_kind_ == Pending::kServerHeader) {
    if (is_server_header_continuation(line)) {
      append(line, end_offset, flags);
      if (is_column_titles(line)) flush(emit);  // the header is complete
      return;
    }
    flush(emit);
  }
  if (starts_with(line, "# Time:")) {
    // Old Percona logs put "# User@Host:" on the same line: that is a whole entry start.
    begin(line.find("# User@Host:", 7) == std::string_view::npos ? Pending::kTimeOnly : Pending::kGluedTime);
    return;
  }
  if (starts_with(line, "# User@Host:")) {
    if (lines_ > 0 && (pending_kind_ == Pending::kTimeOnly || (pending_kind_ == Pending::kGluedTime && lines_ == 1))) {
      append(line, end_offset, flags);
      pending_kind_ = Pending::kEntry;
    } else {
      begin(Pending::kEntry);
    }
    return;
  }
  if (lines_ == 0) {
    if (line.empty()) return;  // nothing to start a fragment with
    begin(Pending::kEntry);
    return;
  }
  if (after_semicolon && starts_with(line, "#") && (statement_seen_ || is_key_comment(line))) {
    begin(Pending::kEntry);
    return;
  }
  add();
  if (pending_kind_ == Pending::kTimeOnly || pending_kind_ == Pending::kGluedTime) pending_kind_ = Pending::kEntry;
  if (lines_ >= max_lines_) {
    flags_ |= kFlagMaxLines;
    flush(emit);
  }
}

}  // namespace logship
