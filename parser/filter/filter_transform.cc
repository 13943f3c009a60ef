#include "parser/filter/filter_transform.h"

#include <cstring>

namespace logship {
namespace {

// Compiles `patterns` into one set; null when the list is empty. `error` says which failed.
std::unique_ptr<RE2::Set> compile_set(const std::vector<std::string>& patterns, size_t* bad_index, std::string* error) {
  if (patterns.empty()) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  auto set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (set->Add(patterns[i], error) < 0) {
      if (bad_index) *bad_index = i;
      return nullptr;
    }
  }
  if (!set->Compile()) {
    *error = "patterns too large to compile";
    return nullptr;
  }
  return set;
}

}  // namespace

const Schema<FilterConfig>& FilterTransform::schema() {
  static const auto s = Schema<FilterConfig>()
                            .field("include", &FilterConfig::include, "RE2 patterns; when given, only events matching one of them are kept.")
                            .field("exclude", &FilterConfig::exclude, "RE2 patterns; events matching one of them are dropped.");
  return s;
}

void FilterConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  for (auto [key, list] : {std::pair{"include", &include}, std::pair{"exclude", &exclude}}) {
    for (size_t i = 0; i < list->size(); ++i) {
      RE2 re((*list)[i], RE2::Quiet);
      if (!re.ok()) {
        YAML::Node n = node[key];
        errors.add(n.IsSequence() ? n[i] : n, join_path(path, key) + "[" + std::to_string(i) + "]",
                   "invalid RE2 pattern: " + re.error());
      }
    }
  }
}

FilterTransform::FilterTransform(std::unique_ptr<RE2::Set> include, std::unique_ptr<RE2::Set> exclude, Counter& dropped)
    : include_(std::move(include)), exclude_(std::move(exclude)), dropped_(dropped) {}

Result<std::unique_ptr<FilterTransform>> FilterTransform::create(const FilterConfig& config, const BuildContext& ctx) {
  std::string error;
  auto include = compile_set(config.include, nullptr, &error);
  if (!config.include.empty() && !include) return Error::invalid("include: " + error);
  auto exclude = compile_set(config.exclude, nullptr, &error);
  if (!config.exclude.empty() && !exclude) return Error::invalid("exclude: " + error);
  Counter& dropped = metrics().counter("logship_filter_dropped_events_total", "Events dropped by a filter transform.",
                                       {{"component", ctx.name}});
  return std::unique_ptr<FilterTransform>(new FilterTransform(std::move(include), std::move(exclude), dropped));
}

bool FilterTransform::keep(std::string_view text) const {
  if (include_ && !include_->Match(text, nullptr)) return false;
  if (exclude_ && exclude_->Match(text, nullptr)) return false;
  return true;
}

void FilterTransform::process(BatchPtr batch, Emitter& out) {
  // Compact in place: kept events' raw (and encoded) bytes move to the front of the buffers.
  Batch& b = *batch;
  size_t kept = 0;
  size_t raw_end = 0;
  size_t enc_end = 0;
  for (size_t i = 0; i < b.events.size(); ++i) {
    EventView e = b.events[i];
    if (!keep(b.raw_text(e))) continue;
    std::memmove(b.raw.data() + raw_end, b.raw.data() + e.raw_begin, e.raw_len);
    e.raw_begin = static_cast<uint32_t>(raw_end);
    raw_end += e.raw_len;
    if (!b.event_ids.empty()) std::memmove(b.event_ids.data() + kept * kEventIdChars, b.event_ids.data() + i * kEventIdChars, kEventIdChars);
    if (i < b.event_times.size()) b.event_times[kept] = b.event_times[i];
    if (b.is_encoded) {
      std::memmove(b.encoded.data() + enc_end, b.encoded.data() + e.enc_begin, e.enc_len);
      e.enc_begin = static_cast<uint32_t>(enc_end);
      enc_end += e.enc_len;
    }
    b.events[kept++] = e;
  }
  dropped_.add(b.events.size() - kept);
  b.events.resize(kept);
  b.raw.resize(raw_end);
  if (!b.event_ids.empty()) b.event_ids.resize(kept * kEventIdChars);
  if (b.event_times.size() > kept) b.event_times.resize(kept);
  if (b.is_encoded) b.encoded.resize(enc_end);
  if (kept == 0) {
    b.ack.ack();
    return;
  }
  out.emit(std::move(batch));
}

}  // namespace logship
