// Keeps secrets out of what logship prints: its log, error messages, `validate` output,
// /metrics labels. A URL's password (`http://user:pw@host:9200`) becomes `***`, wherever in a
// text the URL stands, so messages from libraries (libcurl, librdkafka) that quote a URL are
// covered too.
//
//   redact_url_credentials("cannot reach http://elastic:s3cret@es:9200 (refused)")
//     -> "cannot reach http://elastic:***@es:9200 (refused)"
//   redact_secret("bad value \"s3cret\" for sasl.password", "s3cret") -> "bad value \"***\" …"
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace logship {

// Every `scheme://user:password@` in `text` with the password replaced by `***`. Text without
// "://" comes back unchanged (and cheaply: one search).
std::string redact_url_credentials(std::string_view text);

// `text` with every occurrence of `secret` replaced by `***` (nothing when `secret` is empty).
std::string redact_secret(std::string_view text, std::string_view secret);

// Whether a configuration key names a secret (password, secret, token, key material), e.g.
// librdkafka's sasl.password or ssl.key.password: its value is never quoted back.
bool is_secret_key(std::string_view key);

}  // namespace logship
