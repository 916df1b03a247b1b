// brookd: brook's server. Serves ksqlDB's REST API over HTTP/1.1 and HTTP/2 and runs
// persistent queries. `brookd --hash-password` prints a users-file hash (docs/security.md).
//
//   brookd [--config FILE] [--listeners http://0.0.0.0:8088] [--bootstrap-servers HOST:PORT]
//          [--script FILE.sql] [-D key=value ...]
//
// Every configuration key and its default is documented in server/config.h and
// docs/rest-api.md. Without bootstrap.servers brookd starts an embedded in-memory Kafka broker.
// Stdout carries the progress lines tests rely on (each flushed):
//   brookd: embedded Kafka broker at 127.0.0.1:PORT     (embedded broker only)
//   brookd: listening on http://HOST:PORT              (the real port, also for port 0)
// SIGINT or SIGTERM shut it down gracefully. Exit codes: 0 after a clean shutdown, 1 when
// startup fails (e.g. a --script statement fails; the positioned error goes to stderr),
// 2 on bad usage.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "server/auth.h"
#include "server/config.h"
#include "server/server.h"

namespace {

// `brookd --hash-password [ITERATIONS]`: reads a password from stdin (one line) and prints the
// PBKDF2-SHA256 hash for a users file.
int HashPassword(const std::vector<std::string>& args) {
  int iterations = 310000;
  if (args.size() > 1) iterations = std::atoi(args[1].c_str());
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::cerr << "brookd: --hash-password reads a non-empty password from stdin\n";
    return 2;
  }
  brook::Result<std::string> hash = brook::server::HashPassword(password, iterations);
  if (!hash.ok()) {
    std::cerr << "brookd: " << hash.status().message() << "\n";
    return 2;
  }
  std::cout << *hash << std::endl;
  return 0;
}

int Run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--hash-password") return HashPassword(args);
  brook::Result<brook::server::ServerConfig> config = brook::server::ParseCommandLine(args);
  if (!config.ok()) {
    if (config.status().code() == brook::StatusCode::kNotFound) {
      std::cout << brook::server::Usage();
      return 0;
    }
    std::cerr << "brookd: " << config.status().message() << "\n" << brook::server::Usage();
    return 2;
  }

  // Block the stop signals before any thread starts (threads inherit the mask), so only the
  // sigwait below sees them. Writes to closed sockets must not kill the process.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto started = brook::server::BrookServer::Start(*config, std::cout);
  if (!started.ok()) {
    std::cerr << "brookd: " << started.status().message() << std::endl;
    return 1;
  }
  std::unique_ptr<brook::server::BrookServer> server = std::move(started).value();
  int sig = 0;
  sigwait(&stop, &sig);
  std::cout << "brookd: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down"
            << std::endl;
  server->Shutdown();
  server.reset();
  std::cout << "brookd: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
