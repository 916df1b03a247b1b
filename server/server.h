// BrookServer: one running brookd — Kafka access (a configured cluster or the embedded
// broker), the engine with its persistent-query threads, the REST service and the HTTP
// listener — assembled from a ServerConfig. main.cc adds argument parsing and signals.
//
// Startup order: embedded broker (when no bootstrap.servers) → Kafka client factory → engine
// (threaded) → --script statements → HTTP listener. Progress lines go to `log`, each flushed:
//   brookd: embedded Kafka broker at 127.0.0.1:PORT
//   brookd: listening on http://HOST:PORT
// Shutdown order is the reverse: streams are ended, the listener and connections closed, the
// engine's query threads stopped, then the Kafka clients and the broker destroyed.
//
// Thread-safety: Start, Shutdown and destruction from one controlling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "common/status.h"
#include "server/config.h"

namespace brook::server {

// The version reported in /info; it must parse as a ksqlDB version for ksqlDB's clients.
inline constexpr const char* kCompatibleKsqlVersion = "0.29.0";

class BrookServer {
 public:
  // Starts everything. Returns kInvalidArgument/kUnsupported for a bad listener, kIOError when
  // the broker or the listener cannot start, and the script's positioned error (rendered with
  // the offending line and a caret, prefixed by the file name) when a --script statement
  // fails. On failure everything started so far is stopped again.
  static Result<std::unique_ptr<BrookServer>> Start(const ServerConfig& config, std::ostream& log);

  ~BrookServer();  // Shutdown()s
  BrookServer(const BrookServer&) = delete;
  BrookServer& operator=(const BrookServer&) = delete;

  // The bound HTTP port and the URL printed at startup.
  uint16_t port() const;
  std::string url() const;
  // bootstrap.servers in use (the embedded broker's address when embedded).
  std::string bootstrap_servers() const;

  // Stops accepting requests, ends push queries, stops the engine. Idempotent.
  void Shutdown();

 private:
  struct Parts;
  explicit BrookServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace brook::server
