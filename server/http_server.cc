#include "server/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

namespace brook::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr std::string_view kServerHeader = "brookd";

// Beast 1.74 takes boost::string_view.
beast::string_view Bsv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

// ResponseWriter over one blocking socket.
class BeastResponseWriter final : public ResponseWriter {
 public:
  BeastResponseWriter(tcp::socket& socket, unsigned version, bool keep_alive)
      : socket_(socket), version_(version), keep_alive_(keep_alive) {}

  bool Send(int status, std::string_view content_type, std::string body,
            const Headers& extra_headers) override {
    if (started_) return false;
    started_ = true;
    http::response<http::string_body> res;
    res.version(version_);
    res.result(static_cast<unsigned>(status));
    res.set(http::field::server, Bsv(kServerHeader));
    if (!content_type.empty()) res.set(http::field::content_type, Bsv(content_type));
    for (const auto& [name, value] : extra_headers) res.set(name, value);
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    beast::error_code ec;
    http::write(socket_, res, ec);
    ok_ = !ec;
    complete_ = ok_;
    return ok_;
  }

  bool BeginChunked(int status, std::string_view content_type) override {
    if (started_) return false;
    started_ = true;
    http::response<http::empty_body> res;
    res.version(version_);
    res.result(static_cast<unsigned>(status));
    res.set(http::field::server, Bsv(kServerHeader));
    res.set(http::field::content_type, Bsv(content_type));
    res.keep_alive(keep_alive_);
    res.chunked(true);
    http::response_serializer<http::empty_body> serializer(res);
    beast::error_code ec;
    http::write_header(socket_, serializer, ec);
    ok_ = !ec;
    return ok_;
  }

  bool WriteChunk(std::string_view data) override {
    if (!ok_ || !started_) return false;
    if (data.empty()) return true;  // an empty chunk would end the body
    beast::error_code ec;
    net::write(socket_, http::make_chunk(net::const_buffer(data.data(), data.size())), ec);
    ok_ = !ec;
    return ok_;
  }

  bool EndChunked() override {
    if (!ok_ || !started_) return false;
    beast::error_code ec;
    net::write(socket_, http::make_chunk_last(), ec);
    ok_ = !ec;
    complete_ = ok_;
    return ok_;
  }

  bool PeerClosed() override {
    if (!ok_) return true;
    pollfd pfd{socket_.native_handle(), POLLIN | POLLRDHUP, 0};
    if (::poll(&pfd, 1, 0) <= 0) return false;
    if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
    if (pfd.revents & POLLIN) {
      char c;
      ssize_t n = ::recv(socket_.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0) return true;
    }
    return false;
  }

  // True when a complete response went out and the connection may serve another request.
  bool reusable() const { return complete_ && keep_alive_; }
  bool started() const { return started_; }

 private:
  tcp::socket& socket_;
  unsigned version_;
  bool keep_alive_;
  bool started_ = false;
  bool ok_ = true;
  bool complete_ = false;
};

// Writes a minimal error response on a connection whose request could not be parsed.
void SendPlain(tcp::socket& socket, unsigned status, std::string body) {
  http::response<http::string_body> res;
  res.version(11);
  res.result(status);
  res.set(http::field::server, Bsv(kServerHeader));
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  beast::error_code ec;
  http::write(socket, res, ec);
}

}  // namespace

struct HttpServer::Impl {
  Impl(RestService& s, HttpServerOptions o) : service(s), options(std::move(o)) {}

  void AcceptLoop();
  void Serve(tcp::socket& socket);

  RestService& service;
  HttpServerOptions options;
  net::io_context ioc;  // sockets need one; all operations here are synchronous
  std::unique_ptr<tcp::acceptor> acceptor;
  uint16_t port = 0;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  bool stopped = false;
  bool abandoned = false;  // Stop() timed out with connection threads still running

  std::mutex mu;  // guards open_fds and active
  std::condition_variable idle;
  std::set<int> open_fds;
  int active = 0;
};

void HttpServer::Impl::AcceptLoop() {
  while (!stopping) {
    tcp::socket socket(ioc);
    beast::error_code ec;
    acceptor->accept(socket, ec);
    if (ec) {
      if (stopping) break;
      // EMFILE and friends: back off a little instead of spinning.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) break;
      open_fds.insert(socket.native_handle());
      ++active;
    }
    std::thread([this, s = std::move(socket)]() mutable {
      Serve(s);
      {
        std::lock_guard<std::mutex> lock(mu);
        open_fds.erase(s.native_handle());
      }
      beast::error_code ignored;
      s.close(ignored);
      std::lock_guard<std::mutex> lock(mu);
      --active;
      idle.notify_all();
    }).detach();
  }
}

void HttpServer::Impl::Serve(tcp::socket& socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::flat_buffer buffer;
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    http::read_header(socket, buffer, parser, ec);
    if (ec == http::error::body_limit) {  // Content-Length above the limit
      SendPlain(socket, 413, "Payload Too Large");
      break;
    }
    if (ec) {
      const bool http_parse_error =
          ec.category() == http::make_error_code(http::error::bad_method).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message;
      if (http_parse_error) {
        SendPlain(socket, 400, "Bad Request");  // not HTTP/1.x (e.g. an HTTP/2 preface)
      }
      break;
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont(http::status::continue_, parser.get().version());
      http::write(socket, cont, ec);
      if (ec) break;
    }
    if (!parser.is_done()) http::read(socket, buffer, parser, ec);
    if (ec) {
      if (ec == http::error::body_limit) SendPlain(socket, 413, "Payload Too Large");
      break;
    }
    http::request<http::string_body>& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    request.path = std::string(target.substr(0, target.find('?')));
    auto accept = req.find(http::field::accept);
    if (accept != req.end()) request.accept = std::string(accept->value());
    request.body = std::move(req.body());
    BeastResponseWriter writer(socket, req.version(), req.keep_alive());
    try {
      service.Handle(request, writer);
    } catch (const std::exception& e) {
      // RestService catches its own; this guards the thread against anything else.
      if (!writer.started()) SendPlain(socket, 500, std::string("Internal error: ") + e.what());
      break;
    }
    if (!writer.started()) {
      // A handler that sent nothing is a bug; never leave the client hanging.
      SendPlain(socket, 500, "Internal error: no response");
      break;
    }
    if (!writer.reusable()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

HttpServer::HttpServer(RestService& service, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {}

HttpServer::~HttpServer() {
  Stop();
  // Connection threads that did not finish in time still use Impl: leak it deliberately
  // rather than free memory under them (this only happens at process exit).
  if (impl_->abandoned) (void)impl_.release();
}

Status HttpServer::Start() {
  try {
    beast::error_code ec;
    net::ip::address address = net::ip::make_address(impl_->options.host, ec);
    if (ec) {
      // Not a literal address: resolve the name (e.g. "localhost").
      tcp::resolver resolver(impl_->ioc);
      auto results = resolver.resolve(impl_->options.host, std::to_string(impl_->options.port), ec);
      if (ec || results.empty()) {
        return InvalidArgument("Cannot resolve listener host '" + impl_->options.host +
                               "': " + ec.message());
      }
      address = results.begin()->endpoint().address();
    }
    tcp::endpoint endpoint(address, impl_->options.port);
    auto acceptor = std::make_unique<tcp::acceptor>(impl_->ioc);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return IOError("Cannot listen on " + impl_->options.host + ":" +
                     std::to_string(impl_->options.port) + ": " + ec.message());
    }
    impl_->port = acceptor->local_endpoint(ec).port();
    impl_->acceptor = std::move(acceptor);
    impl_->accept_thread = std::thread([impl = impl_.get()] { impl->AcceptLoop(); });
    return Status::Ok();
  } catch (const std::exception& e) {
    return IOError(std::string("Cannot start the HTTP listener: ") + e.what());
  }
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  impl.stopping = true;
  if (impl.acceptor) {
    // Wakes the blocked accept() (Linux returns EINVAL from accept on a shut-down listener).
    ::shutdown(impl.acceptor->native_handle(), SHUT_RDWR);
  }
  if (impl.accept_thread.joinable()) impl.accept_thread.join();
  if (impl.acceptor) {
    beast::error_code ignored;
    impl.acceptor->close(ignored);
  }
  std::unique_lock<std::mutex> lock(impl.mu);
  for (int fd : impl.open_fds) ::shutdown(fd, SHUT_RDWR);
  impl.abandoned =
      !impl.idle.wait_for(lock, impl.options.shutdown_timeout, [&] { return impl.active == 0; });
}

}  // namespace brook::server
