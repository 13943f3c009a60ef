#include "core/redact.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

TEST(RedactTest, UrlPasswordIsMaskedWhereverTheUrlStands) {
  EXPECT_EQ(redact_url_credentials("http://user:pw@host:9200"), "http://user:***@host:9200");
  EXPECT_EQ(redact_url_credentials("https://elastic:s3cret@es-1:9200/_bulk?x=1"), "https://elastic:***@es-1:9200/_bulk?x=1");
  EXPECT_EQ(redact_url_credentials("Couldn't connect to server (http://u:p@127.0.0.1:1), then 'https://a:b@c'"),
            "Couldn't connect to server (http://u:***@127.0.0.1:1), then 'https://a:***@c'");
}

TEST(RedactTest, PasswordHoldingAtSignOrColonIsMaskedWhole) {
  EXPECT_EQ(redact_url_credentials("http://user:p@ss:w0rd@host/"), "http://user:***@host/");
}

TEST(RedactTest, TextWithoutPasswordIsUnchanged) {
  for (const char* s : {"", "plain text", "http://host:9200", "http://user@host:9200", "a://", "://x:y@z",
                        "mailto:someone@example.org", "127.0.0.1:9092"}) {
    EXPECT_EQ(redact_url_credentials(s), s);
  }
}

TEST(RedactTest, SecretValueIsMaskedEverywhereInText) {
  EXPECT_EQ(redact_secret("Invalid value \"hunter2\" (hunter2)", "hunter2"), "Invalid value \"***\" (***)");
  EXPECT_EQ(redact_secret("nothing", ""), "nothing");
}

TEST(RedactTest, SecretKeysAreRecognised) {
  EXPECT_TRUE(is_secret_key("sasl.password"));
  EXPECT_TRUE(is_secret_key("ssl.key.password"));
  EXPECT_TRUE(is_secret_key("sasl.oauthbearer.client.secret"));
  EXPECT_FALSE(is_secret_key("bootstrap.servers"));
  EXPECT_FALSE(is_secret_key("sasl.username"));
}

}  // namespace
}  // namespace logship
