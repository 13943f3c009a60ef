// Names built from what a batch knows about its events: topics such as
// "logs.{{ event.dataset }}", message keys.
//
//   EventTemplate t;
//   std::string error;
//   if (!EventTemplate::parse("logs.{{ event.dataset }}", t, error)) …
//   t.render(*batch->origin, out);        // "logs.nginx.access"
//
// Variables: event.dataset, host.name, log.file.path, source (the source component's name).
// They are the same for every event of a batch, so a batch renders its name once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"

namespace logship {

class EventTemplate {
 public:
  static bool parse(std::string_view text, EventTemplate& out, std::string& error);
  void render(const Origin& origin, std::string& out) const;
  bool is_constant() const { return parts_.size() <= 1 && (parts_.empty() || parts_[0].variable == Var::kNone); }

 private:
  enum class Var { kNone, kDataset, kHost, kPath, kSource };
  struct Part {
    Var variable = Var::kNone;
    std::string text;  // literal text when variable == kNone
  };
  std::vector<Part> parts_;
};

}  // namespace logship
