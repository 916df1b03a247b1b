// HttpServer: brookd's listener. One port serves HTTP/1.1 and HTTP/2 (cleartext with prior
// knowledge, the `h2c` upgrade, and `h2` by ALPN under TLS), optionally over TLS (OpenSSL).
//
// Threads: a fixed number of I/O threads run an event loop (Boost.Asio) that accepts
// connections, reads and parses requests (Beast for HTTP/1.1, libnghttp2 for HTTP/2 framing)
// and writes responses; a fixed pool of worker threads runs the RestService handlers. An idle
// connection costs no thread. A handler writes through a ResponseWriter that queues bytes for
// the event loop; when a client reads slower than a stream produces, the writer blocks at
// `stream_buffer_bytes` and gives up after `write_timeout` (the handler then ends its query).
// When every worker is busy, requests wait in a bounded queue; past it they get 429.
//
// Limits (each answered with its status, then the connection is closed): headers above
// max_header_bytes 431; body above max_body_bytes 413; headers not complete within
// header_timeout, or a body not complete within body_timeout, 408; HTTP/1.1 without Host 400;
// Transfer-Encoding other than `chunked` 501; Transfer-Encoding with Content-Length 400; a bad
// chunk 400; POST without a length 411; more than max_connections open 429. Health checks
// (/healthcheck, /chc/live, /chc/ready) are answered on the I/O threads, never queued behind the
// workers, and kHealthCheckConnections more connections past max_connections are accepted for
// them alone, so a server at its limits still reports itself alive. A connection with no request
// in progress is closed after idle_timeout.
//
// Beast, Asio, OpenSSL and nghttp2 types stay in http_server.cc.
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

// Connections accepted past max_connections that may only ask for a health check.
inline constexpr size_t kHealthCheckConnections = 16;

// TLS on the listener. PEM files (OpenSSL); see docs/security.md.
struct TlsOptions {
  bool enabled = false;
  std::string certificate_file;  // server certificate chain (PEM)
  std::string key_file;          // its private key (PEM)
  std::string key_password;      // for an encrypted key ("" when not encrypted)
  std::string ca_file;           // trusted CAs for client certificates (PEM); "" for none
  // NONE, REQUESTED or REQUIRED (ssl.client.authentication).
  std::string client_authentication = "NONE";
  std::string min_protocol = "TLSv1.2";  // from ssl.enabled.protocols
  std::string cipher_list;               // ssl.cipher.suites (OpenSSL names); "" = default
};

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8088;  // 0: any free port (see port())
  size_t max_body_bytes = 16 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_connections = 4096;
  size_t io_threads = 2;
  size_t worker_threads = 116;
  size_t max_queued_requests = 1024;
  size_t stream_buffer_bytes = 1024 * 1024;
  uint32_t http2_max_concurrent_streams = 100;
  TlsOptions tls;
  // Stop() waits this long for workers to finish before giving up on them.
  std::chrono::milliseconds shutdown_timeout{15000};
};

// Counters of the transport, for /metrics.
struct HttpServerStats {
  uint64_t connections_open = 0;
  uint64_t connections_total = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  uint64_t requests_rejected = 0;     // worker queue full (429)
  uint64_t http2_connections_total = 0;
};

class HttpServer {
 public:
  // `service` must outlive the server.
  HttpServer(RestService& service, HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS material (kInvalidArgument naming the file on failure), binds and listens,
  // then serves on the I/O threads. kIOError if the address cannot be bound.
  [[nodiscard]] Status Start();

  // The bound port (the real one when options.port was 0). Valid after a successful Start().
  uint16_t port() const;

  HttpServerStats stats() const;

  // Closes the listener and every connection, then waits up to shutdown_timeout for the
  // workers. Streams should already have been asked to end (RestService::Shutdown).
  // Idempotent.
  void Stop();

  struct Impl;  // defined in http_server.cc; public so that its connection classes can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace brook::server
