// An httplib::Server that gives a worker thread only to a request that has fully arrived, so
// that slow or greedy clients cannot take the API (/health, /metrics) away from the probes.
//
//   BoundedServer s({.request_deadline = std::chrono::seconds(10)});
//   s.Get("/health", …);   // then bind and listen as with httplib::Server
//
// cpp-httplib hands each connection to a thread that reads the request itself: a client
// sending its headers one byte per second holds that thread until a timeout, and a few dozen of
// them hold every thread. Here one gate thread (epoll) collects each connection's request head,
// within `request_deadline` and `head_bytes`, for every connection at once. Only a complete GET
// or HEAD without a body goes to one of `workers` threads, which answers it from the collected
// bytes into a buffer (httplib parses, routes and writes) without touching the socket; the
// gate sends the answer as the client takes it, within `write_timeout`, then waits for the
// next request. A slow client, or one that does not read, costs a descriptor and a buffer,
// never a thread. `Range` headers are dropped: httplib builds multi-range answers in memory. The API has only GET routes, so a request with a body is refused at the gate
// (413) and so is any other method (405), before a byte of the body is read.
//
// With a TLS context the gate speaks HTTPS: each connection gets its own non-blocking OpenSSL
// session, whose handshake counts against `request_deadline` like a request head, and the
// workers still see only decrypted request heads.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>

struct ssl_ctx_st;

namespace logship {

struct ConnectionLimits {
  std::chrono::milliseconds request_deadline{10'000};   // first byte to the end of a request's head
  std::chrono::milliseconds write_timeout{5'000};       // writing one answer, for a client that does not read
  std::chrono::milliseconds keep_alive_timeout{2'000};  // idle time between requests of one connection
  size_t head_bytes = 16u << 10;                        // request line and headers
  size_t requests_per_connection = 100;
  size_t max_connections = 512;  // open at once, whatever their state; beyond, the one waiting longest for its request is closed
  size_t workers = 8;
};

class BoundedServer : public httplib::Server {
 public:
  // `tls`: serve HTTPS with this context (shipper/api/server_tls.h); plain HTTP when null.
  explicit BoundedServer(ConnectionLimits limits, std::shared_ptr<ssl_ctx_st> tls = nullptr);
  ~BoundedServer() override;
  // A new certificate for the connections accepted from now on (a renewed certificate at the
  // same path, on SIGHUP); only for a server made with a TLS context.
  void set_tls(std::shared_ptr<ssl_ctx_st> tls);
  // After bind: lets the kernel queue max_connections connections before accept (httplib
  // listens with a backlog of 5, and a burst of connections then drops a probe's).
  void widen_backlog();

 private:
  class Gate;
  class InlineQueue;
  // Called by httplib's accept loop for each new connection: hands it to the gate.
  bool process_and_close_socket(socket_t sock) override;

  ConnectionLimits limits_;
  std::mutex tls_mu_;
  std::shared_ptr<ssl_ctx_st> tls_;  // guarded by tls_mu_
  std::unique_ptr<Gate> gate_;
};

}  // namespace logship
