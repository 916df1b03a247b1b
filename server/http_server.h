// HttpServer: brookd's HTTP/1.1 listener (Boost.Beast, synchronous, one thread per
// connection). It turns each request into an HttpRequest, hands it to the RestService on the
// connection's thread, and writes what the service sends: whole responses with
// Content-Length, streams with Transfer-Encoding: chunked. Keep-alive is honoured; a
// connection is closed after a response whose writing failed.
//
// Beast and Asio types stay in http_server.cc.
//
// Thread-safety: Start/Stop from one controlling thread; port() from any thread after Start.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/rest_service.h"

namespace brook::server {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8088;  // 0: any free port (see port())
  size_t max_body_bytes = 16 * 1024 * 1024;
  // Stop() waits this long for connection threads to finish before giving up on them.
  std::chrono::milliseconds shutdown_timeout{15000};
};

class HttpServer {
 public:
  // `service` must outlive the server.
  HttpServer(RestService& service, HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then accepts on a background thread. kIOError if the address cannot be
  // bound (e.g. port in use), kInvalidArgument for a bad host.
  [[nodiscard]] Status Start();

  // The bound port (the real one when options.port was 0). Valid after a successful Start().
  uint16_t port() const;

  // Closes the listener, shuts down every open connection (a thread blocked in a read or write
  // returns at once) and waits up to shutdown_timeout for connection threads to end. Streams
  // should already have been asked to end (RestService::Shutdown). Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook::server
