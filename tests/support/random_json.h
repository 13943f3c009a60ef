// Random valid JSON objects for the tests of the JSON walks (RawMembers, StructuralWalk):
// strings, numbers, literals, arrays and objects nested a few levels, blanks wherever JSON
// allows them. Keys and string values come from the caller's lists, written as JSON.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace logship::testing {

class RandomJson {
 public:
  RandomJson(uint32_t seed, std::vector<std::string> keys, std::vector<std::string> strings)
      : rng_(seed), keys_(std::move(keys)), strings_(std::move(strings)) {}

  // A top-level object of up to 5 members; `keys_used` gets the index in `keys` of every key
  // written, at any depth.
  std::string object(std::vector<size_t>* keys_used = nullptr) {
    keys_used_ = keys_used;
    std::string doc = "{";
    for (size_t m = 0, n = pick(6); m < n; ++m) doc += (m ? "," : "") + blank() + key() + ":" + value(0);
    return doc + "}";
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string blank() {
    static const char* kBlanks[] = {"", " ", "\n", "\t ", "\r\n"};
    return kBlanks[pick(5)];
  }
  std::string key() {
    size_t k = pick(keys_.size());
    if (keys_used_) keys_used_->push_back(k);
    return keys_[k];
  }
  std::string value(int depth) {
    size_t kind = depth > 3 ? pick(4) : pick(6);
    std::string ws = blank();
    switch (kind) {
      case 0: return strings_[pick(strings_.size())];
      case 1: return std::to_string(static_cast<int>(pick(2000)) - 1000) + (pick(2) ? ".25" : "");
      case 2: return pick(2) ? "true" : "null";
      case 3: return "false";
      case 4: {
        std::string a = "[" + ws;
        for (size_t i = 0, n = pick(4); i < n; ++i) a += (i ? "," + ws : "") + value(depth + 1) + ws;
        return a + "]";
      }
      default: {
        std::string o = "{" + ws;
        for (size_t i = 0, n = pick(4); i < n; ++i) o += (i ? "," : "") + ws + key() + ws + ":" + ws + value(depth + 1) + ws;
        return o + "}";
      }
    }
  }

  std::mt19937 rng_;
  std::vector<std::string> keys_, strings_;
  std::vector<size_t>* keys_used_ = nullptr;
};

}  // namespace logship::testing
