// Real application logs (tests/testdata/applogs, written by Log4j2, Python's logging, Go's log
// and slog, pino; Rails by hand) shipped by `logship run --once` through the built-in rules to
// the file sink: every event has its own time, its normalised level, its logger and thread, and a
// stack trace stays with its line, also when it spans batches.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::TempDir;

const std::string kSamples = std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/applogs/";

using Event = testing::FlatEvent;

class AppFormatsTest : public ::testing::Test {
 protected:
  // Ships `sample` through a file source (`source_extra` keys) and the transform written in
  // `transform`, returns the events in file order.
  std::vector<Event> ship(const std::string& sample, const std::string& source_extra, const std::string& transform,
                          const std::string& sink_input = "parsed") {
    std::string run = std::to_string(++runs_);  // each run its own checkpoints and output
    std::string out = dir_ / ("out" + run + ".ndjson");
    std::string pipeline = "data_dir: " + dir_ / ("data" + run) + "\nsources:\n  app: {type: file, include: ['" + kSamples + sample + "']" +
                           (source_extra.empty() ? "" : ", " + source_extra) + "}\ntransforms:\n  parsed: " + transform +
                           "\nsinks:\n  out: {type: file, inputs: [" + sink_input + "], path: '" + out + "'}\n";
    testing::write_file(dir_ / "p.yaml", pipeline);
    auto r = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::flat_events_of(out);
  }
  static std::map<std::string, int> count(const std::vector<Event>& events, const std::string& field) {
    std::map<std::string, int> n;
    for (const Event& e : events) ++n[e.count(field) ? e.at(field) : "(none)"];
    return n;
  }
  static const Event& with(const std::vector<Event>& events, const std::string& field, const std::string& value) {
    for (const Event& e : events)
      if (e.count(field) && e.at(field) == value) return e;
    static const Event none;
    ADD_FAILURE() << "no event with " << field << " = " << value;
    return none;
  }
  TempDir dir_;
  int runs_ = 0;
};

const std::map<std::string, int> kJavaLevels = {{"debug", 1}, {"error", 2}, {"info", 2}, {"warn", 1}};

// Each of the four Log4j2 layouts: six events out of 20 lines, the stack trace (14 lines, about
// 1.3 KB) in one of them although batches are 1 KiB.
class JavaLayoutsTest : public AppFormatsTest, public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(JavaLayoutsTest, SixEventsWithLevelsLoggerThreadAndTheStackTraceInTheErrorEvent) {
  auto [file, first_time] = GetParam();
  auto events = ship(file, "multiline: {preset: java}, batch_bytes: 1KiB", "{type: rules, inputs: [app], rules: [java]}");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(count(events, "log.level"), kJavaLevels);
  EXPECT_EQ(count(events, "log.flags"), (std::map<std::string, int>{{"(none)", 5}, {"[\"multiline\"]", 1}})) << "nothing unparsed";
  if (std::string(first_time).empty()) {
    EXPECT_EQ(events[0]["log4j.time"], "00:08:11.674") << "the time of day alone is kept, @timestamp is the time read";
  } else {
    EXPECT_EQ(events[0]["@timestamp"], first_time);
  }
  EXPECT_EQ(count(events, "process.thread.name")["http-nio-8080-exec-1"] + count(events, "process.thread.name")["nio-8080-exec-1"], 6);
  const Event& failed = with(events, "message", "invoice settlement failed");
  EXPECT_EQ(failed.at("error.type"), "java.lang.IllegalStateException");
  EXPECT_EQ(failed.at("error.message"), "payment provider returned 503");
  EXPECT_NE(failed.at("error.stack_trace").find("Caused by: java.net.SocketTimeoutException: Read timed out"), std::string::npos);
  EXPECT_NE(failed.at("error.stack_trace").find("... 8 more"), std::string::npos);
  EXPECT_EQ(with(events, "message", "no route to the ledger").count("error.type"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Log4j2, JavaLayoutsTest,
                         ::testing::Values(std::pair{"java-spring-boot.log", "2026-12-05T00:08:11.674000Z"},
                                           std::pair{"java-thread-first.log", "2026-12-05T00:08:11.674000Z"},
                                           std::pair{"java-level-first.log", "2026-12-05T00:08:11.674000Z"},
                                           std::pair{"java-log4j2-default.log", ""}));

TEST_F(AppFormatsTest, SpringBootLinesGiveTheServiceNamePidAndAbbreviatedLogger) {
  auto events = ship("java-spring-boot.log", "multiline: {preset: java}", "{type: rules, inputs: [app], rules: [java]}");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(count(events, "service.name")["billing"], 6);
  EXPECT_EQ(count(events, "process.pid")["4242"], 6);
  EXPECT_EQ(count(events, "log.logger")["c.e.b.InvoiceController"], 6);
}

class PythonLayoutsTest : public AppFormatsTest, public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(PythonLayoutsTest, SevenEventsWithTracebacksJoinedToTheirLines) {
  auto [file, first_time] = GetParam();
  auto events = ship(file, "multiline: {preset: python_logging}, batch_bytes: 1KiB", "{type: rules, inputs: [app], rules: [python]}");
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(count(events, "log.level"), (std::map<std::string, int>{{"critical", 1}, {"debug", 1}, {"error", 2}, {"info", 2}, {"warn", 1}}));
  EXPECT_EQ(count(events, "log.logger")["billing.worker"], 7);
  if (*first_time) {
    EXPECT_EQ(events[0]["@timestamp"], first_time);
  }
  const Event& failed = with(events, "message", "job 42 failed");
  EXPECT_EQ(failed.at("error.type"), "ValueError");
  EXPECT_EQ(failed.at("error.message"), "invalid literal for int() with base 10: 'x'");
  EXPECT_EQ(failed.at("error.stack_trace").rfind("Traceback (most recent call last):", 0), 0u);
  const Event& critical = with(events, "log.level", "critical");
  EXPECT_EQ(critical.at("error.type"), "KeyError");
  EXPECT_EQ(critical.at("error.message"), "'customer'");
}

INSTANTIATE_TEST_SUITE_P(Logging, PythonLayoutsTest,
                         ::testing::Values(std::pair{"python-asctime.log", "2026-12-05T00:07:39.339000Z"},
                                           std::pair{"python-dashes.log", "2026-12-05T00:07:39.342000Z"},
                                           std::pair{"python-default.log", ""}));

TEST_F(AppFormatsTest, TimesWithoutAZoneAreReadInTheConfiguredOne) {
  auto events = ship("python-asctime.log", "multiline: {preset: python_logging}",
                     "{type: rules, inputs: [app], rules: [python], timezone: Europe/Berlin}");
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0]["@timestamp"], "2026-12-04T23:07:39.339000Z") << "09:00 in Berlin in December is 08:00 UTC";
  auto zoned = ship("java-spring-boot.log", "multiline: {preset: java}", "{type: rules, inputs: [app], rules: [java], timezone: Europe/Berlin}");
  ASSERT_EQ(zoned.size(), 6u);
  EXPECT_EQ(zoned[0]["@timestamp"], "2026-12-05T00:08:11.674000Z") << "a time that says Z stays UTC";
}

TEST_F(AppFormatsTest, GoLogAndSlogLinesGiveTimeLevelSourceAndAttributes) {
  auto plain = ship("go-log.log", "", "{type: rules, inputs: [app], rules: [go]}");
  ASSERT_EQ(plain.size(), 3u);
  EXPECT_EQ(plain[0]["@timestamp"], "2026-12-05T00:07:52.653080Z");
  EXPECT_EQ(plain[0]["log.origin.file.name"], "main.go");
  EXPECT_EQ(plain[0]["message"], "listening on :8080");

  auto slog = ship("go-slog.log", "", "{type: rules, inputs: [app], rules: [go]}");
  ASSERT_EQ(slog.size(), 5u);
  EXPECT_EQ(count(slog, "log.level"), (std::map<std::string, int>{{"debug", 1}, {"error", 1}, {"info", 2}, {"warn", 1}}));
  EXPECT_EQ(slog[0]["@timestamp"], "2026-12-05T00:07:52.653000Z");
  EXPECT_EQ(slog[0]["message"], "request served");
  EXPECT_EQ(slog[0]["status"], "200");
  EXPECT_EQ(slog[0]["log.origin.file.line"], "30");
  EXPECT_EQ(slog[2]["db.host"], "db-1") << "a group's attributes keep its name in front";
  EXPECT_EQ(slog[3]["message"], "query failed: \"orders\"\ttimeout") << "Go's quoting undone";
  EXPECT_EQ(slog[3]["err"], "context deadline exceeded");
}

TEST_F(AppFormatsTest, PinoNumericLevelsBecomeLevelNamesAndItsEpochMillisTheTimestamp) {
  auto events = ship("pino.log", "", "{type: json, inputs: [app], level_field: level, timestamp_field: time, timestamp_format: unix_ms, rename: {msg: message}}");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(count(events, "log.level"), (std::map<std::string, int>{{"debug", 1}, {"error", 1}, {"fatal", 1}, {"info", 1}, {"warn", 1}}));
  EXPECT_EQ(events[0]["@timestamp"], "2026-12-05T00:08:16.990000Z");
  EXPECT_EQ(events[3]["err.type"], "Error");
  EXPECT_EQ(events[3]["message"], "charge failed");
}

TEST_F(AppFormatsTest, RailsTaggedLinesCarryTheRequestIdAndTheRequestFields) {
  auto events = ship("rails-production.log", "", "{type: rules, inputs: [app], rules: [rails]}");
  ASSERT_EQ(events.size(), 11u);
  EXPECT_EQ(count(events, "http.request.id")["af3e1c2a-5b7e-4c9e-9a6e-2f0d1b8c7e11"], 4);
  EXPECT_EQ(count(events, "http.request.id")["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"], 6);
  EXPECT_EQ(count(events, "http.response.status_code"), (std::map<std::string, int>{{"(none)", 9}, {"200", 1}, {"500", 1}}));
  EXPECT_EQ(count(events, "log.level")["fatal"], 2);
  const Event& settle = with(events, "rails.action", "settle");
  EXPECT_EQ(settle.at("rails.controller"), "InvoicesController");
  EXPECT_EQ(settle.at("rails.format"), "JSON");
  const Event& started = with(events, "url.original", "/invoices/7/settle");
  EXPECT_EQ(started.at("source.ip"), "10.1.2.4");
  EXPECT_EQ(started.at("@timestamp"), "2026-11-26T09:00:01.002001Z");
  EXPECT_EQ(count(events, "log.flags")["(none)"], 11) << "every line parsed";
}

TEST_F(AppFormatsTest, NginxLinesGiveTheClientAsFilebeatPicksItTheOutcomeAndTheUserAgent) {
  if (!std::filesystem::exists("/usr/share/uap-core/regexes.yaml")) GTEST_SKIP() << "uap-core is not installed (scripts/install-deps installs it)";
  auto events = ship("nginx-access.log", "", "{type: rules, inputs: [app], rules: [nginx], user_agent: {}}");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(count(events, "log.flags")["(none)"], 6) << "every line parsed";
  EXPECT_EQ(events[1]["source.ip"], "203.0.113.50") << "the first public address of the chain";
  EXPECT_EQ(events[1]["nginx.access.remote_ip_list"], "[\"10.0.0.2\",\"10.0.0.1\",\"203.0.113.50\"]");
  EXPECT_EQ(events[0].count("nginx.access.remote_ip_list"), 0u) << "a single address is no chain";
  EXPECT_EQ(events[2]["destination.domain"], "billing.example.com");
  EXPECT_EQ(events[2]["destination.port"], "443");
  EXPECT_EQ(events[2]["source.ip"], "2001:db8::7");
  EXPECT_EQ(events[2]["user.name"], "alice");
  EXPECT_EQ(count(events, "event.outcome"), (std::map<std::string, int>{{"failure", 2}, {"success", 4}}));
  EXPECT_EQ(events[0]["user_agent.name"], "Chrome");
  EXPECT_EQ(events[0]["user_agent.version"], "120.0.6099.71");
  EXPECT_EQ(events[0]["user_agent.os.full"], "Mac OS X 10.15.7");
  EXPECT_EQ(events[0]["user_agent.device.name"], "Mac");
  EXPECT_EQ(events[1]["user_agent.name"], "Mobile Safari");
  EXPECT_EQ(events[1]["user_agent.os.name"], "iOS");
  EXPECT_EQ(events[1]["user_agent.device.name"], "iPhone");
  EXPECT_EQ(events[2]["user_agent.name"], "Firefox");
  EXPECT_EQ(events[2]["user_agent.os.name"], "Windows");
  EXPECT_EQ(events[3]["user_agent.name"], "Googlebot");
  EXPECT_EQ(events[3]["user_agent.device.name"], "Spider");
  EXPECT_EQ(events[4]["user_agent.name"], "curl");
  EXPECT_EQ(events[5]["user_agent.name"], "Chrome") << "the same agent again, from the cache";
}

TEST_F(AppFormatsTest, NginxLinesThroughGeoipGetWhereTheClientIsAndItsNetworkButPrivateOnesDoNot) {
  std::string make = std::string(LOGSHIP_SOURCE_DIR) + "/tests/support/make_test_geoip.pl " + dir_.path();
  ASSERT_EQ(std::system(make.c_str()), 0) << "scripts/install-deps installs libmaxmind-db-writer-perl";
  auto events = ship("nginx-access.log", "",
                     "{type: rules, inputs: [app], rules: [nginx]}\n  located: {type: geoip, inputs: [parsed], database: '" + dir_ / "City.mmdb" +
                         "', asn_database: '" + dir_ / "ASN.mmdb" + "'}",
                     "located");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0]["source.geo.city_name"], "Hamburg");
  EXPECT_EQ(events[0]["source.geo.country_iso_code"], "DE");
  EXPECT_EQ(events[0]["source.geo.region_iso_code"], "DE-HH");
  EXPECT_EQ(events[0]["source.geo.location.lat"], "53.5511");
  EXPECT_EQ(events[0]["source.geo.location.lon"], "9.9937");
  EXPECT_EQ(events[0]["source.as.number"], "3320");
  EXPECT_EQ(events[0]["source.as.organization.name"], "Deutsche Telekom AG");
  EXPECT_EQ(events[5]["source.geo.city_name"], "Hamburg");
  EXPECT_EQ(events[4]["source.ip"], "127.0.0.1");
  EXPECT_EQ(events[4].count("source.geo.country_iso_code"), 0u) << "loopback is not looked up";
  EXPECT_EQ(events[1].count("source.geo.country_iso_code"), 0u) << "203.0.113.50 is in no network of the test database";
  EXPECT_EQ(count(events, "log.flags")["(none)"], 6);
}

TEST_F(AppFormatsTest, NginxErrorLinesGiveLevelPidThreadAndConnection) {
  auto events = ship("nginx-error.log", "", "{type: rules, inputs: [app], rules: [nginx], timezone: Europe/Berlin}");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["@timestamp"], "2026-11-26T08:00:02.000000Z") << "the error log's times have no zone";
  EXPECT_EQ(events[0]["log.level"], "error");
  EXPECT_EQ(events[0]["process.pid"], "54053");
  EXPECT_EQ(events[0]["process.thread.id"], "0");
  EXPECT_EQ(events[0]["nginx.error.connection_id"], "17");
  EXPECT_EQ(events[1]["log.level"], "warn");
  EXPECT_EQ(events[2]["log.level"], "notice");
  EXPECT_EQ(events[2].count("nginx.error.connection_id"), 0u);
}

}  // namespace
}  // namespace logship
