#include "server/http_server.h"

#include <nghttp2/nghttp2.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace brook::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kServerHeader = "brookd";
constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kCoalesceBytes = 64 * 1024;
constexpr size_t kWsMaxMessageBytes = 64 * 1024;  // what a /ws/query client may send

// Beast 1.74 takes boost::string_view.
beast::string_view Bsv(std::string_view s) { return beast::string_view(s.data(), s.size()); }
std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated header value `list` has the token `token` (case-insensitive).
bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    if (Lower(item) == Lower(token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The status line and headers of an HTTP/1.x response, CRLF-terminated.
std::string FormatHead(unsigned version, int status, std::string_view content_type,
                       const ResponseWriter::Headers& extra, std::optional<size_t> content_length,
                       bool keep_alive) {
  http::response_header<> res;
  res.version(version);
  res.result(static_cast<unsigned>(status));
  res.set(http::field::server, Bsv(kServerHeader));
  if (!content_type.empty()) res.set(http::field::content_type, Bsv(content_type));
  for (const auto& [name, value] : extra) res.set(name, value);
  if (content_length) {
    res.set(http::field::content_length, std::to_string(*content_length));
  } else {
    res.set(http::field::transfer_encoding, "chunked");
  }
  if (!keep_alive) res.set(http::field::connection, "close");
  std::ostringstream os;
  os << res;
  return os.str();
}

// A fixed pool of threads running jobs from a bounded queue.
class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queue) : state_(std::make_shared<State>()) {
    state_->max_queue = max_queue;
    state_->live = threads;
    for (size_t i = 0; i < threads; ++i) {
      std::thread([s = state_] { Run(*s); }).detach();
    }
  }

  // False when the queue is full or the pool is stopping.
  bool TrySubmit(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopping || state_->queue.size() >= state_->max_queue) return false;
    state_->queue.push_back(std::move(job));
    state_->cv.notify_one();
    return true;
  }

  // Runs what is queued, then ends the threads; waits for them at most `timeout`.
  bool Stop(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->stopping = true;
    state_->cv.notify_all();
    return state_->done.wait_for(lock, timeout, [&] { return state_->live == 0; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::condition_variable done;
    std::deque<std::function<void()>> queue;
    size_t max_queue = 0;
    size_t live = 0;
    bool stopping = false;
  };

  static void Run(State& s) {
    std::unique_lock<std::mutex> lock(s.mu);
    for (;;) {
      s.cv.wait(lock, [&] { return s.stopping || !s.queue.empty(); });
      if (s.queue.empty()) break;  // stopping and drained
      std::function<void()> job = std::move(s.queue.front());
      s.queue.pop_front();
      lock.unlock();
      try {
        job();
      } catch (...) {
        // Jobs catch their own errors; this only keeps the pool alive.
      }
      job = nullptr;  // release what the job captured outside the lock
      lock.lock();
    }
    --s.live;
    s.done.notify_all();
  }

  std::shared_ptr<State> state_;
};

// Decodes base64url without padding (the HTTP2-Settings header); nullopt when malformed.
std::optional<std::string> DecodeBase64Url(std::string_view in) {
  std::string b64(in);
  for (char& c : b64) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (b64.size() % 4 != 0) b64 += '=';
  if (b64.empty()) return std::string();
  std::string out(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Server state shared by the acceptor, the connections and the workers.

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(RestService& s, HttpServerOptions o)
      : service(s),
        options(std::move(o)),
        ioc(static_cast<int>(std::max<size_t>(1, options.io_threads))),
        pool(std::max<size_t>(1, options.worker_threads), options.max_queued_requests) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  RestService& service;
  HttpServerOptions options;
  net::io_context ioc;
  std::optional<ssl::context> tls;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> io_threads;
  WorkerPool pool;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  bool stopped = false;

  std::mutex conns_mu;
  std::unordered_map<void*, std::function<void()>> closers;  // connection → posts its close

  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> total{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> requests_rejected{0};
  std::atomic<uint64_t> http2_total{0};
};

namespace {

using ImplPtr = std::shared_ptr<HttpServer::Impl>;

// One HTTP/2 stream: its request while it arrives, then its response while it is written.
// Response fields are guarded by the connection's out_mu.
struct H2Stream {
  int32_t id = 0;
  HttpRequest request;
  size_t header_bytes = 0;
  bool too_large = false;
  bool dispatched = false;
  // response
  bool has_head = false;
  int status = 0;
  std::string content_type;
  ResponseWriter::Headers extra;
  std::deque<std::string> data;
  size_t front_offset = 0;
  size_t pending = 0;
  bool end = false;
  bool submitted = false;
  bool closed = false;
};

// The stream-type-independent half of a connection: the output queue that workers fill and
// the event loop drains, and the waiting that bounds it.
bool IsHealthPath(std::string_view path) {
  return path == "/healthcheck" || path == "/chc/live" || path == "/chc/ready";
}

class ConnBase : public std::enable_shared_from_this<ConnBase> {
 public:
  explicit ConnBase(ImplPtr server) : server_(std::move(server)) {}
  virtual ~ConnBase() = default;

  // A connection accepted past max_connections, inside the health-check reserve: it may only ask
  // for /healthcheck, /chc/live or /chc/ready, then it is closed.
  void set_health_only() { health_only_ = true; }
  bool health_only() const { return health_only_; }

  // Queues bytes for the socket (HTTP/1.1). False once the connection is closed.
  bool Enqueue(std::string bytes) {
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      if (closed_) return false;
      out_bytes_ += bytes.size();
      out_.push_back(std::move(bytes));
    }
    PostWrite();
    return true;
  }

  // Blocks while more than stream_buffer_bytes wait in `pending`; false when the connection
  // closed or the client read nothing for write_timeout (the connection is then closed).
  bool WaitForRoom(const size_t& pending, const bool* stream_closed) {
    std::unique_lock<std::mutex> lock(out_mu_);
    const auto limit = server_->options.stream_buffer_bytes;
    const auto deadline = Clock::now() + server_->options.write_timeout;
    while (!closed_ && !(stream_closed && *stream_closed) && pending > limit) {
      if (out_cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
          Clock::now() >= deadline) {
        lock.unlock();
        PostClose();  // too far behind: end the connection rather than buffer without bound
        return false;
      }
    }
    return !closed_ && !(stream_closed && *stream_closed);
  }

  bool closed() {
    std::lock_guard<std::mutex> lock(out_mu_);
    return closed_;
  }

  // WebSocket: queues the close frame, sent once the messages before it are written.
  bool EnqueueWsClose(int code, std::string reason) {
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      if (closed_ || ws_close_) return false;
      ws_close_.emplace(code, std::move(reason));
    }
    PostWrite();
    return true;
  }

  // WebSocket: answers the pending upgrade request with 101 (on the connection's strand) and
  // waits for the handshake. False when it failed or the connection closed.
  virtual bool WsAccept() = 0;

  virtual int fd() = 0;
  virtual void PostWrite() = 0;
  virtual void PostClose() = 0;
  virtual void PostH2Kick(std::shared_ptr<H2Stream> stream) = 0;

  const ImplPtr& server() const { return server_; }
  std::mutex& out_mu() { return out_mu_; }
  std::condition_variable& out_cv() { return out_cv_; }
  size_t& out_bytes() { return out_bytes_; }

 protected:
  bool health_only_ = false;
  ImplPtr server_;
  std::mutex out_mu_;
  std::condition_variable out_cv_;
  std::deque<std::string> out_;
  size_t out_bytes_ = 0;
  bool closed_ = false;
  std::optional<std::pair<int, std::string>> ws_close_;  // WebSocket close frame to send
};

// Runs the service on one request (on a worker). Whatever happens, the client gets an answer:
// a handler that threw or sent nothing is a bug, answered 500.
template <class Writer>
void RunHandler(RestService& service, const HttpRequest& request, Writer& writer) {
  try {
    service.Handle(request, writer);
  } catch (const std::exception& e) {
    if (!writer.started()) {
      writer.Send(500, "text/plain; charset=utf-8", std::string("Internal error: ") + e.what(), {});
    }
  }
  if (!writer.started()) {
    writer.Send(500, "text/plain; charset=utf-8", "Internal error: no response", {});
  }
}

// ResponseWriter of one HTTP/1.1 exchange.
class H1Writer final : public ResponseWriter {
 public:
  H1Writer(std::shared_ptr<ConnBase> conn, unsigned version, bool keep_alive)
      : conn_(std::move(conn)), version_(version), keep_alive_(keep_alive) {}

  bool Send(int status, std::string_view content_type, std::string body,
            const Headers& extra_headers) override {
    if (started_) return false;
    started_ = true;
    std::string bytes =
        FormatHead(version_, status, content_type, extra_headers, body.size(), keep_alive_);
    bytes += body;
    ok_ = conn_->Enqueue(std::move(bytes));
    complete_ = ok_;
    return ok_;
  }

  bool BeginChunked(int status, std::string_view content_type) override {
    if (started_) return false;
    started_ = true;
    ok_ = conn_->Enqueue(FormatHead(version_, status, content_type, {}, std::nullopt, keep_alive_));
    return ok_;
  }

  bool WriteChunk(std::string_view data) override {
    if (!ok_ || !started_) return false;
    if (data.empty()) return true;  // an empty chunk would end the body
    if (!conn_->WaitForRoom(conn_->out_bytes(), nullptr)) return ok_ = false;
    char size[24];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string bytes(size);
    bytes.append(data);
    bytes += "\r\n";
    ok_ = conn_->Enqueue(std::move(bytes));
    return ok_;
  }

  bool EndChunked() override {
    if (!ok_ || !started_) return false;
    ok_ = conn_->Enqueue("0\r\n\r\n");
    complete_ = ok_;
    return ok_;
  }

  bool PeerClosed() override {
    if (!ok_ || conn_->closed()) return true;
    pollfd pfd{conn_->fd(), POLLIN | POLLRDHUP, 0};
    if (::poll(&pfd, 1, 0) <= 0) return false;
    if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
    if (pfd.revents & POLLIN) {
      char c;
      ssize_t n = ::recv(pfd.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0) return true;
    }
    return false;
  }

  bool started() const { return started_; }
  bool reusable() const { return complete_ && keep_alive_; }

 private:
  std::shared_ptr<ConnBase> conn_;
  unsigned version_;
  bool keep_alive_;
  bool started_ = false;
  bool ok_ = true;
  bool complete_ = false;
};

// ResponseWriter of a WebSocket exchange (an HTTP/1.1 upgrade request). Send() refuses the
// upgrade with a plain HTTP answer; BeginChunked() accepts it; each WriteChunk() is one text
// message; EndWebSocket() queues the close frame.
class WsWriter final : public ResponseWriter {
 public:
  explicit WsWriter(std::shared_ptr<ConnBase> conn) : conn_(std::move(conn)) {}

  bool Send(int status, std::string_view content_type, std::string body,
            const Headers& extra_headers) override {
    if (started_) return false;
    started_ = true;
    std::string bytes = FormatHead(11, status, content_type, extra_headers, body.size(), false);
    bytes += body;
    return ok_ = conn_->Enqueue(std::move(bytes));
  }

  bool BeginChunked(int, std::string_view) override {
    if (started_) return false;
    started_ = true;
    return ok_ = upgraded_ = conn_->WsAccept();
  }

  bool WriteChunk(std::string_view data) override {
    if (!ok_ || !upgraded_) return false;
    if (data.empty()) return true;
    if (!conn_->WaitForRoom(conn_->out_bytes(), nullptr)) return ok_ = false;
    return ok_ = conn_->Enqueue(std::string(data));
  }

  bool EndChunked() override { return EndWebSocket(1000, ""); }

  bool EndWebSocket(int code, std::string_view reason) override {
    if (!ok_ || !upgraded_) return false;
    return ok_ = conn_->EnqueueWsClose(code, std::string(reason.substr(0, 123)));
  }

  bool PeerClosed() override { return !ok_ || conn_->closed(); }

  bool started() const { return started_; }

 private:
  std::shared_ptr<ConnBase> conn_;
  bool started_ = false;
  bool ok_ = true;
  bool upgraded_ = false;
};

// ResponseWriter of one HTTP/2 stream.
class H2Writer final : public ResponseWriter {
 public:
  H2Writer(std::shared_ptr<ConnBase> conn, std::shared_ptr<H2Stream> stream)
      : conn_(std::move(conn)), stream_(std::move(stream)) {}

  bool Send(int status, std::string_view content_type, std::string body,
            const Headers& extra_headers) override {
    if (started_) return false;
    started_ = true;
    {
      std::lock_guard<std::mutex> lock(conn_->out_mu());
      if (stream_->closed) return false;
      Head(status, content_type, extra_headers);
      if (!body.empty()) {
        stream_->pending += body.size();
        stream_->data.push_back(std::move(body));
      }
      stream_->end = true;
    }
    conn_->PostH2Kick(stream_);
    return true;
  }

  bool BeginChunked(int status, std::string_view content_type) override {
    if (started_) return false;
    started_ = true;
    {
      std::lock_guard<std::mutex> lock(conn_->out_mu());
      if (stream_->closed) return false;
      Head(status, content_type, {});
    }
    conn_->PostH2Kick(stream_);
    return true;
  }

  bool WriteChunk(std::string_view data) override {
    if (!started_) return false;
    if (data.empty()) return true;
    if (!conn_->WaitForRoom(stream_->pending, &stream_->closed)) return false;
    {
      std::lock_guard<std::mutex> lock(conn_->out_mu());
      if (stream_->closed) return false;
      stream_->pending += data.size();
      stream_->data.emplace_back(data);
    }
    conn_->PostH2Kick(stream_);
    return true;
  }

  bool EndChunked() override {
    if (!started_) return false;
    {
      std::lock_guard<std::mutex> lock(conn_->out_mu());
      if (stream_->closed) return false;
      stream_->end = true;
    }
    conn_->PostH2Kick(stream_);
    return true;
  }

  bool PeerClosed() override {
    std::lock_guard<std::mutex> lock(conn_->out_mu());
    return stream_->closed;
  }

  bool started() const { return started_; }

 private:
  void Head(int status, std::string_view content_type, const Headers& extra) {
    stream_->has_head = true;
    stream_->status = status;
    stream_->content_type = std::string(content_type);
    stream_->extra = extra;
  }

  std::shared_ptr<ConnBase> conn_;
  std::shared_ptr<H2Stream> stream_;
  bool started_ = false;
};

// One connection. `Stream` is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
// Everything but the ConnBase output queue runs on the connection's strand.
template <class Stream>
class Connection final : public ConnBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Connection(ImplPtr server, tcp::socket socket, Args&&... args)
      : ConnBase(std::move(server)),
        stream_(std::move(socket), std::forward<Args>(args)...),
        idle_timer_(stream_.get_executor()),
        read_timer_(stream_.get_executor()) {}

  ~Connection() override {
    if (h2_) nghttp2_session_del(h2_);
    server_->open--;
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start() {
    beast::error_code ec;
    Lowest().socket().set_option(tcp::no_delay(true), ec);
    fd_ = Lowest().socket().native_handle();
    if constexpr (kTls) {
      Lowest().expires_after(server_->options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = Self()](beast::error_code e) { self->OnHandshake(e); });
    } else {
      ReadFirst();
    }
  }

  int fd() override { return fd_; }

  void PostWrite() override {
    net::post(stream_.get_executor(), [self = Self()] { self->DoWrite(); });
  }

  void PostClose() override {
    net::post(stream_.get_executor(), [self = Self()] { self->CloseNow(); });
  }

  void PostH2Kick(std::shared_ptr<H2Stream> stream) override {
    net::post(stream_.get_executor(),
              [self = Self(), stream = std::move(stream)] { self->H2Kick(*stream); });
  }

  bool WsAccept() override {
    auto done = std::make_shared<std::promise<bool>>();
    std::future<bool> accepted = done->get_future();
    net::post(stream_.get_executor(), [self = Self(), done] { self->DoWsAccept(done); });
    // The handshake is bounded by the header timeout; the margin covers a busy event loop.
    if (accepted.wait_for(Opt().header_timeout + std::chrono::seconds(5)) !=
        std::future_status::ready) {
      PostClose();
      return false;
    }
    return accepted.get();
  }

 private:
  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  const HttpServerOptions& Opt() const { return server_->options; }

  std::string_view Buffered() const {
    auto b = buffer_.data();
    return std::string_view(static_cast<const char*>(b.data()), b.size());
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return CloseNow();
    if constexpr (kTls) {
      const unsigned char* proto = nullptr;
      unsigned int len = 0;
      SSL_get0_alpn_selected(stream_.native_handle(), &proto, &len);
      if (len == 2 && std::memcmp(proto, "h2", 2) == 0) {
        StartH2(nullptr);
        return;
      }
    }
    ReadFirst();
  }

  // ---- HTTP/1.1 ------------------------------------------------------------------------------

  // Waits (up to idle_timeout) for the first bytes of a request, then tells HTTP/2's preface
  // from an HTTP/1.x request line.
  void ReadFirst() {
    if (server_->stopping) return CloseNow();
    if (buffer_.size() > 0) return Sniff();
    ArmReadTimer(Opt().idle_timeout);
    stream_.async_read_some(buffer_.prepare(8192), [self = Self()](beast::error_code ec, size_t n) {
      self->read_timer_.cancel();
      if (ec) return self->CloseNow();  // idle, closed or timed out
      self->buffer_.commit(n);
      self->Sniff();
    });
  }

  void Sniff() {
    std::string_view data = Buffered();
    const size_t m = std::min(data.size(), kPreface.size());
    if (data.substr(0, m) == kPreface.substr(0, m)) {
      if (m < kPreface.size()) {
        ArmReadTimer(Opt().header_timeout);
        stream_.async_read_some(buffer_.prepare(8192),
                                [self = Self()](beast::error_code ec, size_t n) {
                                  self->read_timer_.cancel();
                                  if (ec) return self->CloseNow();
                                  self->buffer_.commit(n);
                                  self->Sniff();
                                });
        return;
      }
      StartH2(nullptr);
      return;
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(Opt().max_header_bytes));
    parser_->body_limit(Opt().max_body_bytes);
    ArmReadTimer(Opt().header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](beast::error_code ec, size_t) {
                              self->read_timer_.cancel();
                              self->OnHeader(ec);
                            });
  }

  // Bounds the next read: when `d` passes, the read is cancelled and answered 408 (or, for an
  // idle connection, closed). Beast's own stream timeout would close the socket before a 408.
  void ArmReadTimer(std::chrono::milliseconds d) {
    read_timed_out_ = false;
    read_timer_.expires_after(d);
    read_timer_.async_wait([self = Self()](beast::error_code ec) {
      if (ec) return;  // cancelled: the read finished
      self->read_timed_out_ = true;
      beast::error_code ignored;
      self->Lowest().socket().cancel(ignored);
    });
  }

  // Answers a request that cannot be served and closes the connection after the answer.
  void Fail(int status, std::string body) {
    std::string bytes =
        FormatHead(11, status, "text/plain; charset=utf-8", {}, body.size(), false) + body;
    close_after_drain_ = true;
    Enqueue(std::move(bytes));
  }

  bool FailOnReadError(beast::error_code ec) {
    if (!ec) return false;
    if (read_timed_out_ || ec == beast::error::timeout) {
      Fail(408, "Request Timeout");
    } else if (ec == http::error::header_limit) {
      Fail(431, "Request Header Fields Too Large");
    } else if (ec == http::error::body_limit) {
      Fail(413, "Payload Too Large");
    } else if (ec == http::error::bad_transfer_encoding) {
      // Beast reports Transfer-Encoding after Content-Length (a request smuggling shape) this way:
      // a bad request, as docs/rest-api.md says. An unknown coding is answered 501 in OnHeader.
      Fail(400, "Bad Request: both Transfer-Encoding and Content-Length");
    } else if (ec == http::error::end_of_stream || ec == net::error::eof ||
               ec == net::error::operation_aborted || ec == http::error::partial_message) {
      CloseNow();
    } else if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      Fail(400, "Bad Request");  // malformed request line, header or chunk
    } else {
      CloseNow();
    }
    return true;
  }

  void OnHeader(beast::error_code ec) {
    if (FailOnReadError(ec)) return;
    auto& req = parser_->get();
    if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
      return Fail(400, "Bad Request: HTTP/1.1 requires a Host header");
    }
    auto te = req.find(http::field::transfer_encoding);
    if (te != req.end()) {
      if (req.find(http::field::content_length) != req.end()) {
        return Fail(400, "Bad Request: both Transfer-Encoding and Content-Length");
      }
      if (Lower(Trim(Sv(te->value()))) != "chunked") {
        return Fail(501, "Not Implemented: Transfer-Encoding '" + std::string(Sv(te->value())) +
                             "' (only chunked is supported)");
      }
    } else if (req.find(http::field::content_length) == req.end() &&
               (req.method() == http::verb::post || req.method() == http::verb::put ||
                req.method() == http::verb::patch)) {
      return Fail(411, "Length Required");
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      Enqueue("HTTP/1.1 100 Continue\r\n\r\n");
    }
    if (parser_->is_done()) return OnRequest();
    ArmReadTimer(Opt().body_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code e, size_t) {
      self->read_timer_.cancel();
      if (self->FailOnReadError(e)) return;
      self->OnRequest();
    });
  }

  void OnRequest() {
    Lowest().expires_never();
    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(Sv(req.method_string()));
    std::string_view target = Sv(req.target());
    size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    if (auto it = req.find(http::field::accept); it != req.end()) {
      request.accept = std::string(Sv(it->value()));
    }
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      request.authorization = std::string(Sv(it->value()));
    }
    request.http_version = 11;
    request.body = std::move(req.body());
    {
      beast::error_code ep_ec;
      auto ep = Lowest().socket().remote_endpoint(ep_ec);
      if (!ep_ec) request.remote_address = ep.address().to_string();
    }
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();

    // h2c upgrade (RFC 7540 3.2): answer 101, then the request is stream 1 of an HTTP/2
    // connection.
    auto upgrade = req.find(http::field::upgrade);
    auto settings = req.find("HTTP2-Settings");
    if (!kTls && upgrade != req.end() && HasToken(Sv(upgrade->value()), "h2c") &&
        settings != req.end()) {
      std::optional<std::string> payload = DecodeBase64Url(Trim(Sv(settings->value())));
      if (payload) {
        const bool head = req.method() == http::verb::head;
        parser_.reset();
        Enqueue("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
        StartH2(&request, &*payload, head);
        return;
      }
    }
    if (websocket::is_upgrade(req)) {
      // /ws/query: the handler decides (credentials, route) and accepts through WsWriter.
      request.websocket = true;
      ws_request_.emplace(parser_->release());
      parser_.reset();
      auto writer = std::make_shared<WsWriter>(shared_from_this());
      const bool queued =
          server_->pool.TrySubmit([self = Self(), writer, request = std::move(request)]() mutable {
            RunHandler(self->server()->service, request, *writer);
            net::post(self->stream_.get_executor(), [self] { self->AfterResponse(false); });
          });
      if (!queued) {
        server_->requests_rejected++;
        Fail(429, "Too Many Requests");
      }
      return;
    }
    parser_.reset();

    auto writer =
        std::make_shared<H1Writer>(shared_from_this(), version, keep_alive && !health_only());
    ImplPtr server = server_;
    // Health checks are answered here, on the connection's strand: they cost nothing, and neither
    // a full worker pool nor the connection cap may make a live server look dead.
    if (IsHealthPath(request.path)) {
      RunHandler(server->service, request, *writer);
      const bool reuse = writer->reusable();
      net::post(stream_.get_executor(), [self = Self(), reuse] { self->AfterResponse(reuse); });
      return;
    }
    if (health_only()) {
      server->requests_rejected++;
      Fail(429, "Too Many Requests: the connection limit is reached");
      return;
    }
    const bool queued =
        server->pool.TrySubmit([self = Self(), writer, request = std::move(request)]() mutable {
          RunHandler(self->server()->service, request, *writer);
          const bool reuse = writer->reusable();
          net::post(self->stream_.get_executor(), [self, reuse] { self->AfterResponse(reuse); });
        });
    if (!queued) {
      server->requests_rejected++;
      Fail(429, "Too Many Requests");
    }
  }

  void AfterResponse(bool reuse) {
    if (!reuse) close_after_drain_ = true;
    if (ws_) return DoWrite();  // the close frame goes after the queued messages
    std::unique_lock<std::mutex> lock(out_mu_);
    if (writing_ || !out_.empty()) {
      next_request_after_drain_ = reuse;
      return;  // DoWrite continues when the queue is drained
    }
    lock.unlock();
    if (reuse) {
      ReadFirst();
    } else {
      CloseNow();
    }
  }

  void DoWrite() {
    if (h2_) return;  // HTTP/2 writes through H2Flush
    if (ws_) return DoWsWrite();
    std::unique_lock<std::mutex> lock(out_mu_);
    if (writing_) return;
    if (closed_) return;
    if (out_.empty()) {
      lock.unlock();
      if (close_after_drain_) {
        CloseNow();
      } else if (next_request_after_drain_) {
        next_request_after_drain_ = false;
        ReadFirst();
      }
      return;
    }
    writing_buf_.clear();
    while (!out_.empty() && writing_buf_.size() < kCoalesceBytes) {
      writing_buf_ += out_.front();
      out_.pop_front();
    }
    writing_ = true;
    lock.unlock();
    Lowest().expires_after(Opt().write_timeout);
    net::async_write(stream_, net::buffer(writing_buf_),
                     [self = Self()](beast::error_code ec, size_t) {
                       {
                         std::lock_guard<std::mutex> l(self->out_mu_);
                         self->writing_ = false;
                         self->out_bytes_ -= self->writing_buf_.size();
                         self->out_cv_.notify_all();
                       }
                       self->Lowest().expires_never();
                       if (ec) return self->CloseNow();
                       self->DoWrite();
                     });
  }

  // ---- WebSocket ----------------------------------------------------------------------------

  void DoWsAccept(const std::shared_ptr<std::promise<bool>>& done) {
    if (closed() || !ws_request_) {
      done->set_value(false);
      return;
    }
    ws_ = std::make_unique<websocket::stream<Stream&>>(stream_);
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = Opt().header_timeout;
    timeouts.idle_timeout = Opt().idle_timeout;  // a silent peer is pinged, then dropped
    timeouts.keep_alive_pings = true;
    ws_->set_option(timeouts);
    ws_->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, Bsv(kServerHeader)); }));
    ws_->read_message_max(kWsMaxMessageBytes);
    ws_->text(true);
    ws_->async_accept(*ws_request_, [self = Self(), done](beast::error_code ec) {
      self->ws_request_.reset();
      done->set_value(!ec);
      if (ec) return self->CloseNow();
      self->WsRead();
    });
  }

  // Keeps a read pending: it answers pings and the client's close. What the client sends is
  // ignored (ksqlDB's endpoint takes no messages).
  void WsRead() {
    ws_->async_read(ws_in_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->CloseNow();
      self->ws_in_.consume(self->ws_in_.size());
      self->WsRead();
    });
  }

  void DoWsWrite() {
    std::unique_lock<std::mutex> lock(out_mu_);
    if (writing_ || closed_ || ws_close_sent_) return;
    if (out_.empty()) {
      if (!ws_close_ && !close_after_drain_) return;
      websocket::close_reason reason;
      reason.code = static_cast<std::uint16_t>(ws_close_ ? ws_close_->first : 1000);
      if (ws_close_) reason.reason = ws_close_->second;
      ws_close_sent_ = true;
      lock.unlock();
      ws_->async_close(reason, [self = Self()](beast::error_code) { self->CloseNow(); });
      return;
    }
    writing_buf_ = std::move(out_.front());
    out_.pop_front();
    writing_ = true;
    lock.unlock();
    ws_->async_write(net::buffer(writing_buf_), [self = Self()](beast::error_code ec, size_t) {
      {
        std::lock_guard<std::mutex> l(self->out_mu_);
        self->writing_ = false;
        self->out_bytes_ -= self->writing_buf_.size();
        self->out_cv_.notify_all();
      }
      if (ec) return self->CloseNow();
      self->DoWsWrite();
    });
  }

  void CloseNow() {
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      if (closed_) return;
      closed_ = true;
      for (auto& [id, s] : streams_) s->closed = true;
      out_cv_.notify_all();
    }
    beast::error_code ec;
    idle_timer_.cancel();
    read_timer_.cancel();
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().close();
    std::lock_guard<std::mutex> lock(server_->conns_mu);
    server_->closers.erase(this);
  }

 public:
  void Register() {
    std::weak_ptr<ConnBase> weak = shared_from_this();
    std::lock_guard<std::mutex> lock(server_->conns_mu);
    server_->closers[this] = [weak] {
      if (auto c = weak.lock()) c->PostClose();
    };
  }

 private:
  // ---- HTTP/2 --------------------------------------------------------------------------------

  // Starts HTTP/2 on this connection: after the preface (prior knowledge or ALPN), or after a
  // 101 answering `upgrade` (an h2c upgrade request, which becomes stream 1).
  void StartH2(HttpRequest* upgrade, const std::string* settings = nullptr, bool head = false) {
    server_->http2_total++;
    nghttp2_session_callbacks* cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cbs, &OnHeaderField);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &OnDataChunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &OnFrame);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &OnStreamClose);
    const int rv = nghttp2_session_server_new(&h2_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) return CloseNow();
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, Opt().http2_max_concurrent_streams},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(Opt().max_header_bytes)},
    };
    nghttp2_submit_settings(h2_, NGHTTP2_FLAG_NONE, iv, 2);
    if (upgrade) {
      auto stream = std::make_shared<H2Stream>();
      stream->id = 1;
      stream->request = std::move(*upgrade);
      stream->request.http_version = 20;
      if (nghttp2_session_upgrade2(h2_, reinterpret_cast<const uint8_t*>(settings->data()),
                                   settings->size(), head ? 1 : 0, nullptr) != 0) {
        return CloseNow();
      }
      streams_[1] = stream;
      H2Dispatch(*stream);
    }
    // Bytes already read (the preface and maybe more) go to the session first.
    if (buffer_.size() > 0) {
      std::string_view data = Buffered();
      ssize_t n =
          nghttp2_session_mem_recv(h2_, reinterpret_cast<const uint8_t*>(data.data()), data.size());
      buffer_.consume(buffer_.size());
      if (n < 0) return CloseNow();
    }
    {
      // Bytes queued for HTTP/1.1 (a 101) must go out before any frame.
      std::lock_guard<std::mutex> lock(out_mu_);
      while (!out_.empty()) {
        h2_pre_ += out_.front();
        out_bytes_ -= out_.front().size();
        out_.pop_front();
      }
    }
    last_activity_ = Clock::now();
    ArmIdle();
    H2Flush();
    H2Read();
  }

  void H2Read() {
    Lowest().expires_never();
    stream_.async_read_some(net::buffer(h2_in_), [self = Self()](beast::error_code ec, size_t n) {
      if (ec || !self->h2_) return self->CloseNow();
      self->last_activity_ = Clock::now();
      ssize_t r = nghttp2_session_mem_recv(self->h2_, self->h2_in_.data(), n);
      if (r < 0) return self->CloseNow();
      self->H2Flush();
      self->H2Read();
    });
  }

  void ArmIdle() {
    idle_timer_.expires_after(Opt().idle_timeout);
    idle_timer_.async_wait([self = Self()](beast::error_code ec) {
      if (ec) return;
      if (self->streams_.empty() &&
          Clock::now() - self->last_activity_ >= self->Opt().idle_timeout) {
        nghttp2_session_terminate_session(self->h2_, NGHTTP2_NO_ERROR);
        self->H2Flush();
        self->CloseNow();
        return;
      }
      self->ArmIdle();
    });
  }

  void H2Flush() {
    if (!h2_ || h2_writing_) return;
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      if (closed_) return;
    }
    h2_out_ = std::move(h2_pre_);
    h2_pre_.clear();
    while (h2_out_.size() < kCoalesceBytes) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(h2_, &data);
      if (n < 0) return CloseNow();
      if (n == 0) break;
      h2_out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (h2_out_.empty()) {
      if (!nghttp2_session_want_read(h2_) && !nghttp2_session_want_write(h2_)) CloseNow();
      return;
    }
    h2_writing_ = true;
    net::async_write(stream_, net::buffer(h2_out_), [self = Self()](beast::error_code ec, size_t) {
      self->h2_writing_ = false;
      if (ec) return self->CloseNow();
      self->H2Flush();
    });
  }

  H2Stream* FindStream(int32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<Connection*>(user);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    auto stream = std::make_shared<H2Stream>();
    stream->id = frame->hd.stream_id;
    stream->request.http_version = 20;
    std::lock_guard<std::mutex> lock(self->out_mu_);
    self->streams_[stream->id] = std::move(stream);
    return 0;
  }

  static int OnHeaderField(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                           size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                           void* user) {
    auto* self = static_cast<Connection*>(user);
    H2Stream* s = self->FindStream(frame->hd.stream_id);
    if (!s) return 0;
    s->header_bytes += namelen + valuelen + 32;
    if (s->header_bytes > self->Opt().max_header_bytes) {
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets the stream
    }
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") {
      s->request.method = std::string(v);
    } else if (n == ":path") {
      size_t q = v.find('?');
      s->request.path = std::string(v.substr(0, q));
      if (q != std::string_view::npos) s->request.query = std::string(v.substr(q + 1));
    } else if (n == "accept") {
      s->request.accept = std::string(v);
    } else if (n == "authorization") {
      s->request.authorization = std::string(v);
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                         size_t len, void* user) {
    auto* self = static_cast<Connection*>(user);
    H2Stream* s = self->FindStream(stream_id);
    if (!s || s->too_large) return 0;
    if (s->request.body.size() + len > self->Opt().max_body_bytes) {
      s->too_large = true;
      s->request.body.clear();
      return 0;
    }
    s->request.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<Connection*>(user);
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
      auto it = self->streams_.find(frame->hd.stream_id);
      if (it != self->streams_.end()) self->H2Dispatch(*it->second);
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
    auto* self = static_cast<Connection*>(user);
    std::lock_guard<std::mutex> lock(self->out_mu_);
    auto it = self->streams_.find(stream_id);
    if (it == self->streams_.end()) return 0;
    it->second->closed = true;
    self->out_cv_.notify_all();
    self->streams_.erase(it);
    return 0;
  }

  // The request of `stream` is complete: answer it on a worker.
  void H2Dispatch(H2Stream& stream) {
    if (stream.dispatched) return;
    stream.dispatched = true;
    std::shared_ptr<H2Stream> shared = streams_[stream.id];
    auto writer = std::make_shared<H2Writer>(shared_from_this(), shared);
    {
      beast::error_code ep_ec;
      auto ep = Lowest().socket().remote_endpoint(ep_ec);
      if (!ep_ec) stream.request.remote_address = ep.address().to_string();
    }
    if (stream.too_large) {
      writer->Send(413, "text/plain; charset=utf-8", "Payload Too Large", {});
      return;
    }
    if (IsHealthPath(stream.request.path)) {  // as for HTTP/1.1: never behind the workers
      RunHandler(server_->service, stream.request, *writer);
      return;
    }
    const bool queued = server_->pool.TrySubmit(
        [self = Self(), writer, request = std::move(stream.request)]() mutable {
          RunHandler(self->server()->service, request, *writer);
        });
    if (!queued) {
      server_->requests_rejected++;
      writer->Send(429, "text/plain; charset=utf-8", "Too Many Requests", {});
    }
  }

  static ssize_t ReadData(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void* user) {
    auto* self = static_cast<Connection*>(user);
    auto* s = static_cast<H2Stream*>(source->ptr);
    std::lock_guard<std::mutex> lock(self->out_mu_);
    if (s->data.empty()) {
      if (s->end) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
      }
      return NGHTTP2_ERR_DEFERRED;
    }
    // One chunk per DATA frame at most: clients of the delimited format parse each frame.
    std::string& front = s->data.front();
    const size_t n = std::min(length, front.size() - s->front_offset);
    std::memcpy(buf, front.data() + s->front_offset, n);
    s->front_offset += n;
    if (s->front_offset == front.size()) {
      s->pending -= front.size();
      s->data.pop_front();
      s->front_offset = 0;
      self->out_cv_.notify_all();
    }
    if (s->data.empty() && s->end) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  void H2Kick(H2Stream& stream) {
    if (!h2_) return;
    bool submit = false;
    bool no_body = false;
    std::vector<std::string> kv;
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      if (stream.closed) return;
      if (!stream.submitted && stream.has_head) {
        submit = true;
        stream.submitted = true;
        no_body = stream.end && stream.data.empty();
        kv.push_back(":status");
        kv.push_back(std::to_string(stream.status));
        kv.push_back("server");
        kv.push_back(std::string(kServerHeader));
        if (!stream.content_type.empty()) {
          kv.push_back("content-type");
          kv.push_back(stream.content_type);
        }
        for (const auto& [name, value] : stream.extra) {
          kv.push_back(Lower(name));
          kv.push_back(value);
        }
      }
    }
    if (submit) {
      std::vector<nghttp2_nv> nva;
      for (size_t i = 0; i + 1 < kv.size(); i += 2) {
        nva.push_back({reinterpret_cast<uint8_t*>(kv[i].data()),
                       reinterpret_cast<uint8_t*>(kv[i + 1].data()), kv[i].size(), kv[i + 1].size(),
                       NGHTTP2_NV_FLAG_NONE});
      }
      nghttp2_data_provider provider;
      provider.source.ptr = &stream;
      provider.read_callback = &ReadData;
      if (nghttp2_submit_response(h2_, stream.id, nva.data(), nva.size(),
                                  no_body ? nullptr : &provider) != 0) {
        nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_INTERNAL_ERROR);
      }
    } else if (stream.submitted) {
      nghttp2_session_resume_data(h2_, stream.id);
    }
    H2Flush();
  }

  Stream stream_;
  int fd_ = -1;
  // WebSocket (after an accepted upgrade)
  std::optional<http::request<http::string_body>> ws_request_;
  std::unique_ptr<websocket::stream<Stream&>> ws_;
  beast::flat_buffer ws_in_;
  bool ws_close_sent_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool writing_ = false;
  std::string writing_buf_;
  bool close_after_drain_ = false;
  bool next_request_after_drain_ = false;
  // HTTP/2
  nghttp2_session* h2_ = nullptr;
  std::map<int32_t, std::shared_ptr<H2Stream>> streams_;  // strand; closed flags under out_mu_
  std::array<uint8_t, 16384> h2_in_{};
  std::string h2_out_;
  std::string h2_pre_;
  bool h2_writing_ = false;
  net::steady_timer idle_timer_;
  net::steady_timer read_timer_;
  bool read_timed_out_ = false;
  Clock::time_point last_activity_;
};

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  // h2 when offered, else http/1.1; no protocol when neither (the handshake then goes on
  // without ALPN, as HTTP/1.1).
  if (nghttp2_select_next_protocol(const_cast<unsigned char**>(out), outlen, in, inlen) < 0) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  return SSL_TLSEXT_ERR_OK;
}

Status LoadTls(const TlsOptions& o, std::optional<ssl::context>& out) {
  out.emplace(ssl::context::tls_server);
  ssl::context& ctx = *out;
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  int min_version = TLS1_2_VERSION;
  if (o.min_protocol == "TLSv1.3") {
    min_version = TLS1_3_VERSION;
  } else if (o.min_protocol != "TLSv1.2") {
    return InvalidArgument("ssl.enabled.protocols: brook serves TLSv1.2 and TLSv1.3 only, not '" +
                           o.min_protocol + "'");
  }
  SSL_CTX_set_min_proto_version(native, min_version);
  if (!o.cipher_list.empty() && SSL_CTX_set_cipher_list(native, o.cipher_list.c_str()) != 1) {
    return InvalidArgument("ssl.cipher.suites: OpenSSL accepts none of '" + o.cipher_list + "'");
  }
  beast::error_code ec;
  // Always a callback: without one OpenSSL asks for an encrypted key's passphrase on the
  // terminal, and brookd would wait at start-up. No password configured → an empty one, and the
  // key's load fails with the message below.
  ctx.set_password_callback(
      [pw = o.key_password](std::size_t, ssl::context::password_purpose) { return pw; }, ec);
  ctx.use_certificate_chain_file(o.certificate_file, ec);
  if (ec) {
    return InvalidArgument("Cannot read the TLS certificate chain '" + o.certificate_file +
                           "' (PEM expected): " + ec.message());
  }
  ctx.use_private_key_file(o.key_file, ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("Cannot read the TLS private key '" + o.key_file + "' (PEM expected" +
                           (o.key_password.empty() ? "; an encrypted key needs ssl.key.password"
                                                   : "; is ssl.key.password right?") +
                           "): " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("The TLS private key '" + o.key_file +
                           "' does not match the certificate '" + o.certificate_file + "'");
  }
  if (o.client_authentication != "NONE") {
    if (o.ca_file.empty()) {
      return InvalidArgument("ssl.client.authentication=" + o.client_authentication +
                             " needs trusted CAs: set ssl.truststore.location (PEM)");
    }
    ctx.load_verify_file(o.ca_file, ec);
    if (ec) {
      return InvalidArgument("Cannot read the trusted CAs '" + o.ca_file +
                             "' (PEM expected): " + ec.message());
    }
    ctx.set_verify_mode(o.client_authentication == "REQUIRED"
                            ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                            : ssl::verify_peer,
                        ec);
  }
  SSL_CTX_set_alpn_select_cb(native, &SelectAlpn, nullptr);
  return Status::Ok();
}

void RejectConnection(tcp::socket& socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 429 Too Many Requests\r\nServer: brookd\r\nContent-Type: text/plain; "
      "charset=utf-8\r\nContent-Length: 20\r\nConnection: close\r\n\r\nToo many connections";
  (void)::send(socket.native_handle(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  beast::error_code ec;
  socket.close(ec);
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(ioc),
                         [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping) return;
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    // EMFILE and friends: try again shortly instead of spinning.
    auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(50));
    timer->async_wait([self = shared_from_this(), timer](beast::error_code) { self->Accept(); });
    return;
  }
  // Past the cap, a few more connections are kept for health checks only.
  const bool health_only = open.load() >= options.max_connections;
  if (open.load() >= options.max_connections + kHealthCheckConnections) {
    rejected++;
    RejectConnection(socket);
    Accept();
    return;
  }
  open++;
  total++;
  if (tls) {
    auto conn = std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
        shared_from_this(), std::move(socket), *tls);
    if (health_only) conn->set_health_only();
    conn->Register();
    conn->Start();
  } else {
    auto conn =
        std::make_shared<Connection<beast::tcp_stream>>(shared_from_this(), std::move(socket));
    if (health_only) conn->set_health_only();
    conn->Register();
    conn->Start();
  }
  Accept();
}

HttpServer::HttpServer(RestService& service, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(service, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& impl = *impl_;
  try {
    if (impl.options.tls.enabled) RETURN_IF_ERROR(LoadTls(impl.options.tls, impl.tls));
    beast::error_code ec;
    net::ip::address address = net::ip::make_address(impl.options.host, ec);
    if (ec) {
      // Not a literal address: resolve the name (e.g. "localhost").
      tcp::resolver resolver(impl.ioc);
      auto results = resolver.resolve(impl.options.host, std::to_string(impl.options.port), ec);
      if (ec || results.empty()) {
        return InvalidArgument("Cannot resolve listener host '" + impl.options.host +
                               "': " + ec.message());
      }
      address = results.begin()->endpoint().address();
    }
    tcp::endpoint endpoint(address, impl.options.port);
    auto acceptor = std::make_unique<tcp::acceptor>(impl.ioc);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return IOError("Cannot listen on " + impl.options.host + ":" +
                     std::to_string(impl.options.port) + ": " + ec.message());
    }
    impl.port = acceptor->local_endpoint(ec).port();
    impl.acceptor = std::move(acceptor);
    impl.Accept();
    for (size_t i = 0; i < std::max<size_t>(1, impl.options.io_threads); ++i) {
      impl.io_threads.emplace_back([s = impl_] {
        for (;;) {
          try {
            s->ioc.run();
            return;
          } catch (const std::exception&) {
            // A handler threw (none should): keep the loop alive.
          }
        }
      });
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return IOError(std::string("Cannot start the HTTP listener: ") + e.what());
  }
}

uint16_t HttpServer::port() const { return impl_->port; }

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.connections_open = impl_->open.load();
  s.connections_total = impl_->total.load();
  s.connections_rejected = impl_->rejected.load();
  s.requests_rejected = impl_->requests_rejected.load();
  s.http2_connections_total = impl_->http2_total.load();
  return s;
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  impl.stopping = true;
  if (impl.acceptor) {
    net::post(impl.ioc, [s = impl_] {
      beast::error_code ignored;
      s->acceptor->close(ignored);
    });
  }
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard<std::mutex> lock(impl.conns_mu);
    for (auto& [conn, close] : impl.closers) closers.push_back(close);
  }
  for (auto& close : closers) close();
  // Workers end once their handlers return (push queries were already asked to end; writers
  // of closed connections fail at once).
  const bool workers_done = impl.pool.Stop(impl.options.shutdown_timeout);
  impl.ioc.stop();
  for (auto& t : impl.io_threads) {
    if (t.joinable()) t.join();
  }
  (void)workers_done;  // threads still running hold their own reference to the state
}

}  // namespace brook::server
