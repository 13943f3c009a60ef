#include "clients/kafka/kafka_conf.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

using Props = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kWithoutKerberos = "gzip,snappy,ssl,sasl,regex,lz4,sasl_plain,sasl_scram,plugins,zstd";

TEST(KafkaConfTest, ASaslMechanismTheBuildLacksIsFoundBeforeRunning) {
  auto found = kafka_unsupported_properties({{"sasl.mechanism", "GSSAPI"}}, kWithoutKerberos);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "sasl.mechanism");
  EXPECT_NE(found[0].second.find("needs librdkafka built with sasl_gssapi"), std::string::npos) << found[0].second;
  EXPECT_EQ(kafka_unsupported_properties({{"sasl.mechanisms", "OAUTHBEARER"}}, kWithoutKerberos)[0].first, "sasl.mechanisms");
  EXPECT_TRUE(kafka_unsupported_properties({{"sasl.mechanism", "SCRAM-SHA-512"}, {"security.protocol", "sasl_ssl"}}, kWithoutKerberos).empty());
  EXPECT_TRUE(kafka_unsupported_properties({{"sasl.mechanism", "PLAIN"}}, kWithoutKerberos).empty());
  // SCRAM needs sasl_scram.
  EXPECT_EQ(kafka_unsupported_properties({{"sasl.mechanism", "SCRAM-SHA-256"}}, "gzip,sasl,sasl_plain").size(), 1u);
}

TEST(KafkaConfTest, ASaslProtocolWithoutAMechanismMeansGssapi) {
  auto found = kafka_unsupported_properties({{"security.protocol", "SASL_PLAINTEXT"}}, kWithoutKerberos);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "security.protocol");
  EXPECT_NE(found[0].second.find("means GSSAPI"), std::string::npos);
  EXPECT_EQ(kafka_unsupported_properties({{"security.protocol", "ssl"}}, "gzip,sasl").size(), 1u);
}

TEST(KafkaConfTest, ABrokerWithCredentialsIsRefusedByPositionWithoutQuotingIt) {
  EXPECT_EQ(kafka_bootstrap_servers_problem("k1:9092,k2:9092"), "");
  EXPECT_EQ(kafka_bootstrap_servers_problem("[::1]:9092"), "");
  for (const char* servers : {"kuser:Pw1@k1:9092", "k0:9092,sasl_ssl://kuser:Pw1@k1:9093"}) {
    std::string why = kafka_bootstrap_servers_problem(servers);
    EXPECT_NE(why.find("holds credentials"), std::string::npos) << why;
    EXPECT_NE(why.find("sasl.password"), std::string::npos) << why;
    EXPECT_EQ(why.find("Pw1"), std::string::npos) << why;
    EXPECT_EQ(why.find("kuser"), std::string::npos) << why;
  }
  EXPECT_EQ(kafka_bootstrap_servers_problem("k0:9092,u:p@k1:9092").rfind("broker 2 ", 0), 0u);
}

TEST(KafkaConfTest, TheLinkedLibrdkafkaReportsItsFeatures) {
  EXPECT_NE(kafka_builtin_features().find("gzip"), std::string::npos) << kafka_builtin_features();
  // Whatever this build has, what it reports it has is accepted.
  for (const char* m : {"GSSAPI", "PLAIN", "SCRAM-SHA-256", "OAUTHBEARER"}) {
    Props p = {{"sasl.mechanism", m}};
    auto found = kafka_unsupported_properties(p, kafka_builtin_features());
    std::string feature = std::string(m) == "GSSAPI" ? "sasl_gssapi" : std::string(m) == "PLAIN" ? "sasl_plain" : std::string(m) == "OAUTHBEARER" ? "sasl_oauthbearer" : "sasl_scram";
    EXPECT_EQ(found.empty(), kafka_builtin_features().find(feature) != std::string::npos) << m;
  }
}

}  // namespace
}  // namespace logship
