// The HTTP exchange as brook's REST handlers see it, without any HTTP library types: the
// HTTP layer (http_server.cc) fills an HttpRequest and implements ResponseWriter; tests use
// fakes of both.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brook::server {

// What a handler sees of one HTTP request.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // target without the query string
  std::string accept;  // Accept header ("" when absent)
  std::string body;
  std::string query;          // the query string after '?', undecoded ("" when absent)
  std::string authorization;  // Authorization header ("" when absent); never logged
  int http_version = 11;      // 11 (HTTP/1.1 and 1.0) or 20 (HTTP/2)
  // An HTTP/1.1 GET asking for a WebSocket upgrade (RFC 6455). The handler accepts it with
  // BeginChunked(101, ...), then every WriteChunk is one text message and EndWebSocket closes.
  bool websocket = false;
  // The client's address ("" when unknown): failed logins are limited per client.
  std::string remote_address;
};

// The response side of one exchange. Implemented by the HTTP layer (and by fakes in tests).
// Either Send() once, or BeginChunked() + WriteChunk()* + EndChunked(). Every method returns
// false when the client is gone; the handler then stops writing. Single-owner.
class ResponseWriter {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  virtual ~ResponseWriter() = default;
  virtual bool Send(int status, std::string_view content_type, std::string body,
                    const Headers& extra_headers = {}) = 0;
  virtual bool BeginChunked(int status, std::string_view content_type) = 0;
  virtual bool WriteChunk(std::string_view data) = 0;
  virtual bool EndChunked() = 0;
  // True once the client has closed its side (checked between polls of a push query).
  virtual bool PeerClosed() = 0;
  // Ends a WebSocket exchange with a close frame (`code`, `reason` of at most 123 bytes).
  // Writers of other exchanges just end the body.
  virtual bool EndWebSocket(int /*code*/, std::string_view /*reason*/) { return EndChunked(); }
};

}  // namespace brook::server
