#include "delivery/dead_letter_record.h"

#include "core/event_id.h"
#include "core/json_writer.h"
#include "core/time_format.h"

namespace logship {

namespace {

using namespace std::string_view_literals;

constexpr size_t kMaxErrorMessage = 8192;  // a server's answer can be long; the record stays small

std::string_view without_newline(std::string_view s) {
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

void append_record(std::string& out, std::string_view sink, const std::string& timestamp, const Batch& dl, const Batch& original,
                   uint32_t index, const Reason& reason) {
  std::string scratch;
  std::string_view id = event_id_of(original, index, scratch);
  std::string_view message = reason.message.size() > kMaxErrorMessage ? std::string_view(reason.message).substr(0, kMaxErrorMessage)
                                                                       : std::string_view(reason.message);
  const EventView& e = original.events[index];
  out.append("{\"@timestamp\":\""sv);
  out.append(timestamp);
  out.append("\",\"message\":"sv);
  std::string summary(sink);
  summary.append(" refused an event: ");
  summary.append(message.substr(0, 300));
  append_json_string(out, summary);
  out.append(",\"error\":{\"type\":"sv);
  append_json_string(out, reason.type);
  out.append(",\"message\":"sv);
  append_json_string(out, message);
  out.append("},\"logship\":{\"dead_letter\":{\"sink\":"sv);
  append_json_string(out, sink);
  out.append("}},\"log\":{\"file\":{\"path\":"sv);
  append_json_string(out, dl.origin->path);
  out.append("},\"offset\":"sv);
  append_uint(out, e.offset);
  if (e.flags != 0) {
    out.append(",\"flags\":["sv);
    append_flag_names(out, e.flags);
    out.push_back(']');
  }
  out.append("},\"event\":{\"id\":\""sv);
  out.append(id);
  out.append("\",\"dataset\":"sv);
  append_json_string(out, kDeadLetterDataset);
  out.append(",\"original\":"sv);
  append_json_string(out, without_newline(original.encoded_text(e)));
  out.append("},\"host\":{\"name\":"sv);
  append_json_string(out, dl.origin->host);
  out.append("}}\n"sv);
}

}  // namespace

std::shared_ptr<const Origin> DeadLetterEncoder::origin_for(const std::shared_ptr<const Origin>& original) {
  auto it = origins_.find(original.get());
  if (it != origins_.end() && it->second.first == original) return it->second.second;
  if (origins_.size() > 1024) origins_.clear();  // bounded: origins are files, a few at a time
  auto o = std::make_shared<Origin>(*original);
  o->dataset = std::string(kDeadLetterDataset);
  std::shared_ptr<const Origin> made = o;
  origins_[original.get()] = {original, made};  // holding the original keeps its address unique
  return made;
}

std::vector<BatchPtr> DeadLetterEncoder::encode(const std::vector<RejectedEvent>& rejected, int64_t now_nanos) {
  std::vector<BatchPtr> out;
  std::string timestamp;
  append_rfc3339_millis(timestamp, now_nanos);
  std::string scratch;
  for (const RejectedEvent& r : rejected) {
    const Batch& original = *r.batch;
    std::shared_ptr<const Origin> origin = origin_for(original.origin);
    if (out.empty() || out.back()->origin != origin) {
      auto b = std::make_shared<Batch>();
      b->origin = origin;
      b->read_time_nanos = now_nanos;
      b->is_encoded = true;
      out.push_back(std::move(b));
    }
    Batch& dl = *out.back();
    const EventView& e = original.events[r.event];
    dl.add_raw_event(without_newline(original.encoded_text(e)), e.offset, e.end_offset, e.flags);
    dl.event_ids.append(event_id_of(original, r.event, scratch));
    EventView& v = dl.events.back();
    v.enc_begin = static_cast<uint32_t>(dl.encoded.size());
    append_record(dl.encoded, sink_, timestamp, dl, original, r.event, *r.reason);
    v.enc_len = static_cast<uint32_t>(dl.encoded.size() - v.enc_begin);
  }
  return out;
}

}  // namespace logship
