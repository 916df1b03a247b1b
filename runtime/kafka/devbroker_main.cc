// brook-devbroker: librdkafka's mock Kafka cluster (EmbeddedBroker) as its own process, for
// local development and for tests that drive brook or external Kafka tools (kcat) against a
// broker without a JVM.
//
//   brook-devbroker [--brokers N] [--partitions N] [--port-file PATH] [TOPIC[:PARTITIONS] ...]
//
//   --brokers N      mock brokers (default 1)
//   --partitions N   partitions of each TOPIC given without ":PARTITIONS" (default 1)
//   --port-file P    also write the bootstrap address (one line) to P, atomically (written to
//                    P.tmp, then renamed); removed again on a clean exit
//
// Protocol. Once the cluster is up and the command-line topics exist, stdout gets exactly one
// line, `BOOTSTRAP=127.0.0.1:PORT[,...]`, flushed. After that stdout carries only replies to
// commands read from stdin, one line each:
//   create TOPIC [PARTITIONS]   ->  "OK create TOPIC PARTITIONS" | "ERROR <reason>"
// (PARTITIONS defaults to --partitions). Unknown commands get "ERROR ...". Diagnostics go to
// stderr. End of stdin is not a stop request: the broker keeps running until SIGTERM or SIGINT,
// then exits 0. Exit 1: the cluster could not start or a command-line topic could not be
// created; exit 2: bad usage.
//
// The mock's limits (memory only, ~5 MiB per partition, topics auto-created with 4 partitions,
// no CreateTopics admin API, ...) are documented in embedded_broker.h.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/kafka/embedded_broker.h"

namespace brook::kafka {
namespace {

struct TopicArg {
  std::string name;
  int partitions = 0;
};

struct Args {
  int brokers = 1;
  int partitions = 1;
  std::string port_file;
  std::vector<TopicArg> topics;
};

void Usage() {
  std::fprintf(stderr,
               "usage: brook-devbroker [--brokers N] [--partitions N] [--port-file PATH] "
               "[TOPIC[:PARTITIONS] ...]\n");
}

std::optional<int> ParsePositive(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int v = std::atoi(s.c_str());
  return v > 0 ? std::optional<int>(v) : std::nullopt;
}

std::optional<Args> ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (a == "--brokers" || a == "--partitions") {
      auto v = value();
      std::optional<int> n = v ? ParsePositive(*v) : std::nullopt;
      if (!n) return std::nullopt;
      (a == "--brokers" ? args.brokers : args.partitions) = *n;
    } else if (a == "--port-file") {
      auto v = value();
      if (!v || v->empty()) return std::nullopt;
      args.port_file = *v;
    } else if (a == "-h" || a == "--help" || (!a.empty() && a[0] == '-')) {
      return std::nullopt;
    } else {
      TopicArg t;
      size_t colon = a.rfind(':');
      t.name = a.substr(0, colon);
      if (colon != std::string::npos) {
        std::optional<int> n = ParsePositive(a.substr(colon + 1));
        if (!n) return std::nullopt;
        t.partitions = *n;
      }
      if (t.name.empty()) return std::nullopt;
      args.topics.push_back(std::move(t));
    }
  }
  return args;
}

bool WritePortFile(const std::string& path, const std::string& bootstrap) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << bootstrap << "\n";
    if (!f.good()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

void Reply(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

void HandleCommand(EmbeddedBroker& broker, const std::string& line, int default_partitions) {
  std::istringstream in(line);
  std::string cmd;
  if (!(in >> cmd)) return;  // blank line
  if (cmd != "create") {
    Reply("ERROR unknown command '" + cmd + "' (expected: create TOPIC [PARTITIONS])");
    return;
  }
  std::string topic;
  std::string count;
  std::string extra;
  in >> topic >> count >> extra;
  std::optional<int> partitions =
      count.empty() ? std::optional<int>(default_partitions) : ParsePositive(count);
  if (topic.empty() || !partitions || !extra.empty()) {
    Reply("ERROR usage: create TOPIC [PARTITIONS]");
    return;
  }
  Status st = broker.CreateTopic(topic, *partitions);
  if (!st.ok()) {
    Reply("ERROR " + st.ToString());
    return;
  }
  Reply("OK create " + topic + " " + std::to_string(*partitions));
}

int Run(int argc, char** argv) {
  std::optional<Args> args = ParseArgs(argc, argv);
  if (!args) {
    Usage();
    return 2;
  }
  // Block the stop signals before librdkafka starts threads (they inherit the mask), so they
  // are only ever read from the signalfd below. Writes to a closed stdout must not kill us.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) {
    std::perror("brook-devbroker: sigprocmask");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  const int sig_fd = signalfd(-1, &stop, SFD_CLOEXEC);
  if (sig_fd < 0) {
    std::perror("brook-devbroker: signalfd");
    return 1;
  }

  Result<std::unique_ptr<EmbeddedBroker>> started = EmbeddedBroker::Start(args->brokers);
  if (!started.ok()) {
    std::fprintf(stderr, "brook-devbroker: %s\n", started.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<EmbeddedBroker> broker = std::move(started).value();
  for (const TopicArg& t : args->topics) {
    const int partitions = t.partitions > 0 ? t.partitions : args->partitions;
    Status st = broker->CreateTopic(t.name, partitions);
    if (!st.ok()) {
      std::fprintf(stderr, "brook-devbroker: topic %s: %s\n", t.name.c_str(),
                   st.ToString().c_str());
      return 1;
    }
  }
  if (!args->port_file.empty() && !WritePortFile(args->port_file, broker->bootstrap_servers())) {
    std::fprintf(stderr, "brook-devbroker: cannot write %s: %s\n", args->port_file.c_str(),
                 std::strerror(errno));
    return 1;
  }
  Reply("BOOTSTRAP=" + broker->bootstrap_servers());
  std::fprintf(stderr, "brook-devbroker: %d broker(s) at %s, %zu topic(s) created\n", args->brokers,
               broker->bootstrap_servers().c_str(), args->topics.size());

  bool stdin_open = true;
  std::string pending;
  while (true) {
    pollfd fds[2] = {{sig_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int rc = poll(fds, stdin_open ? 2 : 1, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      std::perror("brook-devbroker: poll");
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      if (read(sig_fd, &info, sizeof(info)) > 0) {
        std::fprintf(stderr, "brook-devbroker: signal %u, stopping\n", info.ssi_signo);
      }
      break;
    }
    if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[4096];
      ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        stdin_open = false;  // EOF: keep serving until a signal
        continue;
      }
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        HandleCommand(*broker, line, args->partitions);
      }
    }
  }
  broker.reset();
  if (!args->port_file.empty()) std::remove(args->port_file.c_str());
  close(sig_fd);
  return 0;
}

}  // namespace
}  // namespace brook::kafka

int main(int argc, char** argv) { return brook::kafka::Run(argc, argv); }
