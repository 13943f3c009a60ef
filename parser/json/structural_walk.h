// A quicker yes for the common JSON line. simdjson's DOM parser runs two stages: stage 1 (SIMD)
// validates UTF-8 and finds the position of every structural character; stage 2 builds a tape,
// unescaping every string and converting every number, which the json transform never reads:
// it copies values through as written. StructuralWalk keeps stage 1 and replaces stage 2 by one
// walk over those positions that checks the grammar, the literals, the numbers and the string
// escapes, and remembers where each container closes, so members are sliced without touching
// the text again.
//
// The answer is one-sided, like the rules' quick matcher with RE2: accept() says yes only for
// a line simdjson's DOM parser certainly accepts, with the same members. Anything else -
// invalid JSON, an escaped key, a number with an exponent or more than 18 digits, nesting past
// max_depth or past kMaxDepth - is "not sure" and goes to the DOM parser, which stays the
// reference and gives the error message.
//
// It reaches into simdjson's parser implementation (`dom::parser::implementation`: stage1(),
// structural_indexes, parse_string()), public but marked private "for benchmarking". Checked
// against the DOM parser by tests/unit/parser/structural_walk_test.cc and fuzz_json; a
// simdjson upgrade that changes these shows there first.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace logship {

class StructuralWalk {
 public:
  // Deeper lines are left to the DOM parser (the size of the walk's stack of open containers).
  static constexpr size_t kMaxDepth = 64;

  // True when `data` (len bytes, simdjson::SIMDJSON_PADDING readable after them) is one JSON
  // object that simdjson's DOM parser, limited to `max_depth` levels, accepts, and none of
  // its keys holds a backslash. Uses `parser`'s stage 1 and its buffers.
  bool accept(simdjson::dom::parser& parser, const char* data, size_t len, size_t max_depth);

  // The members of an accepted line's object that opens at structural `open` (0: the line's
  // own object), in order: the key as written between its quotes and the value's text.
  class Members {
   public:
    Members(const StructuralWalk& walk, uint32_t open) : walk_(&walk), k_(open + 1), end_(walk.close_[open]) {}
    // Inlined into the transform's loop: as a call it spilled its state on every member.
    [[gnu::always_inline]] bool next(std::string_view& key, std::string_view& value, uint32_t& value_index) {
      uint32_t k = k_;
      if (k >= end_) return false;
      // Locals: the stores through key and value could otherwise alias the walk's fields.
      const char* data = walk_->data_;
      const uint32_t* index = walk_->indexes_;
      const char* key_begin = data + index[k] + 1;
      const char* key_end = blank_trimmed(data + index[k + 1], key_begin);  // past the closing quote
      uint32_t v = k + 2;
      const char* value_begin = data + index[v];
      compact_ = key_end == data + index[k + 1] && key_end + 1 == value_begin;
      uint32_t after;  // the ',' or '}' after the value
      const char* value_end;
      if (*value_begin == '{' || *value_begin == '[') {
        after = walk_->close_[v] + 1;
        value_end = data + index[after - 1] + 1;
      } else {
        after = v + 1;
        value_end = blank_trimmed(data + index[after], value_begin);
      }
      key = std::string_view(key_begin, static_cast<size_t>(key_end - 1 - key_begin));
      value = std::string_view(value_begin, static_cast<size_t>(value_end - value_begin));
      member_begin_ = key_begin - 1;
      member_end_ = value_end;
      value_index = v;
      k_ = after + 1;
      return true;
    }
    // The member next() gave as written, "key":value, when written with no blank around the
    // colon (so it can be copied as it is); empty otherwise.
    std::string_view compact_text() const {
      return compact_ ? std::string_view(member_begin_, static_cast<size_t>(member_end_ - member_begin_)) : std::string_view();
    }

   private:
    const StructuralWalk* walk_;
    uint32_t k_, end_;
    const char* member_begin_ = nullptr;
    const char* member_end_ = nullptr;
    bool compact_ = false;
  };

  // `end` moved back over JSON blanks, not before `begin`.
  static const char* blank_trimmed(const char* end, const char* begin) {
    while (end > begin && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) --end;
    return end;
  }

 private:
  bool walk();
  // Whether the string between `begin` (after its opening quote) and `end` (after its closing
  // one) has only valid escapes, if any.
  bool string_escapes_valid(const char* begin, const char* end, bool is_key);

  simdjson::internal::dom_parser_implementation* stage1_ = nullptr;
  const char* data_ = nullptr;
  size_t len_ = 0;
  const uint32_t* indexes_ = nullptr;
  uint32_t count_ = 0;
  size_t max_depth_ = 0;
  bool escapes_ = false;  // the line holds a backslash
  std::vector<uint32_t> close_;  // close_[k]: the structural closing the container opened at k
  std::unique_ptr<uint8_t[]> unescaped_;  // where simdjson checks a string's escapes
  size_t unescaped_size_ = 0;
};

}  // namespace logship
