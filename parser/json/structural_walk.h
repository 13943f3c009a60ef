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
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace logship {

class StructuralWalk {
 public:
  // Deeper lines are left to the DOM parser (bounds the walk's recursion).
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
    bool next(std::string_view& key, std::string_view& value, uint32_t& value_index) {
      if (k_ >= end_) return false;
      const char* key_begin = walk_->at(k_) + 1;
      const char* key_end = walk_->token_end(k_);  // past the closing quote
      key = std::string_view(key_begin, static_cast<size_t>(key_end - 1 - key_begin));
      value_index = k_ + 2;
      const char* value_begin = walk_->at(value_index);
      compact_ = key_end == walk_->at(k_ + 1) && key_end + 1 == value_begin;
      const char* value_end;
      uint32_t after;  // the ',' or '}' after the value
      if (*value_begin == '{' || *value_begin == '[') {
        after = walk_->close_[value_index] + 1;
        value_end = walk_->at(after - 1) + 1;
      } else {
        after = value_index + 1;
        value_end = walk_->token_end(value_index);
      }
      value = std::string_view(value_begin, static_cast<size_t>(value_end - value_begin));
      member_ = std::string_view(key_begin - 1, static_cast<size_t>(value_end - key_begin + 1));
      k_ = after + 1;
      return true;
    }
    // The member next() gave as written, "key":value, when written with no blank around the
    // colon (so it can be copied as it is); empty otherwise.
    std::string_view compact_text() const { return compact_ ? member_ : std::string_view(); }

   private:
    const StructuralWalk* walk_;
    uint32_t k_, end_;
    std::string_view member_;
    bool compact_ = false;
  };

 private:
  const char* at(uint32_t k) const { return data_ + indexes_[k]; }
  char byte_at(uint32_t k) const { return k < count_ ? data_[indexes_[k]] : '\0'; }
  // Just past the last non-blank byte of the token that starts at structural k.
  const char* token_end(uint32_t k) const {
    const char* end = data_ + (k + 1 < count_ ? indexes_[k + 1] : len_);
    while (end > at(k) && is_blank(end[-1])) --end;
    return end;
  }
  static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // Each returns the structural index just after what it checked, or 0 when not sure.
  uint32_t object(uint32_t k, size_t depth);
  uint32_t array(uint32_t k, size_t depth);
  [[gnu::always_inline]] uint32_t value(uint32_t k, size_t depth);
  [[gnu::always_inline]] bool string(uint32_t k, bool is_key);
  [[gnu::always_inline]] bool scalar(uint32_t k) const;
  bool escaped_string(uint32_t k, bool is_key);

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
