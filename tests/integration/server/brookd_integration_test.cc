// Integration: the brookd binary end to end, driven only from outside — HTTP requests with
// curl, Kafka records in and out with kcat — as a user would. Skipped when curl or kcat is not
// installed. Every external command runs under `timeout` and every wait has a deadline, so a
// broken build fails in bounded time instead of hanging.
//
// Binaries come from $BROOKD / $BROOK_DEVBROKER, else from the build (CMake defines).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/shell_util.h"

namespace brook {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
using std::chrono::milliseconds;

std::string BinaryPath(const char* env, const char* built) {
  if (const char* v = std::getenv(env); v != nullptr && *v) return v;
  return built;
}
std::string BrookdPath() { return BinaryPath("BROOKD", BROOKD_PATH); }
std::string SourceDir() { return BinaryPath("BROOK_SOURCE_DIR", BROOK_SOURCE_DIR_PATH); }
std::string DevbrokerPath() { return BinaryPath("BROOK_DEVBROKER", BROOK_DEVBROKER_PATH); }

using brook::testing::Have;
using brook::testing::Shell;
using brook::testing::ShellResult;

std::string TempPath(const std::string& name) { return brook::testing::TempPath("brookd-it", name); }

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// A child process with its stdout on a pipe and its stderr in a file.
class Child {
 public:
  ~Child() {
    if (pid_ > 0) Stop(milliseconds(10000));
    if (out_ >= 0) close(out_);
    std::remove(stderr_path_.c_str());
  }

  static std::unique_ptr<Child> Launch(const std::vector<std::string>& args) {
    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return nullptr;
    std::unique_ptr<Child> child(new Child());
    child->stderr_path_ = TempPath("stderr");
    std::vector<std::string> argv_s = args;
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      int err = open(child->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int in = open("/dev/null", O_RDONLY);
      dup2(in, STDIN_FILENO);
      dup2(out_pipe[1], STDOUT_FILENO);
      if (err >= 0) dup2(err, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out_pipe[1]);
    child->pid_ = pid;
    child->out_ = out_pipe[0];
    return child;
  }

  // Reads stdout lines until one starts with `prefix`; returns the rest of that line, or
  // nullopt at EOF or past the deadline. Every line read is kept in output().
  std::optional<std::string> WaitForLine(const std::string& prefix, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      size_t nl;
      while ((nl = buffer_.find('\n')) != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        output_ += line + "\n";
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
      }
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd pfd = {out_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
      char buf[1024];
      ssize_t n = read(out_, buf, sizeof(buf));
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  // SIGTERM, then waits (SIGKILL past `timeout`). Returns the exit code, -1 if killed.
  int Stop(milliseconds timeout) {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    return Wait(timeout);
  }

  // SIGKILL now, as a crash would: no commit, no flush, nothing on the way out.
  void KillNow() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = -1;
  }

  // Waits for the process to exit by itself (SIGKILL past `timeout`).
  int Wait(milliseconds timeout) {
    if (pid_ <= 0) return exit_code_;
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (true) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) break;
      if (Clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = -1;
        exit_code_ = -1;
        return -1;
      }
      usleep(20000);
    }
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  const std::string& output() const { return output_; }
  std::string errors() const { return ReadFile(stderr_path_); }

 private:
  Child() = default;
  pid_t pid_ = -1;
  int out_ = -1;
  int exit_code_ = -1;
  std::string buffer_;
  std::string output_;
  std::string stderr_path_;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::string headers;
};

// One HTTP request with curl (bounded by `timeout_s`).
HttpResult Http(const std::string& method, const std::string& url, const std::string& body,
                const std::string& accept = "", int timeout_s = 30) {
  const std::string body_path = WriteTemp("req.json", body);
  const std::string out_path = TempPath("resp.body");
  const std::string hdr_path = TempPath("resp.headers");
  std::string cmd = "timeout " + std::to_string(timeout_s + 5) + " curl -s -S -N -m " +
                    std::to_string(timeout_s) + " -o " + out_path + " -D " + hdr_path +
                    " -w '%{http_code}' -X " + method;
  if (method == "POST") {
    cmd += " -H 'Content-Type: application/json' --data-binary @" + body_path;
  }
  if (!accept.empty()) cmd += " -H 'Accept: " + accept + "'";
  cmd += " '" + url + "' 2>/dev/null";
  ShellResult r = Shell(cmd);
  HttpResult result;
  result.status = std::atoi(r.out.c_str());
  result.body = ReadFile(out_path);
  result.headers = ReadFile(hdr_path);
  std::remove(body_path.c_str());
  std::remove(out_path.c_str());
  std::remove(hdr_path.c_str());
  return result;
}

// Produces "key:value" lines to `topic` with kcat.
bool Produce(const std::string& bootstrap, const std::string& topic,
             const std::vector<std::string>& key_value_lines) {
  std::string text;
  for (const std::string& l : key_value_lines) text += l + "\n";
  const std::string path = WriteTemp("produce.txt", text);
  ShellResult r = Shell("timeout 20 kcat -b " + bootstrap + " -P -t " + topic +
                        " -K: -X log_level=3 < " + path);
  std::remove(path.c_str());
  return r.exit_code == 0;
}

// Reads `topic` from the beginning with kcat as "key=value" lines, retrying until `done`
// holds for them or `timeout` passes. Returns what was read last.
std::vector<std::string> ConsumeUntil(
    const std::string& bootstrap, const std::string& topic,
    const std::function<bool(const std::vector<std::string>&)>& done, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<std::string> lines;
  while (true) {
    ShellResult r = Shell("timeout 10 kcat -b " + bootstrap + " -C -t " + topic +
                          " -e -o beginning -q -X log_level=0 -f '%k=%s\\n' 2>/dev/null");
    lines = Lines(r.out);
    if (done(lines) || Clock::now() >= deadline) return lines;
    std::this_thread::sleep_for(milliseconds(500));
  }
}

std::function<bool(const std::vector<std::string>&)> AtLeast(size_t n) {
  return [n](const std::vector<std::string>& lines) { return lines.size() >= n; };
}

// A running brookd with its printed addresses.
struct Brookd {
  std::unique_ptr<Child> child;
  std::string url;        // http://127.0.0.1:PORT
  std::string bootstrap;  // the embedded broker's address (empty with --bootstrap-servers)
};

std::optional<Brookd> StartBrookd(const std::vector<std::string>& extra_args, bool embedded,
                                  std::string* error) {
  std::vector<std::string> args = {BrookdPath(), "--listeners", "http://127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Brookd b;
  b.child = Child::Launch(args);
  if (!b.child) {
    *error = "cannot launch " + args[0];
    return std::nullopt;
  }
  if (embedded) {
    auto broker = b.child->WaitForLine("brookd: embedded Kafka broker at ", milliseconds(20000));
    if (!broker) {
      *error = "no broker line; stdout:\n" + b.child->output() + "stderr:\n" + b.child->errors();
      return std::nullopt;
    }
    b.bootstrap = *broker;
  }
  auto url = b.child->WaitForLine("brookd: listening on ", milliseconds(30000));
  if (!url) {
    *error = "no listening line; stdout:\n" + b.child->output() + "stderr:\n" + b.child->errors();
    return std::nullopt;
  }
  // Listening on 127.0.0.1 as requested; the printed URL carries the real port.
  b.url = *url;
  return b;
}

class BrookdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Have("curl")) GTEST_SKIP() << "curl not installed";
    if (!Have("kcat")) GTEST_SKIP() << "kcat not installed";
  }
};

const char* kCreatePageviews =
    "CREATE STREAM pageviews (user_id STRING KEY, page STRING, duration INT) "
    "WITH (kafka_topic='pageviews', value_format='JSON', partitions=1);";

TEST_F(BrookdTest, EmbeddedBrokerEndToEnd) {
  std::string error;
  std::optional<Brookd> brookd = StartBrookd({}, /*embedded=*/true, &error);
  ASSERT_TRUE(brookd.has_value()) << error;
  ASSERT_EQ(brookd->url.rfind("http://127.0.0.1:", 0), 0u) << brookd->url;
  ASSERT_NE(brookd->url, "http://127.0.0.1:0");
  ASSERT_FALSE(brookd->bootstrap.empty());

  // Introspection.
  HttpResult info = Http("GET", brookd->url + "/info", "");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(json::parse(info.body)["KsqlServerInfo"]["serverStatus"], "RUNNING");
  EXPECT_EQ(Http("GET", brookd->url + "/healthcheck", "").status, 200);
  HttpResult missing = Http("GET", brookd->url + "/no/such/path", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "Not Found");

  // A stream over a JSON topic and a filtering CSAS.
  HttpResult created =
      Http("POST", brookd->url + "/ksql",
           json({{"ksql", std::string(kCreatePageviews) +
                              "\nCREATE STREAM long_views AS SELECT user_id, page, duration "
                              "FROM pageviews WHERE duration > 10;"}})
               .dump());
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_NE(created.headers.find("Content-Type: application/json"), std::string::npos);
  json entities = json::parse(created.body);
  ASSERT_EQ(entities.size(), 2u) << created.body;
  EXPECT_EQ(entities[0]["commandStatus"]["message"], "Stream created");
  const std::string query_id = entities[1]["commandStatus"]["queryId"];
  EXPECT_EQ(query_id.rfind("CSAS_LONG_VIEWS", 0), 0u) << created.body;

  // Records in with an external producer.
  ASSERT_TRUE(
      Produce(brookd->bootstrap, "pageviews",
              {R"(u1:{"PAGE":"home","DURATION":5})", R"(u2:{"PAGE":"cart","DURATION":20})",
               R"(u3:{"PAGE":"about","DURATION":30})", R"(u4:{"PAGE":"home","DURATION":7})"}));

  // The filtered records out, read with an external consumer (the CSAS's group takes ~3 s to
  // form on the mock).
  std::vector<std::string> out =
      ConsumeUntil(brookd->bootstrap, "LONG_VIEWS", AtLeast(2), milliseconds(30000));
  EXPECT_EQ(out, (std::vector<std::string>{R"(u2={"PAGE":"cart","DURATION":20})",
                                           R"(u3={"PAGE":"about","DURATION":30})"}));

  // A push query with LIMIT over /query-stream (delimited format), from the beginning.
  HttpResult push =
      Http("POST", brookd->url + "/query-stream",
           R"({"sql":"SELECT user_id, duration FROM pageviews EMIT CHANGES LIMIT 3;",)"
           R"("properties":{"auto.offset.reset":"earliest"}})",
           "", 40);
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_NE(push.headers.find("Transfer-Encoding: chunked"), std::string::npos) << push.headers;
  std::vector<std::string> lines = Lines(push.body);
  ASSERT_EQ(lines.size(), 4u) << push.body;
  json header = json::parse(lines[0]);
  EXPECT_EQ(header["columnNames"], json({"USER_ID", "DURATION"}));
  EXPECT_EQ(header["columnTypes"], json({"STRING", "INTEGER"}));
  EXPECT_EQ(lines[1], R"(["u1",5])");
  EXPECT_EQ(lines[2], R"(["u2",20])");
  EXPECT_EQ(lines[3], R"(["u3",30])");

  // The same through the v1 format the Java client uses.
  HttpResult v1 = Http("POST", brookd->url + "/query-stream",
                       R"({"sql":"SELECT page FROM long_views EMIT CHANGES LIMIT 1;",)"
                       R"("properties":{"auto.offset.reset":"earliest"}})",
                       "application/vnd.ksql.v1+json", 40);
  ASSERT_EQ(v1.status, 200) << v1.body;
  json v1_doc = json::parse(v1.body);
  ASSERT_EQ(v1_doc.size(), 3u) << v1.body;
  EXPECT_EQ(v1_doc[1]["row"]["columns"], json({"cart"}));
  EXPECT_EQ(v1_doc[2]["finalMessage"], "Limit Reached");

  // Bad SQL: 400, statement_error 40001, positioned message.
  HttpResult bad = Http("POST", brookd->url + "/ksql", R"({"ksql":"CREATE STREAM oops WITH;"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  json bad_body = json::parse(bad.body);
  EXPECT_EQ(bad_body["@type"], "statement_error");
  EXPECT_EQ(bad_body["error_code"], 40001);
  EXPECT_EQ(bad_body["message"].get<std::string>().rfind("line 1:", 0), 0u) << bad.body;
  EXPECT_EQ(bad_body["statementText"], "CREATE STREAM oops WITH;");

  // SELECT on /ksql: 40002.
  HttpResult select =
      Http("POST", brookd->url + "/ksql", R"({"ksql":"SELECT * FROM pageviews EMIT CHANGES;"})");
  EXPECT_EQ(select.status, 400);
  EXPECT_EQ(json::parse(select.body)["error_code"], 40002);

  // Graceful shutdown.
  EXPECT_EQ(brookd->child->Stop(milliseconds(20000)), 0) << brookd->child->errors();
}

// examples/quickstart: the script the README's "run brook" command uses, its sample input
// and its expected output, so the example cannot go stale.
TEST_F(BrookdTest, QuickstartExample) {
  const std::string dir = SourceDir() + "/examples/quickstart/";
  std::string error;
  std::optional<Brookd> brookd =
      StartBrookd({"--script", dir + "quickstart.sql"}, /*embedded=*/true, &error);
  ASSERT_TRUE(brookd.has_value()) << error;
  EXPECT_NE(brookd->child->output().find("brookd: ran 2 statement(s) from"), std::string::npos)
      << brookd->child->output();
  ASSERT_TRUE(Produce(brookd->bootstrap, "pageviews", Lines(ReadFile(dir + "pageviews.txt"))));
  const std::vector<std::string> expected = Lines(ReadFile(dir + "expected_slow_pageviews.txt"));
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(ConsumeUntil(brookd->bootstrap, "SLOW_PAGEVIEWS", AtLeast(expected.size()),
                         milliseconds(30000)),
            expected);
  EXPECT_EQ(brookd->child->Stop(milliseconds(20000)), 0) << brookd->child->errors();
}

TEST_F(BrookdTest, FailingStartupScriptExitsWithPositionedError) {
  const std::string script =
      WriteTemp("bad.sql", std::string(kCreatePageviews) +
                               "\nCREATE STREAM x AS SELECT nope FROM pageviews;\n");
  std::unique_ptr<Child> child =
      Child::Launch({BrookdPath(), "--listeners", "http://127.0.0.1:0", "--script", script});
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->Wait(milliseconds(30000)), 1);
  std::string err = child->errors();
  std::remove(script.c_str());
  EXPECT_NE(err.find("bad.sql: "), std::string::npos) << err;
  EXPECT_NE(err.find("LINE 2: CREATE STREAM x AS SELECT nope FROM pageviews;"), std::string::npos)
      << err;
  EXPECT_NE(err.find('^'), std::string::npos) << err;
}

TEST_F(BrookdTest, BadUsageExitsWithTwo) {
  std::unique_ptr<Child> child = Child::Launch({BrookdPath(), "--no-such-flag"});
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->Wait(milliseconds(10000)), 2);
  EXPECT_NE(child->errors().find("usage: brookd"), std::string::npos);
}

// Two brookd lifetimes against one separate brook-devbroker: the topics and their records
// survive the restart (the devbroker keeps them), and the restarted brookd serves them again.
TEST_F(BrookdTest, RestartAgainstDevbroker) {
  // Topics are created up front: the mock implements no CreateTopics API, and auto-creation
  // gives 4 partitions.
  std::unique_ptr<Child> broker = Child::Launch({DevbrokerPath(), "pageviews:1", "HOME_VIEWS:1"});
  ASSERT_NE(broker, nullptr);
  std::optional<std::string> bootstrap = broker->WaitForLine("BOOTSTRAP=", milliseconds(10000));
  ASSERT_TRUE(bootstrap.has_value()) << broker->errors();

  const std::string script =
      WriteTemp("restart.sql",
                "-- brookd startup script\n"
                "CREATE STREAM pageviews (user_id STRING KEY, page STRING, duration INT)\n"
                "  WITH (kafka_topic='pageviews', value_format='JSON');\n"
                "CREATE STREAM home_views AS SELECT user_id, duration FROM pageviews\n"
                "  WHERE page = 'home';\n");
  // The mock keeps a group rebalancing for session.timeout.ms - 1 s after a member leaves
  // (librdkafka's default 45 s): the restarted query rejoins its group quickly only with a
  // short session timeout.
  const std::vector<std::string> args = {"--bootstrap-servers",
                                         *bootstrap,
                                         "-D",
                                         "brook.kafka.topic.creation=auto",
                                         "-D",
                                         "kafka.session.timeout.ms=6000",
                                         "-D",
                                         "kafka.heartbeat.interval.ms=1000",
                                         "--script",
                                         script};
  std::string error;
  {
    std::optional<Brookd> first = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(first.has_value()) << error;
    ASSERT_TRUE(Produce(*bootstrap, "pageviews",
                        {R"(a:{"PAGE":"home","DURATION":1})", R"(b:{"PAGE":"cart","DURATION":2})",
                         R"(c:{"PAGE":"home","DURATION":3})"}));
    std::vector<std::string> out =
        ConsumeUntil(*bootstrap, "HOME_VIEWS", AtLeast(2), milliseconds(30000));
    EXPECT_EQ(out, (std::vector<std::string>{R"(a={"DURATION":1})", R"(c={"DURATION":3})"}));
    EXPECT_EQ(first->child->Stop(milliseconds(20000)), 0) << first->child->errors();
  }
  {
    std::optional<Brookd> second = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(second.has_value()) << error;
    // The records produced during the first lifetime are still there.
    HttpResult push = Http("POST", second->url + "/query-stream",
                           R"({"sql":"SELECT user_id FROM pageviews EMIT CHANGES LIMIT 3;",)"
                           R"("properties":{"auto.offset.reset":"earliest"}})",
                           "", 40);
    ASSERT_EQ(push.status, 200) << push.body;
    std::vector<std::string> lines = Lines(push.body);
    ASSERT_EQ(lines.size(), 4u) << push.body;
    EXPECT_EQ(lines[1], R"(["a"])");
    EXPECT_EQ(lines[3], R"(["c"])");
    // The re-created query keeps working on new input.
    ASSERT_TRUE(Produce(*bootstrap, "pageviews", {R"(d:{"PAGE":"home","DURATION":4})"}));
    const std::string d = R"(d={"DURATION":4})";
    std::vector<std::string> out = ConsumeUntil(
        *bootstrap, "HOME_VIEWS",
        [&](const std::vector<std::string>& lines) {
          return std::find(lines.begin(), lines.end(), d) != lines.end();
        },
        milliseconds(30000));
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(), d);
    // Same query id, same consumer group: it resumes from its committed offsets instead of
    // writing a, c again.
    EXPECT_EQ(out, (std::vector<std::string>{R"(a={"DURATION":1})", R"(c={"DURATION":3})", d}));
    EXPECT_EQ(second->child->Stop(milliseconds(20000)), 0) << second->child->errors();
  }
  std::remove(script.c_str());
  EXPECT_EQ(broker->Stop(milliseconds(10000)), 0);
}

// Without --script, statements are kept in the command topic: a restarted brookd against the
// same Kafka brings back streams, types and queries (same ids, resuming from their committed
// offsets), and a request naming a later commandSequenceNumber waits for it, then times out.
TEST_F(BrookdTest, RestartRestoresCatalogFromCommandTopic) {
  std::unique_ptr<Child> broker = Child::Launch(
      {DevbrokerPath(), "orders:1", "BIG:1", "_confluent-ksql-default__command_topic:1"});
  ASSERT_NE(broker, nullptr);
  std::optional<std::string> bootstrap = broker->WaitForLine("BOOTSTRAP=", milliseconds(10000));
  ASSERT_TRUE(bootstrap.has_value()) << broker->errors();
  const std::vector<std::string> args = {"--bootstrap-servers",
                                         *bootstrap,
                                         "-D",
                                         "brook.kafka.topic.creation=auto",
                                         "-D",
                                         "kafka.session.timeout.ms=6000",
                                         "-D",
                                         "kafka.heartbeat.interval.ms=1000",
                                         "-D",
                                         "ksql.server.command.response.timeout.ms=1000"};
  std::string error;
  {
    std::optional<Brookd> first = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(first.has_value()) << error;
    HttpResult created = Http(
        "POST", first->url + "/ksql",
        R"({"ksql":"CREATE STREAM orders (id STRING KEY, amount INT) WITH (kafka_topic='orders', )"
        R"(value_format='JSON'); CREATE STREAM big WITH (kafka_topic='BIG') AS SELECT * FROM )"
        R"(orders WHERE amount > 10; CREATE TYPE money AS STRUCT<c STRING, v INT>;"})");
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_NE(created.body.find("CSAS_BIG_0"), std::string::npos) << created.body;
    ASSERT_TRUE(Produce(*bootstrap, "orders", {R"(1:{"AMOUNT":5})", R"(2:{"AMOUNT":50})"}));
    std::vector<std::string> out = ConsumeUntil(*bootstrap, "BIG", AtLeast(1), milliseconds(30000));
    EXPECT_EQ(out, (std::vector<std::string>{R"(2={"AMOUNT":50})"}));
    // Command 3 ran: asking for it answers at once; asking for 4 times out with 50301.
    HttpResult ok =
        Http("POST", first->url + "/ksql", R"({"ksql":"SHOW STREAMS;","commandSequenceNumber":3})");
    EXPECT_EQ(ok.status, 200) << ok.body;
    HttpResult late =
        Http("POST", first->url + "/ksql", R"({"ksql":"SHOW STREAMS;","commandSequenceNumber":4})");
    EXPECT_EQ(late.status, 503) << late.body;
    EXPECT_NE(late.body.find("50301"), std::string::npos) << late.body;
    EXPECT_EQ(first->child->Stop(milliseconds(20000)), 0) << first->child->errors();
  }
  {
    std::optional<Brookd> second = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(second.has_value()) << error;
    HttpResult shown = Http("POST", second->url + "/ksql",
                            R"({"ksql":"SHOW STREAMS; SHOW QUERIES; SHOW TYPES;"})");
    ASSERT_EQ(shown.status, 200) << shown.body;
    EXPECT_NE(shown.body.find(R"("name":"ORDERS")"), std::string::npos) << shown.body;
    EXPECT_NE(shown.body.find(R"("name":"BIG")"), std::string::npos) << shown.body;
    EXPECT_NE(shown.body.find(R"("id":"CSAS_BIG_0")"), std::string::npos) << shown.body;
    EXPECT_NE(shown.body.find("MONEY"), std::string::npos) << shown.body;
    HttpResult status = Http("GET", second->url + "/status/stream/BIG/create", "");
    EXPECT_EQ(status.status, 200) << status.body;
    // The replayed query resumes where it committed: only the new record comes out.
    ASSERT_TRUE(Produce(*bootstrap, "orders", {R"(3:{"AMOUNT":70})"}));
    const std::string three = R"(3={"AMOUNT":70})";
    std::vector<std::string> out = ConsumeUntil(
        *bootstrap, "BIG",
        [&](const std::vector<std::string>& lines) {
          return std::find(lines.begin(), lines.end(), three) != lines.end();
        },
        milliseconds(30000));
    EXPECT_EQ(out, (std::vector<std::string>{R"(2={"AMOUNT":50})", three}));
    // A statement after the restart continues the sequence.
    HttpResult more = Http("POST", second->url + "/ksql", R"({"ksql":"DROP TYPE money;"})");
    EXPECT_EQ(more.status, 200) << more.body;
    EXPECT_NE(more.body.find(R"("commandSequenceNumber":4)"), std::string::npos) << more.body;
    EXPECT_EQ(second->child->Stop(milliseconds(20000)), 0) << second->child->errors();
  }
  EXPECT_EQ(broker->Stop(milliseconds(10000)), 0);
}

// An aggregation over brook-devbroker survives kill -9: after a restart on the same state
// directory every count is exact (state and offsets were committed together; records the
// group's offsets had not yet covered are skipped, not counted twice), and after the state
// directory is lost the counts are rebuilt from the changelog topics.
TEST_F(BrookdTest, AggregationSurvivesKillDashNineAndLostState) {
  std::unique_ptr<Child> broker = Child::Launch({DevbrokerPath(), "clicks:4"});
  ASSERT_NE(broker, nullptr);
  std::optional<std::string> bootstrap = broker->WaitForLine("BOOTSTRAP=", milliseconds(10000));
  ASSERT_TRUE(bootstrap.has_value()) << broker->errors();
  const std::string state_dir = TempPath("state");
  const std::string script =
      WriteTemp("agg.sql",
                "CREATE STREAM clicks (user_id STRING KEY, page STRING)\n"
                "  WITH (kafka_topic='clicks', value_format='JSON');\n"
                "CREATE TABLE per_page AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page;\n");
  const std::vector<std::string> args = {
      "--bootstrap-servers", *bootstrap, "-D", "brook.kafka.topic.creation=auto", "-D",
      "kafka.session.timeout.ms=6000", "-D", "kafka.heartbeat.interval.ms=1000", "-D",
      "ksql.streams.commit.interval.ms=200",
      // Every update is an output (no record cache), so
      // the at-least-once check below sees each one.
      "-D", "ksql.streams.cache.max.bytes.buffering=0", "-D", "ksql.streams.state.dir=" + state_dir,
      "--script", script};
  std::map<std::string, int> expect;
  int produced = 0;
  auto produce = [&](int n) {
    std::vector<std::string> lines;
    for (int i = 0; i < n; ++i, ++produced) {
      std::string page = "p" + std::to_string(produced % 3);
      ++expect[page];
      lines.push_back("u" + std::to_string(produced % 7) + ":{\"PAGE\":\"" + page + "\"}");
    }
    ASSERT_TRUE(Produce(*bootstrap, "clicks", lines));
  };
  // The last count written per page, from "page={"N":n}" lines.
  auto latest = [](const std::vector<std::string>& lines) {
    std::map<std::string, int> out;
    for (const std::string& l : lines) {
      size_t eq = l.find('=');
      if (eq == std::string::npos) continue;
      auto v = nlohmann::json::parse(l.substr(eq + 1), nullptr, false);
      if (v.is_object() && v.contains("N")) out[l.substr(0, eq)] = v["N"].get<int>();
    }
    return out;
  };
  auto exact = [&](const std::vector<std::string>& lines) { return latest(lines) == expect; };
  // The state itself, read by a pull query over /query (v1 rows ["page", n]), retried until it
  // has caught up with the last commit (bounded).
  auto pulled = [&](const Brookd& b) {
    std::map<std::string, int> out;
    const auto deadline = Clock::now() + milliseconds(20000);
    while (Clock::now() < deadline) {
      HttpResult r = Http("POST", b.url + "/query", R"({"ksql":"SELECT page, n FROM per_page;"})",
                          "application/vnd.ksql.v1+json");
      out.clear();
      auto v = nlohmann::json::parse(r.body, nullptr, false);
      if (v.is_array()) {
        for (const auto& e : v) {
          if (e.contains("row")) out[e["row"]["columns"][0]] = e["row"]["columns"][1].get<int>();
        }
      }
      if (out == expect) break;
      std::this_thread::sleep_for(milliseconds(300));
    }
    return out;
  };
  std::string error;
  {
    std::optional<Brookd> b = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(b.has_value()) << error;
    produce(300);
    // Killed once some results are out, while it is still working through the input.
    ConsumeUntil(*bootstrap, "PER_PAGE", AtLeast(1), milliseconds(30000));
    b->child->KillNow();
  }
  {
    std::optional<Brookd> b = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(b.has_value()) << error;
    produce(90);
    std::vector<std::string> out = ConsumeUntil(*bootstrap, "PER_PAGE", exact, milliseconds(60000));
    EXPECT_EQ(latest(out), expect) << "after kill -9 and restart on the same state";
    // At-least-once outputs: every update is there, some possibly twice.
    EXPECT_GE(out.size(), static_cast<size_t>(produced));
    EXPECT_EQ(pulled(*b), expect) << "pull query after kill -9 and restart";
    EXPECT_EQ(b->child->Stop(milliseconds(20000)), 0) << b->child->errors();
  }
  std::filesystem::remove_all(state_dir);
  {
    std::optional<Brookd> b = StartBrookd(args, /*embedded=*/false, &error);
    ASSERT_TRUE(b.has_value()) << error;
    produce(30);
    std::vector<std::string> out = ConsumeUntil(*bootstrap, "PER_PAGE", exact, milliseconds(90000));
    EXPECT_EQ(latest(out), expect) << "after losing the state directory";
    EXPECT_EQ(pulled(*b), expect) << "pull query after losing the state directory";
    EXPECT_EQ(b->child->Stop(milliseconds(20000)), 0) << b->child->errors();
  }
  std::filesystem::remove_all(state_dir);
  std::remove(script.c_str());
  EXPECT_EQ(broker->Stop(milliseconds(10000)), 0);
}

}  // namespace
}  // namespace brook
