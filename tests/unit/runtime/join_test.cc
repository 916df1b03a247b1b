// Joins end to end on the in-memory broker with several partitions: a side joined on a value
// column is repartitioned so every key meets in one task; a stream-stream join's buffered
// records survive a restart and the loss of the state directory (rebuilt from the changelogs),
// so an unmatched record still comes out exactly once when its window closes; a foreign-key
// join's right side fans out across partitions.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/unit/runtime/engine_fixture.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

class JoinTest : public testing::EngineFixture {
 protected:
  // Every record of `topic` as (key, value JSON or null), in no particular order across
  // partitions.
  std::multimap<std::string, nlohmann::json> All(const std::string& topic) {
    std::multimap<std::string, nlohmann::json> out;
    for (const auto& r : broker_.ReadAll(topic)) {
      out.emplace(r.key ? *r.key : "",
                  r.value ? nlohmann::json::parse(*r.value) : nlohmann::json());
    }
    return out;
  }
  size_t ProduceSkewedPairs();
};

// Orders keyed by order id, 4 partitions; customers keyed by id, 4 partitions. The orders are
// joined on their customer column: they go through the join's repartition topic, keyed by the
// customer, and every order meets its customer.
TEST_F(JoinTest, AStreamJoinedOnAValueColumnIsRepartitionedToItsTableSide) {
  CreateTopic("orders", 4);
  CreateTopic("customers", 4);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM orders (oid STRING KEY, cust STRING, amount INT) "
      "WITH (kafka_topic='orders', value_format='JSON');"
      "CREATE TABLE customers (cid STRING PRIMARY KEY, name STRING) "
      "WITH (kafka_topic='customers', key_format='KAFKA', value_format='JSON');"
      "CREATE STREAM enriched AS SELECT c.cid, o.oid, o.amount, c.name "
      "FROM orders o JOIN customers c ON o.cust = c.cid;");
  for (int c = 0; c < 20; ++c) {
    Produce("customers", "c" + std::to_string(c), R"({"name":"n)" + std::to_string(c) + R"("})", 0);
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::mt19937 rng(3);
  std::map<std::string, std::string> want;  // order -> customer name
  for (int i = 0; i < 200; ++i) {
    int c = static_cast<int>(rng() % 25);  // 20..24 have no customer: inner join drops them
    std::string oid = "o" + std::to_string(i);
    Produce("orders", oid,
            R"({"cust":"c)" + std::to_string(c) + R"(","amount":)" + std::to_string(i) + "}",
            10 + i);
    if (c < 20) want[oid] = "n" + std::to_string(c);
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::map<std::string, std::string> got;
  for (const auto& [key, value] : All("ENRICHED")) {
    got[value["OID"].get<std::string>()] = value["NAME"].get<std::string>();
    EXPECT_EQ(value["NAME"], "n" + key.substr(1)) << "the result is keyed by the customer";
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(
      broker_.ReadAll("_confluent-ksql-default_query_CSAS_ENRICHED_0-Join-left-repartition").size(),
      200u);
}

TEST_F(JoinTest, BufferedStreamRecordsSurviveARestartAndALostStateDirectory) {
  CreateTopic("f", 2);
  CreateTopic("l", 2);
  const std::string ddl =
      "CREATE STREAM f (id STRING KEY, x INT) WITH (kafka_topic='f', value_format='JSON');"
      "CREATE STREAM l (id STRING KEY, y INT) WITH (kafka_topic='l', value_format='JSON');"
      "CREATE STREAM o AS SELECT f.id, x, y FROM f LEFT JOIN l "
      "WITHIN (0 MILLISECONDS, 100 MILLISECONDS) GRACE PERIOD 10 MILLISECONDS "
      "ON f.id = l.id;";
  // Features 0..9 at times 0..9; labels for the even ones at +50.
  for (int i = 0; i < 10; ++i) {
    Produce("f", "k" + std::to_string(i), R"({"x":)" + std::to_string(i) + "}", i);
  }
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
  }
  EXPECT_TRUE(All("O").empty()) << "nothing may come out before a label or a closed window";
  for (int i = 0; i < 10; i += 2) {
    Produce("l", "k" + std::to_string(i), R"({"y":)" + std::to_string(100 + i) + "}", 50 + i);
  }
  {
    auto engine = NewEngine();  // same state directory: resumes with the buffered features
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
  }
  EXPECT_EQ(All("O").size(), 5u);
  // The directory is lost: the buffered features come back from the changelog, and a late tick
  // in each partition closes every window.
  fs::remove_all(state_dir_);
  for (const char* tick : {"t0", "t1", "t2", "t3", "t4", "t5"})
    Produce("l", tick, R"({"y":0})", 1000);
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
  }
  std::map<std::string, std::vector<nlohmann::json>> got;
  for (const auto& [key, value] : All("O")) got[key].push_back(value["Y"]);
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    const std::string key = "k" + std::to_string(i);
    ASSERT_EQ(got[key].size(), 1u) << key << ": exactly once";
    if (i % 2 == 0) {
      EXPECT_EQ(got[key][0], 100 + i) << key;
    } else {
      EXPECT_TRUE(got[key][0].is_null()) << key;
    }
  }
}

// Customers in 3 partitions, accounts (keyed by account, with a customer column) in 2: a
// foreign-key join needs no co-partitioning. Renaming a customer updates every account row.
TEST_F(JoinTest, AForeignKeyJoinFansRightChangesOutAcrossPartitions) {
  CreateTopic("accounts", 2);
  CreateTopic("people", 3);
  auto engine = NewEngine(1);
  Run(*engine,
      "CREATE TABLE accounts (aid STRING PRIMARY KEY, pid STRING) "
      "WITH (kafka_topic='accounts', value_format='JSON');"
      "CREATE TABLE people (pid STRING PRIMARY KEY, name STRING) "
      "WITH (kafka_topic='people', value_format='JSON');"
      "CREATE TABLE named AS SELECT aid, name FROM accounts JOIN people ON accounts.pid = "
      "people.pid;");
  for (int a = 0; a < 12; ++a) {
    Produce("accounts", "a" + std::to_string(a), R"({"pid":"p)" + std::to_string(a % 3) + R"("})",
            a);
  }
  for (int p = 0; p < 3; ++p) {
    Produce("people", "p" + std::to_string(p), R"({"name":"old)" + std::to_string(p) + R"("})", 20);
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  Produce("people", "p1", R"({"name":"new1"})", 30);
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::map<std::string, nlohmann::json> latest;
  for (const auto& r : broker_.ReadAll("NAMED")) {
    latest[*r.key] = r.value ? nlohmann::json::parse(*r.value)["NAME"] : nlohmann::json();
  }
  ASSERT_EQ(latest.size(), 12u);
  for (int a = 0; a < 12; ++a) {
    const std::string want = a % 3 == 1 ? "new1" : "old" + std::to_string(a % 3);
    EXPECT_EQ(latest["a" + std::to_string(a)], want) << a;
  }
}

// A threaded engine (as brookd): join tasks order their inputs and buffer decoded rows, which no
// longer carry their records. Both inputs are written before the engine starts, the right one
// first; the left rows are later in time. The aggregation over the join must still take a row
// that changes group out of its old group (it identifies joined rows by the join key).
TEST_F(JoinTest, AThreadedJoinOrdersItsInputsAndItsAggregationUndoesMovedRows) {
  CreateTopic("ga", 1);
  CreateTopic("gb", 1);
  Produce("gb", std::string("\0\0\0\x01", 4), R"({"W":5})", 10);
  Produce("gb", std::string("\0\0\0\x02", 4), R"({"W":7})", 11);
  Produce("ga", std::string("\0\0\0\x01", 4), R"({"G":"x"})", 20);
  Produce("ga", std::string("\0\0\0\x02", 4), R"({"G":"x"})", 21);
  Produce("ga", std::string("\0\0\0\x01", 4), R"({"G":"y"})", 22);
  auto engine = NewEngine(1000, /*threaded=*/true);
  Run(*engine,
      "CREATE TABLE a (id INT PRIMARY KEY, g STRING) WITH (kafka_topic='ga', value_format='JSON');"
      "CREATE TABLE b (id INT PRIMARY KEY, w INT) WITH (kafka_topic='gb', value_format='JSON');"
      "SET 'ksql.streams.cache.max.bytes.buffering'='0';"
      "CREATE TABLE o AS SELECT g, SUM(w) AS total FROM a JOIN b ON a.id = b.id GROUP BY g;");
  engine->Start();
  std::map<std::string, nlohmann::json> latest;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    latest.clear();
    for (const auto& r : broker_.ReadAll("O")) {
      latest[*r.key] = r.value ? nlohmann::json::parse(*r.value)["TOTAL"] : nlohmann::json();
    }
    if (latest["x"] == 7 && latest["y"] == 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  engine->Stop();
  EXPECT_EQ(latest["x"], 7);
  EXPECT_EQ(latest["y"], 5);
}

// A stream-stream join on a value column (both sides repartitioned) read by two stream threads,
// one far behind the other: the thread owning partition 0 of both sides (sparse: three days in
// one poll) writes its rows to the repartition topics long before the other thread has read
// the first hours of its dense partition 1. The join tasks read both threads' rows; the slow
// writers' progress records keep what they buffer and match from being cut by the fast
// writers' times, so every pair within the window is found. Deterministic: the driver polls
// the two threads in turn, 100 records at a time.
// Produces the skewed pair of streams the tests below read: partition 0 of "a" and "b" hourly
// for three days, partition 1 every minute; b's record 20 s after a's, with the same item and
// kind. Returns the number of (a, b) pairs of one item within 30 seconds.
// The two streams ProduceSkewedPairs writes.
constexpr const char* kSkewedStreams =
    "CREATE STREAM a (id STRING KEY, item STRING, kind STRING) WITH (kafka_topic='a', "
    "value_format='JSON');"
    "CREATE STREAM b (id STRING KEY, item STRING, kind STRING) WITH (kafka_topic='b', "
    "value_format='JSON');";

size_t JoinTest::ProduceSkewedPairs() {
  CreateTopic("a", 2);
  CreateTopic("b", 2);
  constexpr int64_t kDay = 86'400'000;
  const int64_t start = 1'700'006'400'000;
  struct Rec {
    int64_t ts;
    std::string item;
  };
  std::vector<Rec> as, bs;
  for (int p = 0; p < 2; ++p) {
    const int64_t step = p == 0 ? 3'600'000 : 60'000;  // hourly in 0, every minute in 1
    int i = 0;
    for (int64_t ts = start; ts < start + 3 * kDay; ts += step, ++i) {
      const std::string item = "i" + std::to_string(i % 7);
      const std::string key = std::to_string(p * 1'000'000 + i);
      const std::string value =
          R"({"item":")" + item + R"(","kind":"k)" + std::to_string(i % 3) + R"("})";
      EXPECT_TRUE(broker_.Produce({"a", p, ts, key, value, {}}).ok());
      EXPECT_TRUE(broker_.Produce({"b", p, ts + 20'000, key, value, {}}).ok());
      as.push_back({ts, item});
      bs.push_back({ts + 20'000, item});
    }
  }
  // A direct computation: pairs of the same item within 30 seconds.
  size_t expected = 0;
  for (const Rec& x : as) {
    for (const Rec& y : bs) {
      if (x.item == y.item && y.ts >= x.ts - 30'000 && y.ts <= x.ts + 30'000) ++expected;
    }
  }
  return expected;
}

TEST_F(JoinTest, AJoinAcrossStreamThreadsWaitsForTheSlowestWriter) {
  const size_t expected = ProduceSkewedPairs();
  auto engine = NewEngine(100, /*threaded=*/false, {{"ksql.streams.num.stream.threads", "2"}});
  Run(*engine, std::string(kSkewedStreams) +
                   "CREATE STREAM pairs AS SELECT a.item AS item, a.id AS aid, b.id AS bid FROM a "
                   "JOIN b WITHIN 30 SECONDS GRACE PERIOD 1 HOUR ON a.item = b.item;");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_GT(expected, 4000u);
  EXPECT_EQ(broker_.ReadAll("PAIRS").size(), expected);
}

// The join's results grouped by another column, per day: the aggregation reads the GROUP BY
// repartition topic the join tasks of both threads write, and their progress (bounded by what
// the join itself still waits for) keeps it from dropping the slow thread's pairs as late.
TEST_F(JoinTest, AGroupByAfterAJoinAcrossStreamThreadsCountsEveryPair) {
  const size_t expected = ProduceSkewedPairs();
  auto engine = NewEngine(100, /*threaded=*/false, {{"ksql.streams.num.stream.threads", "2"}});
  Run(*engine, std::string(kSkewedStreams) +
                   "CREATE TABLE per_day AS SELECT a.kind AS kind, COUNT(*) AS n FROM a "
                   "JOIN b WITHIN 30 SECONDS GRACE PERIOD 1 HOUR ON a.item = b.item "
                   "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 1 HOUR) GROUP BY a.kind;");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::map<std::string, int> latest;  // windowed key -> count
  for (const auto& r : broker_.ReadAll("PER_DAY")) {
    if (r.key && r.value) latest[*r.key] = nlohmann::json::parse(*r.value)["N"].get<int>();
  }
  size_t sum = 0;
  for (const auto& [k, n] : latest) sum += static_cast<size_t>(n);
  EXPECT_EQ(sum, expected);
  auto d = engine->ExecuteScript("DESCRIBE per_day EXTENDED;", session_);
  ASSERT_TRUE(d.ok());
  const auto* desc = std::get_if<SourceDescription>(&*d->back().result);
  ASSERT_NE(desc, nullptr);
  EXPECT_EQ(desc->source.error_stats.find("late-records-dropped"), std::string::npos)
      << desc->source.error_stats;
}

}  // namespace
}  // namespace brook
