// GET /ws/query?request=<URL-encoded KsqlRequest JSON>[&version=1]: ksqlDB's legacy WebSocket
// query endpoint (docs/rest-api.md). After the upgrade every message is a text frame: the
// result's fields, one {"row":{"columns":[...]}} per row, then {"error":"done"} and close code
// 1000 "done". A request that cannot run ends with {"error":"<message>"} and close code 1003
// (bad request), 1011 (server error) or 1013 (command wait timed out), the reason cut to 123
// bytes. Credentials are checked before the upgrade (401/403 as plain HTTP).
#include <nlohmann/json.hpp>

#include "server/rest_service.h"

namespace brook::server {
namespace {

constexpr size_t kMaxCloseReason = 123;  // RFC 6455: a control frame payload is 125 bytes

// RFC 3986 percent-decoding of one query-string value ('+' is a space, as browsers and
// ksqlDB's clients encode it). nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view in) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// The first value of parameter `name` in `query` (still encoded); nullopt when absent.
std::optional<std::string_view> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string CloseReason(const std::string& message) {
  if (message.size() <= kMaxCloseReason) return message;
  size_t cut = kMaxCloseReason - 3;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return message.substr(0, cut) + "...";
}

// Turns what RunPushQuery writes into the WebSocket protocol: an error response becomes the
// {"error":...} message and its close code; the stream's last message decides the close code.
class WsQueryWriter final : public ResponseWriter {
 public:
  explicit WsQueryWriter(ResponseWriter& ws) : ws_(ws) {}

  bool Send(int status, std::string_view, std::string body, const Headers&) override {
    if (ended_) return false;
    std::string message = body;
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
      message = parsed["message"].get<std::string>();
    }
    const int code = status == 503 ? 1013 : status >= 500 ? 1011 : status >= 400 ? 1003 : 1000;
    return Fail(code, message);
  }
  bool BeginChunked(int, std::string_view) override { return !ended_; }  // already upgraded
  bool WriteChunk(std::string_view data) override {
    if (ended_) return false;
    last_ = std::string(data.substr(0, 4096));
    return ws_.WriteChunk(data);
  }
  bool EndChunked() override {
    if (ended_) return false;
    ended_ = true;
    // The last message is {"error":"done"} after a complete stream, {"error":"<why>"} after a
    // failure (QueryStreamEncoder::End / Error).
    nlohmann::json parsed = nlohmann::json::parse(last_, nullptr, false);
    if (parsed.is_object() && parsed.size() == 1 && parsed.contains("error") &&
        parsed["error"].is_string() && parsed["error"] != "done") {
      return ws_.EndWebSocket(1011, CloseReason(parsed["error"].get<std::string>()));
    }
    return ws_.EndWebSocket(1000, "done");
  }
  bool PeerClosed() override { return ended_ || ws_.PeerClosed(); }

  bool Fail(int code, const std::string& message) {
    if (ended_) return false;
    ended_ = true;
    nlohmann::json frame = {{"error", message}};
    ws_.WriteChunk(frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return ws_.EndWebSocket(code, CloseReason(message));
  }

 private:
  ResponseWriter& ws_;
  std::string last_;
  bool ended_ = false;
};

}  // namespace

void RestService::HandleWsQuery(const HttpRequest& request, ResponseWriter& out) {
  if (!request.websocket) {
    SendError(out, ApiError::Generic(kBadRequest,
                                     "/ws/query is a WebSocket endpoint: send a GET with "
                                     "'Connection: Upgrade' and 'Upgrade: websocket'"));
    return;
  }
  if (!out.BeginChunked(101, "")) return;  // the handshake failed; the connection is gone
  WsQueryWriter ws(out);
  if (auto version = QueryParam(request.query, "version")) {
    if (*version != "1") {
      ws.Fail(1003, "Received invalid api version: " + std::string(version->substr(0, 32)));
      return;
    }
  }
  std::optional<std::string_view> encoded = QueryParam(request.query, "request");
  if (!encoded || encoded->empty()) {
    ws.Fail(1003, "Error parsing request: missing request parameter");
    return;
  }
  std::optional<std::string> body = PercentDecode(*encoded);
  if (!body) {
    ws.Fail(1003, "Error parsing request: malformed percent-encoding in the request parameter");
    return;
  }
  KsqlRequestOrError parsed = ParseKsqlRequest(*body);
  if (!parsed.request) {
    ws.Fail(1003, "Error parsing request: " + parsed.error.message);
    return;
  }
  if (parsed.request->ksql.find_first_not_of(" \t\r\n") == std::string::npos) {
    ws.Fail(1003, "\"ksql\" field must be populated");
    return;
  }
  if (parsed.request->command_sequence_number &&
      !WaitForCommand(*parsed.request->command_sequence_number, ws)) {
    return;
  }
  SessionState session = MakeSession(parsed.request->properties, parsed.request->variables);
  RunPushQuery(parsed.request->ksql, session, StreamFormat::kWebSocket, /*legacy=*/true, ws);
}

}  // namespace brook::server
