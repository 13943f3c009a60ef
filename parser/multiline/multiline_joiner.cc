#include "parser/multiline/multiline_joiner.h"

#include "core/batch.h"

namespace logship {

MultilineJoiner::MultilineJoiner(const MultilineConfig& config) {
  MultilineConfig c = config;
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
  uint32_t flags = flags_ | (lines_ > 1 ? static_cast<uint32_t>(kFlagMultiline) : 0u);
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
  last_push_ = std::chrono::steady_clock::now();
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
  }
  if (lines_ >= max_lines_) {
    flags_ |= kFlagMaxLines;
    flush(emit);
  }
}

}  // namespace logship
