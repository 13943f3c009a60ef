#include "shipper/api/server_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace logship {

std::string last_tls_error() {
  // The first error is the cause ("bad decrypt"); those after it say where it surfaced ("PEM lib").
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

namespace {

// OpenSSL asks for the key password through a callback; the context keeps the password.
int give_password(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  if (password->empty() || static_cast<int>(password->size()) > size) return -1;
  password->copy(buf, password->size());
  return static_cast<int>(password->size());
}

}  // namespace

Result<ServerTlsContext> make_server_tls(const ApiTls& tls, ServerTlsProblem* problem) {
  // "api.tls.<key>: <reason>", and the two parts for `validate`, which places the key's line.
  auto fail = [&](const char* key, std::string reason) {
    if (problem != nullptr) *problem = {key, reason};
    return Error::invalid(std::string("api.tls") + (*key ? "." : "") + key + ": " + reason);
  };
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return fail("", last_tls_error());
  // The password lives as long as the context: ex_data would do too, but a deleter is simpler.
  auto password = std::make_shared<std::string>(tls.key_password);
  ServerTlsContext ctx(raw, [password](SSL_CTX* c) { SSL_CTX_free(c); });
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  // A client that closes its side right after its request (EOF without close_notify) still
  // gets its answer: OpenSSL 3 would call that EOF an error.
  SSL_CTX_set_options(raw, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Sessions resumed by id or ticket need a context id once client certificates are checked;
  // without one OpenSSL fails every resumption with an internal error.
  static const unsigned char kSessionContext[] = "logship-api";
  SSL_CTX_set_session_id_context(raw, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_default_passwd_cb(raw, give_password);
  SSL_CTX_set_default_passwd_cb_userdata(raw, password.get());
  if (SSL_CTX_use_certificate_chain_file(raw, tls.cert_file.c_str()) != 1)
    return fail("cert_file", "cannot use '" + tls.cert_file + "': " + last_tls_error());
  if (SSL_CTX_use_PrivateKey_file(raw, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return fail("key_file", "'" + tls.key_file + "' is not the key of '" + tls.cert_file + "'");
    }
    return fail("key_file", "cannot use '" + tls.key_file + "'" +
                                (tls.key_password.empty() ? " (encrypted? give key_password)" : " (wrong key_password?)") + ": " + last_tls_error());
  }
  if (SSL_CTX_check_private_key(raw) != 1) return fail("key_file", "'" + tls.key_file + "' is not the key of '" + tls.cert_file + "'");
  if (!tls.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(raw, tls.ca_file.c_str(), nullptr) != 1)
      return fail("ca_file", "cannot use '" + tls.ca_file + "': " + last_tls_error());
    // Names the authority in the handshake, so clients holding several certificates pick its.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.ca_file.c_str())) SSL_CTX_set_client_CA_list(raw, names);
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  ERR_clear_error();
  return ctx;
}

std::vector<std::string> server_tls_warnings(const ServerTlsContext& context) {
  std::vector<std::string> out;
  X509* cert = SSL_CTX_get0_certificate(context.get());
  if (cert == nullptr) return out;
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
    out.push_back("api.tls.cert_file: the certificate has expired: clients that check it will refuse the API");
  else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
    out.push_back("api.tls.cert_file: the certificate is not valid yet: clients that check it will refuse the API");
  return out;
}

}  // namespace logship
