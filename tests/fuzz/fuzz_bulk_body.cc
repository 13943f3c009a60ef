// libFuzzer target: the `_bulk` body the elasticsearch sink builds. Input: an index name, a
// 0x1f byte, then events separated by 0x1e (an event may hold newlines, as a joined multiline
// event does). Each event goes in twice: as it came (what a kafka source or a faulty encoder
// could hand over) and as the json transform encodes it. Parsing the body back, every action
// line must be exactly one logship wrote, valid JSON naming the sanitized index and the id,
// and every document line exactly one accepted document: no event can add a line of its own.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_id.h"
#include "parser/json/json_transform.h"
#include "sinks/elasticsearch/bulk_body.h"
#include "sinks/elasticsearch/elasticsearch_sink.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

[[noreturn]] void fail(const char* why, std::string_view body) {
  std::fprintf(stderr, "%s\nbody: %.*s\n", why, static_cast<int>(body.size()), body.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    logship::JsonTransformConfig config;
    config.timestamp_field = "ts";
    config.rename = {{"msg", "message"}};
    return std::move(logship::JsonTransform::create(config, logship::BuildContext{"fuzz", "", ""}).value());
  }();
  static simdjson::dom::parser parser;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t split = in.find('\x1f');
  if (split == std::string_view::npos) return 0;
  std::string index(in.substr(0, split));
  logship::sanitize_index_name(index);

  auto raw = logship::fuzz::batch_of_lines(in.substr(split + 1), '\x1e');
  auto encoded = logship::fuzz::batch_of_lines(in.substr(split + 1), '\x1e');
  transform->encode(*encoded);

  std::string body;
  std::vector<std::string_view> docs;
  std::vector<std::string> ids;
  std::string scratch;
  for (const logship::BatchPtr& batch : {raw, encoded}) {
    for (size_t i = 0; i < batch->events.size(); ++i) {
      std::string_view doc = batch->encoded_text(batch->events[i]);
      if (batch == raw) doc = batch->raw_text(batch->events[i]);
      std::string id(logship::event_id_of(*batch, i, scratch));
      bool accepted = logship::append_bulk_create(body, index, id, doc);
      if (accepted != logship::one_json_line(doc)) fail("accepted a document that is not one JSON line, or refused one", body);
      // Whatever the json transform writes must be accepted: it is always one JSON line.
      if (batch == encoded && !accepted) fail("the json transform's output was refused", doc);
      if (!accepted) continue;
      while (!doc.empty() && doc.back() == '\n') doc.remove_suffix(1);
      docs.push_back(doc);
      ids.push_back(std::move(id));
    }
  }

  // Read the body back as Elasticsearch does: line by line, an action then its source.
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < body.size();) {
    size_t nl = body.find('\n', start);
    if (nl == std::string::npos) fail("body does not end with a newline", body);
    lines.push_back(std::string_view(body).substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() != 2 * docs.size()) fail("the body has lines logship did not write", body);
  for (size_t d = 0; d < docs.size(); ++d) {
    std::string_view action = lines[2 * d];
    std::string expected = "{\"create\":{\"_index\":\"" + index + "\",\"_id\":\"" + ids[d] + "\"}}";
    if (action != expected) fail("an action line is not logship's", body);
    simdjson::dom::element parsed;
    if (parser.parse(action.data(), action.size()).get(parsed)) fail("an action line is not valid JSON", body);
    std::string_view parsed_index, parsed_id;
    if (parsed["create"]["_index"].get(parsed_index) || parsed_index != index) fail("the action names another index", body);
    if (parsed["create"]["_id"].get(parsed_id) || parsed_id != ids[d]) fail("the action names another id", body);
    if (lines[2 * d + 1] != docs[d]) fail("a document line is not the document", body);
  }
  return 0;
}
