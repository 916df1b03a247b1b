#include "cli/shell/rest_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <optional>

#include "common/base64.h"

namespace brook::shell {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Runs `ioc` until `done`, the deadline, or `cancel`; false on the deadline or `cancel` (the
// caller then closes the socket and drains the handlers).
bool RunUntil(net::io_context& ioc, const bool& done,
              std::chrono::steady_clock::time_point deadline, const std::atomic<bool>* cancel) {
  ioc.restart();
  while (!done) {
    if (cancel && cancel->load()) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ioc.run_for(std::chrono::milliseconds(100));
    if (ioc.stopped() && !done) ioc.restart();
  }
  return true;
}

}  // namespace

Result<ServerAddress> ParseServerUrl(std::string_view url) {
  ServerAddress a;
  std::string_view rest = url;
  if (rest.rfind("https://", 0) == 0) {
    return InvalidArgument(
        "https is not supported by the brook shell yet (it cannot verify the "
        "server's certificate); use http:// or a TLS-terminating proxy");
  }
  if (rest.rfind("http://", 0) == 0) rest.remove_prefix(7);
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    rest = rest.substr(0, slash);
  }
  if (rest.empty()) return InvalidArgument("no server in '" + std::string(url) + "'");
  if (rest.size() > 255) return InvalidArgument("server address too long");
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    a.host = std::string(rest);
  } else {
    a.host = std::string(rest.substr(0, colon));
    a.port = std::string(rest.substr(colon + 1));
    if (a.port.empty() || a.port.size() > 5 ||
        a.port.find_first_not_of("0123456789") != std::string::npos || std::stoi(a.port) > 65535) {
      return InvalidArgument("bad port in '" + std::string(url) + "'");
    }
  }
  if (a.host.empty()) return InvalidArgument("no host in '" + std::string(url) + "'");
  return a;
}

Result<HttpResponse> RestClient::Post(const std::string& path, const std::string& json) {
  return Exchange("POST", path, json, nullptr, nullptr);
}

Result<HttpResponse> RestClient::Get(const std::string& path) {
  return Exchange("GET", path, "", nullptr, nullptr);
}

Result<HttpResponse> RestClient::StreamLines(const std::string& path, const std::string& json,
                                             const std::function<bool(std::string_view)>& on_line,
                                             const std::atomic<bool>& cancel) {
  return Exchange("POST", path, json, &on_line, &cancel);
}

Result<HttpResponse> RestClient::Exchange(const char* method, const std::string& path,
                                          const std::string& json,
                                          const std::function<bool(std::string_view)>* on_line,
                                          const std::atomic<bool>* cancel) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  auto close = [&] {
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(200));  // let the cancelled handlers finish
  };

  // Resolve and connect, bounded.
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(options_.server.host, options_.server.port, ec);
  if (ec) return IOError("cannot resolve the host: " + ec.message());
  bool done = false;
  net::async_connect(socket, endpoints, [&](const beast::error_code& e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!RunUntil(ioc, done, std::chrono::steady_clock::now() + options_.connect_timeout, cancel)) {
    close();
    if (cancel && cancel->load()) return IOError("cancelled");
    return IOError("connecting timed out");
  }
  if (ec) return IOError(ec.message());

  http::request<http::string_body> req(
      std::string_view(method) == "GET" ? http::verb::get : http::verb::post, path, 11);
  req.set(http::field::host, options_.server.host);
  req.set(http::field::user_agent, "brook-shell");
  if (!options_.user.empty()) {
    req.set(http::field::authorization,
            "Basic " + Base64Encode(options_.user + ":" + options_.password));
  }
  if (std::string_view(method) != "GET") {
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept,
            on_line ? "application/vnd.ksqlapi.delimited.v1" : "application/json");
    req.body() = json;
  }
  req.keep_alive(false);
  req.prepare_payload();

  done = false;
  http::async_write(socket, req, [&](const beast::error_code& e, size_t) {
    ec = e;
    done = true;
  });
  if (!RunUntil(ioc, done, std::chrono::steady_clock::now() + options_.request_timeout, cancel)) {
    close();
    return IOError(cancel && cancel->load() ? "cancelled" : "the request timed out");
  }
  if (ec) return IOError("sending: " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  // Not boost::none: Boost 1.74 compares a Content-Length with an empty limit as exceeding it.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  done = false;
  http::async_read_header(socket, buffer, parser, [&](const beast::error_code& e, size_t) {
    ec = e;
    done = true;
  });
  if (!RunUntil(ioc, done, std::chrono::steady_clock::now() + options_.request_timeout, cancel)) {
    close();
    return IOError(cancel && cancel->load() ? "cancelled" : "no answer");
  }
  if (ec) return IOError("reading: " + ec.message());

  HttpResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  const bool streaming = on_line != nullptr && response.status == 200;
  std::string pending;  // streaming: the unfinished line
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    done = false;
    http::async_read_some(socket, buffer, parser, [&](const beast::error_code& e, size_t) {
      ec = e;
      done = true;
    });
    // A push query may be quiet for long: only a cancel ends its wait.
    const auto deadline = streaming ? std::chrono::steady_clock::time_point::max()
                                    : std::chrono::steady_clock::now() + options_.request_timeout;
    if (!RunUntil(ioc, done, deadline, cancel)) {
      close();
      if (cancel && cancel->load()) return response;  // the caller asked to stop
      return IOError("the answer stopped coming");
    }
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::end_of_stream || ec == net::error::eof) break;
    if (ec) return IOError("reading: " + ec.message());
    const size_t got = sizeof(chunk) - parser.get().body().size;
    if (!streaming) {
      if (response.body.size() + got > options_.max_body_bytes) {
        close();
        return IOError("the answer is larger than " + std::to_string(options_.max_body_bytes) +
                       " bytes");
      }
      response.body.append(chunk, got);
      continue;
    }
    pending.append(chunk, got);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (!(*on_line)(std::string_view(pending).substr(start, nl - start))) {
        close();
        return response;
      }
    }
    pending.erase(0, start);
    if (pending.size() > options_.max_body_bytes) {
      close();
      return IOError("a line of the answer is too long");
    }
  }
  if (streaming && !pending.empty()) (*on_line)(pending);
  close();
  return response;
}

}  // namespace brook::shell
