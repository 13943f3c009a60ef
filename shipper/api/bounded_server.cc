#include "shipper/api/bounded_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "shipper/api/server_tls.h"

namespace logship {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often the gate looks at deadlines when nothing happens.
constexpr int kTickMs = 100;

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

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// An answer the gate gives itself, closing the connection.
std::string canned_answer(std::string_view status, std::string_view extra_headers, std::string_view text) {
  return "HTTP/1.1 " + std::string(status) + "\r\n" + std::string(extra_headers) + "Content-Type: text/plain\r\nContent-Length: " +
         std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n" + std::string(text);
}
const std::string kBodyRefused = canned_answer("413 Payload Too Large", "", "request body too large: the API takes GET requests only\n");
const std::string kMethodRefused = canned_answer("405 Method Not Allowed", "Allow: GET, HEAD\r\n", "the API takes GET requests only\n");
const std::string kHeadTooLarge = canned_answer("431 Request Header Fields Too Large", "", "request line or headers too long\n");
// What curl or a browser gets when it speaks plain HTTP to the HTTPS port, instead of an empty reply.
const std::string kPlainOnTls = canned_answer("400 Bad Request", "", "this port speaks HTTPS: use https://\n");

// A connection at the gate: waiting for a request (the bytes received so far), or sending an
// answer (the bytes still to send).
struct Connection {
  socket_t sock;
  SSL* ssl = nullptr;            // the TLS session, when the server speaks HTTPS
  bool tls_wants_write = false;  // a TLS read must write first (handshake): watching EPOLLOUT
  std::string bytes;
  std::string answer;  // written by a worker, sent by the gate
  size_t answer_sent = 0;
  bool close_after_answer = false;
  Clock::time_point deadline;
  Clock::time_point waiting_since;
  size_t served = 0;
  bool peer_closed = false;  // the client shut its side after sending: answer, then close
  bool sending() const { return answer_sent < answer.size(); }
};

void close_connection(Connection& c) {
  if (c.ssl != nullptr) {
    // Best effort close_notify: the socket is non-blocking, and a client that does not take it
    // loses nothing (every answer says its length).
    ERR_clear_error();
    SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  ::shutdown(c.sock, SHUT_RDWR);
  ::close(c.sock);
}

// The outcome of one read or write on a connection, plain or TLS.
enum class Io { kMoved, kWantRead, kWantWrite, kClosed, kFailed };

Io tls_outcome(SSL* ssl, int rc) {
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ: return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE: return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN: return Io::kClosed;
    case SSL_ERROR_SYSCALL: return errno == 0 || errno == ECONNRESET ? Io::kClosed : Io::kFailed;
    default: return Io::kFailed;  // a failed handshake: no client certificate, an unknown one, not TLS
  }
}

Io receive(Connection& c, char* buf, size_t len, size_t& got) {
  got = 0;
  if (c.ssl != nullptr) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_read_ex(c.ssl, buf, len, &got);
    return rc == 1 ? Io::kMoved : tls_outcome(c.ssl, rc);
  }
  for (;;) {
    ssize_t n = ::recv(c.sock, buf, len, MSG_DONTWAIT);
    if (n > 0) {
      got = static_cast<size_t>(n);
      return Io::kMoved;
    }
    if (n == 0) return Io::kClosed;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantRead : Io::kFailed;
  }
}

Io transmit(Connection& c, const char* data, size_t len, size_t& sent) {
  sent = 0;
  if (c.ssl != nullptr) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_write_ex(c.ssl, data, len, &sent);
    return rc == 1 ? Io::kMoved : tls_outcome(c.ssl, rc);
  }
  for (;;) {
    ssize_t n = ::send(c.sock, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      sent = static_cast<size_t>(n);
      return Io::kMoved;
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantWrite : Io::kFailed;
  }
}

// A client that opens the HTTPS port with a plain-text request line rather than a TLS hello.
bool speaks_plain_http(const Connection& c) {
  if (c.ssl == nullptr || SSL_is_init_finished(c.ssl) || SSL_in_before(c.ssl) == 0) return false;
  char first = 0;
  ssize_t n = ::recv(c.sock, &first, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 1 && first >= 'A' && first <= 'Z';
}

// What a worker gives httplib: the request head the gate collected, then end of input, and a
// buffer for the answer. The socket is neither read nor written here: a client that does not
// read its answers holds no worker (the gate sends the answer as the client takes it).
class HeadStream : public httplib::Stream {
 public:
  HeadStream(socket_t sock, std::string_view head, std::string& answer) : sock_(sock), head_(head), answer_(answer) {}

  bool is_readable() const override { return pos_ < head_.size(); }
  bool is_writable() const override { return true; }

  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min(size, head_.size() - pos_);
    std::copy_n(head_.data() + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    answer_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  socket_t sock_;
  std::string_view head_;
  size_t pos_ = 0;
  std::string& answer_;
};

// Drops every `name:` header line (case-insensitive) from the head bytes[0, head_len) and
// returns the new head length.
size_t drop_header(std::string& bytes, size_t head_len, std::string_view name) {
  size_t p = bytes.find("\r\n") + 2;  // after the request line
  while (p + 2 < head_len) {
    size_t e = bytes.find("\r\n", p);
    std::string_view line(bytes.data() + p, e - p);
    if (line.size() > name.size() && line[name.size()] == ':' && iequals(line.substr(0, name.size()), name)) {
      bytes.erase(p, e + 2 - p);
      head_len -= e + 2 - p;
      continue;
    }
    p = e + 2;
  }
  return head_len;
}

}  // namespace

class BoundedServer::Gate {
 public:
  Gate(BoundedServer& server, const ConnectionLimits& limits)
      : server_(server), limits_(limits), epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
    thread_ = std::thread([this] { run(); });
    for (size_t i = 0; i < limits_.workers; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Gate() { stop(); }

  // A new connection, or one back from a worker: the gate waits for its next request.
  void admit(std::unique_ptr<Connection> c) {
    if (stopping_) {
      close(*c);
      return;
    }
    {
      std::lock_guard lock(mu_);
      incoming_.push_back(std::move(c));
    }
    uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof(one));
  }

  // A new connection from the accept loop: counted against max_connections from here.
  void admit_new(std::unique_ptr<Connection> c) {
    open_.fetch_add(1);
    admit(std::move(c));
  }

  void stop() {
    if (stopping_.exchange(true)) return;
    uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof(one));
    if (thread_.joinable()) thread_.join();
    {
      // Requests still queued are not answered: the process is going away.
      std::lock_guard lock(queue_mu_);
      for (auto& [c, head_len] : queue_) close(*c);
      queue_.clear();
    }
    queue_cv_.notify_all();
    for (auto& w : workers_) w.join();  // answers in progress finish; their connections are closed
    std::lock_guard lock(mu_);
    for (auto& c : incoming_) close(*c);
    incoming_.clear();
    ::close(epoll_);
    ::close(wake_);
  }

 private:
  enum class Head { kIncomplete, kReady, kRefused };

  void run() {
    epoll_event events[64];
    while (!stopping_) {
      int n = ::epoll_wait(epoll_, events, 64, kTickMs);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == wake_) {
          uint64_t count;
          (void)!::read(wake_, &count, sizeof(count));
          take_incoming();
          continue;
        }
        auto it = waiting_.find(events[i].data.fd);
        if (it == waiting_.end()) continue;
        if (it->second->sending()) send_answer(it);
        else on_readable(it);
      }
      expire(Clock::now());
    }
    for (auto& [fd, c] : waiting_) close(*c);
    waiting_.clear();
  }

  void take_incoming() {
    std::vector<std::unique_ptr<Connection>> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(incoming_);
    }
    for (auto& c : batch) {
      // Connections queued for a worker or being answered count too: a flood of pipelined
      // requests must not pile up descriptors (and requests) behind the workers.
      if (open_.load() > limits_.max_connections && !evict_longest_waiting()) evict_oldest_queued();
      if (open_.load() > limits_.max_connections && c->served == 0) {
        close(*c);
        continue;
      }
      socket_t fd = c->sock;
      epoll_event ev{};
      ev.events = c->sending() ? EPOLLOUT : (EPOLLIN | EPOLLRDHUP);
      ev.data.fd = fd;
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(*c);
        continue;
      }
      auto it = waiting_.emplace(fd, std::move(c)).first;
      if (it->second->sending()) send_answer(it);
      else if (!it->second->bytes.empty()) decide(it);  // a pipelined request may be complete already
    }
  }

  void on_readable(std::unordered_map<int, std::unique_ptr<Connection>>::iterator it) {
    Connection& c = *it->second;
    if (speaks_plain_http(c)) {
      (void)!::send(c.sock, kPlainOnTls.data(), kPlainOnTls.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      drop(it);
      return;
    }
    bool was_idle = c.bytes.empty();
    char buf[4096];
    for (;;) {
      size_t room = limits_.head_bytes + 1 - std::min(c.bytes.size(), limits_.head_bytes + 1);
      if (room == 0) break;
      size_t got = 0;
      Io io = receive(c, buf, std::min(room, sizeof(buf)), got);
      if (io == Io::kMoved) {
        c.bytes.append(buf, got);
        continue;
      }
      if (io == Io::kWantRead || io == Io::kWantWrite) {
        // A TLS handshake may have to write before it can read on: watch for room to write
        // until it has, then for input again.
        bool wants_write = io == Io::kWantWrite;
        if (wants_write != c.tls_wants_write) watch(c, wants_write ? EPOLLOUT : (EPOLLIN | EPOLLRDHUP));
        c.tls_wants_write = wants_write;
        break;
      }
      if (io == Io::kFailed) {
        if (c.ssl != nullptr) log_debug("api: TLS handshake or read failed", {{"reason", last_tls_error()}});
        drop(it);
        return;
      }
      c.peer_closed = true;  // a request it sent before closing is still answered
      break;
    }
    if (was_idle && !c.bytes.empty()) c.deadline = Clock::now() + limits_.request_deadline;
    decide(it);
  }

  void watch(Connection& c, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = c.sock;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.sock, &ev);
  }

  // Best effort, then the connection closes: an answer the gate gives itself.
  static void refuse(Connection& c, std::string_view answer) {
    size_t sent = 0;
    (void)transmit(c, answer.data(), answer.size(), sent);
  }

  // Sends a complete request to a worker, refuses one the API cannot take, or keeps waiting.
  void decide(std::unordered_map<int, std::unique_ptr<Connection>>::iterator it) {
    Connection& c = *it->second;
    size_t head_len = 0;
    std::string_view refusal;
    switch (examine(c.bytes, head_len, refusal)) {
      case Head::kIncomplete:
        if (c.peer_closed) drop(it);
        // Bytes OpenSSL has decrypted already wake no epoll: read them now.
        else if (c.ssl != nullptr && SSL_pending(c.ssl) > 0) on_readable(it);
        return;
      case Head::kRefused:
        refuse(c, refusal);
        drop(it);
        return;
      case Head::kReady:
        break;
    }
    // Range requests are served whole: httplib would build every range of a multi-range
    // request in memory (1000 ranges of /metrics: 89 MB for a 3 KB request).
    head_len = drop_header(c.bytes, head_len, "range");
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.sock, nullptr);
    std::unique_ptr<Connection> ready = std::move(it->second);
    waiting_.erase(it);
    {
      std::lock_guard lock(queue_mu_);
      queue_.emplace_back(std::move(ready), head_len);
    }
    queue_cv_.notify_one();
  }

  void work() {
    for (;;) {
      std::unique_ptr<Connection> c;
      size_t head_len = 0;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        c = std::move(queue_.front().first);
        head_len = queue_.front().second;
        queue_.pop_front();
      }
      serve(std::move(c), head_len);
    }
  }

  // Closes a connection the gate no longer tracks.
  void close(Connection& c) {
    close_connection(c);
    open_.fetch_sub(1);
  }

  Head examine(std::string_view bytes, size_t& head_len, std::string_view& refusal) const {
    size_t end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos || end + 4 > limits_.head_bytes) {
      if (bytes.size() <= limits_.head_bytes) return Head::kIncomplete;
      refusal = kHeadTooLarge;
      return Head::kRefused;
    }
    head_len = end + 4;
    std::string_view head = bytes.substr(0, end + 2);
    size_t line_end = head.find("\r\n");
    std::string_view method = head.substr(0, std::min(head.find(' '), line_end));
    for (size_t p = line_end + 2; p < head.size();) {
      size_t e = head.find("\r\n", p);
      std::string_view line = head.substr(p, e - p);
      p = e + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      bool body = iequals(name, "transfer-encoding") || (iequals(name, "content-length") && value.find_first_not_of("0 \t") != std::string_view::npos);
      if (body) {
        refusal = kBodyRefused;
        return Head::kRefused;
      }
    }
    if (method != "GET" && method != "HEAD") {
      refusal = kMethodRefused;
      return Head::kRefused;
    }
    return Head::kReady;
  }

  // On a worker: httplib answers the request into the connection's buffer, and the gate
  // sends it.
  void serve(std::unique_ptr<Connection> c, size_t head_len) {
    bool last = ++c->served >= limits_.requests_per_connection;
    bool closed = false;
    c->answer.clear();
    c->answer_sent = 0;
    bool ok;
    {
      HeadStream strm(c->sock, std::string_view(c->bytes).substr(0, head_len), c->answer);
      ok = server_.process_request(strm, last, closed, nullptr);
    }
    c->bytes.erase(0, head_len);
    // A client that closed its side after several pipelined requests gets every answer: the
    // connection closes after the last one.
    c->close_after_answer = !ok || closed || last || (c->peer_closed && c->bytes.empty());
    if (c->answer.empty()) {
      close(*c);
      return;
    }
    c->deadline = Clock::now() + limits_.write_timeout;
    admit(std::move(c));
  }

  // Sends what the client takes now; once the answer is out, waits for the next request.
  void send_answer(std::unordered_map<int, std::unique_ptr<Connection>>::iterator it) {
    Connection& c = *it->second;
    while (c.sending()) {
      size_t sent = 0;
      Io io = transmit(c, c.answer.data() + c.answer_sent, c.answer.size() - c.answer_sent, sent);
      if (io == Io::kMoved && sent > 0) {
        c.answer_sent += sent;
        continue;
      }
      if (io == Io::kWantWrite || io == Io::kWantRead) {
        // TLS may need to read (a key update) before it can write on.
        watch(c, io == Io::kWantWrite ? EPOLLOUT : EPOLLIN);
        return;
      }
      drop(it);
      return;
    }
    if (c.close_after_answer) {
      drop(it);
      return;
    }
    std::string().swap(c.answer);  // an answer can be large (/metrics); a waiting connection keeps none
    c.answer_sent = 0;
    auto now = Clock::now();
    c.waiting_since = now;
    c.deadline = now + (c.bytes.empty() ? limits_.keep_alive_timeout : limits_.request_deadline);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = c.sock;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.sock, &ev);
    c.tls_wants_write = false;
    if (!c.bytes.empty()) decide(it);
    else if (c.ssl != nullptr && SSL_pending(c.ssl) > 0) on_readable(it);  // decrypted already: no epoll wake-up
  }

  void expire(Clock::time_point now) {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      auto next = std::next(it);
      if (now >= it->second->deadline) drop(it);
      it = next;
    }
  }

  bool evict_longest_waiting() {
    auto oldest = std::min_element(waiting_.begin(), waiting_.end(),
                                   [](const auto& a, const auto& b) { return a.second->waiting_since < b.second->waiting_since; });
    if (oldest == waiting_.end()) return false;
    drop(oldest);
    return true;
  }

  // Under a flood every connection may be queued for a worker: the oldest request goes.
  void evict_oldest_queued() {
    std::unique_ptr<Connection> c;
    {
      std::lock_guard lock(queue_mu_);
      if (queue_.empty()) return;
      c = std::move(queue_.front().first);
      queue_.pop_front();
    }
    close(*c);
  }

  void drop(std::unordered_map<int, std::unique_ptr<Connection>>::iterator it) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second->sock, nullptr);
    close(*it->second);
    waiting_.erase(it);
  }

  BoundedServer& server_;
  const ConnectionLimits& limits_;
  int epoll_;
  int wake_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> incoming_;  // guarded by mu_
  std::unordered_map<int, std::unique_ptr<Connection>> waiting_;  // the gate thread's only
  std::atomic<size_t> open_{0};  // connections admitted and not closed, wherever they are
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::pair<std::unique_ptr<Connection>, size_t>> queue_;  // complete requests for the workers
  std::vector<std::thread> workers_;
  std::thread thread_;
};

// httplib's accept loop hands each connection to its task queue: this one passes it straight
// to the gate (admitting is quick), and stops the gate when the server stops.
class BoundedServer::InlineQueue : public httplib::TaskQueue {
 public:
  explicit InlineQueue(Gate& gate) : gate_(gate) {}
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override { gate_.stop(); }

 private:
  Gate& gate_;
};

BoundedServer::BoundedServer(ConnectionLimits limits, std::shared_ptr<ssl_ctx_st> tls)
    : limits_(limits), tls_(std::move(tls)), gate_(std::make_unique<Gate>(*this, limits_)) {
  new_task_queue = [this] { return new InlineQueue(*gate_); };
}

BoundedServer::~BoundedServer() { gate_->stop(); }

bool BoundedServer::process_and_close_socket(socket_t sock) {
  auto c = std::make_unique<Connection>();
  c->sock = sock;
  std::shared_ptr<ssl_ctx_st> tls;
  {
    std::lock_guard lock(tls_mu_);
    tls = tls_;
  }
  if (tls) {
    // OpenSSL reads and writes the socket itself: it must not block the gate.
    ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
    c->ssl = SSL_new(tls.get());  // holds its own reference to the context
    if (c->ssl == nullptr || SSL_set_fd(c->ssl, sock) != 1) {
      close_connection(*c);
      return true;
    }
    SSL_set_accept_state(c->ssl);
  }
  c->waiting_since = Clock::now();
  c->deadline = c->waiting_since + limits_.request_deadline;
  gate_->admit_new(std::move(c));
  return true;
}

void BoundedServer::set_tls(std::shared_ptr<ssl_ctx_st> tls) {
  std::lock_guard lock(tls_mu_);
  if (tls_ && tls) tls_ = std::move(tls);
}

void BoundedServer::widen_backlog() {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, static_cast<int>(limits_.max_connections));
}

}  // namespace logship
