#include "core/plain_encoder.h"

#include "core/event_id.h"
#include "core/json_writer.h"
#include "core/time_format.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call

namespace {

// The metadata that depends only on the origin, as JSON, for the events of one origin after
// another: escaping the same path, dataset and host name for every event cost more than the
// rest of the metadata, and so did appending the pieces around them one by one. The origin is
// held, so its address cannot come back as another origin's, and it is const.
struct OriginJson {
  std::shared_ptr<const Origin> origin;
  std::string log_prefix;    // "log":{"file":{"path":<path>},"offset":
  std::string dataset_part;  // ","dataset":<dataset>
  std::string host_part;     // },"host":{"name":<host>

  void refresh(const std::shared_ptr<const Origin>& o) {
    if (origin == o) return;
    origin = o;
    log_prefix.assign("\"log\":{\"file\":{\"path\":"sv);
    append_json_string(log_prefix, o->path);
    log_prefix.append("},\"offset\":"sv);
    dataset_part.assign("\",\"dataset\":"sv);
    append_json_string(dataset_part, o->dataset);
    host_part.assign("},\"host\":{\"name\":"sv);
    append_json_string(host_part, o->host);
  }
};

}  // namespace

void append_metadata_members(std::string& out, const Batch& batch, const EventView& e, const MetadataExtras& extras) {
  const Origin& o = *batch.origin;
  thread_local OriginJson cached;
  cached.refresh(batch.origin);
  out.append(cached.log_prefix);
  append_uint(out, e.offset);
  if (e.flags != 0) {
    out.append(",\"flags\":["sv);
    append_flag_names(out, e.flags);
    out.push_back(']');
  }
  if (e.stream != IoStream::kNone) out.append(e.stream == IoStream::kStdout ? ",\"iostream\":\"stdout\""sv : ",\"iostream\":\"stderr\""sv);
  if (!extras.log.empty()) out.append(extras.log);
  static constexpr std::string_view kIdKey = "},\"event\":{\"id\":\""sv;
  char id[kIdKey.size() + kEventIdChars];
  kIdKey.copy(id, kIdKey.size());
  write_event_id(id + kIdKey.size(), o.id_seed, e.offset, batch.raw_text(e));
  out.append(id, sizeof(id));
  out.append(cached.dataset_part);
  if (!extras.event.empty()) out.append(extras.event);
  out.append(cached.host_part);
  if (!extras.host.empty()) out.append(extras.host);
  out.push_back('}');
  if (!o.fields_json.empty()) out.append(o.fields_json);
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

void append_read_time(std::string& out, const Batch& batch, const EventView& e) {
  out.push_back('"');
  append_rfc3339_micros(out, batch.fallback_time(e));
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
    if (!batch.event_times.empty()) append_rfc3339_micros(out, batch.fallback_time(e));
    else out.append(timestamp);
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
