// libFuzzer target: the geoip transform on arbitrary encoded lines, with the test databases
// of tests/support/make_test_geoip.pl (scripts/fuzz writes them to $LOGSHIP_GEOIP_DIR). Each
// line must come out as it went in plus one inserted piece; a line that was a JSON object must
// still be one.
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "parser/geoip/geoip_transform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    const char* dir = std::getenv("LOGSHIP_GEOIP_DIR");
    if (dir == nullptr) {
      std::fprintf(stderr, "set LOGSHIP_GEOIP_DIR to a folder made by tests/support/make_test_geoip.pl\n");
      std::abort();
    }
    logship::GeoipConfig config;
    config.database = std::string(dir) + "/City.mmdb";
    config.asn_database = std::string(dir) + "/ASN.mmdb";
    config.cache_size = 16;
    return std::move(logship::GeoipTransform::create(config, logship::BuildContext{"fuzz", "", ""}).value());
  }();
  static simdjson::dom::parser parser;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  logship::Batch batch;
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    batch.add_raw_event("x", start, nl + 1, 0);
    batch.events.back().enc_begin = static_cast<uint32_t>(batch.encoded.size());
    batch.encoded.append(lines.back()).push_back('\n');
    batch.events.back().enc_len = static_cast<uint32_t>(lines.back().size() + 1);
    start = nl + 1;
  }
  batch.is_encoded = true;
  transform->enrich(batch);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view in = lines[i];
    std::string_view out = batch.encoded_text(batch.events[i]);
    if (out.empty() || out.back() != '\n') std::abort();
    out.remove_suffix(1);
    if (out.size() < in.size()) std::abort();
    size_t k = 0;
    while (k < in.size() && in[k] == out[k]) ++k;
    if (out.substr(out.size() - (in.size() - k)) != in.substr(k)) std::abort();  // only an insertion
    simdjson::dom::element doc;
    bool was_object = !parser.parse(in.data(), in.size()).get(doc) && doc.is_object();
    if (was_object && (parser.parse(out.data(), out.size()).get(doc) || !doc.is_object())) std::abort();
  }
  return 0;
}
