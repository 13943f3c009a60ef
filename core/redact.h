// Keeps secrets out of what logship prints: its log, error messages, `validate` output,
// /metrics labels. Credentials written into addresses become `***`, wherever in a text the
// address stands, so messages from libraries (libcurl, librdkafka) that quote one are covered
// too:
//
//   redact_url_credentials("cannot reach http://elastic:s3cret@es:9200 (refused)")
//     -> "cannot reach http://elastic:***@es:9200 (refused)"
//   redact_url_credentials("GET https://ghp_abc123@host/x?access_token=t0k&page=2")
//     -> "GET https://***@host/x?access_token=***&page=2"
//   redact_url_credentials("brokers u:pw@kafka-1:9092 down") -> "brokers u:***@kafka-1:9092 down"
//   redact_secret("bad value \"s3cret\" for sasl.password", "s3cret") -> "bad value \"***\" …"
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace logship {

// `text` with these replaced by `***`:
//  - the password of every `scheme://user:password@` (any scheme, in any case), up to the last
//    '@' that ends the userinfo, so a password holding unencoded '@', '/', '?', '#' or blanks is
//    masked whole (at the price of masking a little more of a line in rare cases, see
//    redact.cc);
//  - a user name standing alone in a URL (`https://TOKEN@host`): tokens are passed that way;
//  - the password of a scheme-less `user:password@host:port` (Kafka brokers);
//  - the value of a `name=value` whose name ends in password, secret, token, api_key, pwd,
//    signature… (query strings: `?password=x`, `&access_token=y`), names compared ignoring case.
// Text holding neither '@' nor '=' comes back unchanged, cheaply (two memchr): it runs on every
// line logship logs.
std::string redact_url_credentials(std::string_view text);

// `text` with every occurrence of `secret` replaced by `***` (nothing when `secret` is empty).
std::string redact_secret(std::string_view text, std::string_view secret);

// Whether a configuration key names a secret (password, secret, token, key material), e.g.
// librdkafka's sasl.password or ssl.key.password: its value is never quoted back.
bool is_secret_key(std::string_view key);

}  // namespace logship
