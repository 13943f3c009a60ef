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
  for (const char* s : {"", "plain text", "http://host:9200", "a://", "://x:y@z", "mailto:someone@example.org", "127.0.0.1:9092",
                        "see http://example.org/docs or write to admin@example.org", "http://es:9200/ refused\nfrom bob@corp.com",
                        "user bob@host:22 logged in", "tokenizer=standard max_tokens=5 keyword=x page=2 a=b",
                        "file source: opened /var/log/app/x.log at offset 1234 (inode 5678, device 2049)"}) {
    EXPECT_EQ(redact_url_credentials(s), s);
  }
}

TEST(RedactTest, PasswordHoldingSlashHashQuestionMarkOrBlankIsMaskedWhole) {
  EXPECT_EQ(redact_url_credentials("http://u:p/a#b?c d@host:9200"), "http://u:***@host:9200");
  EXPECT_EQ(redact_url_credentials("'https://elastic:p@ss/w?rd@es-1:9200/_bulk' is down"), "'https://elastic:***@es-1:9200/_bulk' is down");
  EXPECT_EQ(redact_url_credentials("endpoints[0]: 'ftp://u:a b#c@h' is not an http:// or https:// URL"),
            "endpoints[0]: 'ftp://u:***@h' is not an http:// or https:// URL");
}

// The price of the rule above: after a URL with a port, ordinary text up to a later '@' on
// the same line is hidden too (it could have been the rest of a password).
TEST(RedactTest, TextUpToALaterAtSignOnTheLineOfAUrlWithAPortIsMasked) {
  EXPECT_EQ(redact_url_credentials("http://es:9200/_bulk rejected bob@corp.com"), "http://es:***@corp.com");
  EXPECT_EQ(redact_url_credentials("http://es:9200/_bulk rejected\nbob@corp.com"), "http://es:9200/_bulk rejected\nbob@corp.com");
}

TEST(RedactTest, SecretQueryParametersAreMaskedWhateverTheirCase) {
  EXPECT_EQ(redact_url_credentials("GET https://es:9200/x?password=hunter2&page=2"), "GET https://es:9200/x?password=***&page=2");
  EXPECT_EQ(redact_url_credentials("/a?Token=t1&API_KEY=k2&access_token=t3#top"), "/a?Token=***&API_KEY=***&access_token=***#top");
  EXPECT_EQ(redact_url_credentials("?secret=s&client_secret=c&X-Amz-Signature=abc&key=AIza&sig=x%2B=="),
            "?secret=***&client_secret=***&X-Amz-Signature=***&key=***&sig=***");
  EXPECT_EQ(redact_url_credentials("librdkafka rejects sasl.password=pw1 (invalid)"), "librdkafka rejects sasl.password=*** (invalid)");
  EXPECT_EQ(redact_url_credentials("?password=&token=***"), "?password=&token=***");  // nothing (more) to hide
}

TEST(RedactTest, AUserNameStandingAloneInAUrlIsMasked) {
  EXPECT_EQ(redact_url_credentials("http://TOKEN@host"), "http://***@host");
  EXPECT_EQ(redact_url_credentials("clone https://ghp_abc123XYZ@github.com/o/r.git failed"), "clone https://***@github.com/o/r.git failed");
  EXPECT_EQ(redact_url_credentials("http://user@host:9200"), "http://***@host:9200");
}

TEST(RedactTest, SchemeLessUserAndPasswordBeforeHostAndPortAreMasked) {
  EXPECT_EQ(redact_url_credentials("u:pw@host:9092"), "u:***@host:9092");
  EXPECT_EQ(redact_url_credentials("bootstrap_servers: 'kuser:KafkaPw@k1:9092,k2:9092'"), "bootstrap_servers: 'kuser:***@k1:9092,k2:9092'");
  EXPECT_EQ(redact_url_credentials("bootstrap.servers=u:p@ss@[::1]:9092"), "bootstrap.servers=u:***@[::1]:9092");
  EXPECT_EQ(redact_url_credentials("sasl_ssl://u:pw@k1:9093/bootstrap: Connect failed"), "sasl_ssl://u:***@k1:9093/bootstrap: Connect failed");
}

TEST(RedactTest, UppercaseSchemeIsMasked) {
  EXPECT_EQ(redact_url_credentials("HTTP://u:p@h"), "HTTP://u:***@h");
  EXPECT_EQ(redact_url_credentials("cannot reach HTTPS://elastic:s3cret@ES:9200"), "cannot reach HTTPS://elastic:***@ES:9200");
}

TEST(RedactTest, RedactingTwiceChangesNothingMore) {
  for (const char* s : {"http://u:p/a#b?c d@host:9200", "http://TOKEN@host", "u:pw@host:9092", "?password=x&token=y"}) {
    std::string once = redact_url_credentials(s);
    EXPECT_EQ(redact_url_credentials(once), once);
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
