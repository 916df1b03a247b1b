// Aggregations end to end on the in-memory broker: groups that are not the input's key go
// through the repartition topic (each group in one task), tables undo old rows across
// partitions, and state survives a restart and the loss of its directory.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"
#include "tests/unit/runtime/engine_fixture.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

class AggregationTest : public testing::EngineFixture {
 protected:
  // The last value written for each (string) key of `topic`, as JSON (null for a tombstone).
  std::map<std::string, nlohmann::json> Latest(const std::string& topic) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& r : broker_.ReadAll(topic)) {
      out[r.key ? *r.key : ""] = r.value ? nlohmann::json::parse(*r.value) : nlohmann::json();
    }
    return out;
  }
  void CheckBackfillLosesNothing(std::map<std::string, std::string> config);

  // Visits per (page, day start), as produced.
  using VisitCounts = std::map<std::pair<std::string, int64_t>, int>;
  static constexpr int64_t kDay = 86'400'000;
  // Produces a visit of `page` at `ts` to partition `p` of "visits", counted in `expected`.
  void ProduceVisit(int p, int64_t ts, const std::string& page, VisitCounts& expected) {
    ASSERT_TRUE(
        broker_
            .Produce(
                {"visits", p, ts, "user" + std::to_string(p), R"({"page":")" + page + R"("})", {}})
            .ok());
    ++expected[{page, ts - ts % kDay}];
  }
  // The windows' latest counts (by windowed key) are the produced ones, each window once.
  static void ExpectCounts(const std::map<std::string, int>& latest, const VisitCounts& expected) {
    EXPECT_EQ(latest.size(), expected.size());
    std::multiset<int> want, got;
    for (const auto& [k, n] : expected) want.insert(n);
    for (const auto& [k, n] : latest) got.insert(n);
    EXPECT_EQ(got, want);
  }
};

// 4 partitions keyed by user; segments are a value column, so every segment's rows arrive in
// several partitions and must meet in one task.
TEST_F(AggregationTest, GroupsThatAreNotTheKeyMeetInOneTaskThroughTheRepartitionTopic) {
  CreateTopic("visits", 4);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM visits (user_id STRING KEY, segment STRING, ms INT) "
      "WITH (kafka_topic='visits', value_format='JSON');"
      "CREATE TABLE per_segment AS SELECT segment, COUNT(*) AS n, COUNT_DISTINCT(user_id) AS users,"
      " SUM(ms) AS total FROM visits GROUP BY segment;");
  std::map<std::string, int64_t> n, total;
  std::map<std::string, std::set<std::string>> users;
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    std::string user = "u" + std::to_string(rng() % 37);
    std::string segment = "s" + std::to_string(rng() % 5);
    int ms = static_cast<int>(rng() % 1000);
    Produce("visits", user, R"({"segment":")" + segment + R"(","ms":)" + std::to_string(ms) + "}",
            i);
    ++n[segment];
    total[segment] += ms;
    users[segment].insert(user);
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  auto latest = Latest("PER_SEGMENT");
  ASSERT_EQ(latest.size(), n.size());
  for (const auto& [segment, count] : n) {
    SCOPED_TRACE(segment);
    EXPECT_EQ(latest[segment]["N"], count);
    EXPECT_EQ(latest[segment]["TOTAL"], total[segment]);
    EXPECT_EQ(latest[segment]["USERS"], static_cast<int64_t>(users[segment].size()));
  }
  // The contributions went through the internal topic, one record per input record.
  EXPECT_EQ(
      broker_
          .ReadAll("_confluent-ksql-default_query_CTAS_PER_SEGMENT_0-Aggregate-GroupBy-repartition")
          .size(),
      400u);
}

// A task that restarts from older offsets writes its contributions to the repartition topic
// again (at-least-once): each carries its origin (input partition, offset, index), and the
// aggregating task counts an origin once. A record without an origin, or with a malformed one,
// is counted as it comes.
TEST_F(AggregationTest, AContributionWrittenAgainAfterARestartIsCountedOnce) {
  CreateTopic("visits", 2);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM visits (user_id STRING KEY, segment STRING) "
      "WITH (kafka_topic='visits', value_format='JSON');"
      "CREATE TABLE per_segment AS SELECT segment, COUNT(*) AS n FROM visits GROUP BY segment;");
  std::map<std::string, int64_t> n;
  for (int i = 0; i < 60; ++i) {
    std::string segment = "s" + std::to_string(i % 3);
    Produce("visits", "u" + std::to_string(i % 7), R"({"segment":")" + segment + R"("})", i);
    ++n[segment];
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  const std::string topic =
      "_confluent-ksql-default_query_CTAS_PER_SEGMENT_0-Aggregate-GroupBy-repartition";
  auto written = broker_.ReadAll(topic);
  ASSERT_EQ(written.size(), 60u);
  for (const auto& r : written) {
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].key, "__brook.origin");
  }
  // The writer "restarts": the second half of its records arrive again, in the same order,
  // into whichever partition they went to (the key decides it).
  for (size_t i = written.size() / 2; i < written.size(); ++i) {
    const auto& r = written[i];
    ASSERT_TRUE(broker_.Produce({topic, -1, r.timestamp, r.key, r.value, r.headers}).ok());
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  auto latest = Latest("PER_SEGMENT");
  for (const auto& [segment, count] : n) EXPECT_EQ(latest[segment]["N"], count) << segment;

  // Without an origin, or with one that does not parse, a record counts.
  const std::string segment = "s0";
  auto key_of = [&](const std::string& seg) {
    for (const auto& r : written) {
      if (r.value && r.value->find(seg) != std::string::npos) return r;
    }
    return written.front();
  };
  auto r0 = key_of(segment);
  ASSERT_TRUE(broker_.Produce({topic, -1, r0.timestamp, r0.key, r0.value, {}}).ok());
  for (const char* bad : {"", "1 2", "x 1 0", "0 1 0 9", "-1 5 0", "99999999999 1 0"}) {
    ASSERT_TRUE(
        broker_
            .Produce(
                {topic, -1, r0.timestamp, r0.key, r0.value, {{"__brook.origin", std::string(bad)}}})
            .ok());
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  latest = Latest("PER_SEGMENT");
  EXPECT_EQ(latest[segment]["N"], n[segment] + 7);
}

// A table's rows move between groups; their old contribution is undone in whichever task owns
// the old group.
TEST_F(AggregationTest, TableRowsMovingBetweenGroupsAreUndoneAcrossPartitions) {
  CreateTopic("accounts", 3);
  auto engine = NewEngine(/*batch=*/7);
  Run(*engine,
      "CREATE TABLE accounts (id STRING PRIMARY KEY, region STRING, balance BIGINT) "
      "WITH (kafka_topic='accounts', value_format='JSON');"
      "CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(balance) AS total "
      "FROM accounts GROUP BY region;");
  std::map<std::string, std::pair<std::string, int64_t>> current;
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::string id = "a" + std::to_string(rng() % 23);
    if (rng() % 7 == 0) {
      Produce("accounts", id, std::nullopt, i);
      current.erase(id);
      continue;
    }
    std::string region = "r" + std::to_string(rng() % 4);
    int64_t balance = static_cast<int64_t>(rng() % 500);
    Produce("accounts", id,
            R"({"region":")" + region + R"(","balance":)" + std::to_string(balance) + "}", i);
    current[id] = {region, balance};
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::map<std::string, std::pair<int64_t, int64_t>> expect;  // region -> (n, total)
  for (const auto& [id, row] : current) {
    expect[row.first].first += 1;
    expect[row.first].second += row.second;
  }
  auto latest = Latest("BY_REGION");
  for (const auto& [region, value] : latest) {
    SCOPED_TRACE(region);
    EXPECT_EQ(value["N"], expect[region].first);
    EXPECT_EQ(value["TOTAL"], expect[region].second);
  }
}

// A table record without a key cannot be upserted: it is skipped and logged, and the
// aggregation goes on.
TEST_F(AggregationTest, TableRecordsWithoutKeyAreSkippedAndLogged) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE TABLE t (id STRING PRIMARY KEY, g STRING) WITH (kafka_topic='t', "
      "value_format='JSON');"
      "CREATE TABLE o AS SELECT g, COUNT(*) AS n FROM t GROUP BY g;");
  Produce("t", "1", R"({"g":"a"})");
  Produce("t", std::nullopt, R"({"g":"a"})");
  Produce("t", "2", R"({"g":"a"})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Latest("O")["a"]["N"], 2);
  ASSERT_EQ(engine->processing_log().count(), 1u);
  EXPECT_NE(engine->processing_log().Recent()[0].message.find("without a key"), std::string::npos);
}

// Stopping and restarting on the same state directory resumes exactly; losing the directory
// rebuilds it from the changelog.
TEST_F(AggregationTest, StateSurvivesRestartsAndIsRebuiltFromTheChangelog) {
  CreateTopic("clicks", 2);
  const std::string ddl =
      "CREATE STREAM clicks (user_id STRING KEY, page STRING) "
      "WITH (kafka_topic='clicks', value_format='JSON');"
      "CREATE TABLE per_page AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page;";
  std::map<std::string, int64_t> expect;
  auto produce = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string page = "p" + std::to_string(i % 3);
      Produce("clicks", "u" + std::to_string(i % 5), R"({"page":")" + page + R"("})", i);
      ++expect[page];
    }
  };
  auto check = [&]() {
    auto latest = Latest("PER_PAGE");
    for (const auto& [page, n] : expect) EXPECT_EQ(latest[page]["N"], n) << page;
  };
  produce(0, 30);
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
    check();
  }
  // Same query id, same state directory: resumes from the committed offsets and state.
  produce(30, 50);
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
    check();
  }
  // The directory is lost: the state comes back from the changelog topics.
  fs::remove_all(state_dir_);
  produce(50, 65);
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
    check();
  }
}

// ksqlDB's record cache: with it on (the default), a commit carries only the latest result of
// each key; at 0 every update is emitted; a cache too small for one key flushes at once.
TEST_F(AggregationTest, RecordCacheCoalescesUpdatesPerKeyUntilTheCommit) {
  CreateTopic("taps", 1);
  for (int i = 0; i < 90; ++i) Produce("taps", "k" + std::to_string(i % 3), R"({"v":1})", i);
  auto outputs = [&](const std::string& sink, const std::string& cache) {
    auto engine = NewEngine(/*batch=*/1000);
    SessionState session;
    if (!cache.empty()) session.properties["ksql.streams.cache.max.bytes.buffering"] = cache;
    std::string sql =
        "CREATE STREAM IF NOT EXISTS taps (k STRING KEY, v INT) "
        "WITH (kafka_topic='taps', value_format='JSON');"
        "CREATE TABLE " +
        sink + " AS SELECT k, COUNT(*) AS n FROM taps GROUP BY k;";
    auto r = engine->ExecuteScript(sql, session);
    EXPECT_TRUE(r.ok()) << RenderDiagnostic(r.status(), sql);
    EXPECT_TRUE(engine->RunUntilIdle().ok());
    return broker_.ReadAll(sink);
  };
  auto cached = outputs("CACHED", "");
  ASSERT_EQ(cached.size(), 3u);  // one poll of 90 records, one commit: one result per key
  for (const auto& r : cached) EXPECT_EQ(nlohmann::json::parse(*r.value)["N"], 30);
  EXPECT_EQ(outputs("UNCACHED", "0").size(), 90u);
  EXPECT_EQ(outputs("TINY", "1").size(), 90u);
}

// A record whose window has closed is dropped and counted; DESCRIBE EXTENDED of the table
// shows the count.
TEST_F(AggregationTest, LateRecordsAreDroppedAndCountedInDescribeExtended) {
  CreateTopic("late", 1);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM late (k STRING KEY, v INT) WITH (kafka_topic='late', value_format='JSON');"
      "CREATE TABLE per_sec AS SELECT k, COUNT(*) AS n FROM late "
      "WINDOW TUMBLING (SIZE 1 SECOND, GRACE PERIOD 0 SECONDS) GROUP BY k;");
  Produce("late", "a", R"({"v":1})", 5000);
  Produce("late", "a", R"({"v":1})", 7000);
  Produce("late", "a", R"({"v":1})", 1000);  // window [1000, 2000) closed at stream time 7000
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(broker_.ReadAll("PER_SEC").size(), 2u);
  auto r = engine->ExecuteScript("DESCRIBE per_sec EXTENDED;", session_);
  ASSERT_TRUE(r.ok());
  const auto* d = std::get_if<SourceDescription>(&*r->back().result);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->source.error_stats.find("late-records-dropped: 1"), std::string::npos)
      << d->source.error_stats;
}

// A backfill of history produced in time order, one partition after the other (as a consumer
// hands a backlog over: one partition's fetched batch, hours of event time, before the next's):
// a threaded engine (as brookd) processes the tasks feeding the repartition topic
// earliest-head-first, so the aggregation behind it sees the records in time order and a
// one-hour grace loses nothing. Before, about three quarters of the visits were dropped as late.
// Three days of visits in 4 partitions, produced before the query starts, counted per page and
// day by a threaded engine with `config`: every count equals a direct computation and nothing is
// dropped as late.
void AggregationTest::CheckBackfillLosesNothing(std::map<std::string, std::string> config) {
  CreateTopic("visits", 4);
  constexpr int64_t kStep = 5 * 60'000;     // a visit every 5 minutes per partition, for 3 days
  const int64_t start = 1'700'006'400'000;  // 2023-11-15T00:00:00Z, a day boundary
  VisitCounts expected;
  int total = 0;
  for (int p = 0; p < 4; ++p) {
    int i = 0;
    for (int64_t ts = start + p * 1000; ts < start + 3 * kDay; ts += kStep, ++i) {
      ProduceVisit(p, ts, "page" + std::to_string((i + p) % 3), expected);
      ++total;
    }
  }
  auto engine = NewEngine(1000, /*threaded=*/true, std::move(config));
  Run(*engine,
      "CREATE STREAM visits (uid STRING KEY, page STRING) WITH (kafka_topic='visits', "
      "value_format='JSON');"
      "CREATE TABLE per_day AS SELECT page, COUNT(*) AS n FROM visits "
      "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 1 HOUR) GROUP BY page EMIT CHANGES;");
  engine->Start();
  std::map<std::string, int> latest;  // windowed key bytes -> count
  auto counted = [&] {
    latest.clear();
    for (const auto& r : broker_.ReadAll("PER_DAY")) {
      if (r.key && r.value) latest[*r.key] = nlohmann::json::parse(*r.value)["N"].get<int>();
    }
    int sum = 0;
    for (const auto& [k, n] : latest) sum += n;
    return sum;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (counted() < total && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more arrives
  const int sum = counted();
  auto d = engine->ExecuteScript("DESCRIBE per_day EXTENDED;", session_);
  engine->Stop();
  EXPECT_EQ(sum, total);
  ExpectCounts(latest, expected);  // 3 pages x 3 days, each window once
  ASSERT_TRUE(d.ok());
  const auto* desc = std::get_if<SourceDescription>(&*d->back().result);
  ASSERT_NE(desc, nullptr);
  EXPECT_EQ(desc->source.error_stats.find("late-records-dropped"), std::string::npos)
      << desc->source.error_stats;
}

TEST_F(AggregationTest, ABackfillInTimeOrderAcrossPartitionsLosesNothingAsLate) {
  CheckBackfillLosesNothing({});
}

// The same with two stream threads: each orders its own partitions, and the progress records
// of the other thread's writers hold the aggregation's stream time back.
TEST_F(AggregationTest, ABackfillOverTwoStreamThreadsLosesNothingAsLate) {
  CheckBackfillLosesNothing({{"ksql.streams.num.stream.threads", "2"}});
}

// A backfill read by two stream threads, one far behind the other: the thread owning the sparse
// partition writes three days of contributions to the repartition topic in one poll, while the
// other is still in the first hours of its dense partition. The aggregating task of each
// repartition partition reads both writers' rows; the far-behind writer's progress records keep
// its stream time from running ahead, so its rows are not dropped as late (Flink's minimum
// watermark). Deterministic: the driver polls the two threads in turn, 100 records at a time.
TEST_F(AggregationTest, ABackfillAcrossStreamThreadsWaitsForTheSlowestWriter) {
  CreateTopic("visits", 2);
  const int64_t start = 1'700'006'400'000;  // a day boundary
  VisitCounts expected;
  int total = 0;
  for (int p = 0; p < 2; ++p) {
    const int64_t step = p == 0 ? 3'600'000 : 60'000;  // hourly in 0, every minute in 1
    int i = 0;
    for (int64_t ts = start; ts < start + 3 * kDay; ts += step, ++i) {
      ProduceVisit(p, ts, "page" + std::to_string(i % 3), expected);
      ++total;
    }
  }
  auto engine = NewEngine(100, /*threaded=*/false, {{"ksql.streams.num.stream.threads", "2"}});
  Run(*engine,
      "CREATE STREAM visits (uid STRING KEY, page STRING) WITH (kafka_topic='visits', "
      "value_format='JSON');"
      "CREATE TABLE per_day AS SELECT page, COUNT(*) AS n FROM visits "
      "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 1 HOUR) GROUP BY page EMIT CHANGES;");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::map<std::string, int> latest;  // windowed key bytes -> count
  for (const auto& r : broker_.ReadAll("PER_DAY")) {
    if (r.key && r.value) latest[*r.key] = nlohmann::json::parse(*r.value)["N"].get<int>();
  }
  int sum = 0;
  for (const auto& [k, n] : latest) sum += n;
  auto d = engine->ExecuteScript("DESCRIBE per_day EXTENDED;", session_);
  ASSERT_TRUE(d.ok());
  const auto* desc = std::get_if<SourceDescription>(&*d->back().result);
  ASSERT_NE(desc, nullptr);
  EXPECT_EQ(desc->source.error_stats.find("late-records-dropped"), std::string::npos)
      << desc->source.error_stats;
  EXPECT_EQ(sum, total);
  ExpectCounts(latest, expected);
  // The watermark does advance: once both writers have read everything, a record of the first
  // day is late, as with one thread.
  Produce("visits", "user1", R"({"page":"page0"})", start + 1'800'000);
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  d = engine->ExecuteScript("DESCRIBE per_day EXTENDED;", session_);
  ASSERT_TRUE(d.ok());
  desc = std::get_if<SourceDescription>(&*d->back().result);
  ASSERT_NE(desc, nullptr);
  EXPECT_NE(desc->source.error_stats.find("late-records-dropped: 1"), std::string::npos)
      << desc->source.error_stats;
}

// The same skewed backfill with EMIT FINAL: once the slow thread's progress lets the watermark
// rise, the closed windows are emitted without waiting for a further record (Task::Punctuate),
// each once, with its exact count.
TEST_F(AggregationTest, EmitFinalAcrossStreamThreadsClosesWindowsWhenTheWatermarkRises) {
  CreateTopic("visits", 2);
  const int64_t start = 1'700'006'400'000;  // a day boundary
  VisitCounts expected;
  for (int p = 0; p < 2; ++p) {
    const int64_t step = p == 0 ? 3'600'000 : 60'000;
    int i = 0;
    for (int64_t ts = start; ts < start + 3 * kDay; ts += step, ++i) {
      ProduceVisit(p, ts, "page" + std::to_string(i % 3), expected);
    }
  }
  auto engine = NewEngine(100, /*threaded=*/false, {{"ksql.streams.num.stream.threads", "2"}});
  Run(*engine,
      "CREATE STREAM visits (uid STRING KEY, page STRING) WITH (kafka_topic='visits', "
      "value_format='JSON');"
      "CREATE TABLE per_day AS SELECT page, COUNT(*) AS n FROM visits "
      "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 1 HOUR) GROUP BY page EMIT FINAL;");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  // The first two days' windows have closed (the last record is an hour before the third
  // day's end, so its windows are open): 3 pages x 2 days, each emitted once.
  std::map<std::string, int> emitted;
  size_t records = 0;
  for (const auto& r : broker_.ReadAll("PER_DAY")) {
    if (!r.key || !r.value) continue;
    ++records;
    emitted[*r.key] = nlohmann::json::parse(*r.value)["N"].get<int>();
  }
  EXPECT_EQ(records, 6u);
  VisitCounts closed;
  for (const auto& [k, n] : expected) {
    if (k.second < start + 2 * kDay) closed[k] = n;
  }
  ExpectCounts(emitted, closed);
}

// The same backfill with a small brook.streams.max.buffered.rows: the tasks holding rows for
// their turn pause their partitions (back-pressure) instead of buffering the whole backlog, and
// the result is still exact: a paused partition loses and repeats nothing.
TEST_F(AggregationTest, ABackfillUnderBackPressurePausesPartitionsAndLosesNothing) {
  CreateTopic("visits", 4);
  constexpr int64_t kDay = 86'400'000;
  constexpr int64_t kStep = 5 * 60'000;
  const int64_t start = 1'700'006'400'000;
  std::map<int64_t, int> per_day;
  int total = 0;
  for (int p = 0; p < 4; ++p) {
    for (int64_t ts = start + p * 1000; ts < start + 3 * kDay; ts += kStep) {
      ASSERT_TRUE(
          broker_.Produce({"visits", p, ts, "user" + std::to_string(p), R"({"page":"x"})", {}})
              .ok());
      ++per_day[ts - ts % kDay];
      ++total;
    }
  }
  auto engine = NewEngine(100, /*threaded=*/true);
  Run(*engine,
      "SET 'brook.streams.max.buffered.rows'='200';"
      "CREATE STREAM visits (uid STRING KEY, page STRING) WITH (kafka_topic='visits', "
      "value_format='JSON');"
      "CREATE TABLE per_day AS SELECT page, COUNT(*) AS n FROM visits "
      "WINDOW TUMBLING (SIZE 1 DAY, GRACE PERIOD 1 HOUR) GROUP BY page EMIT CHANGES;");
  engine->Start();
  std::map<std::string, int> latest;
  auto counted = [&] {
    latest.clear();
    for (const auto& r : broker_.ReadAll("PER_DAY")) {
      if (r.key && r.value) latest[*r.key] = nlohmann::json::parse(*r.value)["N"].get<int>();
    }
    int sum = 0;
    for (const auto& [k, n] : latest) sum += n;
    return sum;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (counted() < total && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int sum = counted();
  uint64_t pauses = 0;
  for (const QueryMetrics& m : engine->Metrics()) pauses += m.backpressure_pauses;
  engine->Stop();
  EXPECT_EQ(sum, total);
  std::multiset<int> want, got;
  for (const auto& [d, n] : per_day) want.insert(n);
  for (const auto& [k, n] : latest) got.insert(n);
  EXPECT_EQ(got, want);
  EXPECT_GT(pauses, 0u) << "the backlog never filled a buffer: the test tests nothing";
}

}  // namespace
}  // namespace brook
