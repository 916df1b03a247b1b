#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/diagnostic.h"
#include "runtime/engine/command_log.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"
#include "runtime/serde/serde.h"

namespace brook {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : broker_(1) { RegisterBuiltinFunctions(functions_); }

  std::unique_ptr<Engine> NewEngine(size_t batch = 1000) {
    EngineOptions opts;
    opts.max_batch = batch;
    opts.create_missing_source_topics = true;
    return std::make_unique<Engine>(broker_, functions_, opts);
  }

  std::vector<ExecuteResult> Run(Engine& e, const std::string& sql) {
    auto r = e.ExecuteScript(sql, session_);
    EXPECT_TRUE(r.ok()) << RenderDiagnostic(r.status(), sql);
    return r.ok() ? *r : std::vector<ExecuteResult>{};
  }

  void Produce(const std::string& topic, std::optional<std::string> key,
               std::optional<std::string> value, int64_t ts = 0) {
    ASSERT_TRUE(broker_.Produce({topic, -1, ts, std::move(key), std::move(value), {}}).ok());
  }

  std::vector<std::string> Values(const std::string& topic) {
    std::vector<std::string> out;
    for (const auto& r : broker_.ReadAll(topic)) out.push_back(r.value ? *r.value : "<null>");
    return out;
  }

  kafka::InMemoryBroker broker_;
  FunctionRegistry functions_;
  SessionState session_;
};

TEST_F(EngineTest, UndecodableRecordsAreSkippedLoggedAndCounted) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE STREAM o AS SELECT * FROM s;");
  Produce("s", "a", R"({"v": 1})");
  Produce("s", "b", "{not json");
  Produce("s", "c", R"({"v": "NaN-ish"})");
  Produce("s", "d", R"({"v": 4})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Values("O"), (std::vector<std::string>{R"({"V":1})", R"({"V":4})"}));
  EXPECT_EQ(engine->processing_log().count(), 2u);
  auto entries = engine->processing_log().Recent();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].topic, "s");
  EXPECT_EQ(entries[0].offset, 1);
  EXPECT_EQ(entries[0].type, ProcessingLogEntry::Type::kDeserializationError);
  EXPECT_EQ(entries[0].target, "value");
  EXPECT_FALSE(entries[0].message.empty());
  auto queries = engine->Queries();
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_EQ(queries[0].state, "RUNNING");
  EXPECT_EQ(queries[0].records_in, 4u);
}

TEST_F(EngineTest, ProcessingLogGoesToItsTopicAndStream) {
  EngineOptions opts;
  opts.create_missing_source_topics = true;
  opts.config["ksql.logging.processing.topic.auto.create"] = "true";
  opts.config["ksql.logging.processing.stream.auto.create"] = "true";
  Engine engine(broker_, functions_, opts);
  ASSERT_TRUE(engine.ConfigureProcessingLog().ok());
  ASSERT_NE(engine.catalog().Find("PROCESSING_LOG"), nullptr);
  Run(engine,
      "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE STREAM o AS SELECT * FROM s;"
      "CREATE STREAM errors AS SELECT message->deserializationerror->errormessage AS msg, "
      "message->deserializationerror->`TOPIC` AS t FROM processing_log;");
  Produce("s", "b", "{not json");
  ASSERT_TRUE(engine.RunUntilIdle().ok());
  auto log = broker_.ReadAll("default_ksql_processing_log");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].value->find("\"logger\":\"processing.CSAS_O_0.source_v1\""), std::string::npos)
      << *log[0].value;
  auto errors = broker_.ReadAll("ERRORS");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].value->find("\"T\":\"s\""), std::string::npos) << *errors[0].value;
}

TEST_F(EngineTest, MalformedJsonAndExtremeDecimalsNeverStopTheQuery) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM s (k STRING KEY, a INT, d DECIMAL(10, 2)) WITH (kafka_topic='s', "
      "value_format='JSON');"
      "CREATE STREAM o AS SELECT k, a, d FROM s;");
  for (const char* bad : {R"({"a":1, 2:3})", R"({"a" 1})", R"({"b":[1,2})", R"({"d":1e-200})",
                          R"({"d":1e200})", R"({"d":1e-2000000000})", R"({"d":"1e"})"}) {
    Produce("s", "bad", bad);
  }
  Produce("s", "good", R"({"a": 7, "d": 1.5})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  auto values = Values("O");
  ASSERT_FALSE(values.empty());
  EXPECT_EQ(values.back(), R"({"A":7,"D":1.50})");
  EXPECT_EQ(engine->Queries()[0].state, "RUNNING");
  EXPECT_GE(engine->processing_log().count(), 4u);
}

TEST_F(EngineTest, ExpressionErrorsYieldNullAndALogEntry) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM s (k STRING KEY, a INT, b INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE STREAM o AS SELECT k, a / b AS q FROM s;");
  Produce("s", "x", R"({"a": 6, "b": 0})");
  Produce("s", "y", R"({"a": 6, "b": 3})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Values("O"), (std::vector<std::string>{R"({"Q":null})", R"({"Q":2})"}));
  ASSERT_EQ(engine->processing_log().count(), 1u);
  EXPECT_NE(engine->processing_log().Recent()[0].message.find("/ by zero"), std::string::npos);
}

TEST_F(EngineTest, ResultsDoNotDependOnBatchSize) {
  std::vector<std::string> outputs[2];
  size_t batches[2] = {1, 1000};
  for (int i = 0; i < 2; ++i) {
    kafka::InMemoryBroker broker(1);
    for (int n = 0; n < 50; ++n) {
      ASSERT_TRUE(broker.Produce({"s", -1, n, std::to_string(n % 7),
                                  "{\"v\": " + std::to_string(n) + "}", {}})
                      .ok());
    }
    EngineOptions opts;
    opts.max_batch = batches[i];
    Engine engine(broker, functions_, opts);
    SessionState session;
    auto r = engine.ExecuteScript(
        "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
        "CREATE STREAM mid AS SELECT k, v * 2 AS v2 FROM s WHERE v % 3 <> 0;"
        "CREATE STREAM out AS SELECT v2, k FROM mid PARTITION BY v2;",
        session);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(engine.RunUntilIdle().ok());
    for (const auto& rec : broker.ReadAll("OUT")) outputs[i].push_back(*rec.key + "=" + *rec.value);
  }
  EXPECT_EQ(outputs[0].size(), 33u);
  EXPECT_EQ(outputs[0], outputs[1]);
}

TEST_F(EngineTest, DdlLifecycleMatchesKsqlDb) {
  auto engine = NewEngine();
  auto created = Run(*engine,
                     "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', "
                     "value_format='JSON');");
  ASSERT_EQ(created.size(), 1u);
  ASSERT_TRUE(created[0].result.has_value());
  const auto& created_status = std::get<CommandStatus>(*created[0].result);
  EXPECT_EQ(created_status.message, "Stream created");
  EXPECT_EQ(created_status.command_id, "stream/S/create");
  EXPECT_FALSE(created_status.query_id.has_value());
  auto csas = Run(*engine, "CREATE STREAM o AS SELECT * FROM s;");
  std::string qid = std::get<CommandStatus>(*csas[0].result).query_id.value_or("");
  EXPECT_EQ(qid, "CSAS_O_0");
  auto drop = engine->ExecuteScript("DROP STREAM s;", session_);
  ASSERT_FALSE(drop.ok());
  EXPECT_NE(drop.status().message().find("The following queries read from this source: [CSAS_O_0]"),
            std::string::npos)
      << drop.status().message();
  Run(*engine, "TERMINATE CSAS_O_0;");
  Run(*engine, "DROP STREAM o;");
  auto streams = Run(*engine, "SHOW STREAMS;");
  ASSERT_EQ(streams.size(), 1u);
  const auto* list = std::get_if<SourceList>(&*streams[0].result);
  ASSERT_NE(list, nullptr);
  EXPECT_FALSE(list->tables);
  ASSERT_EQ(list->sources.size(), 1u);
  EXPECT_EQ(list->sources[0].name, "S");
  auto describe = Run(*engine, "DESCRIBE s;");
  const SourceDetails& desc = std::get<SourceDescription>(*describe[0].result).source;
  ASSERT_EQ(desc.fields.size(), 2u);
  EXPECT_EQ(desc.fields[0].name, "K");
  EXPECT_EQ(desc.fields[0].kind, FieldInfo::Kind::kKey);
  EXPECT_EQ(desc.fields[1].kind, FieldInfo::Kind::kValue);
  EXPECT_EQ(desc.value_format, "JSON");
  auto explained = Run(*engine, "EXPLAIN CREATE STREAM x AS SELECT k, v + 1 AS w FROM s WHERE v > 2;");
  ASSERT_EQ(explained.size(), 1u);
  std::string plan = std::get<ExecutionPlan>(*explained[0].result).plan.Describe();
  EXPECT_NE(plan.find("filter_v1"), std::string::npos) << plan;
  EXPECT_NE(plan.find("`W` INTEGER"), std::string::npos) << plan;
  EXPECT_EQ(engine->catalog().Find("X"), nullptr);  // planned, not run
  auto again = engine->ExecuteScript("CREATE STREAM s (k STRING KEY) WITH (kafka_topic='s', "
                                     "value_format='JSON');",
                                     session_);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos);
}

TEST_F(EngineTest, InsertValuesAndTransientPushQueryWithLimit) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM s (k STRING KEY, v INT, d DECIMAL(4, 2)) WITH (kafka_topic='s', "
      "value_format='JSON');"
      "INSERT INTO s (k, v, d) VALUES ('a', 1, 1.5);"
      "INSERT INTO s (k, v, d) VALUES ('b', 2, 2.25);"
      "INSERT INTO s (ROWTIME, k, v, d) VALUES (1000, 'c', 3, 0);");
  auto recs = broker_.ReadAll("s");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(*recs[0].value, R"({"V":1,"D":1.50})");
  EXPECT_EQ(recs[2].timestamp, 1000);
  SessionState push;
  push.properties["auto.offset.reset"] = "earliest";
  auto r = engine->ExecuteScript("SELECT k, v * 10 AS v10 FROM s WHERE v > 1 EMIT CHANGES LIMIT 2;",
                                 push);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto tq = (*r)[0].transient;
  ASSERT_NE(tq, nullptr);
  EXPECT_EQ(tq->SchemaString(false), "`K` STRING, `V10` INTEGER");
  std::vector<OutputRow> rows;
  bool more = true;
  for (int i = 0; i < 10 && more; ++i) {
    auto p = tq->Poll(100, kafka::Millis(0), rows);
    ASSERT_TRUE(p.ok());
    more = *p;
  }
  EXPECT_FALSE(more);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].columns[0].as_string(), "b");
  EXPECT_EQ(rows[0].columns[1].as_int(), 20);
  auto bad = engine->ExecuteScript("INSERT INTO s (k, v) VALUES ('x', 'not an int');", session_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Expected type INTEGER for field V"), std::string::npos);
}

TEST_F(EngineTest, CreateOrReplaceUpgradesTheQueryInPlace) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE STREAM o AS SELECT k, v FROM s;");
  Produce("s", "a", R"({"v": 1})");
  Produce("s", "b", R"({"v": 2})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  auto bad = engine->ExecuteScript("CREATE OR REPLACE STREAM o AS SELECT k FROM s;", session_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "The following columns are changed, missing or reordered: [`V` INTEGER]"),
            std::string::npos)
      << bad.status().message();
  auto replaced = Run(*engine, "CREATE OR REPLACE STREAM o AS SELECT k, v, v * 10 AS w FROM s;");
  ASSERT_EQ(replaced.size(), 1u);
  EXPECT_EQ(std::get<CommandStatus>(*replaced[0].result).query_id, "CSAS_O_0");
  Produce("s", "c", R"({"v": 3})");
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  // The upgraded query resumed from the committed offset: no record is processed twice.
  EXPECT_EQ(Values("O"), (std::vector<std::string>{R"({"V":1})", R"({"V":2})",
                                                   R"({"V":3,"W":30})"}));
  EXPECT_EQ(engine->Queries().size(), 1u);
  auto key_change = engine->ExecuteScript(
      "CREATE OR REPLACE STREAM o AS SELECT v, k FROM s PARTITION BY v;", session_);
  ASSERT_FALSE(key_change.ok());
  EXPECT_NE(key_change.status().message().find("Key columns must be identical"), std::string::npos);
}

TEST_F(EngineTest, WindowedSourcesExposeTheirBounds) {
  auto engine = NewEngine();
  Run(*engine,
      "CREATE STREAM w (k STRING KEY, v INT) WITH (kafka_topic='w', value_format='JSON', "
      "window_type='TUMBLING', window_size='10 SECONDS');");
  std::string key = "a";
  for (int i = 7; i >= 0; --i) key += static_cast<char>((20000LL >> (8 * i)) & 0xff);
  Produce("w", key, R"({"v": 5})");
  SessionState push;
  push.properties["auto.offset.reset"] = "earliest";
  auto r = engine->ExecuteScript("SELECT k, WINDOWSTART, WINDOWEND, v FROM w EMIT CHANGES LIMIT 1;",
                                 push);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<OutputRow> rows;
  for (int i = 0; i < 5 && rows.empty(); ++i) ASSERT_TRUE((*r)[0].transient->Poll(10, kafka::Millis(0), rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].columns[0].as_string(), "a");
  EXPECT_EQ(rows[0].columns[1].as_int64(), 20000);
  EXPECT_EQ(rows[0].columns[2].as_int64(), 30000);
  EXPECT_EQ(rows[0].columns[3].as_int(), 5);
  // A persistent query over it keeps the windowed key: same bytes, window included.
  auto csas = engine->ExecuteScript("CREATE STREAM o AS SELECT * FROM w;", session_);
  ASSERT_TRUE(csas.ok()) << csas.status().ToString();
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  auto out = broker_.ReadAll("O");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key, std::optional<std::string>(key));
  EXPECT_EQ(out[0].value, std::optional<std::string>(R"({"V":5})"));
}

TEST_F(EngineTest, ErrorsInScriptsPointAtTheRightLine) {
  auto engine = NewEngine();
  std::string sql =
      "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');\n"
      "CREATE STREAM o AS SELECT k, w FROM s;";
  auto r = engine->ExecuteScript(sql, session_);
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.status().range().has_value());
  EXPECT_EQ(r.status().range()->line, 2);
  std::string rendered = RenderDiagnostic(r.status(), sql);
  EXPECT_NE(rendered.find("Line: 2, Col: 30: SELECT column 'W' cannot be resolved."),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("LINE 2: CREATE STREAM o AS SELECT k, w FROM s;"), std::string::npos);
}

TEST(SerdeTest, JsonMatchesFieldsCaseInsensitivelyAndDecodesOnlyNeededColumns) {
  std::vector<Column> cols = {{"A", SqlType::Int()}, {"B", SqlType::String()}};
  auto serde = MakeSerde(FormatInfo{"JSON"}, cols, false, {true, false});
  ASSERT_TRUE(serde.ok());
  Value out[2];
  ASSERT_TRUE((*serde)->Decode(R"({"a": 5, "b": "skipped"})", out).ok());
  EXPECT_EQ(out[0].as_int(), 5);
  EXPECT_TRUE(out[1].is_null());
  EXPECT_FALSE((*serde)->Decode("[1,2]", out).ok());
}

TEST(SerdeTest, DelimitedQuotesLikeCommonsCsv) {
  std::vector<Column> cols = {{"A", SqlType::String()}, {"B", SqlType::Int()}, {"C", SqlType::String()}};
  auto serde = MakeSerde(FormatInfo{"DELIMITED"}, cols, false);
  Value in[3] = {Value::String("-x"), Value::Int(1), Value::String("a,b")};
  auto enc = (*serde)->Encode(in);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(**enc, "\"-x\",1,\"a,b\"");
  Value out[3];
  ASSERT_TRUE((*serde)->Decode(**enc, out).ok());
  EXPECT_EQ(out[2].as_string(), "a,b");
  EXPECT_FALSE((*serde)->Decode("1,2", out).ok());
}

TEST(SerdeTest, KafkaFormatIsBigEndian) {
  std::vector<Column> cols = {{"K", SqlType::Int()}};
  auto serde = MakeSerde(FormatInfo{"KAFKA"}, cols, true);
  Value v = Value::Int(258);
  auto enc = (*serde)->Encode(&v);
  EXPECT_EQ(**enc, std::string("\x00\x00\x01\x02", 4));
  Value out;
  EXPECT_FALSE((*serde)->Decode("abc", &out).ok());
}

// The command log keeps each query's physical plan, and a restart runs that plan: here the
// stored plan's filter literal is changed after the fact, and the replayed query follows the
// plan (V > 5), not its SQL text (V > 1).
TEST_F(EngineTest, ReplayRunsTheStoredPlanNotAFreshOne) {
  InMemoryCommandLog log;
  {
    auto first = NewEngine();
    first->SetCommandLog(&log);
    Run(*first,
        "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON', "
        "partitions=1);"
        "CREATE STREAM t AS SELECT id, v FROM s WHERE v > 1;");
  }
  auto commands = log.ReadAll();
  ASSERT_TRUE(commands.ok());
  ASSERT_EQ(commands->size(), 2u);
  Command& csas = (*commands)[1];
  ASSERT_FALSE(csas.plan.empty());
  nlohmann::json plan = nlohmann::json::parse(csas.plan);
  bool changed = false;
  for (auto& step : plan["steps"]) {
    if (step["@type"] == "filter_v1") {
      step["predicate"]["children"][1]["literal"]["v"] = 5;
      step["predicate"]["children"][1]["text"] = "5";
      changed = true;
    }
  }
  ASSERT_TRUE(changed) << csas.plan;
  csas.plan = plan.dump();

  auto second = NewEngine();
  std::vector<std::string> notes = second->Replay(*commands);
  EXPECT_TRUE(notes.empty()) << notes[0];
  Produce("s", std::string("\0\0\0\1", 4), R"({"V": 3})");
  Produce("s", std::string("\0\0\0\2", 4), R"({"V": 7})");
  ASSERT_TRUE(second->RunUntilIdle().ok());
  EXPECT_EQ(Values("T"), (std::vector<std::string>{R"({"V":7})"}));

  // A stored plan that does not fit the command (another query id) is reported, and the
  // statement's fresh plan runs.
  auto other = commands.value();
  nlohmann::json wrong = nlohmann::json::parse(other[1].plan);
  wrong["queryId"] = "CSAS_ELSEWHERE_9";
  other[1].plan = wrong.dump();
  kafka::InMemoryBroker broker2(1);
  EngineOptions opts;
  opts.create_missing_source_topics = true;
  Engine third(broker2, functions_, opts);
  notes = third.Replay(other);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("runs from a fresh plan"), std::string::npos) << notes[0];
}

}  // namespace
}  // namespace brook
