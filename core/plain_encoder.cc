#include "core/plain_encoder.h"

#include "core/event_id.h"
#include "core/json_writer.h"
#include "core/time_format.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call

namespace {

// The origin's strings as JSON, for the events of one origin after another: validating and
// escaping the same path, dataset and host name for every event cost more than the rest of
// the metadata. Keyed by content, not just by address (an origin may be freed and another
// allocated where it was).
struct OriginJson {
  const Origin* origin = nullptr;
  std::string path, dataset, host;
  std::string path_json, dataset_json, host_json;

  void refresh(const Origin& o) {
    if (origin == &o && path == o.path && dataset == o.dataset && host == o.host) return;
    origin = &o;
    path = o.path;
    dataset = o.dataset;
    host = o.host;
    path_json.clear();
    dataset_json.clear();
    host_json.clear();
    append_json_string(path_json, o.path);
    append_json_string(dataset_json, o.dataset);
    append_json_string(host_json, o.host);
  }
};

}  // namespace

void append_metadata_members(std::string& out, const Batch& batch, const EventView& e, const MetadataExtras& extras) {
  const Origin& o = *batch.origin;
  thread_local OriginJson cached;
  cached.refresh(o);
  out.append("\"log\":{\"file\":{\"path\":"sv);
  out.append(cached.path_json);
  out.append("},\"offset\":"sv);
  append_uint(out, e.offset);
  if (e.flags != 0) {
    out.append(",\"flags\":["sv);
    append_flag_names(out, e.flags);
    out.push_back(']');
  }
  out.append(extras.log);
  out.append("},\"event\":{\"id\":\""sv);
  append_event_id(out, o.id_seed, e.offset, batch.raw_text(e));
  out.append("\",\"dataset\":"sv);
  out.append(cached.dataset_json);
  out.append(extras.event);
  out.append("},\"host\":{\"name\":"sv);
  out.append(cached.host_json);
  out.append(extras.host);
  out.push_back('}');
}

bool find_event_metadata(std::string_view encoded, std::string_view& id, std::string_view& dataset) {
  // The last one: an application's own objects come before logship's metadata, and inside a
  // JSON string these quotes would be escaped.
  static constexpr std::string_view kEvent = "},\"event\":{\"id\":\""sv, kDataset = "\",\"dataset\":\""sv;
  size_t at = encoded.rfind(kEvent);
  if (at == std::string_view::npos) return false;
  std::string_view rest = encoded.substr(at + kEvent.size());
  if (rest.size() < kEventIdChars + kDataset.size()) return false;
  for (char c : rest.substr(0, kEventIdChars))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  if (rest.substr(kEventIdChars, kDataset.size()) != kDataset) return false;
  std::string_view name = rest.substr(kEventIdChars + kDataset.size());
  size_t quote = name.find('"');
  if (quote == std::string_view::npos) return false;
  name = name.substr(0, quote);
  id = rest.substr(0, kEventIdChars);
  dataset = name.find('\\') == std::string_view::npos ? name : std::string_view();
  return true;
}

void append_read_time(std::string& out, const Batch& batch) {
  out.push_back('"');
  append_rfc3339_micros(out, batch.read_time_nanos);
  out.push_back('"');
}

void encode_plain(Batch& batch) {
  if (batch.is_encoded) return;
  // Sinks encode raw batches on their own threads; they share one pool of buffers.
  static const auto pool = std::make_shared<StringPool>(16);
  batch.release_encoded();
  std::string out = pool->take();
  out.reserve(batch.raw.size() + batch.events.size() * 256);
  // One timestamp per batch: formatting it per event would cost more than the rest.
  std::string timestamp;
  append_rfc3339_micros(timestamp, batch.read_time_nanos);
  for (EventView& e : batch.events) {
    e.enc_begin = static_cast<uint32_t>(out.size());
    out.append("{\"@timestamp\":\""sv);
    out.append(timestamp);
    out.append("\",\"message\":"sv);
    if (!append_json_string(out, batch.raw_text(e))) e.flags |= kFlagInvalidUtf8;
    out.push_back(',');
    append_metadata_members(out, batch, e);
    out.append("}\n"sv);
    e.enc_len = static_cast<uint32_t>(out.size() - e.enc_begin);
  }
  batch.encoded = std::move(out);
  batch.encoded_pool = pool;
  batch.is_encoded = true;
}

}  // namespace logship
