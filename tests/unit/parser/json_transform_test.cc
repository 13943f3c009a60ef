#include "parser/json/json_transform.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/event_id.h"

namespace logship {
namespace {

bool has_flag(simdjson::dom::element doc, std::string_view flag) {
  simdjson::dom::array flags;
  if (doc["log"]["flags"].get_array().get(flags)) return false;
  for (auto f : flags)
    if (std::string_view(f) == flag) return true;
  return false;
}

class JsonTransformTest : public ::testing::Test {
 protected:
  // Encodes `lines` with `config`; every output line must be valid JSON (parsed back here).
  std::vector<simdjson::dom::element> run(const JsonTransformConfig& config, const std::vector<std::string>& lines) {
    auto t = JsonTransform::create(config, BuildContext{"j", "", ""});
    EXPECT_TRUE(t);
    Batch b;
    auto origin = std::make_shared<Origin>();
    origin->source = "app";
    origin->dataset = "app";
    origin->path = "/var/log/app.json";
    origin->host = "web-1";
    b.origin = origin;
    b.read_time_nanos = 1'700'000'000'000'000'000;
    uint64_t off = 0;
    for (const auto& l : lines) {
      b.add_raw_event(l, off, off + l.size() + 1, 0);
      off += l.size() + 1;
    }
    (*t)->encode(b);
    outputs_.clear();
    for (const auto& e : b.events) outputs_.emplace_back(b.encoded_text(e));
    std::vector<simdjson::dom::element> docs;
    parsers_.resize(outputs_.size());
    for (size_t i = 0; i < outputs_.size(); ++i) {
      simdjson::dom::element doc;
      EXPECT_EQ(parsers_[i].parse(outputs_[i]).get(doc), simdjson::SUCCESS) << outputs_[i];
      docs.push_back(doc);
    }
    return docs;
  }
  std::vector<std::string> outputs_;
  std::vector<simdjson::dom::parser> parsers_;
};

TEST_F(JsonTransformTest, KeepsTheObjectAndSplicesMetadata) {
  auto d = run({}, {R"({"msg":"hi \"x\"","n":[1,{"a":null}],"ok":true})"});
  EXPECT_EQ(std::string_view(d[0]["msg"]), "hi \"x\"");
  EXPECT_EQ(int64_t(d[0]["n"].at(0)), 1);
  EXPECT_EQ(std::string_view(d[0]["log"]["file"]["path"]), "/var/log/app.json");
  EXPECT_EQ(std::string_view(d[0]["event"]["dataset"]), "app");
  EXPECT_EQ(std::string_view(d[0]["host"]["name"]), "web-1");
  EXPECT_EQ(std::string_view(d[0]["@timestamp"]), "2023-11-14T22:13:20.000000Z");  // read time
  // Values are copied byte for byte, escapes included.
  EXPECT_NE(outputs_[0].find(R"("msg":"hi \"x\"","n":[1,{"a":null}],"ok":true)"), std::string::npos) << outputs_[0];
}

// Members are copied as written (consecutive ones in one piece), in order, around the ones
// dropped or renamed, whether the line takes the structural walk or the DOM parser's path
// (an escaped key sends it there).
TEST_F(JsonTransformTest, CopiesMembersThroughInOrderWhateverTheSpacing) {
  JsonTransformConfig c;
  c.drop = {"secret"};
  c.rename = {{"msg", "message"}};
  run(c, {R"({"a":1,"b" : 2,"c":[3, 4],"secret":"x","d":{"e":"f"},"msg":"m","z":null})",
          R"({"a":1,"key":2 ,"secret":"x","c":"3"})", R"({ "a" :1 , "b":2, "c":3})"});
  EXPECT_NE(outputs_[0].find(R"(","a":1,"b":2,"c":[3, 4],"d":{"e":"f"},"message":"m","z":null,"log":{)"), std::string::npos) << outputs_[0];
  EXPECT_NE(outputs_[1].find(R"(","a":1,"key":2,"c":"3","log":{)"), std::string::npos) << outputs_[1];
  EXPECT_NE(outputs_[2].find(R"(","a":1,"b":2,"c":3,"log":{)"), std::string::npos) << outputs_[2];
}

// A pretty-printed object joined into one event by a multiline source is valid JSON with line
// breaks between its tokens. Copied raw they cut the event into several NDJSON lines, and in a
// bulk body the second one was read as an action ({"delete":…} deleted a document). Every event
// leaves as one line; a line break inside a string is still an error, shipped as text.
TEST_F(JsonTransformTest, LineBreaksBetweenTokensNeverReachTheOutput) {
  const std::string pretty = "{\"a\": {\n  \"b\": [1,\r\n 2]\n},\n\"c\":\n{\"delete\":{\"_index\":\"victim\",\"_id\":\"1\"}}\n}";
  for (const std::string& target : {std::string(), std::string("app")}) {
    JsonTransformConfig c;
    c.target = target;
    auto d = run(c, {pretty, "{\"s\":\"raw\nbreak\"}", "{\"x\":1}"});
    for (const auto& out : outputs_) {
      EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line: " << out;
      EXPECT_EQ(out.find('\r'), std::string::npos) << out;
    }
    simdjson::dom::element obj = target.empty() ? d[0] : d[0][target];
    EXPECT_EQ(int64_t(obj["a"]["b"].at(1)), 2);
    EXPECT_EQ(std::string_view(obj["c"]["delete"]["_index"]), "victim") << "kept as the value it is";
    EXPECT_FALSE(has_flag(d[0], "json_parse_error"));
    EXPECT_TRUE(has_flag(d[1], "json_parse_error")) << outputs_[1];
    EXPECT_EQ(std::string_view(d[1]["message"]), "{\"s\":\"raw\nbreak\"}");
  }
}

TEST_F(JsonTransformTest, TimestampFieldInEveryFormat) {
  JsonTransformConfig c;
  c.timestamp_field = "ts";
  auto d = run(c, {R"({"ts":"2026-11-26T10:00:00.5+01:00"})", R"({"ts":"2026-11-26 09:00:00"})", R"({"ts":"nonsense"})", R"({"no_ts":1})"});
  EXPECT_EQ(std::string_view(d[0]["@timestamp"]), "2026-11-26T09:00:00.500000Z");
  EXPECT_EQ(std::string_view(d[0]["ts"]), "2026-11-26T10:00:00.5+01:00");  // the field itself stays
  EXPECT_EQ(std::string_view(d[1]["@timestamp"]), "2026-11-26T09:00:00.000000Z");
  EXPECT_TRUE(has_flag(d[2], "timestamp_parse_error"));
  EXPECT_TRUE(has_flag(d[3], "timestamp_parse_error"));
  c.timestamp_format = "unix_ms";
  d = run(c, {R"({"ts":1764147600123})", R"({"ts":"1764147600123.5"})"});
  EXPECT_EQ(std::string_view(d[0]["@timestamp"]), "2025-11-26T09:00:00.123000Z");
  EXPECT_EQ(std::string_view(d[1]["@timestamp"]), "2025-11-26T09:00:00.123500Z");
  c.timestamp_format = "%d/%b/%Y:%H:%M:%S %z";
  d = run(c, {R"({"ts":"26/Nov/2026:10:00:00 +0100"})"});
  EXPECT_EQ(std::string_view(d[0]["@timestamp"]), "2026-11-26T09:00:00.000000Z");
}

TEST_F(JsonTransformTest, ApplicationTimestampIsKeptWhenNoFieldIsConfigured) {
  auto d = run({}, {R"({"@timestamp":"2020-01-01T00:00:00Z","a":1})"});
  EXPECT_EQ(std::string_view(d[0]["@timestamp"]), "2020-01-01T00:00:00Z");
}

TEST_F(JsonTransformTest, LevelIsNormalisedIntoLogLevel) {
  JsonTransformConfig c;
  c.level_field = "level";
  auto d = run(c, {R"({"level":"WARNING"})", R"({"level":50})", R"({"level":"Info"})"});
  EXPECT_EQ(std::string_view(d[0]["log"]["level"]), "warn");
  EXPECT_EQ(std::string_view(d[1]["log"]["level"]), "error");
  EXPECT_EQ(std::string_view(d[2]["log"]["level"]), "info");
  EXPECT_EQ(std::string_view(d[0]["level"]), "WARNING");
}

TEST_F(JsonTransformTest, RenameDropAndAddFields) {
  JsonTransformConfig c;
  c.rename = {{"msg", "message"}};
  c.drop = {"password"};
  c.add_fields = {{"service.environment", "production"}};
  auto d = run(c, {R"({"msg":"login","password":"hunter2","user":"bob"})"});
  EXPECT_EQ(std::string_view(d[0]["message"]), "login");
  EXPECT_EQ(d[0]["password"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(outputs_[0].find("hunter2"), std::string::npos);
  EXPECT_EQ(std::string_view(d[0]["service.environment"]), "production");
}

TEST_F(JsonTransformTest, TargetNestsTheObject) {
  JsonTransformConfig c;
  c.target = "app";
  auto d = run(c, {R"({"log":"not an object","host":"h"})"});
  EXPECT_EQ(std::string_view(d[0]["app"]["log"]), "not an object");
  EXPECT_EQ(std::string_view(d[0]["host"]["name"]), "web-1");
}

TEST_F(JsonTransformTest, ApplicationLogEventAndHostObjectsAreMergedNotDuplicated) {
  auto d = run({}, {R"({"log":{"logger":"main","offset":7},"event":{"action":"login","id":"x"},"host":"web-9"})"});
  EXPECT_EQ(std::string_view(d[0]["log"]["logger"]), "main");
  EXPECT_EQ(int64_t(d[0]["log"]["offset_original"]), 7);
  EXPECT_EQ(uint64_t(d[0]["log"]["offset"]), 0u);
  EXPECT_EQ(std::string_view(d[0]["event"]["action"]), "login");
  EXPECT_EQ(std::string_view(d[0]["event"]["id_original"]), "x");
  EXPECT_EQ(std::string_view(d[0]["host_original"]), "web-9");
  // One "log" key only.
  EXPECT_EQ(outputs_[0].find("\"log\":"), outputs_[0].rfind("\"log\":"));
}

// How many times "key": stands in an encoded event (at any depth).
size_t key_count(const std::string& out, const std::string& key) {
  size_t n = 0;
  for (size_t p = out.find("\"" + key + "\":"); p != std::string::npos; p = out.find("\"" + key + "\":", p + 1)) ++n;
  return n;
}

// Found by the hostile-input review: a rename target or an add_fields key that the line also
// holds made an event with the key twice. The configured member wins; the line's own is kept
// as <key>_original, and only when the configured one is there.
TEST_F(JsonTransformTest, RenameTargetsAndAddedFieldsNeverDuplicateALinesOwnKey) {
  JsonTransformConfig c;
  c.rename = {{"msg", "message"}};
  c.add_fields = {{"service", "checkout"}};
  auto d = run(c, {R"({"message":"b","msg":"a","service":"forged"})", R"({"message":"only"})", R"({"m\u0073g":"esc","message":"x"})"});
  EXPECT_EQ(std::string_view(d[0]["message"]), "a");
  EXPECT_EQ(std::string_view(d[0]["message_original"]), "b");
  EXPECT_EQ(std::string_view(d[0]["service"]), "checkout");
  EXPECT_EQ(std::string_view(d[0]["service_original"]), "forged");
  EXPECT_EQ(std::string_view(d[1]["message"]), "only");  // nothing renamed into it: it stays
  EXPECT_EQ(d[1]["message_original"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(std::string_view(d[2]["message"]), "esc");
  EXPECT_EQ(std::string_view(d[2]["message_original"]), "x");
  for (const auto& out : outputs_) {
    EXPECT_EQ(key_count(out, "message"), 1u) << out;
    EXPECT_LE(key_count(out, "service"), 1u) << out;
  }
}

TEST(JsonTransformConfigTest, NamesThatCollideWithLogshipsOwnOrEachOtherAreRefusedWithTheirLines) {
  YAML::Node node = YAML::Load(
      "rename: {msg: message, text: message, a: log, b: event.id}\n"
      "add_fields: {host.name: x, '@timestamp': y, '': z, message: w, event.id: forged, service: s}\n"
      "target: log\n");
  JsonTransformConfig c;
  c.rename = {{"msg", "message"}, {"text", "message"}, {"a", "log"}, {"b", "event.id"}};
  c.add_fields = {{"host.name", "x"}, {"@timestamp", "y"}, {"", "z"}, {"message", "w"}, {"event.id", "forged"}, {"service", "s"}};
  c.target = "log";
  ConfigErrors errors;
  c.validate(node, "transforms.j", errors);
  std::string all;
  for (const auto& e : errors.list()) all += e.path + ": " + e.message + " @" + std::to_string(e.line) + "\n";
  EXPECT_EQ(errors.size(), 9u) << all;
  for (const char* path : {"rename.text", "rename.a", "rename.b", "add_fields.host.name", "add_fields.@timestamp", "add_fields.", "add_fields.message",
                           "add_fields.event.id"})
    EXPECT_NE(all.find(std::string("transforms.j.") + path + ":"), std::string::npos) << path << "\n" << all;
  EXPECT_NE(all.find("transforms.j.target: cannot nest under 'log'"), std::string::npos) << all;
  for (const auto& e : errors.list()) EXPECT_GT(e.line, 0) << e.path;
}

TEST_F(JsonTransformTest, BadLinesAreShippedAsTextWithTheReason) {
  JsonTransformConfig c;
  c.max_depth = 3;
  std::string invalid_utf8 = "{\"a\":\"\xff\"}";
  auto d = run(c, {"not json", "[1,2]", R"({"a":"\x"})", R"({"a":[[[[1]]]]})", invalid_utf8, "", R"({"a":1} {"b":2})", R"({"a":)"});
  const char* reasons[] = {"", "not a JSON object", "invalid JSON", "max_depth (3)", "invalid UTF-8", "", "", ""};
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_TRUE(has_flag(d[i], "json_parse_error")) << outputs_[i];
    std::string_view why = d[i]["error"]["message"];
    EXPECT_NE(why.find(reasons[i]), std::string::npos) << why;
  }
  EXPECT_EQ(std::string_view(d[0]["message"]), "not json");
  EXPECT_EQ(std::string_view(d[4]["message"]), "{\"a\":\"\xEF\xBF\xBD\"}");
  EXPECT_TRUE(has_flag(d[4], "invalid_utf8"));
}

}  // namespace
}  // namespace logship
