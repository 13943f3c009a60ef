// The geoip transform on encoded events, and the rules transform's geoip option on lines, with small City and ASN databases written at test time
// by tests/support/make_test_geoip.pl (Debian's libmaxmind-db-writer-perl).
#include "parser/geoip/geoip_transform.h"
#include "parser/rules/rules_transform.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/config/config_errors.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::TempDir;

void make_databases(const std::string& dir, int variant = 1) {
  std::string command = std::string(LOGSHIP_SOURCE_DIR) + "/tests/support/make_test_geoip.pl " + dir + " " + std::to_string(variant);
  ASSERT_EQ(std::system(command.c_str()), 0) << command << " (scripts/install-deps installs libmaxmind-db-writer-perl)";
}

class GeoipTest : public ::testing::Test {
 protected:
  void SetUp() override { make_databases(dir_.path()); }
  std::unique_ptr<GeoipTransform> transform(GeoipConfig config = {}) {
    if (config.database.empty()) config.database = dir_ / "City.mmdb";
    auto t = GeoipTransform::create(config, BuildContext{"geo", "", ""});
    EXPECT_TRUE(static_cast<bool>(t));
    return std::move(t.value());
  }
  // The events' encoded lines after the transform.
  static std::vector<std::string> enrich(GeoipTransform& t, const std::vector<std::string>& lines) {
    Batch b;
    for (const std::string& line : lines) {
      b.add_raw_event("x", 0, 1, 0);
      b.events.back().enc_begin = static_cast<uint32_t>(b.encoded.size());
      b.encoded += line + "\n";
      b.events.back().enc_len = static_cast<uint32_t>(line.size() + 1);
    }
    b.is_encoded = true;
    t.enrich(b);
    std::vector<std::string> out;
    for (const EventView& e : b.events) {
      std::string_view text = b.encoded_text(e);
      EXPECT_EQ(text.back(), '\n');
      out.emplace_back(text.substr(0, text.size() - 1));
    }
    return out;
  }
  static std::string one(GeoipTransform& t, const std::string& line) { return enrich(t, {line}).front(); }
  TempDir dir_;
};

TEST_F(GeoipTest, APublicAddressGetsGeoAndAsInsideTheObjectThatHoldsIt) {
  GeoipConfig config;
  config.asn_database = dir_ / "ASN.mmdb";
  auto t = transform(config);
  EXPECT_EQ(one(*t, R"({"message":"x","source":{"ip":"85.181.35.98","port":4242},"host":{"name":"h"}})"),
            R"({"message":"x","source":{"ip":"85.181.35.98","port":4242,"geo":{"city_name":"Hamburg","continent_code":"EU",)"
            R"("continent_name":"Europe","country_iso_code":"DE","country_name":"Germany","location":{"lat":53.5511,"lon":9.9937},)"
            R"("postal_code":"20095","region_iso_code":"DE-HH","region_name":"Hamburg","timezone":"Europe/Berlin"},)"
            R"("as":{"number":3320,"organization":{"name":"Deutsche Telekom AG"}}},"host":{"name":"h"}})");
  // IPv6: the country alone, no network in the ASN database.
  EXPECT_EQ(one(*t, R"({"source":{"ip":"2a02:cf40::17"}})"),
            R"({"source":{"ip":"2a02:cf40::17","geo":{"continent_code":"EU","continent_name":"Europe","country_iso_code":"NO",)"
            R"("country_name":"Norway","location":{"lat":59.95,"lon":10.75},"timezone":"Europe/Oslo"}}})");
}

TEST_F(GeoipTest, PrivateUnknownAndUnreadableAddressesAndEventsAreLeftAsTheyAre) {
  auto t = transform();
  std::vector<std::string> lines = {
      R"({"source":{"ip":"10.1.2.3"}})",       R"({"source":{"ip":"127.0.0.1"}})",       R"({"source":{"ip":"::1"}})",
      R"({"source":{"ip":"::ffff:192.168.1.1"}})", R"({"source":{"ip":"100.64.0.1"}})", R"({"source":{"ip":"fe80::1"}})",
      R"({"source":{"ip":"8.8.8.8"}})",         R"({"source":{"ip":"-"}})",               R"({"source":{"ip":85181}})",
      R"({"source":"85.181.35.98"})",            R"({"message":"no source"})",             R"(not json {"source":{"ip":"85.181.35.98"}})",
      R"({"source":{"ip":"85.181.35.98")",       R"({"source":{"ip":"85.181.35.98\u0000"}})", R"([{"source":{"ip":"85.181.35.98"}}])",
  };
  EXPECT_EQ(enrich(*t, lines), lines);
}

TEST_F(GeoipTest, AGeoTheEventHasIsKeptAndBracesInsideStringsDoNotMislead) {
  GeoipConfig config;
  config.asn_database = dir_ / "ASN.mmdb";
  auto t = transform(config);
  EXPECT_EQ(one(*t, R"({"source":{"ip":"81.2.69.160","geo":{"name":"own"}}})"),
            R"({"source":{"ip":"81.2.69.160","geo":{"name":"own"},"as":{"number":20712,"organization":{"name":"Andrews & Arnold Ltd"}}}})");
  std::string tricky = R"({"m":"\"source\":{\"ip\":\"1\"}","source":{"n":"}{\"","ip":"81.2.69.160"},"z":"}"})";
  std::string out = one(*t, tricky);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(std::string_view(doc["source"]["geo"]["city_name"].get_string().value()), "London");
  EXPECT_EQ(std::string_view(doc["source"]["n"].get_string().value()), "}{\"");
  EXPECT_EQ(std::string_view(doc["z"].get_string().value()), "}");
}

TEST_F(GeoipTest, AnotherFieldAndLanguageAreHonoured) {
  GeoipConfig config;
  config.field = "client.address.ip";
  config.language = "de";
  auto t = transform(config);
  std::string out = one(*t, R"({"client":{"address":{"ip":"85.181.35.98"}}})");
  EXPECT_NE(out.find(R"("client":{"address":{"ip":"85.181.35.98","geo":{"city_name":"Hamburg")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("country_name":"Deutschland")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("continent_name":"Europe")"), std::string::npos) << out;  // no German name: English
  config.field = "ip";
  auto top = transform(config);
  EXPECT_EQ(one(*top, R"({"ip":"2a02:cf40::1"})").find(R"({"ip":"2a02:cf40::1","geo":{"co)"), 0u);
}

TEST_F(GeoipTest, ANewDatabaseAtThePathIsOpenedAndOneThatDoesNotOpenLeavesTheOldInUse) {
  GeoipConfig config;
  config.reload_interval.value = std::chrono::milliseconds(10);
  auto t = transform(config);
  const std::string line = R"({"source":{"ip":"85.181.35.98"}})";
  EXPECT_NE(one(*t, line).find("\"Hamburg\""), std::string::npos);
  make_databases(dir_.path(), 2);  // written aside and renamed over, as updaters do
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(one(*t, line).find("\"Altona\""), std::string::npos);  // cached results went with the old file
  testing::write_file(dir_ / "City.mmdb", "not a database");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(one(*t, line).find("\"Altona\""), std::string::npos);
  EXPECT_NE(one(*t, R"({"source":{"ip":"81.2.69.1"}})").find("\"Leeds\""), std::string::npos);  // looked up in the old file
}

TEST_F(GeoipTest, AFifoOrAFolderAsDatabaseIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo.mmdb").c_str(), 0600), 0);
  std::string error;
  EXPECT_FALSE(GeoDatabase::open(dir_ / "fifo.mmdb", error));  // returns: open() would block
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  EXPECT_FALSE(GeoDatabase::open(dir_.path(), error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  EXPECT_FALSE(GeoDatabase::open(dir_ / "missing.mmdb", error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(GeoipTest, AReloadThatWouldSwapACityDatabaseForAnAsnOneKeepsTheCity) {
  GeoipConfig config;
  config.reload_interval.value = std::chrono::milliseconds(10);
  auto t = transform(config);
  const std::string line = R"({"source":{"ip":"85.181.35.98"}})";
  std::filesystem::copy_file(dir_ / "ASN.mmdb", dir_ / "City.tmp");
  std::filesystem::rename(dir_ / "City.tmp", dir_ / "City.mmdb");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(one(*t, line).find("\"Hamburg\""), std::string::npos);
}

TEST_F(GeoipTest, ValidateNamesEachBadKeyWithItsPath) {
  YAML::Node node = YAML::Load("{database: /nonexistent.mmdb, asn_database: x, field: 'source..ip', cache_size: -1}");
  GeoipConfig config;
  config.database = "/nonexistent.mmdb";
  testing::write_file(dir_ / "x", "plain text");
  config.asn_database = dir_ / "x";
  config.field = "source..ip";
  config.cache_size = -1;
  ConfigErrors errors;
  config.validate(node, "transforms.geo", errors);
  std::string text;
  for (const ConfigError& e : errors.list()) text += e.path + ": " + e.message + "\n";
  EXPECT_NE(text.find("transforms.geo.database"), std::string::npos) << text;
  EXPECT_NE(text.find("transforms.geo.asn_database"), std::string::npos) << text;
  EXPECT_NE(text.find("is not a MaxMind database"), std::string::npos) << text;
  EXPECT_NE(text.find("transforms.geo.field"), std::string::npos) << text;
  EXPECT_NE(text.find("transforms.geo.cache_size"), std::string::npos) << text;
}

// ---- the rules transform's `geoip:` option ----

class RulesGeoipTest : public GeoipTest {
 protected:
  std::unique_ptr<RulesTransform> rules(std::vector<std::string> sets, GeoLookupConfig geo = {}) {
    RulesTransformConfig config;
    config.rules = std::move(sets);
    if (geo.database.empty()) geo.database = dir_ / "City.mmdb";
    if (geo.asn_database.empty()) geo.asn_database = dir_ / "ASN.mmdb";
    config.geoip = geo;
    auto t = RulesTransform::create(config, BuildContext{"r", "", ""});
    EXPECT_TRUE(static_cast<bool>(t)) << (t ? "" : t.error().message);
    return t ? std::move(t.value()) : nullptr;
  }
  // The `source` object of each line's event, as JSON text.
  static std::vector<std::string> sources(RulesTransform& t, const std::vector<std::string>& lines) {
    Batch b;
    b.origin = std::make_shared<Origin>();
    for (const std::string& line : lines) b.add_raw_event(line, 0, line.size() + 1, 0);
    t.encode(b);
    std::vector<std::string> out;
    simdjson::dom::parser p;
    for (const EventView& e : b.events) {
      simdjson::dom::element d;
      EXPECT_EQ(p.parse(std::string(b.encoded_text(e))).get(d), simdjson::SUCCESS) << b.encoded_text(e);
      simdjson::dom::element source;
      out.push_back(d["source"].get(source) == simdjson::SUCCESS ? simdjson::minify(source) : "");
    }
    return out;
  }
  static std::string access(const std::string& client) {
    return client + " - - [25/Oct/2016:14:49:34 +0200] \"GET / HTTP/1.1\" 200 571 \"-\" \"curl/8.0\"";
  }
};

TEST_F(RulesGeoipTest, TheClientTheRuleCapturesGetsGeoAndAsBesideItsAddress) {
  auto t = rules({"nginx"});
  ASSERT_TRUE(t);
  auto out = sources(*t, {access("85.181.35.98"), access("10.0.0.2, 10.0.0.1, 85.181.35.98"), access("10.0.0.2"),
                          access("2a02:cf40::17"), access("unknown")});
  const std::string hamburg =
      R"("geo":{"city_name":"Hamburg","continent_code":"EU","continent_name":"Europe","country_iso_code":"DE",)"
      R"("country_name":"Germany","location":{"lat":53.5511,"lon":9.9937},"postal_code":"20095","region_iso_code":"DE-HH",)"
      R"("region_name":"Hamburg","timezone":"Europe/Berlin"})";
  const std::string telekom = R"("as":{"number":3320,"organization":{"name":"Deutsche Telekom AG"}})";
  EXPECT_EQ(out[0], "{" + telekom + "," + hamburg + R"(,"ip":"85.181.35.98"})");
  // A forwarded-for chain: the client nginx's rule picks (the first public address) is looked up.
  EXPECT_NE(out[1].find(hamburg), std::string::npos) << out[1];
  EXPECT_NE(out[1].find(R"("ip":"85.181.35.98")"), std::string::npos) << out[1];
  EXPECT_EQ(out[2], R"({"ip":"10.0.0.2"})");  // private: nothing looked up
  EXPECT_NE(out[3].find(R"("country_iso_code":"NO")"), std::string::npos) << out[3];
  EXPECT_EQ(out[3].find(R"("as")"), std::string::npos) << out[3];  // not in the ASN database
  EXPECT_EQ(out[4], "");  // no address: no source at all
}

TEST_F(RulesGeoipTest, TheSameAnswerAsTheGeoipTransformGivesTheSameEvent) {
  auto enriched = rules({"apache"});
  ASSERT_TRUE(enriched);
  RulesTransformConfig plain_config;
  plain_config.rules = {"apache"};
  auto plain = RulesTransform::create(plain_config, BuildContext{"p", "", ""});
  ASSERT_TRUE(plain);
  GeoipConfig geo_config;
  geo_config.asn_database = dir_ / "ASN.mmdb";
  auto geo = transform(geo_config);
  const std::string line = "81.2.69.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326";
  Batch b;
  b.origin = std::make_shared<Origin>();
  b.add_raw_event(line, 0, line.size() + 1, 0);
  (*plain)->encode(b);
  geo->enrich(b);
  simdjson::dom::parser p;
  std::string by_transform = simdjson::minify(p.parse(std::string(b.encoded_text(b.events[0])))["source"]);
  EXPECT_NE(by_transform.find("London"), std::string::npos) << by_transform;
  // The members come in another order; the same set of them.
  auto by_rules = sources(*enriched, {line})[0];
  auto sorted = [](std::string s) { std::sort(s.begin(), s.end()); return s; };
  EXPECT_EQ(sorted(by_rules), sorted(by_transform)) << by_rules << "\n" << by_transform;
}

TEST_F(RulesGeoipTest, ARuleWritingGeoOfItsOwnKeepsItAndOtherFieldsAreHonoured) {
  testing::write_file(dir_ / "own.yaml", R"(rules:
  - name: own
    pattern: '^(?P<client>\S+) from (?P<place>\S+)$'
    fields: {client: {field: client.ip, type: ip}, place: source.geo.name}
)");
  GeoLookupConfig geo;
  geo.field = "client.ip";
  auto t = rules({dir_ / "own.yaml"}, geo);
  ASSERT_TRUE(t);
  Batch b;
  b.origin = std::make_shared<Origin>();
  std::string line = "85.181.35.98 from Hamburg";
  b.add_raw_event(line, 0, line.size() + 1, 0);
  t->encode(b);
  std::string text(b.encoded_text(b.events[0]));
  EXPECT_NE(text.find(R"("client":{"as":{"number":3320)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("source":{"geo":{"name":"Hamburg"}})"), std::string::npos) << text;

  testing::write_file(dir_ / "has_geo.yaml", R"(rules:
  - name: has_geo
    pattern: '^(?P<client>\S+) from (?P<place>\S+)$'
    fields: {client: {field: source.ip, type: ip}, place: source.geo.city_name}
)");
  RulesTransformConfig config;
  config.rules = {dir_ / "has_geo.yaml"};
  config.geoip = GeoLookupConfig{};
  config.geoip->database = dir_ / "City.mmdb";
  ConfigErrors errors;
  config.validate(YAML::Load("{rules: [x], geoip: {database: y}}"), "transforms.r", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.list()[0].path, "transforms.r.geoip");
  EXPECT_NE(errors.list()[0].message.find("no rule of these rule sets captures source.ip"), std::string::npos) << errors.list()[0].message;
}

TEST_F(RulesGeoipTest, ANewDatabaseIsOpenedBetweenBatches) {
  GeoLookupConfig geo;
  geo.reload_interval.value = std::chrono::milliseconds(10);
  auto t = rules({"nginx"}, geo);
  ASSERT_TRUE(t);
  EXPECT_NE(sources(*t, {access("85.181.35.98")})[0].find("\"Hamburg\""), std::string::npos);
  make_databases(dir_.path(), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(sources(*t, {access("85.181.35.98")})[0].find("\"Altona\""), std::string::npos);
}

}  // namespace
}  // namespace logship
