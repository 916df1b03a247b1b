// brook-bench: what the engine costs per Nexmark bid event, next to raw librdkafka measured in
// the same run. See bench/README.md for what each figure means.
//
//   brook-bench [--events N] [--partitions P] [--latency-events L] [--latency-rate R]
//               [--max-batch B] [--timeout S] [--runs K] [--json]
//
// Processes. This process (the orchestrator) never talks to Kafka. It starts
//   - brook-devbroker (librdkafka's mock cluster) with every topic pre-created;
//   - a generator child that produces all N input events to `bids` (P partitions) before any
//     measurement, so nothing is paced and the generator's CPU is never counted;
//   - one child per workload (same binary, --role run), which consumes everything in `bids`
//     and reports its own CPU (getrusage RUSAGE_SELF, minus its monitoring thread), peak RSS
//     (VmHWM) and heap allocations as one JSON line; the broker's CPU and memory are in another
//     process and so never counted.
// Engine workloads then measure latency in a second, paced phase: a producer in the workload's
// child sends L events at R events/s with the produce time (µs) in date_time, and a consumer of
// the output topic takes latency = arrival time - date_time.
#include <dirent.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/alloc_counter.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/librdkafka_client.h"
#include "runtime/state/changelog.h"
#include "runtime/topology/repartition.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr const char* kInputTopic = "bids";
// The join workloads' inputs: the same bids keyed by auction (KAFKA BIGINT), and one auction
// event per kBidsPerAuction bids, keyed by its id, interleaved with the bids in event time.
constexpr const char* kKeyedBidsTopic = "bids_keyed";
constexpr const char* kAuctionsTopic = "auctions";
constexpr uint64_t kAuctions = 10000;
constexpr const char* kCreateJoinInputs =
    "CREATE STREAM bids_k (auction BIGINT KEY, bidder BIGINT, price BIGINT, channel STRING, "
    "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='bids_keyed', "
    "value_format='JSON', timestamp='date_time'); ";
constexpr const char* kBaselineOutTopic = "baseline_out";
constexpr const char* kIdleTopic = "idle_in";
// Bytes one stored ~178-byte event takes in the mock's log, record overhead included (rounded
// up); used to keep every partition under the mock's ~5 MiB.
constexpr double kStoredBytesPerEvent = 200;
constexpr double kMockBytesPerPartition = 5.0 * 1024 * 1024;
// The mock answers a fetch that finds no data only after fetch.wait.max.ms (default 500 ms),
// even if data arrives meanwhile (a real broker answers as soon as it has data). Unchanged, a
// lightly loaded consumer of the mock waits up to 500 ms per hop; every measured consumer
// (engine and baselines alike, not idle_query) therefore gets this.
constexpr const char* kFetchWaitMs = "5";

constexpr const char* kCreateBids =
    "CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
    "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='bids', value_format='JSON');";

enum class Kind { kConsume, kConsumeProduce, kQuery, kIdle };

struct Workload {
  const char* name;
  Kind kind;
  const char* sql;        // kQuery / kIdle
  const char* out_topic;  // where outputs go (latency consumer reads it)
  const char* baseline;   // the row its ratio is taken against
  // Stateful workloads: the internal topics of the CTAS (its step id is "Aggregate"; its result
  // is kept for pull queries by the "Materialize" step), which the mock cannot create by itself
  // with the run's partition count.
  const char* query_id = nullptr;
  std::vector<const char*> stores = {};
  // The topics it reads (default: bids) — the join workloads read the keyed bids and auctions.
  std::vector<const char*> inputs = {};
};

// Run order: each baseline right before the workloads compared with it. Names are fixed (see
// README): later workloads add rows, they never rename these.
const Workload kWorkloads[] = {
    {"baseline_consume", Kind::kConsume, nullptr, nullptr, nullptr},
    {"w2_filter", Kind::kQuery,
     "CREATE STREAM out_filter AS SELECT * FROM bids WHERE auction % 123 = 0;", "OUT_FILTER",
     "baseline_consume"},
    {"baseline_consume_produce", Kind::kConsumeProduce, nullptr, kBaselineOutTopic, nullptr},
    {"w1_projection", Kind::kQuery,
     "CREATE STREAM out_projection AS SELECT auction, bidder, price * 0.9 AS price_eur, "
     "date_time FROM bids;",
     "OUT_PROJECTION", "baseline_consume_produce"},
    {"w3_hopping",
     Kind::kQuery,
     "CREATE STREAM bids_t (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
     "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='bids', "
     "value_format='JSON', timestamp='date_time'); "
     "CREATE TABLE out_w3 AS SELECT auction, COUNT(*) AS n FROM bids_t "
     "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS, GRACE PERIOD 5 MINUTES) "
     "GROUP BY auction EMIT FINAL;",
     "OUT_W3",
     "baseline_consume",
     "CTAS_OUT_W3_0",
     {"Aggregate-Aggregate-Materialize", "Aggregate-EmitFinal", "Materialize"}},
    {"w4_session",
     Kind::kQuery,
     "CREATE STREAM bids_t (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
     "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='bids', "
     "value_format='JSON', timestamp='date_time'); "
     "CREATE TABLE out_w4 AS SELECT bidder, COUNT(*) AS n FROM bids_t "
     "WINDOW SESSION (10 SECONDS) GROUP BY bidder;",
     "OUT_W4",
     "baseline_consume",
     "CTAS_OUT_W4_0",
     {"Aggregate-Aggregate-Materialize", "Materialize"}},
    {"w6_count_distinct",
     Kind::kQuery,
     "CREATE STREAM bids_t (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
     "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='bids', "
     "value_format='JSON', timestamp='date_time'); "
     "CREATE TABLE out_w6 AS SELECT auction, COUNT_DISTINCT(bidder) AS bidders FROM bids_t "
     "WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY auction;",
     "OUT_W6",
     "baseline_consume",
     "CTAS_OUT_W6_0",
     {"Aggregate-Aggregate-Materialize", "Materialize"}},
    {"baseline_consume_two",
     Kind::kConsume,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     {},
     {kKeyedBidsTopic, kAuctionsTopic}},
    {"w5_stream_table_join",
     Kind::kQuery,
     "CREATE TABLE auctions_t (id BIGINT PRIMARY KEY, seller BIGINT, category INT, "
     "date_time BIGINT) WITH (kafka_topic='auctions', value_format='JSON'); "
     "CREATE STREAM out_w5 AS SELECT b.auction, b.bidder, b.price, a.seller, a.category "
     "FROM bids_k b LEFT JOIN auctions_t a ON b.auction = a.id;",
     "OUT_W5",
     "baseline_consume_produce",
     "CSAS_OUT_W5_0",
     {"Join-right-store"},
     {kKeyedBidsTopic, kAuctionsTopic}},
    {"w7_stream_stream_join",
     Kind::kQuery,
     "CREATE STREAM auctions_s (id BIGINT KEY, seller BIGINT, category INT, date_time BIGINT) "
     "WITH (kafka_topic='auctions', value_format='JSON', timestamp='date_time'); "
     "CREATE STREAM out_w7 AS SELECT b.auction, b.bidder, b.price, a.seller FROM bids_k b "
     "LEFT JOIN auctions_s a WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS ON b.auction = a.id;",
     "OUT_W7",
     "baseline_consume_two",
     "CSAS_OUT_W7_0",
     {"Join-left-store", "Join-right-store"},
     {kKeyedBidsTopic, kAuctionsTopic}},
    {"idle_query", Kind::kIdle,
     "CREATE STREAM idle_src (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
     "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='idle_in', "
     "value_format='JSON'); CREATE STREAM idle_out AS SELECT * FROM idle_src "
     "WHERE auction % 123 = 0;",
     "IDLE_OUT", nullptr},
};

std::string ServiceId(const Workload& w, int run) {
  return std::string("bench_") + w.name + "_" + std::to_string(run) + "_";
}

const Workload* FindWorkload(const std::string& name) {
  for (const Workload& w : kWorkloads) {
    if (name == w.name) return &w;
  }
  return nullptr;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "brook-bench: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double ProcessCpuSeconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Where a window's CPU went, for `BROOK_BENCH_THREADS=1` (see README): the process's rusage and
// each thread's CPU seconds (tid -> {name, seconds}, from /proc/self/task) at one moment.
struct CpuSnapshot {
  rusage process{};
  std::map<int, std::pair<std::string, double>> threads;
};

CpuSnapshot TakeCpuSnapshot() {
  CpuSnapshot snap;
  if (getenv("BROOK_BENCH_THREADS") == nullptr) return snap;
  getrusage(RUSAGE_SELF, &snap.process);
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return snap;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // "tid (name) state ppid ..." where utime and stime are fields 14 and 15.
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 > stat.size()) {
      continue;
    }
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::strtod(field.c_str(), nullptr);
    }
    snap.threads[std::atoi(e->d_name)] = {stat.substr(open + 1, close - open - 1), ticks / tick};
  }
  closedir(dir);
  return snap;
}

// Prints, on stderr, each thread's CPU since `start` and the process's user/system time, minor
// page faults and context switches: what a figure is made of. Nothing without the variable.
void PrintCpuBreakdown(const char* workload, const CpuSnapshot& start) {
  if (getenv("BROOK_BENCH_THREADS") == nullptr) return;
  const CpuSnapshot end = TakeCpuSnapshot();
  for (const auto& [tid, now] : end.threads) {
    auto it = start.threads.find(tid);
    const double used = now.second - (it == start.threads.end() ? 0 : it->second.second);
    if (used > 0) {
      std::fprintf(stderr, "  %s thread %d %-16s %.2f s\n", workload, tid, now.first.c_str(), used);
    }
  }
  auto sec = [](timeval t) { return t.tv_sec + t.tv_usec / 1e6; };
  const rusage& a = start.process;
  const rusage& b = end.process;
  std::fprintf(stderr,
               "  %s window: user %.2f s, system %.2f s, %ld minor faults, %ld voluntary and %ld "
               "involuntary context switches\n",
               workload, sec(b.ru_utime) - sec(a.ru_utime), sec(b.ru_stime) - sec(a.ru_stime),
               b.ru_minflt - a.ru_minflt, b.ru_nvcsw - a.ru_nvcsw, b.ru_nivcsw - a.ru_nivcsw);
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A /proc/self/status field in kB (VmHWM, VmRSS), as MiB.
double StatusMiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::atof(line.c_str() + len + 1) / 1024.0;
    }
  }
  return 0;
}

// One ~178-byte bid event. `auction` 0 draws one at random.
std::string MakeBid(std::mt19937_64& rng, uint64_t auction, int64_t date_time) {
  static const char* kChannels[] = {"Google", "Facebook", "Baidu", "Apple"};
  if (auction == 0) auction = 1000 + rng() % 100000;
  const uint64_t bidder = 2000 + rng() % 1000000;
  const uint64_t price = 100 + rng() % 1000000;
  const int channel = static_cast<int>(rng() % 4);
  char buf[512];
  const int len = std::snprintf(
      buf, sizeof buf,
      "{\"auction\":%llu,\"bidder\":%llu,\"price\":%llu,\"channel\":\"%s\","
      "\"url\":\"https://www.nexmark.com/item.htm?query=1&channel_id=%llu\","
      "\"date_time\":%lld,\"extra\":\"%08llx\"}",
      static_cast<unsigned long long>(auction), static_cast<unsigned long long>(bidder),
      static_cast<unsigned long long>(price), kChannels[channel],
      static_cast<unsigned long long>(rng() % 100000), static_cast<long long>(date_time),
      static_cast<unsigned long long>(rng() & 0xffffffff));
  return std::string(buf, static_cast<size_t>(len));
}

// ------------------------------------ raw librdkafka ------------------------------------------

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

// A consumer handle without a group (for watermarks and assign()).
RdKafkaPtr NewRawConsumer(const std::string& bootstrap) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "group.id", "brook-bench-raw", err, sizeof err) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "fetch.wait.max.ms", kFetchWaitMs, err, sizeof err) !=
          RD_KAFKA_CONF_OK) {
    Die(std::string("librdkafka config: ") + err);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) Die(std::string("librdkafka: ") + err);
  return RdKafkaPtr(rk);
}

struct Watermarks {
  int64_t low_sum = 0;   // records the mock dropped (log start offsets); must be 0
  int64_t high_sum = 0;  // records ever produced
  std::vector<int64_t> high;
};

Watermarks QueryWatermarks(rd_kafka_t* rk, const std::string& topic, int partitions) {
  Watermarks w;
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0;
    int64_t hi = 0;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Die("watermarks of " + topic + "/" + std::to_string(p) + ": " + rd_kafka_err2str(e));
    }
    w.low_sum += lo;
    w.high_sum += hi;
    w.high.push_back(hi);
  }
  return w;
}

// ------------------------------------ child roles ----------------------------------------------

struct Options {
  std::string role = "orchestrate";
  std::string workload;
  std::string bootstrap;
  uint64_t events = 640'000;
  int partitions = 32;
  uint64_t latency_events = 15'000;
  uint64_t latency_rate = 5'000;
  size_t max_batch = 1000;
  int timeout_s = 120;
  int warmup_percent = 25;  // share of the input consumed before the window opens
  int runs = 3;             // passes over every workload; the table reports each figure's median
  int run = 0;  // internal: which pass a child belongs to (fresh consumer groups per pass)
  bool json = false;
  // --only W[,W...]: run these workloads and their baselines only (empty: all).
  std::set<std::string> only;
};

// The generator: produces all input, then prints what it cost (never part of a workload's
// figures).
int RoleProduce(const Options& o) {
  kafka::LibrdkafkaClientFactory factory(o.bootstrap);
  auto producer = factory.NewProducer();
  if (!producer.ok()) Die(producer.status().ToString());
  std::mt19937_64 rng(42);
  const double c0 = ProcessCpuSeconds();
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < o.events; ++i) {
    kafka::OutRecord rec;
    rec.topic = kInputTopic;
    rec.partition = static_cast<int32_t>(i % o.partitions);
    rec.timestamp = NowMicros() / 1000;  // CreateTime: when it was produced
    rec.value = MakeBid(rng, 0, 1700000000000LL + static_cast<int64_t>(i));
    Status st = (*producer)->Send(std::move(rec));
    if (!st.ok()) Die("produce: " + st.ToString());
  }
  // The join workloads' inputs: the bids again, keyed by auction (8-byte big-endian BIGINT, the
  // KAFKA format) so both topics are partitioned by auction; and the auctions they refer to, one
  // every events / kAuctions bids, at the event time of the bid beside it.
  std::mt19937_64 keyed_rng(7);
  auto big_endian = [](uint64_t v) {
    std::string k(8, '\0');
    for (int b = 7; b >= 0; --b, v >>= 8) k[b] = static_cast<char>(v & 0xff);
    return k;
  };
  const uint64_t every = std::max<uint64_t>(1, o.events / kAuctions);
  uint64_t auctions = 0;
  for (uint64_t i = 0; i < o.events; ++i) {
    const int64_t date_time = 1700000000000LL + static_cast<int64_t>(i);
    if (i % every == 0 && auctions < kAuctions) {
      kafka::OutRecord a;
      a.topic = kAuctionsTopic;
      a.timestamp = NowMicros() / 1000;
      a.key = big_endian(1000 + auctions);
      char buf[160];
      const int len =
          std::snprintf(buf, sizeof buf, "{\"seller\":%llu,\"category\":%d,\"date_time\":%lld}",
                        static_cast<unsigned long long>(keyed_rng() % 50000),
                        static_cast<int>(keyed_rng() % 20), static_cast<long long>(date_time));
      a.value = std::string(buf, static_cast<size_t>(len));
      Status st = (*producer)->Send(std::move(a));
      if (!st.ok()) Die("produce: " + st.ToString());
      ++auctions;
    }
    const uint64_t auction = 1000 + keyed_rng() % kAuctions;
    kafka::OutRecord rec;
    rec.topic = kKeyedBidsTopic;
    rec.timestamp = NowMicros() / 1000;
    rec.key = big_endian(auction);
    rec.value = MakeBid(keyed_rng, auction, date_time);
    Status st = (*producer)->Send(std::move(rec));
    if (!st.ok()) Die("produce: " + st.ToString());
  }
  Status st = (*producer)->Flush(kafka::Millis(120000));
  if (!st.ok()) Die("produce flush: " + st.ToString());
  const double wall = Seconds(Clock::now() - t0);
  RdKafkaPtr rk = NewRawConsumer(o.bootstrap);
  Watermarks w = QueryWatermarks(rk.get(), kInputTopic, o.partitions);
  json out = {{"produced", o.events},
              {"in_topic", w.high_sum},
              {"dropped", w.low_sum},
              {"wall_s", wall},
              {"cpu_s", ProcessCpuSeconds() - c0}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// What one workload child measured.
struct Measured {
  uint64_t expected = 0;  // records in the input topic when the run started
  uint64_t events = 0;    // consumed in total (== expected when complete)
  uint64_t outputs = 0;
  uint64_t window_events = 0;  // consumed inside the measurement window
  uint64_t window_outputs = 0;
  double wall_s = 0;
  double cpu_s = 0;
  uint64_t allocations = 0;
  double peak_rss_mb = 0;
  std::optional<double> p50_us, p99_us;
  uint64_t latency_samples = 0;
  bool complete = false;
};

json ToJson(const Measured& m) {
  json j = {{"expected", m.expected},
            {"events", m.events},
            {"outputs", m.outputs},
            {"window_events", m.window_events},
            {"window_outputs", m.window_outputs},
            {"wall_s", m.wall_s},
            {"cpu_s", m.cpu_s},
            {"allocations", m.allocations},
            {"peak_rss_mb", m.peak_rss_mb},
            {"latency_samples", m.latency_samples},
            {"complete", m.complete}};
  j["p50_us"] = m.p50_us ? json(*m.p50_us) : json(nullptr);
  j["p99_us"] = m.p99_us ? json(*m.p99_us) : json(nullptr);
  return j;
}

// Events consumed before the measurement window opens: the consumer's fetch queue, the
// allocator's arenas and the tasks' row buffers fill up during the first events of a run, and a
// window of a few seconds would otherwise count that one-time cost as per-event cost.
uint64_t WarmupEvents(const Options& o, uint64_t expected) {
  return static_cast<uint64_t>(static_cast<double>(expected) * o.warmup_percent / 100.0);
}

// Raw consumption (and, with `out_topic`, re-production of each value): the same group
// consumer class the engine uses, no decoding.
Measured RunBaseline(const Options& o, const Workload& w, uint64_t expected) {
  Measured m;
  m.expected = expected;
  kafka::LibrdkafkaClientFactory factory(o.bootstrap);
  std::vector<std::string> inputs(w.inputs.begin(), w.inputs.end());
  if (inputs.empty()) inputs.push_back(kInputTopic);
  auto consumer =
      factory.NewConsumer({std::string("brook-bench-") + w.name + "-" + std::to_string(o.run),
                           inputs,
                           true,
                           {{"fetch.wait.max.ms", kFetchWaitMs}}});
  if (!consumer.ok()) Die(consumer.status().ToString());
  std::unique_ptr<kafka::Producer> producer;
  if (w.kind == Kind::kConsumeProduce) {
    auto p = factory.NewProducer();
    if (!p.ok()) Die(p.status().ToString());
    producer = std::move(p).value();
  }
  std::vector<kafka::RecordView> batch;
  uint64_t bytes = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  // Wait for the group to form and the first records to arrive; the window starts after them.
  while (batch.empty() && Clock::now() < deadline) {
    Status st = (*consumer)->Poll(o.max_batch, kafka::Millis(100), batch);
    if (!st.ok()) Die(st.ToString());
  }
  m.events = batch.size();
  auto handle = [&] {
    for (const kafka::RecordView& r : batch) {
      bytes += r.value ? r.value->size() : 0;
      if (producer) {
        kafka::OutRecord out;
        out.topic = kBaselineOutTopic;
        out.partition = r.partition;
        out.timestamp = r.timestamp;
        if (r.value) out.value = std::string(*r.value);
        Status st = producer->Send(std::move(out));
        if (!st.ok()) Die("baseline produce: " + st.ToString());
      }
    }
  };
  handle();  // the first batch and the warm-up are outside the window, as for the engine
  const uint64_t warmup = WarmupEvents(o, expected);
  while (m.events < warmup && Clock::now() < deadline) {
    Status st = (*consumer)->Poll(o.max_batch, kafka::Millis(100), batch);
    if (!st.ok()) Die(st.ToString());
    handle();
    m.events += batch.size();
  }
  const uint64_t first = m.events;
  const CpuSnapshot cpu0 = TakeCpuSnapshot();
  const double c0 = ProcessCpuSeconds();
  const uint64_t a0 = HeapAllocations();
  const auto t0 = Clock::now();
  while (m.events < expected && Clock::now() < deadline) {
    Status st = (*consumer)->Poll(o.max_batch, kafka::Millis(100), batch);
    if (!st.ok()) Die(st.ToString());
    handle();
    m.events += batch.size();
  }
  if (producer) {
    Status st = producer->Flush(kafka::Millis(60000));
    if (!st.ok()) Die("baseline flush: " + st.ToString());
  }
  m.wall_s = Seconds(Clock::now() - t0);
  m.cpu_s = ProcessCpuSeconds() - c0;
  PrintCpuBreakdown(w.name, cpu0);
  m.allocations = HeapAllocations() - a0;
  m.window_events = m.events - first;
  m.outputs = producer ? m.events : 0;
  m.window_outputs = producer ? m.window_events : 0;
  m.peak_rss_mb = StatusMiB("VmHWM");
  m.complete = m.events == expected && bytes > 0;
  return m;
}

// Latency of single records through a running query: L events at R/s, each carrying its
// produce time (µs since the epoch) in date_time and in the record timestamp (ms); a consumer
// assigned at the end of the output topic takes arrival time - date_time of every output.
// Every event is made to pass the filter (auction a multiple of 123) so each yields a sample.
void MeasureLatency(const Options& o, const Workload& w, Measured& m) {
  if (o.latency_events == 0 || o.latency_rate == 0) return;
  // Aggregations emit per group and window, not per event: no per-event latency to take.
  if (w.query_id) return;
  RdKafkaPtr rk = NewRawConsumer(o.bootstrap);
  Watermarks end = QueryWatermarks(rk.get(), w.out_topic, o.partitions);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(o.partitions);
  for (int p = 0; p < o.partitions; ++p) {
    rd_kafka_topic_partition_list_add(parts, w.out_topic, p)->offset = end.high[p];
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(rk.get(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("assign: ") + rd_kafka_err2str(e));

  // librdkafka's default linger.ms (5 ms) stays. With linger.ms=0 and 10 000/s, one request
  // per event, the projection's p50 was ~1 s; the single-threaded mock serving 10 000 produce
  // requests a second on the engine's cores is the likely cause (not verified).
  kafka::LibrdkafkaClientFactory factory(o.bootstrap);
  auto producer = factory.NewProducer();
  if (!producer.ok()) Die(producer.status().ToString());
  std::atomic<bool> produced{false};
  std::thread generator([&] {
    std::mt19937_64 rng(7);
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < o.latency_events; ++i) {
      std::this_thread::sleep_until(t0 + std::chrono::microseconds(i * 1000000 / o.latency_rate));
      const int64_t now_us = NowMicros();
      kafka::OutRecord rec;
      rec.topic = kInputTopic;
      rec.partition = static_cast<int32_t>(i % o.partitions);
      rec.timestamp = now_us / 1000;
      rec.value = MakeBid(rng, 123 * (1 + rng() % 1000), now_us);
      Status st = (*producer)->Send(std::move(rec));
      if (!st.ok()) Die("latency produce: " + st.ToString());
    }
    Status st = (*producer)->Flush(kafka::Millis(30000));
    if (!st.ok()) Die("latency flush: " + st.ToString());
    produced = true;
  });
  std::vector<double> samples;
  samples.reserve(o.latency_events);
  std::optional<Clock::time_point> drain_deadline;
  const auto hard_deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  while (samples.size() < o.latency_events && Clock::now() < hard_deadline) {
    if (produced && !drain_deadline) drain_deadline = Clock::now() + std::chrono::seconds(10);
    if (drain_deadline && Clock::now() > *drain_deadline) break;
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 100);
    if (!msg) continue;
    const int64_t now_us = NowMicros();
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && msg->payload) {
      std::string_view v(static_cast<const char*>(msg->payload), msg->len);
      size_t at = v.find("\"DATE_TIME\":");
      if (at != std::string_view::npos) {
        const int64_t sent_us = std::strtoll(v.data() + at + 12, nullptr, 10);
        samples.push_back(static_cast<double>(now_us - sent_us));
      }
    }
    rd_kafka_message_destroy(msg);
  }
  generator.join();
  rd_kafka_consumer_close(rk.get());
  m.latency_samples = samples.size();
  if (samples.empty()) return;
  auto pct = [&](double q) {
    size_t k = std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()));
    std::nth_element(samples.begin(), samples.begin() + k, samples.end());
    return samples[k];
  };
  m.p50_us = pct(0.50);
  m.p99_us = pct(0.99);
}

// The engine (threaded, as brookd runs it) on one persistent query. This thread only watches
// the query's counters: its CPU and allocations are taken out of the figures.
Measured RunQuery(const Options& o, const Workload& w, uint64_t expected) {
  Measured m;
  m.expected = expected;
  FunctionRegistry fns;
  RegisterBuiltinFunctions(fns);
  // idle_query keeps brookd's defaults: it shows what an idle query costs as deployed.
  std::map<std::string, std::string> properties;
  // The engine's producers ignore it with a CONFWARN line on stderr (librdkafka 2.0.2 has no
  // way to silence configuration warnings).
  if (w.kind != Kind::kIdle) properties["fetch.wait.max.ms"] = kFetchWaitMs;
  kafka::LibrdkafkaClientFactory factory(o.bootstrap, properties);
  EngineOptions opts;
  opts.threaded = true;
  opts.max_batch = o.max_batch;
  opts.service_id = ServiceId(w, o.run);
  // BROOK_BENCH_CONFIG="key=value,key=value": engine settings for an A/B comparison (e.g.
  // brook.streams.order.across.partitions=false).
  if (const char* extra = std::getenv("BROOK_BENCH_CONFIG")) {
    std::string_view rest(extra);
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      const size_t eq = item.find('=');
      if (eq != std::string_view::npos) {
        opts.config[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  Engine engine(factory, fns, opts);
  SessionState session;
  std::string script =
      w.kind == Kind::kIdle
          ? std::string(w.sql)
          : std::string(kCreateBids) + (w.inputs.empty() ? "" : kCreateJoinInputs) + w.sql;
  auto r = engine.ExecuteScript(script, session);
  if (!r.ok()) Die(std::string(w.name) + ": " + r.status().ToString());
  SetThreadUncounted(true);
  auto counters = [&] {
    std::pair<uint64_t, uint64_t> c{0, 0};
    for (const QueryInfo& q : engine.Queries()) {
      c.first += q.records_in;
      c.second += q.records_out;
    }
    return c;
  };
  if (w.kind == Kind::kIdle) {
    // One persistent query with nothing to read: what it holds once its group has formed.
    const double c0 = ProcessCpuSeconds();
    engine.Start();
    std::this_thread::sleep_for(std::chrono::seconds(8));
    m.cpu_s = ProcessCpuSeconds() - c0;
    m.wall_s = 8;
    m.peak_rss_mb = StatusMiB("VmHWM");
    m.complete = true;
    engine.Stop();
    return m;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  engine.Start();
  std::pair<uint64_t, uint64_t> first{0, 0};
  const uint64_t warmup = std::max<uint64_t>(1, WarmupEvents(o, expected));
  while (first.first < warmup && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    first = counters();
  }
  const CpuSnapshot cpu0 = TakeCpuSnapshot();
  const double c0 = ProcessCpuSeconds();
  const double self0 = ThreadCpuSeconds();
  const uint64_t a0 = HeapAllocations();
  const auto t0 = Clock::now();
  std::pair<uint64_t, uint64_t> now = first;
  while (now.first < expected && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    now = counters();
  }
  m.wall_s = Seconds(Clock::now() - t0);
  m.cpu_s = (ProcessCpuSeconds() - c0) - (ThreadCpuSeconds() - self0);
  PrintCpuBreakdown(w.name, cpu0);
  m.allocations = HeapAllocations() - a0;
  m.peak_rss_mb = StatusMiB("VmHWM");
  m.events = now.first;
  m.outputs = now.second;
  m.window_events = now.first - first.first;
  m.window_outputs = now.second - first.second;
  m.complete = m.events == expected;
  MeasureLatency(o, w, m);
  engine.Stop();
  return m;
}

int RoleRun(const Options& o) {
  const Workload* w = FindWorkload(o.workload);
  if (!w) Die("unknown workload " + o.workload);
  uint64_t expected = 0;
  {
    RdKafkaPtr rk = NewRawConsumer(o.bootstrap);
    std::vector<const char*> inputs = w->inputs;
    if (inputs.empty()) inputs.push_back(kInputTopic);
    for (const char* topic : inputs) {
      Watermarks in = QueryWatermarks(rk.get(), topic, o.partitions);
      if (in.low_sum != 0) {
        Die("the broker dropped " + std::to_string(in.low_sum) + " records of " + topic +
            " (over ~5 MiB per partition): use more --partitions or fewer --events");
      }
      expected += static_cast<uint64_t>(in.high_sum);
    }
  }
  Measured m = (w->kind == Kind::kConsume || w->kind == Kind::kConsumeProduce)
                   ? RunBaseline(o, *w, expected)
                   : RunQuery(o, *w, expected);
  std::printf("%s\n", ToJson(m).dump().c_str());
  std::fflush(stdout);
  return 0;
}

// ------------------------------------ orchestrator --------------------------------------------

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) Die("cannot read /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

std::string DevbrokerPath() {
  if (const char* env = std::getenv("BROOK_DEVBROKER")) return env;
  std::string self = SelfExe();
  std::string dir = self.substr(0, self.rfind('/'));
  return dir + "/../runtime/kafka/brook-devbroker";
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // its stdout
};

// fork + exec with stdout on a pipe; stdin is /dev/null; the child gets SIGTERM if we die.
Child Spawn(std::vector<std::string> args) {
  int fds[2];
  if (pipe(fds) != 0) Die("pipe");
  std::vector<char*> argv = Argv(args);
  pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "brook-bench: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

// Reads one line from `fd` within `timeout`.
std::optional<std::string> ReadLine(int fd, std::chrono::seconds timeout) {
  std::string line;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (poll(&p, 1, std::max(ms, 1)) <= 0) continue;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
  }
  return std::nullopt;
}

// Runs this binary with `args`, returns the JSON line it printed.
json RunSelf(std::vector<std::string> args, int timeout_s) {
  args.insert(args.begin(), SelfExe());
  Child c = Spawn(args);
  std::optional<std::string> line = ReadLine(c.out_fd, std::chrono::seconds(timeout_s));
  close(c.out_fd);
  if (!line) kill(c.pid, SIGTERM);
  int status = 0;
  waitpid(c.pid, &status, 0);
  if (!line || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die("child " + args[1] + " " + args[2] + " failed (status " + std::to_string(status) + ")");
  }
  return json::parse(*line);
}

struct Row {
  std::string workload;
  json child;
  std::string baseline;
  std::optional<double> ratio;
  double per_cpu() const {
    const double cpu = child["cpu_s"].get<double>();
    return cpu > 0 ? child["window_events"].get<uint64_t>() / cpu : 0;
  }
  double per_wall() const {
    const double wall = child["wall_s"].get<double>();
    return wall > 0 ? child["window_events"].get<uint64_t>() / wall : 0;
  }
  std::optional<double> allocs_per(const char* what) const {
    const uint64_t n = child[what].get<uint64_t>();
    if (n == 0) return std::nullopt;
    return static_cast<double>(child["allocations"].get<uint64_t>()) / n;
  }
};

// Median of `v` (the lower middle for an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

// One workload over all passes: `passes[k]` is pass k's row (its ratio against the baseline of
// the same pass, so machine drift between passes cancels out of the ratio).
struct Summary {
  std::string workload;
  std::string baseline;
  std::vector<Row> passes;

  // The pass whose events per CPU-second is the median: events, CPU, RSS and latency come from
  // it, so one row of the table is one real run.
  const Row& median_pass() const {
    std::vector<size_t> order(passes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return passes[a].per_cpu() < passes[b].per_cpu(); });
    return passes[order[(order.size() - 1) / 2]];
  }
  std::vector<double> ratios() const {
    std::vector<double> out;
    for (const Row& r : passes) {
      if (r.ratio) out.push_back(*r.ratio);
    }
    return out;
  }
  std::vector<double> per_cpu() const {
    std::vector<double> out;
    for (const Row& r : passes) out.push_back(r.per_cpu());
    return out;
  }
};

json RowJson(const Summary& s) {
  auto opt = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
  const Row& r = s.median_pass();
  const json& c = r.child;
  const std::vector<double> ratios = s.ratios();
  const std::vector<double> cpu = s.per_cpu();
  bool complete = true;
  for (const Row& p : s.passes) complete = complete && p.child["complete"].get<bool>();
  json j = {{"workload", s.workload},
            {"runs", s.passes.size()},
            {"events", c["events"]},
            {"outputs", c["outputs"]},
            {"wall_s", c["wall_s"]},
            {"engine_cpu_s", c["cpu_s"]},
            {"events_per_s", r.per_wall()},
            {"events_per_cpu_s", r.per_cpu()},
            {"events_per_cpu_s_min", *std::min_element(cpu.begin(), cpu.end())},
            {"events_per_cpu_s_max", *std::max_element(cpu.begin(), cpu.end())},
            {"baseline", s.baseline.empty() ? json(nullptr) : json(s.baseline)},
            {"ratio", opt(Median(ratios))},
            {"ratio_min", ratios.empty() ? json(nullptr)
                                         : json(*std::min_element(ratios.begin(), ratios.end()))},
            {"ratio_max", ratios.empty() ? json(nullptr)
                                         : json(*std::max_element(ratios.begin(), ratios.end()))},
            {"p50_us", c["p50_us"]},
            {"p99_us", c["p99_us"]},
            {"peak_rss_mb", c["peak_rss_mb"]},
            {"allocs_per_event", opt(r.allocs_per("window_events"))},
            {"allocs_per_output", opt(r.allocs_per("window_outputs"))},
            {"latency_samples", c["latency_samples"]},
            {"complete", complete}};
  return j;
}

void PrintTable(FILE* f, const std::vector<Summary>& rows) {
  std::fprintf(f, "\n%-25s %8s %8s %10s %12s %6s %11s %8s %8s %7s %7s %7s\n", "workload", "events",
               "outputs", "events/s", "events/CPU-s", "ratio", "ratio range", "p50 us", "p99 us",
               "RSS MB", "alloc/e", "alloc/o");
  auto num = [](const json& v, const char* fmt) {
    char buf[32];
    if (v.is_null()) return std::string("-");
    std::snprintf(buf, sizeof buf, fmt, v.get<double>());
    return std::string(buf);
  };
  for (const Summary& r : rows) {
    json j = RowJson(r);
    const bool idle = r.workload == "idle_query";
    const std::string range = j["ratio_min"].is_null()
                                  ? std::string("-")
                                  : num(j["ratio_min"], "%.2f") + "-" + num(j["ratio_max"], "%.2f");
    std::fprintf(f, "%-25s %8llu %8llu %10s %12s %6s %11s %8s %8s %7.1f %7s %7s%s\n",
                 r.workload.c_str(), static_cast<unsigned long long>(j["events"].get<uint64_t>()),
                 static_cast<unsigned long long>(j["outputs"].get<uint64_t>()),
                 idle ? "-" : num(j["events_per_s"], "%.0f").c_str(),
                 idle ? "-" : num(j["events_per_cpu_s"], "%.0f").c_str(),
                 num(j["ratio"], "%.2f").c_str(), range.c_str(), num(j["p50_us"], "%.0f").c_str(),
                 num(j["p99_us"], "%.0f").c_str(), j["peak_rss_mb"].get<double>(),
                 idle ? "-" : num(j["allocs_per_event"], "%.3f").c_str(),
                 idle ? "-" : num(j["allocs_per_output"], "%.3f").c_str(),
                 j["complete"].get<bool>() ? "" : "  INCOMPLETE (consumed != produced)");
    if (idle) {
      std::fprintf(f, "%-25s (idle for %.0f s: engine CPU %.3f s)\n", "", j["wall_s"].get<double>(),
                   j["engine_cpu_s"].get<double>());
    }
  }
}

int RoleOrchestrate(const Options& o) {
  const double per_partition =
      (o.events + 2.0 * o.runs * o.latency_events) * kStoredBytesPerEvent / o.partitions;
  if (per_partition > 0.9 * kMockBytesPerPartition) {
    Die("about " + std::to_string(static_cast<int>(per_partition / 1024)) +
        " KiB per partition would exceed the mock broker's ~5 MiB: raise --partitions");
  }
  // The broker, with every topic the run uses.
  const std::string p = std::to_string(o.partitions);
  std::vector<std::string> broker_args = {DevbrokerPath(),
                                          "--partitions",
                                          p,
                                          kInputTopic,
                                          kKeyedBidsTopic,
                                          kAuctionsTopic,
                                          kBaselineOutTopic,
                                          "OUT_FILTER",
                                          "OUT_PROJECTION",
                                          std::string(kIdleTopic) + ":1",
                                          "IDLE_OUT:1"};
  // Stateful workloads: their sinks, repartition topics and changelogs, for every pass (each
  // pass has its own service id, so its own internal topics).
  for (const Workload& w : kWorkloads) {
    if (!w.query_id) continue;
    broker_args.push_back(w.out_topic);
    for (int run = 0; run < o.runs; ++run) {
      const std::string service = ServiceId(w, run);
      broker_args.push_back(RepartitionTopicName(service, w.query_id, "Aggregate"));
      for (const char* store : w.stores) {
        broker_args.push_back(state::ChangelogTopicName(service, w.query_id, store));
      }
    }
  }
  Child broker = Spawn(broker_args);
  std::optional<std::string> line = ReadLine(broker.out_fd, std::chrono::seconds(30));
  if (!line || line->rfind("BOOTSTRAP=", 0) != 0) Die("brook-devbroker did not start");
  const std::string bootstrap = line->substr(std::strlen("BOOTSTRAP="));
  const std::vector<std::string> common = {"--bootstrap",      bootstrap,
                                           "--partitions",     p,
                                           "--max-batch",      std::to_string(o.max_batch),
                                           "--timeout",        std::to_string(o.timeout_s),
                                           "--latency-events", std::to_string(o.latency_events),
                                           "--latency-rate",   std::to_string(o.latency_rate),
                                           "--warmup-percent", std::to_string(o.warmup_percent)};
  const int child_timeout = 2 * o.timeout_s + 60;

  std::vector<std::string> args = {"--role", "produce", "--events", std::to_string(o.events)};
  args.insert(args.end(), common.begin(), common.end());
  std::fprintf(stderr, "producing %llu events to %s (%d partitions)...\n",
               static_cast<unsigned long long>(o.events), kInputTopic, o.partitions);
  json produced = RunSelf(args, child_timeout);
  std::fprintf(stderr, "generator: %.2f s wall, %.2f s CPU (not counted), %lld dropped\n",
               produced["wall_s"].get<double>(), produced["cpu_s"].get<double>(),
               static_cast<long long>(produced["dropped"].get<int64_t>()));

  // Every pass runs every workload, each baseline right before the workloads compared with it;
  // a workload's ratio is taken against its baseline of the same pass.
  std::vector<Summary> rows;
  std::vector<const Workload*> chosen;
  for (const Workload& w : kWorkloads) {
    bool wanted = o.only.empty() || o.only.count(w.name) > 0;
    for (const Workload& other : kWorkloads) {
      wanted = wanted || (o.only.count(other.name) && other.baseline &&
                          std::string(other.baseline) == w.name);
    }
    if (!wanted) continue;
    chosen.push_back(&w);
    rows.push_back({w.name, w.baseline ? w.baseline : "", {}});
  }
  for (int pass = 0; pass < o.runs; ++pass) {
    for (size_t i = 0; i < rows.size(); ++i) {
      const Workload& w = *chosen[i];
      std::fprintf(stderr, "pass %d/%d: running %s...\n", pass + 1, o.runs, w.name);
      args = {"--role", "run", "--workload", w.name, "--run", std::to_string(pass)};
      args.insert(args.end(), common.begin(), common.end());
      Row r{w.name, RunSelf(args, child_timeout), w.baseline ? w.baseline : ""};
      if (w.baseline) {
        for (const Summary& b : rows) {
          if (b.workload == w.baseline && b.passes.size() > static_cast<size_t>(pass) &&
              b.passes[pass].per_cpu() > 0) {
            r.ratio = r.per_cpu() / b.passes[pass].per_cpu();
          }
        }
      }
      rows[i].passes.push_back(std::move(r));
    }
  }
  kill(broker.pid, SIGTERM);
  close(broker.out_fd);
  waitpid(broker.pid, nullptr, 0);

  // With --json, stdout carries only the JSON lines and the table goes to stderr.
  if (o.json) {
    for (const Summary& r : rows) std::printf("%s\n", RowJson(r).dump().c_str());
  }
  PrintTable(o.json ? stderr : stdout, rows);
  return 0;
}

void Usage() {
  std::fprintf(stderr,
               "usage: brook-bench [--events N] [--partitions P] [--latency-events L] "
               "[--latency-rate R] [--max-batch B] [--timeout S] [--runs K] [--only W,...] "
               "[--json]\n");
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    auto number = [&]() -> uint64_t {
      const char* v = argv[++i];
      char* end = nullptr;
      unsigned long long n = std::strtoull(v, &end, 10);
      if (*v == '\0' || *end != '\0') {
        Usage();
        std::exit(2);
      }
      return n;
    };
    if (a == "--json") {
      o.json = true;
    } else if (a == "--events" && has_value) {
      o.events = number();
    } else if (a == "--partitions" && has_value) {
      o.partitions = static_cast<int>(number());
    } else if (a == "--latency-events" && has_value) {
      o.latency_events = number();
    } else if (a == "--latency-rate" && has_value) {
      o.latency_rate = number();
    } else if (a == "--max-batch" && has_value) {
      o.max_batch = number();
    } else if (a == "--timeout" && has_value) {
      o.timeout_s = static_cast<int>(number());
    } else if (a == "--warmup-percent" && has_value) {
      o.warmup_percent = static_cast<int>(std::min<uint64_t>(number(), 90));
    } else if (a == "--runs" && has_value) {
      o.runs = static_cast<int>(std::min<uint64_t>(number(), 50));
    } else if (a == "--run" && has_value) {  // internal: the children
      o.run = static_cast<int>(number());
    } else if (a == "--role" && has_value) {  // internal: the children
      o.role = argv[++i];
    } else if (a == "--workload" && has_value) {
      o.workload = argv[++i];
    } else if (a == "--only" && has_value) {
      std::string list = argv[++i];
      for (size_t at = 0; at <= list.size();) {
        size_t comma = std::min(list.find(',', at), list.size());
        if (comma > at) o.only.insert(list.substr(at, comma - at));
        at = comma + 1;
      }
    } else if (a == "--bootstrap" && has_value) {
      o.bootstrap = argv[++i];
    } else {
      Usage();
      return 2;
    }
  }
  if (o.partitions <= 0 || o.events == 0 || o.max_batch == 0 || o.runs <= 0) {
    Usage();
    return 2;
  }
  if (o.role == "produce") return RoleProduce(o);
  if (o.role == "run") return RoleRun(o);
  return RoleOrchestrate(o);
}

}  // namespace
}  // namespace brook::bench

int main(int argc, char** argv) { return brook::bench::Main(argc, argv); }
