#include "parser/multiline/multiline_joiner.h"

#include "core/batch.h"

namespace logship {

MultilineJoiner::MultilineJoiner(const MultilineConfig& config) {
  MultilineConfig c = config;
  max_lines_ = c.max_lines;
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
  emit(JoinedEvent{buffer_, offset_, end_offset_, flags});
  buffer_.clear();
  lines_ = 0;
  flags_ = 0;
}

void MultilineJoiner::append(std::string_view line, uint64_t end_offset, uint32_t flags) {
  buffer_.push_back('\n');
  buffer_.append(line);
  end_offset_ = end_offset;
  flags_ |= flags;
  ++lines_;
}

void MultilineJoiner::start(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags,
                            const Emit& emit) {
  if (!RE2::PartialMatch(line, *start_)) {
    emit(JoinedEvent{line, offset, end_offset, flags});  // a line on its own
    return;
  }
  buffer_.assign(line);
  offset_ = offset;
  end_offset_ = end_offset;
  flags_ = flags;
  lines_ = 1;
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

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "/usr/sbin/mysqld, Version: 8.0.15 (MySQL Community Server - GPL). started with:"
bool is_server_header(std::string_view line) {
  return line.find(", Version: ") != std::string_view::npos && line.find("started with:") != std::string_view::npos;
}

bool is_column_titles(std::string_view line) {
  return starts_with(line, "Time") && line.find("Id Command") != std::string_view::npos &&
         line.find("Argument") != std::string_view::npos;
}

// The two lines that follow it: "Tcp port: 3306  Unix socket: …" (Windows: "TCP Port: 3306,
// Named Pipe: …") and the column titles "Time  Id Command  Argument".
bool is_server_header_continuation(std::string_view line) {
  return starts_with(line, "Tcp port:") || starts_with(line, "TCP Port:") || is_column_titles(line);
}

}  // namespace

// Entry boundaries of a slow log (see ../shared/SLOWLOG.md): an entry starts at "# Time:" or
// "# User@Host:" (a User@Host right after a lone Time line belongs to it) and runs until the
// next one; the three server header lines form an event of their own; lines before the first
// entry of a file (it began mid-entry) form a fragment.
void MultilineJoiner::push_slowlog(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags,
                                   const Emit& emit) {
  auto begin = [&](Pending kind) {
    flush(emit);
    buffer_.assign(line);
    offset_ = offset;
    end_offset_ = end_offset;
    flags_ = flags;
    lines_ = 1;
    pending_kind_ = kind;
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
    begin(line.find("# User@Host:", 7) == std::string_view::npos ? Pending::kTimeOnly : Pending::kEntry);
    return;
  }
  if (starts_with(line, "# User@Host:")) {
    if (lines_ > 0 && pending_kind_ == Pending::kTimeOnly) {
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
  append(line, end_offset, flags);
  if (pending_kind_ == Pending::kTimeOnly) pending_kind_ = Pending::kEntry;
  if (lines_ >= max_lines_) {
    flags_ |= kFlagMaxLines;
    flush(emit);
  }
}

}  // namespace logship
