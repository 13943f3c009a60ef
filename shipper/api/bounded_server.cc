#include "shipper/api/bounded_server.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

namespace logship {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Poll slices: a server being stopped (its listening socket closed) is noticed this soon.
constexpr milliseconds kSlice{100};

void address_of(socket_t sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof(a);
  int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&a), &len) : ::getsockname(sock, reinterpret_cast<sockaddr*>(&a), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    port = ntohs(v4->sin_port);
  } else if (a.ss_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
    port = ntohs(v6->sin6_port);
  }
  ip = buf;
}

// A socket stream whose reads stop at a deadline and a byte budget, both renewed per request.
class BoundedStream : public httplib::Stream {
 public:
  BoundedStream(socket_t sock, const ConnectionLimits& limits, const std::atomic<socket_t>& listening)
      : sock_(sock), limits_(limits), listening_(listening) {}

  void start_request() {
    deadline_ = Clock::now() + limits_.request_deadline;
    budget_ = limits_.request_bytes;
  }

  // Waits for `events` up to `timeout` (and the request's deadline when `bounded`); false on
  // timeout, error, or the server stopping.
  bool wait(short events, milliseconds timeout, bool bounded) const {
    auto until = Clock::now() + timeout;
    if (bounded) until = std::min(until, deadline_);
    for (;;) {
      if (listening_.load() == INVALID_SOCKET) return false;
      auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{sock_, events, 0};
      int n = ::poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
    }
  }

  bool is_readable() const override { return have_ < got_ || wait(POLLIN, limits_.read_timeout, true); }
  bool is_writable() const override { return wait(POLLOUT, limits_.write_timeout, false); }

  ssize_t read(char* ptr, size_t size) override {
    if (have_ == got_) {
      // httplib reads headers a byte at a time: fill a buffer, within what the request may use.
      size_t want = std::min(sizeof(buf_), budget_);
      if (want == 0 || !wait(POLLIN, limits_.read_timeout, true)) {
        spent_ = true;
        return -1;
      }
      ssize_t n = ::recv(sock_, buf_, want, 0);
      if (n <= 0) return n;
      budget_ -= static_cast<size_t>(n);
      have_ = 0;
      got_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, got_ - have_);
    std::copy_n(buf_ + have_, n, ptr);
    have_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

  bool buffered() const { return have_ < got_; }
  // A request ran out of time or bytes: httplib may still answer it (400), but the connection
  // must not get another request's allowance.
  bool spent() const { return spent_; }

 private:
  socket_t sock_;
  const ConnectionLimits& limits_;
  const std::atomic<socket_t>& listening_;
  Clock::time_point deadline_{};
  size_t budget_ = 0;
  bool spent_ = false;
  char buf_[4096];
  size_t have_ = 0;  // buf_[have_, got_) not yet handed to httplib
  size_t got_ = 0;
};

}  // namespace

bool BoundedServer::process_and_close_socket(socket_t sock) {
  BoundedStream strm(sock, limits_, svr_sock_);
  bool ok = true;
  for (size_t n = 0; n < limits_.requests_per_connection; ++n) {
    // Between requests a connection may idle for keep_alive_timeout, no longer.
    if (n > 0 && !strm.buffered() && !strm.wait(POLLIN, limits_.keep_alive_timeout, false)) break;
    strm.start_request();
    bool last = n + 1 == limits_.requests_per_connection;
    bool closed = false;
    ok = process_request(strm, last, closed, nullptr);
    if (!ok || closed || strm.spent()) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace logship
