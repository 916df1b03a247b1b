// A small HTTP/1.1 client of brookd's REST API for the shell and migrations: one connection per
// request (so a restarted server is simply reached again), Basic authentication, a connect and a
// request timeout, and streamed responses that a flag (Ctrl-C) can cut short. Beast stays in
// rest_client.cc.
#ifndef BROOK_CLI_SHELL_REST_CLIENT_H_
#define BROOK_CLI_SHELL_REST_CLIENT_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace brook::shell {

struct ServerAddress {
  std::string host = "localhost";
  std::string port = "8088";
  std::string url() const { return "http://" + host + ":" + port; }
};

// Parses "http://host:port" (or "host:port", or "host"). https is refused: the shell cannot
// verify a server's certificate yet, and a security setting it cannot honour is an error.
[[nodiscard]] Result<ServerAddress> ParseServerUrl(std::string_view url);

struct HttpResponse {
  int status = 0;
  std::string body;
};

class RestClient {
 public:
  struct Options {
    ServerAddress server;
    std::string user;  // Basic authentication when not empty
    std::string password;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds request_timeout{60000};  // between two pieces of a response
    size_t max_body_bytes = 64u << 20;                 // a non-streamed response's bound
  };
  explicit RestClient(Options options) : options_(std::move(options)) {}

  const Options& options() const { return options_; }

  // POSTs `json` to `path` and returns the whole response. An unreachable server is an
  // IOError naming the address.
  [[nodiscard]] Result<HttpResponse> Post(const std::string& path, const std::string& json);
  [[nodiscard]] Result<HttpResponse> Get(const std::string& path);

  // POSTs `json` and hands each line of a 200 response's body to `on_line` as it arrives,
  // until the body ends, `on_line` returns false, or `cancel` becomes true (then the
  // connection is closed, which ends a push query on the server). A response other than 200
  // is returned whole, with its status, and nothing goes to `on_line`.
  [[nodiscard]] Result<HttpResponse> StreamLines(
      const std::string& path, const std::string& json,
      const std::function<bool(std::string_view)>& on_line, const std::atomic<bool>& cancel);

 private:
  [[nodiscard]] Result<HttpResponse> Exchange(const char* method, const std::string& path,
                                              const std::string& json,
                                              const std::function<bool(std::string_view)>* on_line,
                                              const std::atomic<bool>* cancel);
  Options options_;
};

}  // namespace brook::shell

#endif  // BROOK_CLI_SHELL_REST_CLIENT_H_
