// The live RestTarget of `brook-test --rest`: one brookd process per case, reached over HTTP/1.1
// on a socket (Boost.Beast's client), its Kafka an embedded broker (librdkafka's mock cluster)
// in brook-test's process.
//
// A "shadow" engine on the in-memory broker runs the case's statements and inputs too. It is
// used only for what a harness must know in advance and is not under test:
//   - which topics, with how many partitions, to create before brookd starts (ksqlDB's harness
//     creates every topic a case names; the mock cluster has no CreateTopics API for brookd to
//     call, so brookd runs with brook.kafka.topic.creation=auto and finds them there);
//   - how to serialize input records and decode output records (the sources' formats);
//   - how many records each persistent query reads and writes, so that the runner waits until
//     brookd's /metrics shows that much work done instead of sleeping.
// Everything compared — responses, output records — comes from brookd.
// BROOK_TEST_DEBUG=1 in the environment prints the settle wait (wanted and seen counts).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <map>
#include <thread>

#include "cli/testing/qtt_records.h"
#include "cli/testing/rest_target.h"
#include "runtime/engine/engine.h"
#include "runtime/kafka/embedded_broker.h"
#include "runtime/kafka/in_memory_broker.h"
#include "runtime/kafka/librdkafka_client.h"

extern char** environ;

namespace brook::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Node = JsonNode;

constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kRequestTimeout = std::chrono::milliseconds(60000);
constexpr auto kSettleTimeout = std::chrono::seconds(30);
constexpr size_t kMaxResponseBytes = 64 << 20;

// The service id and settings of ksqlDB's harness (HarnessEngineOptions), as brookd options.
std::vector<std::string> HarnessServerArgs(size_t batch_size) {
  return {"-D", "ksql.service.id=some.ksql.service.id",
          "-D", "ksql.streams.auto.offset.reset=earliest",
          "-D", "ksql.streams.cache.max.bytes.buffering=0",
          "-D", "brook.max.batch=" + std::to_string(batch_size),
          "-D", "brook.kafka.topic.creation=auto",
          "-D", "brook.push.poll.ms=20",
          "-D", "ksql.query.push.v2.enabled=true"};
}

// A brookd child process: started with stdout on a pipe (for its progress lines) and stderr
// in a temporary file (shown when it fails); stopped with SIGTERM, then SIGKILL.
class BrookdProcess {
 public:
  ~BrookdProcess() { Stop(); }

  Status Start(const std::string& path, const std::vector<std::string>& args) {
    char err_template[] = "/tmp/brook-test-brookd-XXXXXX";
    stderr_fd_ = mkstemp(err_template);
    if (stderr_fd_ < 0) return IOError("cannot create a temporary file for brookd's stderr");
    unlink(err_template);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return IOError("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd_, STDERR_FILENO);
    std::vector<std::string> argv_s = {path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawnp(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    stdout_fd_ = out[0];
    if (rc != 0) {
      pid_ = -1;
      return IOError("cannot start " + path + ": " + std::strerror(rc));
    }
    // Wait for "brookd: listening on http://HOST:PORT".
    const auto deadline = Clock::now() + kStartTimeout;
    std::string buffered;
    while (Clock::now() < deadline) {
      pollfd pfd{stdout_fd_, POLLIN, 0};
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (poll(&pfd, 1, std::max(left, 1)) <= 0) continue;
      char chunk[4096];
      ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
      if (n <= 0) break;  // brookd exited
      buffered.append(chunk, static_cast<size_t>(n));
      size_t at = buffered.find("brookd: listening on ");
      size_t eol = at == std::string::npos ? at : buffered.find('\n', at);
      if (eol != std::string::npos) {
        std::string url = buffered.substr(at + 21, eol - at - 21);
        port_ = static_cast<uint16_t>(std::atoi(url.substr(url.rfind(':') + 1).c_str()));
        // brookd prints little after start-up; draining its stdout keeps it from ever blocking.
        drain_ = std::thread([fd = stdout_fd_] {
          char sink[4096];
          while (read(fd, sink, sizeof sink) > 0) {
          }
        });
        return Status::Ok();
      }
    }
    return IOError("brookd did not start: " + Stderr());
  }

  uint16_t port() const { return port_; }

  std::string Stderr() const {
    if (stderr_fd_ < 0) return "";
    std::string text;
    char chunk[4096];
    off_t at = 0;
    ssize_t n;
    while ((n = pread(stderr_fd_, chunk, sizeof chunk, at)) > 0 && text.size() < 8192) {
      text.append(chunk, static_cast<size_t>(n));
      at += n;
    }
    return text;
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      const auto deadline = Clock::now() + std::chrono::seconds(20);
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      pid_ = -1;
    }
    if (drain_.joinable()) drain_.join();  // ends at EOF, once brookd has exited
    if (stdout_fd_ >= 0) close(stdout_fd_);
    if (stderr_fd_ >= 0) close(stderr_fd_);
    stdout_fd_ = stderr_fd_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  uint16_t port_ = 0;
  std::thread drain_;
};

// The records_in / records_out of each query in a /metrics body.
std::map<std::string, std::pair<uint64_t, uint64_t>> QueryCounts(const std::string& metrics) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> out;
  size_t pos = 0;
  while (pos < metrics.size()) {
    size_t eol = metrics.find('\n', pos);
    std::string_view line(metrics.data() + pos,
                          (eol == std::string::npos ? metrics.size() : eol) - pos);
    pos = eol == std::string::npos ? metrics.size() : eol + 1;
    const bool in = line.rfind("brook_query_records_in_total{", 0) == 0;
    const bool out_line = line.rfind("brook_query_records_out_total{", 0) == 0;
    if (!in && !out_line) continue;
    size_t q = line.find("query_id=\"");
    size_t end = q == std::string_view::npos ? q : line.find('"', q + 10);
    size_t space = line.rfind(' ');
    if (end == std::string_view::npos || space == std::string_view::npos) continue;
    std::string id(line.substr(q + 10, end - q - 10));
    uint64_t value = std::strtoull(std::string(line.substr(space + 1)).c_str(), nullptr, 10);
    (in ? out[id].first : out[id].second) = value;
  }
  return out;
}

class LiveTarget final : public RestTarget {
 public:
  LiveTarget(const FunctionRegistry& functions, const TargetOptions& options)
      : functions_(functions), options_(options), shadow_broker_(1) {}

  Status Start(const Node& test, const std::string& script,
               const std::vector<std::pair<std::string, std::string>>& properties) {
    // The shadow: statements run to learn the topics (failures are the server's to report).
    CreateDeclaredTopics(test, shadow_broker_);
    shadow_ = std::make_unique<Engine>(shadow_broker_, functions_,
                                       HarnessEngineOptions(options_.batch_size, false));
    SessionState session;
    for (const auto& [k, v] : properties) session.properties[k] = v;
    if (!script.empty()) {
      auto ran = shadow_->ExecuteScript(script, session);
      if (ran.ok()) {
        for (ExecuteResult& r : *ran) {
          if (r.transient) shadow_->CloseTransient(r.transient->id());
        }
      }
    }
    // The Kafka cluster, with every topic the shadow has.
    ASSIGN_OR_RETURN(broker_, kafka::EmbeddedBroker::Start());
    kafka_ = std::make_unique<kafka::LibrdkafkaClientFactory>(
        "", std::map<std::string, std::string>{}, broker_.get());
    ASSIGN_OR_RETURN(std::vector<kafka::TopicInfo> topics,
                     shadow_broker_.ListTopics(kafka::Millis(0)));
    topics.push_back({"_confluent-ksql-some.ksql.service.id_command_topic", 1, 1});
    for (const kafka::TopicInfo& t : topics) {
      RETURN_IF_ERROR(broker_->CreateTopic(t.name, t.partitions));
    }
    std::vector<std::string> args = {"--listeners", "http://127.0.0.1:0", "--bootstrap-servers",
                                     broker_->bootstrap_servers()};
    for (std::string& a : HarnessServerArgs(options_.batch_size)) args.push_back(std::move(a));
    return brookd_.Start(options_.brookd, args);
  }

  Result<Response> Post(const std::string& path, const std::string& body,
                        std::chrono::milliseconds quiet) override {
    return Exchange(http::verb::post, path, body, /*streaming=*/true,
                    quiet.count() > 0 ? quiet : options_.quiet);
  }

  Status ProduceInputsAndSettle(const Node& test) override {
    ASSIGN_OR_RETURN(std::unique_ptr<kafka::Producer> producer, kafka_->NewProducer());
    // Each record goes to brookd's cluster and to the shadow, which counts the work to wait for.
    RETURN_IF_ERROR(ProduceInputs(test, shadow_->catalog(), [&](kafka::OutRecord rec) -> Status {
      kafka::OutRecord copy = rec;
      RETURN_IF_ERROR(shadow_broker_.Produce(std::move(copy)));
      return producer->Send(std::move(rec));
    }));
    RETURN_IF_ERROR(producer->Flush(kafka::Millis(10000)));
    RETURN_IF_ERROR(shadow_->RunUntilIdle());
    std::map<std::string, std::pair<uint64_t, uint64_t>> want;
    for (const QueryMetrics& q : shadow_->Metrics()) want[q.id] = {q.records_in, q.records_out};
    const auto deadline = Clock::now() + kSettleTimeout;
    while (true) {
      ASSIGN_OR_RETURN(Response metrics,
                       Exchange(http::verb::get, "/metrics", "", /*streaming=*/false));
      std::map<std::string, std::pair<uint64_t, uint64_t>> have = QueryCounts(metrics.body);
      bool done = true;
      for (const auto& [id, counts] : want) {
        auto it = have.find(id);
        if (it == have.end() || it->second.first < counts.first ||
            it->second.second < counts.second) {
          done = false;
        }
      }
      if (std::getenv("BROOK_TEST_DEBUG")) {
        for (const auto& [id, counts] : want) {
          std::fprintf(stderr, "settle %s want %llu/%llu have %llu/%llu\n", id.c_str(),
                       (unsigned long long)counts.first, (unsigned long long)counts.second,
                       (unsigned long long)have[id].first, (unsigned long long)have[id].second);
        }
      }
      // Past the deadline the case goes on: what brookd did not do shows in its comparison.
      if (done || Clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // Processed is not yet committed: a query commits when its next poll finds nothing new
    // (StreamThread::PollOnce, 100 ms), and pull queries read what is committed.
    if (!want.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Status::Ok();
  }

  Result<int> OpenPushQueries() override {
    ASSIGN_OR_RETURN(Response metrics,
                     Exchange(http::verb::get, "/metrics", "", /*streaming=*/false));
    const std::string key = "\nbrook_push_queries_open ";
    size_t at = metrics.body.find(key);
    if (at == std::string::npos) return NotFound("no brook_push_queries_open in /metrics");
    return std::atoi(metrics.body.c_str() + at + key.size());
  }

  std::optional<std::string> CheckOutputs(const Node& test) override {
    const Node* outputs = test.Get("outputs");
    if (!outputs) return std::nullopt;
    // Copy each expected topic from brookd's cluster into an in-memory broker, in timestamp
    // order across partitions, and compare there.
    std::map<std::string, size_t> expected;
    for (const Node& o : outputs->items) {
      if (const Node* t = o.Get("topic")) ++expected[t->text];
    }
    kafka::InMemoryBroker copy(0);
    for (const auto& [topic, count] : expected) {
      auto info = kafka_->admin().DescribeTopic(topic, kafka::Millis(5000));
      if (!info.ok())
        return "cannot describe output topic " + topic + ": " + info.status().ToString();
      if (!*info) continue;  // never created: CheckOutputs reports the missing records
      kafka::TopicSpec spec;
      spec.name = topic;
      spec.partitions = (*info)->partitions;
      copy.CreateTopic(spec, kafka::Millis(0)).PermitUnchecked();
      kafka::ConsumerConfig cc;
      cc.group_id = "brook-test-outputs";
      cc.topics = {topic};
      cc.assign_all = true;
      auto consumer = kafka_->NewConsumer(cc);
      if (!consumer.ok()) return "cannot read output topic " + topic;
      std::vector<kafka::OutRecord> records;
      std::vector<kafka::RecordView> views;
      // Until the expected count has arrived (bounded), then briefly for unexpected extras.
      auto deadline = Clock::now() + std::chrono::seconds(10);
      bool extra_round = false;
      while (Clock::now() < deadline) {
        if (!(*consumer)->Poll(500, kafka::Millis(100), views).ok()) break;
        {
          for (const kafka::RecordView& v : views) {
            kafka::OutRecord r;
            r.topic = topic;
            r.partition = v.partition;
            r.timestamp = v.timestamp;
            if (v.key) r.key = std::string(*v.key);
            if (v.value) r.value = std::string(*v.value);
            if (v.headers) r.headers = *v.headers;
            records.push_back(std::move(r));
          }
        }
        if (records.size() >= count && !extra_round) {
          extra_round = true;
          deadline = Clock::now() + std::chrono::milliseconds(300);
        }
      }
      std::stable_sort(records.begin(), records.end(),
                       [](const kafka::OutRecord& a, const kafka::OutRecord& b) {
                         return a.timestamp < b.timestamp;
                       });
      for (kafka::OutRecord& r : records) copy.Produce(std::move(r)).PermitUnchecked();
    }
    return testing::CheckOutputs(test, *shadow_, copy, /*exact_numbers=*/true);
  }

 private:
  // One HTTP/1.1 exchange on a new connection. With `streaming`, a body that stays quiet for
  // options_.quiet is cut there (the client closes, as a push-query client would).
  Result<Response> Exchange(http::verb method, const std::string& path, const std::string& body,
                            bool streaming,
                            std::chrono::milliseconds quiet = std::chrono::milliseconds(1500)) {
    net::io_context ioc;
    tcp::socket stream(ioc);
    beast::error_code ec;
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), brookd_.port()), ec);
    if (ec) return IOError("cannot connect to brookd: " + ec.message() + "\n" + brookd_.Stderr());
    http::request<http::string_body> req{method, path, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::accept, "application/json");
    if (method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    http::write(stream, req, ec);
    if (ec) return IOError("cannot send to brookd: " + ec.message());
    // Reads are bounded with poll(): the socket is non-blocking from here on (Asio's blocking
    // reads would wait forever, and Beast's stream timeouts apply to asynchronous operations).
    stream.non_blocking(true);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    // Parses what is buffered or reads once more; false when nothing arrived within `limit`.
    auto read_some = [&](std::chrono::milliseconds limit) -> Result<bool> {
      const auto deadline = Clock::now() + limit;
      while (true) {
        http::read_some(stream, buffer, parser, ec);
        if (!ec) return true;
        if (ec != net::error::would_block && ec != net::error::try_again) {
          return IOError("reading brookd's response: " + ec.message());
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd pfd{stream.native_handle(), POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
          return IOError("poll failed");
        }
      }
    };
    while (!parser.is_header_done()) {
      ASSIGN_OR_RETURN(bool got, read_some(kRequestTimeout));
      if (!got) return IOError("no response from brookd within 60 s\n" + brookd_.Stderr());
    }
    bool cut = false;
    while (!parser.is_done()) {
      // Streams: silence for options_.quiet means the client is done (a push query without
      // LIMIT). Other responses get the request timeout.
      ASSIGN_OR_RETURN(bool got, read_some(streaming ? quiet : kRequestTimeout));
      if (!got) {
        if (!streaming) return IOError("brookd's response stalled");
        cut = true;
        break;
      }
    }
    Response r;
    r.status = static_cast<int>(parser.get().result_int());
    r.body = std::move(parser.get().body());
    if (std::getenv("BROOK_TEST_DEBUG")) {
      std::fprintf(stderr, "%s %s -> %d done=%d cut=%d body=%zu buffered=%zu\n", path.c_str(),
                   body.substr(0, 60).c_str(), r.status, parser.is_done() ? 1 : 0, cut ? 1 : 0,
                   r.body.size(), buffer.size());
    }
    if (cut && !r.body.empty() && r.body.front() == '[' && r.body.back() != ']') {
      // The v1 format's rows end with ",\n" while a final element is due.
      while (!r.body.empty() && (r.body.back() == '\n' || r.body.back() == ',')) r.body.pop_back();
      r.body += "]";
    }
    return r;
  }

  const FunctionRegistry& functions_;
  TargetOptions options_;
  kafka::InMemoryBroker shadow_broker_;
  std::unique_ptr<Engine> shadow_;
  std::unique_ptr<kafka::EmbeddedBroker> broker_;
  std::unique_ptr<kafka::LibrdkafkaClientFactory> kafka_;
  BrookdProcess brookd_;  // destroyed first: brookd stops before its cluster goes away
};

}  // namespace

Result<std::unique_ptr<RestTarget>> NewLiveTarget(
    const FunctionRegistry& functions, const TargetOptions& options, const Node& test,
    const std::string& script, const std::vector<std::pair<std::string, std::string>>& properties) {
  auto target = std::make_unique<LiveTarget>(functions, options);
  RETURN_IF_ERROR(target->Start(test, script, properties));
  return std::unique_ptr<RestTarget>(std::move(target));
}

}  // namespace brook::testing
