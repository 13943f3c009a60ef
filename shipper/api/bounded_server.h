// An httplib::Server whose connections are bounded in time and bytes, so that a few slow or
// greedy clients cannot take the API (/health, /metrics) away from the probes that need it.
//
//   BoundedServer s({.request_deadline = std::chrono::seconds(10)});
//   s.Get("/health", …);   // then bind and listen as with httplib::Server
//
// cpp-httplib 0.11 bounds each read by a timeout but not a whole request: a client sending its
// headers one byte per second holds a worker thread for ever, and a request line without a
// newline is buffered whole. Here each request must arrive within `request_deadline` and within
// `request_bytes`; past either the connection is closed. The rest (parsing, routing, keep-alive
// semantics) is httplib's own: this replaces only the socket loop (process_and_close_socket,
// which httplib declares virtual) and the Stream it reads from.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>

namespace logship {

struct ConnectionLimits {
  std::chrono::milliseconds request_deadline{10'000};  // from the first byte wait to the last byte of a request
  std::chrono::milliseconds read_timeout{5'000};       // silence allowed within a request
  std::chrono::milliseconds write_timeout{5'000};      // a client that does not read its answer
  std::chrono::milliseconds keep_alive_timeout{2'000};  // idle time between requests of one connection
  size_t request_bytes = (1u << 20) + (64u << 10);     // request line + headers + body
  size_t requests_per_connection = 100;
};

class BoundedServer : public httplib::Server {
 public:
  explicit BoundedServer(ConnectionLimits limits) : limits_(limits) {}

 private:
  bool process_and_close_socket(socket_t sock) override;
  ConnectionLimits limits_;
};

}  // namespace logship
