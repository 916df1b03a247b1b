// Pull queries end to end on the in-memory broker: key lookups, IN, scans, LIMIT and window
// bounds on materialized tables (CREATE TABLE AS SELECT and CREATE SOURCE TABLE), ksqlDB's
// errors, pull queries on streams bounded by the end offsets they started with, state read
// back after a restart and after the state directory is lost, and pull queries served while
// a threaded engine keeps writing the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"
#include "tests/unit/runtime/engine_fixture.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

struct PullResult {
  std::vector<std::string> columns;
  std::vector<bool> is_key;
  std::vector<std::string> rows;  // each row's values' DebugString, joined by '|'
  TransientQuery::Kind kind = TransientQuery::Kind::kPush;
  bool limit_reached = false;
};

class PullQueryTest : public testing::EngineFixture {
 protected:
  std::unique_ptr<Engine> NewEngine(bool threaded = false) {
    return EngineFixture::NewEngine(1000, threaded);
  }

  Status Fails(Engine& e, const std::string& sql, SessionState* session = nullptr) {
    auto r = e.ExecuteScript(sql, session ? *session : session_);
    return r.ok() ? Status::Ok() : r.status();
  }

  // Runs a pull query to its end (bounded); rows sorted unless `keep_order`.
  PullResult Pull(Engine& e, const std::string& sql, bool keep_order = false,
                  SessionState* session = nullptr) {
    PullResult out;
    auto r = e.ExecuteScript(sql, session ? *session : session_);
    EXPECT_TRUE(r.ok()) << RenderDiagnostic(r.status(), sql);
    if (!r.ok() || r->empty() || !r->back().transient) return out;
    std::shared_ptr<TransientQuery> q = r->back().transient;
    out.columns = q->column_names();
    out.is_key = q->column_is_key();
    out.kind = q->kind();
    std::vector<OutputRow> rows;
    for (int i = 0; i < 500; ++i) {
      auto more = q->Poll(100, kafka::Millis(10), rows);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
    }
    out.limit_reached = q->limit_reached();
    for (const OutputRow& row : rows) {
      std::string s;
      for (const Value& v : row.columns) s += (s.empty() ? "" : "|") + v.DebugString();
      out.rows.push_back(s);
    }
    if (!keep_order) std::sort(out.rows.begin(), out.rows.end());
    e.CloseTransient(q->id());
    return out;
  }

};

using Rows = std::vector<std::string>;

// A grouped table spread over 3 partitions: lookups, IN, scans with value filters, LIMIT.
TEST_F(PullQueryTest, LooksUpScansAndLimitsAMaterializedAggregate) {
  CreateTopic("clicks", 3);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM clicks (user_id STRING KEY, page STRING, ms INT) "
      "WITH (kafka_topic='clicks', value_format='JSON');"
      "CREATE TABLE per_user AS SELECT user_id, COUNT(*) AS n, SUM(ms) AS total "
      "FROM clicks GROUP BY user_id;");
  for (int i = 0; i < 30; ++i) {
    Produce("clicks", "u" + std::to_string(i % 4), R"({"page":"p","ms":)" + std::to_string(i) + "}",
            1000 + i);
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  // u0: 0,4,...,28 (8 clicks, 112); u1: 1..29 step 4 (8, 120); u2: 7 clicks (98); u3: 7 (105).
  PullResult one = Pull(*engine, "SELECT * FROM per_user WHERE user_id = 'u1';");
  EXPECT_EQ(one.kind, TransientQuery::Kind::kPullTable);
  EXPECT_EQ(one.columns, (std::vector<std::string>{"USER_ID", "N", "TOTAL"}));
  EXPECT_EQ(one.is_key, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(one.rows, (Rows{"'u1'|8|120"}));
  EXPECT_EQ(
      Pull(*engine, "SELECT total FROM per_user WHERE user_id IN ('u2', 'u3', 'nobody');").rows,
      (Rows{"105", "98"}));
  EXPECT_EQ(Pull(*engine, "SELECT * FROM per_user WHERE user_id = 'nobody';").rows, Rows{});
  EXPECT_EQ(Pull(*engine, "SELECT user_id, n FROM per_user;").rows,
            (Rows{"'u0'|8", "'u1'|8", "'u2'|7", "'u3'|7"}));
  EXPECT_EQ(Pull(*engine, "SELECT user_id FROM per_user WHERE total > 100 AND n = 7;").rows,
            (Rows{"'u3'"}));
  EXPECT_EQ(Pull(*engine, "SELECT user_id FROM per_user WHERE user_id = 'u1' OR total < 100;").rows,
            (Rows{"'u1'", "'u2'"}));
  // ROWTIME is the time of the row's last update.
  EXPECT_EQ(Pull(*engine, "SELECT ROWTIME FROM per_user WHERE user_id = 'u3';").rows,
            (Rows{"1027"}));
  PullResult limited = Pull(*engine, "SELECT * FROM per_user LIMIT 2;");
  EXPECT_EQ(limited.rows.size(), 2u);
  EXPECT_EQ(Pull(*engine, "SELECT * FROM per_user LIMIT 0;").rows.size(), 0u);
  // The whole answer is held in memory: brook.query.pull.max.rows bounds it.
  SessionState small;
  small.properties["brook.query.pull.max.rows"] = "3";
  EXPECT_NE(Fails(*engine, "SELECT * FROM per_user;", &small).message().find(
                "brook.query.pull.max.rows"),
            std::string::npos);
  EXPECT_EQ(Pull(*engine, "SELECT * FROM per_user LIMIT 3;", false, &small).rows.size(), 3u);
}

// A scan returns each partition's rows in key order (numeric for numbers).
TEST_F(PullQueryTest, ScansReturnRowsInKeyOrder) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM m (id INT KEY, v DOUBLE) WITH (kafka_topic='m', value_format='JSON');"
      "CREATE TABLE t AS SELECT v, COUNT(*) AS n FROM m GROUP BY v;");
  for (double v : {10.5, -3.0, 200.0, 0.0, -150.25, 7.0}) {
    Produce("m", std::string("\x00\x00\x00\x01", 4), R"({"v":)" + std::to_string(v) + "}");
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Pull(*engine, "SELECT v FROM t;", /*keep_order=*/true).rows,
            (Rows{"-150.25", "-3.0", "0.0", "7.0", "10.5", "200.0"}));
}

TEST_F(PullQueryTest, WindowedTablesHaveWindowBoundsAsKeysAndFilterByThem) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM r (stream_id STRING KEY, kind STRING) "
      "WITH (kafka_topic='r', value_format='JSON');"
      "CREATE TABLE per_10s AS SELECT stream_id, COUNT(*) AS n FROM r "
      "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY stream_id;"
      "CREATE TABLE sessions AS SELECT stream_id, COUNT(*) AS n FROM r "
      "WINDOW SESSION (5 SECONDS) GROUP BY stream_id;");
  for (int64_t ts : {1000, 2000, 12000, 13000, 14000, 31000})
    Produce("r", "s1", R"({"kind":"x"})", ts);
  Produce("r", "s2", R"({"kind":"x"})", 15000);
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  PullResult all = Pull(*engine, "SELECT * FROM per_10s WHERE stream_id = 's1';");
  EXPECT_EQ(all.columns, (std::vector<std::string>{"STREAM_ID", "WINDOWSTART", "WINDOWEND", "N"}));
  EXPECT_EQ(all.is_key, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(all.rows, (Rows{"'s1'|0|10000|2", "'s1'|10000|20000|3", "'s1'|30000|40000|1"}));
  EXPECT_EQ(Pull(*engine,
                 "SELECT windowstart, n FROM per_10s WHERE stream_id = 's1' "
                 "AND windowstart >= 10000 AND windowend <= 40000;")
                .rows,
            (Rows{"10000|3", "30000|1"}));
  // Sessions: start and end are the first and last record times; merged sessions are gone.
  EXPECT_EQ(
      Pull(*engine, "SELECT stream_id, windowstart, windowend, n FROM sessions;").rows,
      (Rows{"'s1'|1000|2000|2", "'s1'|12000|14000|3", "'s1'|31000|31000|1", "'s2'|15000|15000|1"}));
  // WINDOWSTART bounds as datetime text.
  EXPECT_EQ(Pull(*engine,
                 "SELECT n FROM per_10s WHERE stream_id = 's1' "
                 "AND windowstart = '1970-01-01T00:00:10.000';")
                .rows,
            (Rows{"3"}));
}

TEST_F(PullQueryTest, SourceTablesAreMaterializedAndPlainTablesAreNot) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE SOURCE TABLE users (id INT PRIMARY KEY, name STRING) "
      "WITH (kafka_topic='users', value_format='JSON');"
      "CREATE TABLE plain (id INT PRIMARY KEY, name STRING) "
      "WITH (kafka_topic='plain', value_format='JSON');");
  auto key = [](int32_t v) {
    std::string k(4, '\0');
    for (int i = 0; i < 4; ++i) k[i] = static_cast<char>(static_cast<uint32_t>(v) >> (24 - 8 * i));
    return k;
  };
  Produce("users", key(1), R"({"name":"ann"})");
  Produce("users", key(2), R"({"name":"bob"})");
  Produce("users", key(1), R"({"name":"anne"})");
  Produce("users", key(3), R"({"name":"cid"})");
  Produce("users", key(3), std::nullopt);  // deleted
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Pull(*engine, "SELECT * FROM users;").rows, (Rows{"1|'anne'", "2|'bob'"}));
  EXPECT_EQ(Pull(*engine, "SELECT name FROM users WHERE id = 1;").rows, (Rows{"'anne'"}));
  Status st = Fails(*engine, "SELECT * FROM plain WHERE id = 1;");
  EXPECT_NE(st.message().find("The `PLAIN` table isn't queryable. To derive a queryable table, "
                              "you can do 'CREATE TABLE QUERYABLE_PLAIN AS SELECT * FROM PLAIN'."),
            std::string::npos)
      << st.message();
  // The source table's own query goes with it.
  Run(*engine, "DROP TABLE users;");
  EXPECT_TRUE(engine->Queries().empty());
}

TEST_F(PullQueryTest, RefusesWhatPullQueriesCannotDoWithKsqlDbsMessages) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;");
  auto message = [&](const std::string& sql, SessionState* session = nullptr) {
    return Fails(*engine, sql, session).message();
  };
  EXPECT_NE(message("SELECT * FROM t WINDOW TUMBLING (SIZE 1 SECOND) WHERE id = 1;")
                .find("Pull queries don't support WINDOW clauses."),
            std::string::npos);
  EXPECT_NE(message("SELECT id, COUNT(*) FROM s GROUP BY id;")
                .find("Pull queries don't support GROUP BY clauses."),
            std::string::npos);
  EXPECT_NE(message("SELECT ROWOFFSET FROM t WHERE id = 1;")
                .find("Pull queries don't support the following columns in SELECT clauses: "
                      "`ROWOFFSET`"),
            std::string::npos);
  EXPECT_NE(message("SELECT * FROM t WHERE id = NULL;")
                .find("Comparison with NULL not supported: INTEGER = NULL"),
            std::string::npos);
  SessionState no_scans;
  no_scans.properties["ksql.query.pull.table.scan.enabled"] = "false";
  EXPECT_NE(message("SELECT * FROM t WHERE n = 3;", &no_scans)
                .find("WHERE clause missing key column for disjunct: (n = 3)"),
            std::string::npos);
  EXPECT_NE(message("SELECT * FROM t WHERE id = n;", &no_scans)
                .find("A comparison must be between a key column and a resolvable expression."),
            std::string::npos);
  EXPECT_NE(message("SELECT * FROM t WHERE id > 3;", &no_scans)
                .find("Query requires table scan to be enabled"),
            std::string::npos);
  // With scans disabled, key lookups still work.
  Produce("s", std::string("\x00\x00\x00\x05", 4), R"({"v":1})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Pull(*engine, "SELECT n FROM t WHERE id = 5;", false, &no_scans).rows, (Rows{"1"}));
  SessionState no_limit;
  no_limit.properties["ksql.query.pull.limit.clause.enabled"] = "false";
  EXPECT_NE(message("SELECT * FROM t LIMIT 1;", &no_limit)
                .find("LIMIT clause in pull queries is currently disabled."),
            std::string::npos);
}

// A stream pull query reads what the topic held when it started, then completes; a LIMIT ends
// it early.
TEST_F(PullQueryTest, StreamPullQueriesEndAtTheOffsetsTheyStartedWith) {
  CreateTopic("events", 2);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM events (k STRING KEY, v INT) "
      "WITH (kafka_topic='events', value_format='JSON');");
  EXPECT_EQ(Pull(*engine, "SELECT * FROM events;").rows, Rows{});  // empty topic: at once
  for (int i = 0; i < 10; ++i)
    Produce("events", "k" + std::to_string(i), R"({"v":)" + std::to_string(i) + "}");
  auto r = engine->ExecuteScript("SELECT v FROM events WHERE v >= 5;", session_);
  ASSERT_TRUE(r.ok());
  std::shared_ptr<TransientQuery> q = r->back().transient;
  ASSERT_TRUE(q);
  EXPECT_EQ(q->kind(), TransientQuery::Kind::kPullStream);
  // Records produced after the query started are not part of its answer.
  for (int i = 10; i < 20; ++i)
    Produce("events", "k" + std::to_string(i), R"({"v":)" + std::to_string(i) + "}");
  std::vector<OutputRow> rows;
  bool more = true;
  for (int i = 0; i < 500 && more; ++i) {
    auto polled = q->Poll(3, kafka::Millis(10), rows);
    ASSERT_TRUE(polled.ok());
    more = *polled;
  }
  EXPECT_FALSE(more);
  EXPECT_FALSE(q->limit_reached());
  std::vector<std::string> got;
  for (const OutputRow& row : rows) got.push_back(row.columns[0].DebugString());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Rows{"5", "6", "7", "8", "9"}));
  PullResult limited = Pull(*engine, "SELECT * FROM events LIMIT 3;");
  EXPECT_EQ(limited.rows.size(), 3u);
  EXPECT_TRUE(limited.limit_reached);
}

TEST_F(PullQueryTest, TablesReadTheSameAfterARestartAndAfterLosingTheStateDirectory) {
  CreateTopic("orders", 2);
  const std::string ddl =
      "CREATE STREAM orders (id STRING KEY, shop STRING, amount INT) "
      "WITH (kafka_topic='orders', value_format='JSON');"
      "CREATE TABLE per_shop AS SELECT shop, SUM(amount) AS total FROM orders GROUP BY shop;";
  for (int i = 0; i < 40; ++i) {
    Produce("orders", "o" + std::to_string(i),
            R"({"shop":"s)" + std::to_string(i % 3) + R"(","amount":)" + std::to_string(i) + "}");
  }
  const Rows expected = {"'s0'|273", "'s1'|247", "'s2'|260"};
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
    EXPECT_EQ(Pull(*engine, "SELECT * FROM per_shop;").rows, expected);
  }
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
    EXPECT_EQ(Pull(*engine, "SELECT * FROM per_shop;").rows, expected);
  }
  fs::remove_all(state_dir_);
  {
    auto engine = NewEngine();
    Run(*engine, ddl);
    ASSERT_TRUE(engine->RunUntilIdle().ok());
    EXPECT_EQ(Pull(*engine, "SELECT * FROM per_shop;").rows, expected);
  }
}

// Pull queries from several threads while the table's query keeps writing it: every answer is a
// committed state (counts only grow, never above what was produced) and the last one is exact.
// A large scan is answered a chunk at a time (kPullChunkRows), as the client takes it: every
// row once, in every partition, and the answer is never held whole. LIMIT and lookups too.
TEST_F(PullQueryTest, ALargeScanComesInChunksWithEveryRowOnce) {
  CreateTopic("big", 4);
  auto engine = NewEngine();
  Run(*engine,
      "CREATE TABLE big (k STRING PRIMARY KEY, v INT) WITH (kafka_topic='big', "
      "value_format='JSON');"
      "CREATE TABLE q AS SELECT * FROM big;");
  const int kRows = static_cast<int>(kPullChunkRows) * 2 + 1234;
  std::vector<std::string> want;
  for (int i = 0; i < kRows; ++i) {
    std::string k = "k" + std::to_string(100000 + i);
    Produce("big", k, R"({"v":)" + std::to_string(i) + "}");
    want.push_back("'" + k + "'|" + std::to_string(i));
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::sort(want.begin(), want.end());
  auto r = engine->ExecuteScript("SELECT k, v FROM q;", session_);
  ASSERT_TRUE(r.ok());
  std::shared_ptr<TransientQuery> tq = r->back().transient;
  ASSERT_NE(tq, nullptr);
  std::vector<std::string> got;
  size_t largest_chunk = 0;
  for (int polls = 0; polls < 100; ++polls) {
    std::vector<OutputRow> rows;
    auto more = tq->Poll(100, kafka::Millis(0), rows);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    largest_chunk = std::max(largest_chunk, rows.size());
    for (const OutputRow& row : rows) {
      got.push_back(row.columns[0].DebugString() + "|" + row.columns[1].DebugString());
    }
    if (!*more) break;
  }
  engine->CloseTransient(tq->id());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  EXPECT_LT(largest_chunk, static_cast<size_t>(kRows)) << "the answer came whole";
  EXPECT_LE(largest_chunk, kPullChunkRows + 1000);
  EXPECT_EQ(Pull(*engine, "SELECT k FROM q LIMIT 3;").rows.size(), 3u);
  EXPECT_EQ(Pull(*engine, "SELECT v FROM q WHERE k = 'k100007';").rows,
            (std::vector<std::string>{"7"}));
}

// ksql.query.pull.max.concurrent.requests bounds the table pull queries answered at once; a
// slot is free again when a query is closed.
TEST_F(PullQueryTest, ConcurrentTablePullQueriesAreBounded) {
  CreateTopic("t", 1);
  auto engine =
      EngineFixture::NewEngine(1000, false, {{"ksql.query.pull.max.concurrent.requests", "2"}});
  Run(*engine,
      "CREATE TABLE t (k STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON');"
      "CREATE TABLE q AS SELECT * FROM t;");
  Produce("t", "a", R"({"v":1})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  std::vector<std::shared_ptr<TransientQuery>> open;
  for (int i = 0; i < 2; ++i) {
    auto r = engine->ExecuteScript("SELECT * FROM q;", session_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    open.push_back(r->back().transient);
  }
  auto refused = engine->ExecuteScript("SELECT * FROM q;", session_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("maximum concurrent pull queries"), std::string::npos);
  engine->CloseTransient(open[0]->id());
  open[0].reset();
  EXPECT_EQ(Pull(*engine, "SELECT v FROM q;").rows, (std::vector<std::string>{"1"}));
  for (auto& q : open) {
    if (q) engine->CloseTransient(q->id());
  }
}

TEST_F(PullQueryTest, ServesPullQueriesWhileTheTableIsWritten) {
  CreateTopic("ticks", 4);
  auto engine = NewEngine(/*threaded=*/true);
  Run(*engine,
      "CREATE STREAM ticks (k STRING KEY, v INT) WITH (kafka_topic='ticks', value_format='JSON');"
      "CREATE TABLE per_key AS SELECT k, COUNT(*) AS n FROM ticks GROUP BY k;");
  engine->Start();
  constexpr int kRecords = 4000;
  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::atomic<int> bad{0};
  auto reader = [&] {
    SessionState session;
    int64_t last = 0;
    while (!done) {
      auto r = engine->ExecuteScript("SELECT n FROM per_key WHERE k = 'a';", session);
      if (!r.ok() || !r->back().transient) {
        ++bad;
        continue;
      }
      std::vector<OutputRow> rows;
      auto polled = r->back().transient->Poll(10, kafka::Millis(0), rows);
      if (!polled.ok()) ++bad;
      int64_t n = rows.empty() ? 0 : rows[0].columns[0].as_int64();
      if (n < last || n > kRecords / 2) ++bad;
      last = n;
      ++answers;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 0; i < kRecords; ++i) Produce("ticks", i % 2 ? "a" : "b", R"({"v":1})");
  // Wait (bounded) for the last commit to carry every record.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Rows want = {"2000"};
  while (std::chrono::steady_clock::now() < deadline &&
         Pull(*engine, "SELECT n FROM per_key WHERE k = 'a';").rows != want) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(Pull(*engine, "SELECT n FROM per_key WHERE k = 'a';").rows, want);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(answers.load(), 0);
  engine->Stop();
}

}  // namespace
}  // namespace brook
