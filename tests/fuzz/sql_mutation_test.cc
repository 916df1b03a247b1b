// Mutation test: every mutated statement must come back as OK or as a positioned error —
// never a crash, a hang or an unpositioned parse failure. Deterministic (fixed seed).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook {
namespace {

const char* kCorpus[] = {
    "CREATE STREAM s (id INT KEY, name STRING, v DOUBLE, d DECIMAL(4,2), arr ARRAY<INT>, "
    "m MAP<STRING, INT>, st STRUCT<a INT, b STRING>) WITH (kafka_topic='s', value_format='JSON', "
    "partitions=1);",
    "CREATE STREAM o AS SELECT id, UCASE(name) AS n, v * 2 AS v2, arr[1] AS a1, m['x'] AS mx, "
    "st->a AS sa, CASE WHEN v > 1 THEN 'x' ELSE 'y' END AS c FROM s WHERE name LIKE 'a%' AND id "
    "IN (1, 2, 3) AND v BETWEEN 0 AND 10 PARTITION BY name EMIT CHANGES;",
    "INSERT INTO s (id, name, v) VALUES (1, 'a''b', -1.5e3);",
    "SELECT * FROM s WHERE ROWTIME > '2020-01-01' EMIT CHANGES LIMIT 10;",
    "CREATE TABLE t (id INT PRIMARY KEY, x STRING) WITH (kafka_topic='t', format='JSON');",
    "DESCRIBE s EXTENDED; SHOW STREAMS; DROP STREAM IF EXISTS nope DELETE TOPIC;",
    "CREATE STREAM w AS SELECT id, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id;",
    "SELECT a.id, b.x FROM s a JOIN t b ON a.id = b.id EMIT CHANGES;",
    "DEFINE x = 'y'; SET 'auto.offset.reset'='earliest'; CAST(1 AS STRING);",
};

// Rounds per run (default 3000, ~1 s); BROOK_FUZZ_ROUNDS overrides it for longer local runs.
static const int kRounds = std::getenv("BROOK_FUZZ_ROUNDS") ? std::atoi(std::getenv("BROOK_FUZZ_ROUNDS")) : 3000;

TEST(SqlMutationTest, MutatedStatementsNeverCrashAndErrorsArePositioned) {
  std::mt19937 rng(20261122);
  FunctionRegistry functions;
  RegisterBuiltinFunctions(functions);
  static const char* kInserts[] = {"(", ")", ",", "'", "`", "\"", ";", "->", "[", "]", "*",
                                   " SELECT ", " FROM ", " KEY ", " NULL ", "0", "-", "${x}",
                                   " AS ", " WHERE ", "<>", "::", "\\", "\n"};
  int checked = 0;
  for (int round = 0; round < kRounds; ++round) {
    kafka::InMemoryBroker broker(1);
    EngineOptions opts;
    opts.create_missing_source_topics = true;
    Engine engine(broker, functions, opts);
    SessionState session;
    auto base = engine.ExecuteScript(kCorpus[0], session);
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    std::string sql = kCorpus[rng() % (sizeof(kCorpus) / sizeof(kCorpus[0]))];
    int edits = 1 + rng() % 4;
    for (int e = 0; e < edits && !sql.empty(); ++e) {
      size_t pos = rng() % sql.size();
      switch (rng() % 3) {
        case 0: sql.erase(pos, 1 + rng() % 6); break;
        case 1: sql.insert(pos, kInserts[rng() % (sizeof(kInserts) / sizeof(kInserts[0]))]); break;
        default: std::swap(sql[pos], sql[rng() % sql.size()]); break;
      }
    }
    auto r = engine.ExecuteScript(sql, session);
    if (!r.ok()) {
      std::string rendered = RenderDiagnostic(r.status(), sql);
      EXPECT_FALSE(r.status().message().empty()) << sql;
      if (r.status().code() == StatusCode::kParseError) {
        EXPECT_TRUE(r.status().range().has_value()) << "unpositioned syntax error for: " << sql;
      }
    }
    Status st = engine.RunUntilIdle();
    st.PermitUnchecked();
    ++checked;
  }
  EXPECT_EQ(checked, kRounds);
}

}  // namespace
}  // namespace brook
