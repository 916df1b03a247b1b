// Integration: the brook-devbroker process driven by an external Kafka client (kcat) and by
// brook's own librdkafka clients. Skipped when kcat is not installed. Every external command
// runs under `timeout`, every wait has a deadline.
//
// The binary comes from $BROOK_DEVBROKER, else from the build (BROOK_DEVBROKER_PATH).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/shell_util.h"

#include "runtime/kafka/librdkafka_client.h"

namespace brook::kafka {
namespace {

using Clock = std::chrono::steady_clock;

std::string DevbrokerPath() {
  if (const char* env = std::getenv("BROOK_DEVBROKER"); env != nullptr && *env) return env;
#ifdef BROOK_DEVBROKER_PATH
  return BROOK_DEVBROKER_PATH;
#else
  return "brook-devbroker";
#endif
}

using brook::testing::Have;
using brook::testing::Shell;
using brook::testing::ShellResult;

bool HaveKcat() { return Have("kcat"); }

std::string TempPath(const std::string& name) {
  return brook::testing::TempPath("brook-devbroker-test", name);
}

// A running brook-devbroker child with pipes on its stdin and stdout.
class DevBroker {
 public:
  ~DevBroker() {
    if (pid_ > 0) Stop(std::chrono::milliseconds(5000));
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
  }

  // Starts the binary with `args` and waits (bounded) for its BOOTSTRAP= line.
  static std::unique_ptr<DevBroker> Launch(const std::vector<std::string>& args,
                                           std::string* error) {
    int in_pipe[2];
    int out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
      *error = "pipe failed";
      return nullptr;
    }
    std::vector<std::string> argv_s = {DevbrokerPath()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
      *error = "fork failed";
      return nullptr;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test
      dup2(in_pipe[0], STDIN_FILENO);
      dup2(out_pipe[1], STDOUT_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    std::unique_ptr<DevBroker> broker(new DevBroker(pid, in_pipe[1], out_pipe[0]));
    std::string line = broker->ReadLine(std::chrono::milliseconds(10000));
    if (line.rfind("BOOTSTRAP=", 0) != 0) {
      *error = "expected BOOTSTRAP=..., got '" + line + "' from " + argv_s[0];
      return nullptr;
    }
    broker->bootstrap_ = line.substr(std::string("BOOTSTRAP=").size());
    return broker;
  }

  const std::string& bootstrap() const { return bootstrap_; }

  // Sends one stdin command and returns its reply line ("" on timeout).
  std::string Command(const std::string& line) {
    const std::string data = line + "\n";
    if (write(in_, data.data(), data.size()) != static_cast<ssize_t>(data.size())) return "";
    return ReadLine(std::chrono::milliseconds(5000));
  }

  // Reads one stdout line, or "" when none comes within `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return "";
      pollfd pfd = {out_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
      char buf[1024];
      ssize_t n = read(out_, buf, sizeof(buf));
      if (n <= 0) return "";
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  // SIGTERM, then waits up to `timeout` (SIGKILL past it). Returns the exit code, or -1.
  int Stop(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (true) {
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (Clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
      }
      usleep(10000);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  DevBroker(pid_t pid, int in, int out) : pid_(pid), in_(in), out_(out) {}

  pid_t pid_;
  int in_;
  int out_;
  std::string buffer_;
  std::string bootstrap_;
};

class LibrdkafkaDevbrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveKcat()) GTEST_SKIP() << "kcat not installed";
  }

  std::unique_ptr<DevBroker> Launch(const std::vector<std::string>& args) {
    std::string error;
    auto broker = DevBroker::Launch(args, &error);
    EXPECT_NE(broker, nullptr) << error;
    return broker;
  }
};

TEST_F(LibrdkafkaDevbrokerTest, KcatProducesAndConsumes) {
  auto broker = Launch({"kc:1"});
  ASSERT_NE(broker, nullptr);
  const std::string input = TempPath("kc.in");
  std::ofstream(input) << "k1:v1\nk2:v2\nk3:v3\n";
  ShellResult produced = Shell("timeout 10 kcat -b " + broker->bootstrap() +
                               " -P -t kc -K: -X log_level=3 < " + input);
  std::remove(input.c_str());
  ASSERT_EQ(produced.exit_code, 0);
  ShellResult consumed = Shell("timeout 10 kcat -b " + broker->bootstrap() +
                               " -C -t kc -e -o beginning -q -f '%k=%s@%o\\n'");
  ASSERT_EQ(consumed.exit_code, 0);
  EXPECT_EQ(consumed.out, "k1=v1@0\nk2=v2@1\nk3=v3@2\n");
}

TEST_F(LibrdkafkaDevbrokerTest, StdinCreateCommandAndBrookClients) {
  auto broker = Launch({"--partitions", "2", "two"});
  ASSERT_NE(broker, nullptr);
  EXPECT_EQ(broker->Command("create p4 4"), "OK create p4 4");
  EXPECT_EQ(broker->Command("create dflt"), "OK create dflt 2");
  EXPECT_EQ(broker->Command("create p4 4").rfind("ERROR ", 0), 0u);
  EXPECT_EQ(broker->Command("frobnicate").rfind("ERROR ", 0), 0u);

  // brook's clients against the remote mock: topics are visible, keyed records land where a
  // Java producer would put them, and kcat (an independent client) reads them there.
  LibrdkafkaClientFactory factory(broker->bootstrap());
  auto topics = factory.admin().ListTopics(std::chrono::milliseconds(5000));
  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  ASSERT_EQ(topics->size(), 3u);
  EXPECT_EQ((*topics)[0].name, "dflt");
  EXPECT_EQ((*topics)[0].partitions, 2);
  EXPECT_EQ((*topics)[1].name, "p4");
  EXPECT_EQ((*topics)[1].partitions, 4);
  EXPECT_EQ((*topics)[2].name, "two");
  EXPECT_EQ((*topics)[2].partitions, 2);

  auto producer = factory.NewProducer();
  ASSERT_TRUE(producer.ok());
  for (const char* key : {"21", "foobar", "abc"}) {
    OutRecord r;
    r.topic = "p4";
    r.key = key;
    r.value = "v";
    ASSERT_TRUE((*producer)->Send(std::move(r)).ok());
  }
  ASSERT_TRUE((*producer)->Flush(std::chrono::milliseconds(5000)).ok());
  ShellResult consumed = Shell("timeout 10 kcat -b " + broker->bootstrap() +
                               " -C -t p4 -e -o beginning -q -f '%k %p\\n' | sort");
  ASSERT_EQ(consumed.exit_code, 0);
  // Java's murmur2 partitioner on 4 partitions: 21 -> 0, abc -> 3, foobar -> 2.
  EXPECT_EQ(consumed.out, "21 0\nabc 3\nfoobar 2\n");
}

TEST_F(LibrdkafkaDevbrokerTest, KeepsAboutFiveMiBPerPartition) {
  auto broker = Launch({"big:1"});
  ASSERT_NE(broker, nullptr);
  constexpr int kRecords = 80;
  constexpr size_t kRecordBytes = 100 * 1024;
  const std::string input = TempPath("big.in");
  {
    std::ofstream f(input);
    const std::string line(kRecordBytes, 'a');
    for (int i = 0; i < kRecords; ++i) f << line << "\n";
  }
  ShellResult produced =
      Shell("timeout 20 kcat -b " + broker->bootstrap() + " -P -t big -X log_level=3 < " + input);
  std::remove(input.c_str());
  ASSERT_EQ(produced.exit_code, 0);
  ShellResult first = Shell("timeout 10 kcat -b " + broker->bootstrap() +
                            " -C -t big -o beginning -c 1 -q -f '%o\\n'");
  ASSERT_EQ(first.exit_code, 0);
  const int first_offset = std::atoi(first.out.c_str());
  const double retained_mib = (kRecords - first_offset) * kRecordBytes / (1024.0 * 1024.0);
  EXPECT_GT(first_offset, 0) << "8 MB into one partition should drop old batches";
  EXPECT_GE(retained_mib, 3.0);
  EXPECT_LE(retained_mib, 5.5);
}

TEST_F(LibrdkafkaDevbrokerTest, PortFileAndCleanStop) {
  const std::string port_file = TempPath("port");
  auto broker = Launch({"--port-file", port_file});
  ASSERT_NE(broker, nullptr);
  std::string from_file;
  std::getline(std::ifstream(port_file), from_file);
  EXPECT_EQ(from_file, broker->bootstrap());
  EXPECT_EQ(broker->Stop(std::chrono::milliseconds(5000)), 0);
  EXPECT_FALSE(std::ifstream(port_file).good()) << "port file should be removed on exit";
}

TEST_F(LibrdkafkaDevbrokerTest, BadUsageExitsWithTwo) {
  std::string error;
  EXPECT_EQ(DevBroker::Launch({"--partitions", "zero"}, &error), nullptr);
  ShellResult r = Shell("timeout 5 " + DevbrokerPath() + " --bogus </dev/null 2>/dev/null");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace brook::kafka
