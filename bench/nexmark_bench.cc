// brook-bench: Nexmark-style bid events through a filter and a projection, measured against
// raw consumption of the same topic in the same run.
//
//   brook-bench [--events N] [--skip-embedded]
//
// For each broker (in-memory, embedded librdkafka mock cluster) it runs:
//   baseline   - raw consumption of the topic, no decoding (the floor to compare against)
//   filter     - CREATE STREAM ... AS SELECT * FROM bids WHERE auction % 123 = 0
//   projection - CREATE STREAM ... AS SELECT auction, bidder, price * 0.9 AS price_eur,
//                date_time FROM bids
// and prints events/s, events per CPU-second (process CPU time, all threads) and the ratio to
// the baseline's events per CPU-second. On the embedded broker, records are produced while the
// query consumes (the mock keeps only ~5 MiB per partition) and consumed == produced is checked.
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/embedded_broker.h"
#include "runtime/kafka/in_memory_broker.h"
#include "runtime/kafka/librdkafka_client.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ~180-byte bid events, deterministic.
std::vector<std::string> MakeBids(size_t n) {
  std::mt19937_64 rng(42);
  static const char* kChannels[] = {"Google", "Facebook", "Baidu", "Apple"};
  std::vector<std::string> out;
  out.reserve(n);
  char buf[512];
  for (size_t i = 0; i < n; ++i) {
    uint64_t auction = 1000 + rng() % 100000;
    uint64_t bidder = 2000 + rng() % 1000000;
    uint64_t price = 100 + rng() % 1000000;
    int ch = static_cast<int>(rng() % 4);
    int len = std::snprintf(
        buf, sizeof buf,
        "{\"auction\":%llu,\"bidder\":%llu,\"price\":%llu,\"channel\":\"%s\","
        "\"url\":\"https://www.nexmark.com/item.htm?query=1&channel_id=%llu\","
        "\"date_time\":%llu,\"extra\":\"%08llx\"}",
        static_cast<unsigned long long>(auction), static_cast<unsigned long long>(bidder),
        static_cast<unsigned long long>(price), kChannels[ch],
        static_cast<unsigned long long>(rng() % 100000),
        static_cast<unsigned long long>(1700000000000ULL + i),
        static_cast<unsigned long long>(rng() & 0xffffffff));
    out.emplace_back(buf, len);
  }
  return out;
}

constexpr const char* kCreateBids =
    "CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
    "url STRING, date_time BIGINT, extra STRING) WITH (kafka_topic='bids', value_format='JSON');";
constexpr const char* kFilter =
    "CREATE STREAM out_filter AS SELECT * FROM bids WHERE auction % 123 = 0;";
constexpr const char* kProjection =
    "CREATE STREAM out_projection AS SELECT auction, bidder, price * 0.9 AS price_eur, "
    "date_time FROM bids;";

struct Measurement {
  std::string broker, workload;
  uint64_t events = 0;
  uint64_t outputs = 0;
  double wall_s = 0, cpu_s = 0;
  bool complete = true;
  double per_cpu() const { return cpu_s > 0 ? events / cpu_s : 0; }
  double per_wall() const { return wall_s > 0 ? events / wall_s : 0; }
};

// ------------------------------- in-memory broker -------------------------------------------

Measurement InMemoryBaseline(kafka::InMemoryBroker& broker, uint64_t n) {
  Measurement m{"in-memory", "baseline (raw consume)"};
  auto consumer = broker.NewConsumer({"raw", {"bids"}, true, {}});
  std::vector<kafka::RecordView> batch;
  uint64_t bytes = 0;
  double c0 = CpuSeconds();
  auto t0 = Clock::now();
  while (m.events < n) {
    if (!(*consumer)->Poll(1000, kafka::Millis(0), batch).ok() || batch.empty()) break;
    for (const auto& r : batch) bytes += r.value ? r.value->size() : 0;
    m.events += batch.size();
  }
  m.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  m.cpu_s = CpuSeconds() - c0;
  m.outputs = bytes > 0 ? m.events : 0;
  return m;
}

Measurement InMemoryQuery(kafka::InMemoryBroker& broker, const FunctionRegistry& fns,
                          const char* sql, const char* name, const char* out_topic, uint64_t n) {
  Measurement m{"in-memory", name};
  EngineOptions opts;
  opts.max_batch = 5000;
  Engine engine(broker, fns, opts);
  SessionState session;
  auto r = engine.ExecuteScript(std::string(kCreateBids) + sql, session);
  if (!r.ok()) {
    std::fprintf(stderr, "bench: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  double c0 = CpuSeconds();
  auto t0 = Clock::now();
  Status st = engine.RunUntilIdle();
  m.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  m.cpu_s = CpuSeconds() - c0;
  if (!st.ok()) std::fprintf(stderr, "bench: %s\n", st.ToString().c_str());
  for (const auto& q : engine.Queries()) {
    m.events = q.records_in;
    m.outputs = q.records_out;
  }
  m.complete = m.events == n;
  (void)out_topic;
  return m;
}

// ------------------------------- embedded broker --------------------------------------------

// Produces `bids` while `consumed()` keeps up (the mock retains ~5 MiB per partition, so the
// producer never runs more than `max_ahead` records ahead of the consumer).
void ProduceWhileConsuming(kafka::Producer& producer, const std::vector<std::string>& bids,
                           const std::function<uint64_t()>& consumed, uint64_t base) {
  const uint64_t max_ahead = 15000;
  for (size_t i = 0; i < bids.size(); ++i) {
    while (i - (consumed() - base) > max_ahead && i > consumed() - base) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    kafka::OutRecord rec;
    rec.topic = "bids";
    rec.partition = 0;
    rec.timestamp = 1700000000000LL + static_cast<int64_t>(i);
    rec.value = bids[i];
    while (!producer.Send(rec).ok()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Status st = producer.Flush(kafka::Millis(30000));
  st.PermitUnchecked();
}

Measurement EmbeddedBaseline(kafka::LibrdkafkaClientFactory& factory,
                             const std::vector<std::string>& bids) {
  Measurement m{"embedded", "baseline (raw consume)"};
  auto consumer = factory.NewConsumer({"raw-baseline", {"bids"}, false, {}});
  auto producer = factory.NewProducer();
  if (!consumer.ok() || !producer.ok()) std::exit(1);
  std::atomic<uint64_t> consumed{0};
  std::vector<kafka::RecordView> batch;
  // Warm up: wait for the group to form (first poll with data).
  kafka::OutRecord warm{"bids", 0, 0, std::nullopt, std::string("{}"), {}};
  (void)(*producer)->Send(warm);
  (void)(*producer)->Flush(kafka::Millis(10000));
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    (void)(*consumer)->Poll(1000, kafka::Millis(100), batch);
    if (!batch.empty()) break;
  }
  double c0 = CpuSeconds();
  auto t0 = Clock::now();
  std::thread prod([&] { ProduceWhileConsuming(**producer, bids, [&] { return consumed.load(); }, 0); });
  deadline = Clock::now() + std::chrono::seconds(120);
  while (consumed < bids.size() && Clock::now() < deadline) {
    if (!(*consumer)->Poll(5000, kafka::Millis(100), batch).ok()) break;
    consumed += batch.size();
  }
  prod.join();
  m.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  m.cpu_s = CpuSeconds() - c0;
  m.events = consumed;
  m.outputs = consumed;
  m.complete = consumed == bids.size();
  return m;
}

Measurement EmbeddedQuery(kafka::LibrdkafkaClientFactory& factory, const FunctionRegistry& fns,
                          const std::vector<std::string>& bids, const char* sql, const char* name,
                          const std::string& suffix) {
  Measurement m{"embedded", name};
  EngineOptions opts;
  opts.threaded = true;
  opts.max_batch = 5000;
  opts.config["ksql.streams.auto.offset.reset"] = "latest";
  opts.service_id = "bench_" + suffix + "_";
  Engine engine(factory, fns, opts);
  SessionState session;
  std::string script = std::string(kCreateBids) + sql;
  auto r = engine.ExecuteScript(script, session);
  if (!r.ok()) {
    std::fprintf(stderr, "bench: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  engine.Start();
  auto consumed = [&]() -> uint64_t {
    uint64_t n = 0;
    for (const auto& q : engine.Queries()) n = q.records_in;
    return n;
  };
  auto producer = factory.NewProducer();
  if (!producer.ok()) std::exit(1);
  // Warm up until the query's consumer group has formed and read one record.
  // One warm-up record; the consumer group needs a few seconds to form on the mock.
  kafka::OutRecord warm{"bids", 0, 0, std::nullopt, bids[0], {}};
  (void)(*producer)->Send(warm);
  (void)(*producer)->Flush(kafka::Millis(10000));
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (consumed() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  uint64_t base = consumed();
  double c0 = CpuSeconds();
  auto t0 = Clock::now();
  std::thread prod([&] { ProduceWhileConsuming(**producer, bids, consumed, base); });
  deadline = Clock::now() + std::chrono::seconds(120);
  while (consumed() - base < bids.size() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  prod.join();
  m.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  m.cpu_s = CpuSeconds() - c0;
  m.events = consumed() - base;
  for (const auto& q : engine.Queries()) m.outputs = q.records_out;
  m.complete = m.events == bids.size();
  engine.Stop();
  return m;
}

void Print(const std::vector<Measurement>& ms) {
  std::printf("\n%-10s %-24s %10s %10s %14s %16s %8s\n", "broker", "workload", "events",
              "outputs", "events/s", "events/CPU-s", "ratio");
  double baseline = 0;
  for (const auto& m : ms) {
    if (m.workload.rfind("baseline", 0) == 0) baseline = m.per_cpu();
    std::printf("%-10s %-24s %10llu %10llu %14.0f %16.0f %8.2f%s\n", m.broker.c_str(),
                m.workload.c_str(), static_cast<unsigned long long>(m.events),
                static_cast<unsigned long long>(m.outputs), m.per_wall(), m.per_cpu(),
                baseline > 0 ? m.per_cpu() / baseline : 0.0,
                m.complete ? "" : "  INCOMPLETE (consumed != produced)");
  }
}

int Main(int argc, char** argv) {
  uint64_t n = 1'000'000;
  uint64_t n_embedded = 300'000;
  bool embedded = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) n = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--embedded-events") && i + 1 < argc) n_embedded = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--skip-embedded")) embedded = false;
    else {
      std::fprintf(stderr, "usage: brook-bench [--events N] [--embedded-events N] [--skip-embedded]\n");
      return 2;
    }
  }
  FunctionRegistry fns;
  RegisterBuiltinFunctions(fns);
  std::printf("generating %llu bid events...\n", static_cast<unsigned long long>(n));
  auto bids = MakeBids(std::max(n, n_embedded));
  size_t total_bytes = 0;
  for (size_t i = 0; i < n; ++i) total_bytes += bids[i].size();
  std::printf("average event size: %.0f bytes\n", static_cast<double>(total_bytes) / n);

  std::vector<Measurement> results;
  {
    kafka::InMemoryBroker broker(1);
    for (size_t i = 0; i < n; ++i) {
      (void)broker.Produce({"bids", 0, 1700000000000LL + static_cast<int64_t>(i), std::nullopt, bids[i], {}});
    }
    results.push_back(InMemoryBaseline(broker, n));
    results.push_back(InMemoryQuery(broker, fns, kFilter, "filter", "OUT_FILTER", n));
    results.push_back(InMemoryQuery(broker, fns, kProjection, "projection", "OUT_PROJECTION", n));
  }
  Print(results);
  if (embedded) {
    auto broker = kafka::EmbeddedBroker::Start(1);
    if (!broker.ok()) {
      std::fprintf(stderr, "bench: embedded broker: %s\n", broker.status().ToString().c_str());
      return 1;
    }
    (void)(*broker)->CreateTopic("bids", 1);
    kafka::LibrdkafkaClientFactory factory((*broker)->bootstrap_servers(), {}, broker->get());
    std::vector<std::string> eb(bids.begin(), bids.begin() + n_embedded);
    std::vector<Measurement> er;
    er.push_back(EmbeddedBaseline(factory, eb));
    er.push_back(EmbeddedQuery(factory, fns, eb, kFilter, "filter", "f"));
    er.push_back(EmbeddedQuery(factory, fns, eb, kProjection, "projection", "p"));
    Print(er);
  }
  return 0;
}

}  // namespace
}  // namespace brook::bench

int main(int argc, char** argv) { return brook::bench::Main(argc, argv); }
