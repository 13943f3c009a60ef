#include "parser/geoip/geoip_transform.h"

#include "core/plain_encoder.h"

namespace logship {

using namespace std::string_view_literals;

const Schema<GeoipConfig>& GeoipTransform::schema() {
  static const auto s = [] {
    Schema<GeoipConfig> built;
    GeoLookupConfig::add_fields(built).field("threads", &GeoipConfig::threads, "Parallel workers (0: one per core, at most 4); events keep their order.");
    return built;
  }();
  return s;
}

GeoipTransform::GeoipTransform(const GeoipConfig& config, std::unique_ptr<GeoLookup> lookup) : lookup_(std::move(lookup)) {
  std::string_view f = config.field;
  size_t dot;
  while ((dot = f.find('.')) != std::string_view::npos) {
    parents_.emplace_back(f.substr(0, dot));
    f.remove_prefix(dot + 1);
  }
  leaf_ = f;
}

Result<std::unique_ptr<GeoipTransform>> GeoipTransform::create(const GeoipConfig& config, const BuildContext& ctx) {
  auto lookup = GeoLookup::open(config, ctx.name);
  if (!lookup) return lookup.error();
  return std::unique_ptr<GeoipTransform>(new GeoipTransform(config, std::move(*lookup)));
}

void GeoipTransform::enrich_line(std::string_view line, std::string& out) {
  using simdjson::SUCCESS;
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser_.iterate(padded_.data(), line.size(), padded_.size()).get(doc) != SUCCESS || doc.get_object().get(object) != SUCCESS) {
    out.append(line);
    return;
  }
  // Down to the object that holds the address; its text tells where it ends.
  std::string_view holder;
  bool ok = true;
  for (const std::string& key : parents_) {
    simdjson::ondemand::value v;
    if (object.find_field_unordered(key).get(v) != SUCCESS || v.get_object().get(object) != SUCCESS) {
      ok = false;
      break;
    }
  }
  if (parents_.empty()) {
    holder = std::string_view(padded_.data(), line.size());  // the event itself
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ' || holder.back() == '\r')) holder.remove_suffix(1);
  } else if (ok) {
    ok = object.raw_json().get(holder) == SUCCESS;
  }
  if (!ok || holder.empty() || holder.back() != '}') {
    out.append(line);
    return;
  }
  // Read the holder again on its own: its address, and whether it has geo or as already. The
  // bytes after it (the rest of the line, then the padding) are simdjson's padding.
  size_t begin = static_cast<size_t>(holder.data() - padded_.data());
  simdjson::ondemand::document inner;
  simdjson::ondemand::object members;
  std::string_view ip;
  bool has_geo = false, has_as = false;
  if (parser_.iterate(holder.data(), holder.size(), padded_.size() - begin).get(inner) != SUCCESS ||
      inner.get_object().get(members) != SUCCESS) {
    out.append(line);
    return;
  }
  for (auto field : members) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) break;
    if (key == leaf_) {
      if (field.value().get_string().get(ip) != SUCCESS) ip = {};
    } else if (key == "geo") {
      has_geo = true;
    } else if (key == "as") {
      has_as = true;
    }
  }
  if (ip.empty() || (has_geo && has_as)) {
    out.append(line);
    return;
  }
  const GeoFacts& facts = lookup_->find(ip);
  size_t close = begin + holder.size() - 1;  // the holder's closing brace, in `line`
  out.append(line.substr(0, close));
  // A member the holder has already is left as it is.
  if (!has_geo && !facts.geo.empty()) out.append(",\"geo\":"sv).append(facts.geo);
  if (!has_as && !facts.as.empty()) out.append(",\"as\":"sv).append(facts.as);
  out.append(line.substr(close));
}

void GeoipTransform::enrich(Batch& batch) {
  lookup_->reload_if_changed();
  std::string out = encoded_->take();
  out.reserve(batch.encoded.size() + batch.events.size() * 64);
  for (EventView& e : batch.events) {
    std::string_view line(batch.encoded.data() + e.enc_begin, e.enc_len);
    e.enc_begin = static_cast<uint32_t>(out.size());
    enrich_line(line, out);
    e.enc_len = static_cast<uint32_t>(out.size() - e.enc_begin);
  }
  batch.release_encoded();
  batch.encoded = std::move(out);
  batch.encoded_pool = encoded_;
  batch.is_encoded = true;
}

void GeoipTransform::process(BatchPtr batch, Emitter& out) {
  if (!batch->is_encoded) encode_plain(*batch);  // plain text: no address to look up, but encoded once here
  enrich(*batch);
  out.emit(std::move(batch));
}

}  // namespace logship
