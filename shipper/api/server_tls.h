// The OpenSSL context of the API's HTTPS (api.tls): built once at start, checked by
// `logship validate` the same way, so a wrong key password or a key that does not match the
// certificate is a configuration error, not a server that refuses every client.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "shipper/api/api_config.h"

struct ssl_ctx_st;

namespace logship {

using ServerTlsContext = std::shared_ptr<ssl_ctx_st>;

// Which key of api.tls a failure is about ("" for none in particular), and why.
struct ServerTlsProblem {
  std::string key;
  std::string reason;
};

// TLS 1.2 or newer; with tls.ca_file, a client certificate signed by it is required. On failure
// the error reads "api.tls.<key>: <reason>", and `problem` (when given) holds the two parts.
Result<ServerTlsContext> make_server_tls(const ApiTls& tls, ServerTlsProblem* problem = nullptr);

// What deserves a warning at start: a certificate that has expired or is not yet valid.
std::vector<std::string> server_tls_warnings(const ServerTlsContext& context);

// The reason OpenSSL gives for the last failure on this thread (and clears its queue).
std::string last_tls_error();

}  // namespace logship
