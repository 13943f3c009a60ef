#include "shipper/pipeline/pipeline_config.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>

#include "shipper/sources/register_sources.h"

namespace logship {
namespace {

class PipelineConfigTest : public ::testing::Test {
 protected:
  PipelineConfigTest() { register_all_components(registry_); }

  std::optional<PipelineConfig> load(const std::string& yaml) {
    errors_ = ConfigErrors();
    return load_pipeline(yaml, "p.yaml", registry_, errors_);
  }
  // The error at `path`, or a failure listing what was reported.
  const ConfigError& error_at(const std::string& path) {
    for (const auto& e : errors_.list())
      if (e.path == path) return e;
    std::string all;
    for (const auto& e : errors_.list()) all += e.to_string("p.yaml") + "\n";
    ADD_FAILURE() << "no error at " << path << "; got:\n" << all;
    static ConfigError none;
    return none;
  }

  ComponentRegistry registry_;
  ConfigErrors errors_;
};

constexpr const char* kValid = R"(
data_dir: /tmp/x
sources:
  app:
    type: file
    include: [/var/log/*.log]
transforms:
  errors:
    type: filter
    inputs: [app]
    include: [ERROR]
sinks:
  out:
    type: file
    inputs: [errors, app]
    path: /tmp/out.ndjson
  screen: {type: stdout, inputs: app}
)";

TEST_F(PipelineConfigTest, AcceptsAValidGraphWithFanOut) {
  auto p = load(kValid);
  ASSERT_TRUE(p) << errors_.list().front().to_string("p.yaml");
  EXPECT_EQ(p->components.size(), 4u);
  EXPECT_EQ(p->global.data_dir, "/tmp/x");
  EXPECT_EQ(p->find("out")->inputs, (std::vector<std::string>{"errors", "app"}));
  EXPECT_EQ(p->find("screen")->inputs, (std::vector<std::string>{"app"}));
  EXPECT_TRUE(p->warnings.empty());
}

TEST_F(PipelineConfigTest, RejectsUnknownKeyWithItsPathAndLineAndASuggestion) {
  EXPECT_FALSE(load("sources:\n  app:\n    type: file\n    include: [a]\n    inclde: [b]\nsinks:\n  s: {type: null, inputs: [app]}\n"));
  const ConfigError& e = error_at("sources.app.inclde");
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.column, 5);
  EXPECT_NE(e.message.find("did you mean 'include'"), std::string::npos) << e.message;
}

TEST_F(PipelineConfigTest, RejectsWrongTypes) {
  EXPECT_FALSE(load("shutdown_timeout: forever\nsources:\n  app:\n    type: file\n    include: {a: b}\n"
                    "    max_line_bytes: huge\nsinks:\n  s: {type: file, inputs: [app], path: /x, fsync: maybe}\n"));
  EXPECT_EQ(error_at("shutdown_timeout").line, 1);
  EXPECT_EQ(error_at("sources.app.include").line, 5);
  EXPECT_EQ(error_at("sources.app.max_line_bytes").line, 6);
  EXPECT_NE(error_at("sinks.s.fsync").message.find("expected true or false"), std::string::npos);
}

TEST_F(PipelineConfigTest, RejectsMissingAndUnknownInputs) {
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: [a]}\nsinks:\n  a: {type: null}\n  b: {type: null, inputs: [nope]}\n"
                    "  c: {type: null, inputs: [a]}\n"));
  EXPECT_NE(error_at("sinks.a.inputs").message.find("missing required key"), std::string::npos);
  EXPECT_NE(error_at("sinks.b.inputs[0]").message.find("unknown input 'nope'"), std::string::npos);
  EXPECT_EQ(error_at("sinks.b.inputs[0]").line, 5);
  EXPECT_NE(error_at("sinks.c.inputs[0]").message.find("is a sink"), std::string::npos);
}

TEST_F(PipelineConfigTest, RejectsACycleBetweenTransforms) {
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: [a]}\ntransforms:\n  t1: {type: filter, inputs: [app, t3]}\n"
                    "  t2: {type: filter, inputs: [t1]}\n  t3: {type: filter, inputs: [t2]}\n"
                    "sinks:\n  s: {type: null, inputs: [t3]}\n"));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_.list()[0].message.find("cycle: "), std::string::npos);
  EXPECT_NE(errors_.list()[0].message.find("t1"), std::string::npos);
}

TEST_F(PipelineConfigTest, RejectsUnknownComponentTypeListingTheKnownOnes) {
  EXPECT_FALSE(load("sources:\n  app: {type: journald}\nsinks:\n  s: {type: nowhere, inputs: [app]}\n"));
  EXPECT_NE(error_at("sources.app.type").message.find("unknown source type 'journald' (known: file, kafka)"), std::string::npos);
  EXPECT_NE(error_at("sinks.s.type").message.find("known: alerts, elasticsearch, file, kafka, null, stdout"), std::string::npos);
}

TEST_F(PipelineConfigTest, RejectsMissingRequiredKeysAndInvalidPatterns) {
  EXPECT_FALSE(load("sources:\n  app:\n    type: file\n    multiline: {start_pattern: '(', condition_pattern: x}\n"
                    "transforms:\n  f: {type: filter, inputs: [app], exclude: ['a', '[z-a]']}\n"
                    "sinks:\n  s: {type: file, inputs: [f]}\n"));
  EXPECT_NE(error_at("sources.app.include").message.find("missing required key"), std::string::npos);
  EXPECT_NE(error_at("sinks.s.path").message.find("missing required key"), std::string::npos);
  EXPECT_NE(error_at("transforms.f.exclude[1]").message.find("invalid RE2 pattern"), std::string::npos);
  EXPECT_EQ(error_at("transforms.f.exclude[1]").line, 6);
}

TEST_F(PipelineConfigTest, ValidatesMultilineOnlyWhenTheRestOfTheSourceIsValid) {
  EXPECT_FALSE(load("sources:\n  app:\n    type: file\n    include: [a]\n    multiline: {start_pattern: '(', condition_pattern: x}\n"
                    "sinks:\n  s: {type: null, inputs: [app]}\n"));
  EXPECT_EQ(error_at("sources.app.multiline.start_pattern").line, 5);
}

TEST_F(PipelineConfigTest, ReportsEveryProblemAtOnceSortedByLine) {
  EXPECT_FALSE(load("bogus: 1\nsources:\n  app: {type: file, include: [a], read_from: middle}\n"
                    "sinks:\n  s: {type: null, inputs: [missing]}\n"));
  ASSERT_EQ(errors_.size(), 3u);
  EXPECT_EQ(errors_.list()[0].path, "bogus");
  EXPECT_EQ(errors_.list()[1].path, "sources.app.read_from");
  EXPECT_NE(errors_.list()[1].message.find("expected one of: beginning | end"), std::string::npos);
  EXPECT_EQ(errors_.list()[2].path, "sinks.s.inputs[0]");
}

TEST_F(PipelineConfigTest, ReportsInvalidYamlWithItsLine) {
  EXPECT_FALSE(load("sources:\n  app: {type: file\nsinks: []\n"));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_.list()[0].message.find("invalid YAML"), std::string::npos);
  EXPECT_GT(errors_.list()[0].line, 0);
}

TEST_F(PipelineConfigTest, RequiresSourcesAndSinksAndUniqueNames) {
  EXPECT_FALSE(load("data_dir: /x\n"));
  error_at("sources");
  error_at("sinks");
  EXPECT_FALSE(load("sources:\n  x: {type: file, include: [a]}\nsinks:\n  x: {type: null, inputs: [x]}\n"));
  EXPECT_NE(error_at("sinks.x").message.find("used twice"), std::string::npos);
}

TEST_F(PipelineConfigTest, InterpolatesEnvironmentVariablesBeforeParsing) {
  ::setenv("LOGSHIP_TEST_DIR", "/srv/logs", 1);
  auto p = load("sources:\n  app: {type: file, include: ['${LOGSHIP_TEST_DIR}/*.log']}\n"
                "sinks:\n  s: {type: file, inputs: [app], path: '${LOGSHIP_TEST_UNSET:-/tmp/default.ndjson}'}\n");
  ASSERT_TRUE(p);
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: ['${LOGSHIP_TEST_UNSET}']}\nsinks:\n  s: {type: null, inputs: [app]}\n"));
  EXPECT_EQ(errors_.list()[0].line, 2);
}

TEST_F(PipelineConfigTest, DuplicateKeysAreErrorsNamingTheKeyAndBothLines) {
  EXPECT_FALSE(load("data_dir: /a\n"
                    "sources:\n  app: {type: file, include: [a]}\n"
                    "sinks:\n  s: {type: null, inputs: [app]}\n"
                    "data_dir: /b\n"
                    "sinks:\n  t: {type: null, inputs: [app], inputs: [x]}\n"));
  const ConfigError& data_dir = error_at("data_dir");
  EXPECT_EQ(data_dir.line, 6);
  EXPECT_NE(data_dir.message.find("duplicate key 'data_dir' (at line 1 and again at line 6)"), std::string::npos) << data_dir.message;
  EXPECT_NE(error_at("sinks").message.find("duplicate key 'sinks' (at line 4 and again at line 7)"), std::string::npos);
  EXPECT_NE(error_at("sinks.t.inputs").message.find("duplicate key 'inputs'"), std::string::npos);
  // A component named twice in one section is one problem, not two.
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: [a]}\n  app: {type: file, include: [b]}\nsinks:\n  s: {type: null, inputs: [app]}\n"));
  ASSERT_EQ(errors_.size(), 1u) << errors_.list()[1].to_string("p.yaml");
  EXPECT_EQ(errors_.list()[0].path, "sources.app");
  EXPECT_EQ(errors_.list()[0].line, 3);
}

TEST_F(PipelineConfigTest, NestingDeeperThanTheLimitIsAClearErrorWithItsLine) {
  EXPECT_FALSE(load("sources: " + std::string(100000, '[')));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_.list()[0].message.find("nesting deeper than 64 levels at line 1"), std::string::npos) << errors_.list()[0].message;
  std::string deep = "sources:\n";
  for (int i = 1; i <= 80; ++i) deep += std::string(2 * i, ' ') + "k:\n";
  EXPECT_FALSE(load(deep));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_.list()[0].message.find("nesting deeper than 64 levels at line 65"), std::string::npos) << errors_.list()[0].message;
  EXPECT_FALSE(load("[a]: 1\n"));
  EXPECT_NE(errors_.list()[0].message.find("a key must be a string"), std::string::npos);
}

TEST_F(PipelineConfigTest, TensOfThousandsOfUnknownKeysAreCountedAndTheFirstHundredKept) {
  std::string yaml = "sources:\n  app: {type: file, include: [a]}\nsinks:\n  s: {type: null, inputs: [app]}\n";
  for (int i = 0; i < 80000; ++i) yaml += "unknown_key_" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  EXPECT_FALSE(load(yaml));
  EXPECT_EQ(errors_.size(), 80000u);
  ASSERT_EQ(errors_.list().size(), ConfigErrors::kMaxKept);
  EXPECT_EQ(errors_.omitted(), 80000u - ConfigErrors::kMaxKept);
  EXPECT_EQ(errors_.list().front().path, "unknown_key_0");
  EXPECT_EQ(errors_.list().front().line, 5);
  EXPECT_EQ(errors_.list().back().path, "unknown_key_99");
}

TEST_F(PipelineConfigTest, AnEnvironmentValueCannotRewriteThePipeline) {
  ::setenv("LOGSHIP_TEST_INJECT", "/tmp/x.ndjson, inputs: [ghost], bogus: 1", 1);
  auto p = load("sources:\n  app: {type: file, include: [a]}\nsinks:\n  s: {type: file, inputs: [app], path: ${LOGSHIP_TEST_INJECT}}\n");
  ASSERT_TRUE(p) << errors_.list()[0].to_string("p.yaml");
  EXPECT_EQ(p->find("s")->inputs, std::vector<std::string>{"app"});
  ::setenv("LOGSHIP_TEST_INJECT", "x\n    tls: {verify: false}", 1);
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: [a]}\nsinks:\n  s:\n    type: file\n    inputs: [app]\n    path: ${LOGSHIP_TEST_INJECT}\n"));
  ASSERT_EQ(errors_.size(), 1u) << errors_.list()[1].to_string("p.yaml");
  EXPECT_EQ(errors_.list()[0].line, 7);
  EXPECT_NE(errors_.list()[0].message.find("LOGSHIP_TEST_INJECT holds a line break"), std::string::npos);
  ::unsetenv("LOGSHIP_TEST_INJECT");
}

TEST_F(PipelineConfigTest, ASaslMechanismLibrdkafkaCannotUseIsAnErrorAtItsPath) {
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: [a]}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n"
                    "    bootstrap_servers: 'b:9092'\n    librdkafka:\n      sasl.mechanism: KERBEROS\n"));
  const ConfigError& e = error_at("sinks.k.librdkafka.sasl.mechanism");
  EXPECT_EQ(e.line, 9);
  EXPECT_NE(e.message.find("unknown SASL mechanism 'KERBEROS'"), std::string::npos) << e.message;
  EXPECT_FALSE(load("sources:\n  q:\n    type: kafka\n    bootstrap_servers: 'b:9092'\n    group_id: g\n    topics: [t]\n"
                    "    librdkafka: {sasl.mechanisms: NTLM}\nsinks:\n  s: {type: null, inputs: [q]}\n"));
  EXPECT_EQ(error_at("sources.q.librdkafka.sasl.mechanisms").line, 7);
}

TEST_F(PipelineConfigTest, SlowlogTransformNeedsASourceThatAssemblesEntries) {
  EXPECT_FALSE(load("sources:\n  slow: {type: file, include: [s.log]}\ntransforms:\n  q: {type: mysql_slowlog, inputs: [slow]}\n"
                    "sinks:\n  s: {type: null, inputs: [q]}\n"));
  EXPECT_NE(error_at("transforms.q.inputs[0]").message.find("multiline: {preset: mysql_slowlog}"), std::string::npos);
  EXPECT_TRUE(load("sources:\n  slow: {type: file, include: [s.log], multiline: {preset: mysql_slowlog}}\n"
                   "transforms:\n  q: {type: mysql_slowlog, inputs: [slow]}\nsinks:\n  s: {type: null, inputs: [q]}\n"));
}

TEST_F(PipelineConfigTest, WarnsAboutAnOutputNobodyReads) {
  auto p = load("sources:\n  a: {type: file, include: [x]}\n  b: {type: file, include: [y]}\nsinks:\n  s: {type: null, inputs: [a]}\n");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_NE(p->warnings[0].find("sources.b"), std::string::npos);
}

TEST_F(PipelineConfigTest, ElasticsearchSinkProblemsAreListedWithTheirPaths) {
  EXPECT_FALSE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es:\n    type: elasticsearch\n    inputs: [a]\n"
                    "    endpoints: ['localhost:9200']\n    max_in_flight: 0\n    auth: {user: logship, api_key: abc}\n"
                    "    dead_letter: {type: kafka}\n"));
  EXPECT_NE(error_at("sinks.es.endpoints[0]").message.find("not an http:// or https:// URL"), std::string::npos);
  EXPECT_NE(error_at("sinks.es.max_in_flight").message.find("between 1 and 64"), std::string::npos);
  EXPECT_NE(error_at("sinks.es.auth").message.find("either user/password or api_key"), std::string::npos);
  testing::TempDir dir;
  testing::write_file(dir / "ca.pem", "a CA\n");
  EXPECT_TRUE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es: {type: elasticsearch, inputs: [a], endpoints: ['https://es:9200'],"
                   " auth: {user: u, password: p}, tls: {ca_file: " + dir / "ca.pem" + "}}\n"));
  // Files that cannot be read, and a certificate without its key, are problems `validate` lists.
  EXPECT_FALSE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es: {type: elasticsearch, inputs: [a], endpoints: ['https://es:9200'],"
                    " tls: {ca_file: /nonexistent/ca.pem, cert_file: " + dir / "ca.pem" + "}}\n"));
  EXPECT_NE(error_at("sinks.es.tls.ca_file").message.find("cannot read"), std::string::npos);
  EXPECT_NE(error_at("sinks.es.tls").message.find("go together"), std::string::npos);
}

TEST_F(PipelineConfigTest, AnElasticsearchEndpointsSchemeMayBeInAnyCase) {
  EXPECT_TRUE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es: {type: elasticsearch, inputs: [a], "
                   "endpoints: ['HTTP://es-1:9200', 'Https://es-2:9200']}\n"))
      << (errors_.empty() ? "" : errors_.list()[0].message);
  EXPECT_FALSE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es: {type: elasticsearch, inputs: [a], endpoints: ['HTTPX://es:9200']}\n"));
}

TEST_F(PipelineConfigTest, KafkaBrokersWithCredentialsAreRefusedWithoutShowingThePassword) {
  EXPECT_FALSE(load("sources:\n  app: {type: file, include: [a]}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n"
                    "    bootstrap_servers: 'kuser:KafkaPw1@k1:9092'\n"));
  const ConfigError& sink = error_at("sinks.k.bootstrap_servers");
  EXPECT_EQ(sink.line, 7);
  EXPECT_NE(sink.message.find("holds credentials"), std::string::npos) << sink.message;
  EXPECT_FALSE(load("sources:\n  q:\n    type: kafka\n    bootstrap_servers: 'k0:9092,kuser:KafkaPw2@k1:9092'\n    group_id: g\n"
                    "    topics: [t]\nsinks:\n  s: {type: null, inputs: [q]}\n"));
  const ConfigError& source = error_at("sources.q.bootstrap_servers");
  EXPECT_EQ(source.line, 4);
  EXPECT_NE(source.message.find("broker 2 holds credentials"), std::string::npos) << source.message;
}

// What private_data_test (e2e) checks of `logship validate`, for the credentials that slipped
// past redaction before: no secret of a refused pipeline shows in its errors.
TEST_F(PipelineConfigTest, NoSecretWrittenIntoAddressesShowsInTheErrors) {
  const std::vector<std::string> secrets = {"UrlPw1", "UrlTok2", "QueryTok3", "KafkaPw4", "DeadPw5"};
  EXPECT_FALSE(load("sources:\n  a: {type: file, include: [x]}\n"
                    "  q: {type: kafka, bootstrap_servers: 'ku:KafkaPw4@k1:9092', group_id: g, topics: [t]}\n"
                    "sinks:\n  es:\n    type: elasticsearch\n    inputs: [a, q]\n"
                    "    endpoints: ['ftp://u:UrlPw1/a#b?c d@es:9200', 'ftp://UrlTok2@es:9200', 'ftp://es:9200/?access_token=QueryTok3']\n"
                    "    dead_letter: {type: kafka, bootstrap_servers: 'ku:DeadPw5@k:9092'}\n"));
  std::string all;
  for (const auto& e : errors_.list()) all += e.to_string("p.yaml") + "\n";
  EXPECT_GE(errors_.size(), 5u) << all;
  for (const auto& secret : secrets) EXPECT_EQ(all.find(secret), std::string::npos) << secret << " shows in:\n" << all;
}

TEST_F(PipelineConfigTest, ASecondYamlDocumentIsRefusedAtItsLine) {
  EXPECT_FALSE(load(std::string(kValid) + "---\nsinks:\n  more: {type: stdout, inputs: [app]}\n"));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_.list()[0].line, 18);
  EXPECT_NE(errors_.list()[0].message.find("a pipeline file holds one YAML document; a second begins at line 18"), std::string::npos)
      << errors_.list()[0].message;
}

TEST_F(PipelineConfigTest, ACommentedOutReferenceIsNeitherReadNorAnError) {
  ::setenv("LOGSHIP_TEST_MULTILINE", "a\nb", 1);
  EXPECT_TRUE(load(std::string(kValid) + "# password: ${LOGSHIP_TEST_UNSET}\n# ${LOGSHIP_TEST_MULTILINE}\n"))
      << (errors_.empty() ? "" : errors_.list()[0].message);
  ::unsetenv("LOGSHIP_TEST_MULTILINE");
}

TEST_F(PipelineConfigTest, TheOldDeadLetterOptionIsRefusedWithTheWiringThatReplacesIt) {
  EXPECT_FALSE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es:\n    type: elasticsearch\n    inputs: [a]\n"
                    "    endpoints: ['http://localhost:9200']\n    dead_letter: {type: kafka, bootstrap_servers: 'k:9092', topic: refused}\n"));
  const std::string& m = error_at("sinks.es.dead_letter").message;
  EXPECT_NE(m.find("es_dead_letters: {type: kafka, inputs: [es.dead_letter], bootstrap_servers: k:9092, topic: refused}"), std::string::npos) << m;
  EXPECT_FALSE(load("sources:\n  a: {type: file, include: [x]}\nsinks:\n  es:\n    type: elasticsearch\n    inputs: [a]\n"
                    "    endpoints: ['http://localhost:9200']\n    retry: {initial_backoff: 50ms, max_backoff: 1s}\n"));
  EXPECT_NE(error_at("sinks.es.retry.initial_backoff").message.find("retry: {initial: 100ms, max: 30s}"), std::string::npos);
}

TEST_F(PipelineConfigTest, DeadLettersAreReadAsTheSinksOutputAndCannotLoopBack) {
  std::string head = "sources:\n  a: {type: file, include: [x]}\n";
  EXPECT_TRUE(load(head + "sinks:\n  main: {type: stdout, inputs: [a], retry: {initial: 10ms, max: 1s}}\n"
                          "  refused: {type: file, inputs: [main.dead_letter], path: /tmp/r.ndjson}\n"));
  EXPECT_FALSE(load(head + "sinks:\n  main: {type: stdout, inputs: [a, main.dead_letter]}\n"));
  EXPECT_NE(error_at("sinks.main.inputs[1]").message.find("cannot read its own dead letters"), std::string::npos);
  EXPECT_FALSE(load(head + "sinks:\n  x: {type: stdout, inputs: [a, y.dead_letter]}\n  y: {type: stdout, inputs: [x.dead_letter]}\n"));
  bool cycle = false;
  for (const auto& e : errors_.list()) cycle |= e.message.find("cycle: ") != std::string::npos;
  EXPECT_TRUE(cycle);
  EXPECT_FALSE(load(head + "sinks:\n  main: {type: stdout, inputs: [a.dead_letter]}\n"));
  EXPECT_NE(error_at("sinks.main.inputs[0]").message.find("unknown input 'a.dead_letter'"), std::string::npos);
  EXPECT_FALSE(load(head + "transforms:\n  t: {type: filter, inputs: [a], include: [x], retry: {initial: 1s}}\nsinks:\n  o: {type: stdout, inputs: [t]}\n"));
  EXPECT_NE(error_at("transforms.t.retry").message.find("only sinks take `retry`"), std::string::npos);
  EXPECT_FALSE(load(head + "sinks:\n  o: {type: stdout, inputs: [a], retry: {initial: 2s, max: 1s}}\n"));
  EXPECT_NE(error_at("sinks.o.retry.max").message.find("at least `initial`"), std::string::npos);
  // An input listed twice would make every batch owe two acknowledgements for one delivery.
  EXPECT_FALSE(load(head + "sinks:\n  o: {type: stdout, inputs: [a, a]}\n"));
  EXPECT_NE(error_at("sinks.o.inputs[1]").message.find("listed twice"), std::string::npos);
  // A parser would read the refused event again and lose the reason; a filter may sort them.
  EXPECT_FALSE(load(head + "transforms:\n  p: {type: json, inputs: [main.dead_letter]}\nsinks:\n  main: {type: stdout, inputs: [a]}\n"
                           "  o: {type: stdout, inputs: [p]}\n"));
  EXPECT_NE(error_at("transforms.p.inputs[0]").message.find("cannot read dead letters"), std::string::npos);
  EXPECT_TRUE(load(head + "transforms:\n  f: {type: filter, inputs: [main.dead_letter], include: [mapper]}\nsinks:\n  main: {type: stdout, inputs: [a]}\n"
                          "  o: {type: stdout, inputs: [f]}\n"));
  // ...and what reads dead letters must lead somewhere.
  EXPECT_FALSE(load(head + "transforms:\n  f: {type: filter, inputs: [main.dead_letter], include: [mapper]}\nsinks:\n  main: {type: stdout, inputs: [a]}\n"));
  EXPECT_NE(error_at("transforms.f.inputs").message.find("a sink must read its output"), std::string::npos);
}

}  // namespace
}  // namespace logship
