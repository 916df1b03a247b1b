// Regression tests for defects found while trying brook as a new user would.
#include <gtest/gtest.h>

#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/functions/function_util.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook {
namespace {

class DefectsTest : public ::testing::Test {
 protected:
  DefectsTest() : broker_(1) { RegisterBuiltinFunctions(functions_); }

  std::unique_ptr<Engine> NewEngine(Config config = {}) {
    EngineOptions opts;
    opts.create_missing_source_topics = true;
    opts.config = std::move(config);
    return std::make_unique<Engine>(broker_, functions_, opts);
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

TEST_F(DefectsTest, BadSinkPartitionsIsAnErrorOnTheSetAndNothingThrows) {
  auto engine = NewEngine();
  auto set = engine->ExecuteScript("SET 'ksql.sink.partitions'='two';", session_);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(set.status().message().find("Invalid value two for configuration "
                                        "ksql.sink.partitions: Not a number of type INT"),
            std::string::npos)
      << set.status().message();
  EXPECT_EQ(session_.properties.count("ksql.sink.partitions"), 0u);
  // The session is unharmed: a CSAS after the failed SET runs.
  auto r = engine->ExecuteScript(
      "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE STREAM o AS SELECT * FROM s;",
      session_);
  EXPECT_TRUE(r.ok()) << r.status().message();
}

TEST_F(DefectsTest, BadServerLevelSinkPartitionsFailsThePlanNotTheProcess) {
  auto engine = NewEngine({{"ksql.sink.partitions", "99999999999999999999"}});
  auto r = engine->ExecuteScript(
      "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');"
      "CREATE STREAM o AS SELECT * FROM s;",
      session_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ksql.sink.partitions"), std::string::npos);
}

TEST_F(DefectsTest, OtherTypedPropertiesAreChecked) {
  EXPECT_FALSE(ValidateConfigValue("auto.offset.reset", "sometimes").ok());
  EXPECT_TRUE(ValidateConfigValue("auto.offset.reset", "EARLIEST").ok());
  EXPECT_FALSE(ValidateConfigValue("ksql.persistence.wrap.single.values", "yes").ok());
  EXPECT_TRUE(ValidateConfigValue("ksql.sink.partitions", " 4 ").ok());
  EXPECT_FALSE(ValidateConfigValue("ksql.sink.partitions", "4x").ok());
  EXPECT_TRUE(ValidateConfigValue("some.unknown.key", "anything").ok());
  auto threads = ValidateConfigValue("ksql.streams.num.stream.threads", "100000");
  ASSERT_FALSE(threads.ok());
  EXPECT_NE(threads.message().find("Value must be no more than 64"), std::string::npos);
  EXPECT_FALSE(ValidateConfigValue("ksql.sink.partitions", "0").ok());
  EXPECT_TRUE(ValidateConfigValue("ksql.streams.commit.interval.ms", "0").ok());
}

TEST_F(DefectsTest, RegexpCompilesAConstantPatternOnce) {
  auto engine = NewEngine();
  ASSERT_TRUE(engine
                  ->ExecuteScript(
                      "CREATE STREAM s (k STRING KEY, v STRING) WITH (kafka_topic='s', "
                      "value_format='JSON');"
                      "CREATE STREAM o AS SELECT k, REGEXP_REPLACE(v, '[0-9]+x?q', '#') AS r "
                      "FROM s;",
                      session_)
                  .ok());
  uint64_t before = functions::RegexCompilations();
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(broker_.Produce({"s", -1, 0, "k", R"({"v": "a12qb"})", {}}).ok());
  }
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Values("O").size(), 200u);
  EXPECT_EQ(Values("O")[0], R"({"R":"a#b"})");
  EXPECT_EQ(functions::RegexCompilations() - before, 1u);
}

TEST_F(DefectsTest, GreatestOfDecimalsKeepsTheWinnersScale) {
  auto engine = NewEngine();
  ASSERT_TRUE(engine
                  ->ExecuteScript(
                      "CREATE STREAM s (k STRING KEY, a DECIMAL(3,1), b DECIMAL(4,2)) WITH "
                      "(kafka_topic='s', value_format='JSON');"
                      "CREATE STREAM o AS SELECT k, GREATEST(a, b) AS g, LEAST(a, b) AS l FROM s;",
                      session_)
                  .ok());
  ASSERT_TRUE(broker_.Produce({"s", -1, 0, "k", R"({"a": 2.5, "b": 1.25})", {}}).ok());
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Values("O"), (std::vector<std::string>{R"({"G":2.5,"L":1.25})"}));
}

TEST_F(DefectsTest, ProcessingLogEntriesQuotingInvalidUtf8DoNotCrashTheQuery) {
  auto engine = NewEngine({{"ksql.logging.processing.topic.auto.create", "true"}});
  ASSERT_TRUE(engine->ConfigureProcessingLog().ok());
  ASSERT_TRUE(engine
                  ->ExecuteScript(
                      "CREATE STREAM s (k STRING KEY, ts STRING) WITH (kafka_topic='s', "
                      "value_format='DELIMITED', timestamp='ts', "
                      "timestamp_format='yyyy-MM-dd''T''HH:mm:ss');"
                      "CREATE STREAM o AS SELECT * FROM s;",
                      session_)
                  .ok());
  // The timestamp text holds a byte that is not UTF-8; the log entry quotes it.
  ASSERT_TRUE(broker_.Produce({"s", -1, 0, "k", "bad\xff", {}}).ok());
  ASSERT_TRUE(broker_.Produce({"s", -1, 0, "k", "2020-01-01T00:00:00", {}}).ok());
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Values("O").size(), 1u);
  EXPECT_EQ(engine->processing_log().count(), 1u);
  EXPECT_EQ(broker_.ReadAll("default_ksql_processing_log").size(), 1u);
}

// Inputs that once aborted the process or ran away (issue 8's list): each is now a positioned
// error, and the engine keeps working after it.
TEST_F(DefectsTest, OversizedNumbersNamesAndExpansionsAreRefusedWithAClearError) {
  auto engine = NewEngine();
  auto message = [&](const std::string& sql) {
    auto r = engine->ExecuteScript(sql, session_);
    return r.ok() ? std::string("<ok>") : r.status().message();
  };
  EXPECT_NE(message("CREATE STREAM a (id INT) WITH (kafka_topic='a', partitions=99999999999, "
                    "value_format='JSON');")
                .find("PARTITIONS must be between 1 and 10000"),
            std::string::npos);
  EXPECT_NE(message("CREATE STREAM a (id INT) WITH (kafka_topic='a', partitions=1, replicas=0, "
                    "value_format='JSON');")
                .find("REPLICAS must be between 1 and 32767"),
            std::string::npos);
  EXPECT_NE(message("CREATE STREAM a (id DECIMAL(99999999999999999999, 1)) WITH "
                    "(kafka_topic='a', partitions=1, value_format='JSON');")
                .find("Invalid type parameter '99999999999999999999'"),
            std::string::npos);
  EXPECT_NE(message("CREATE STREAM a (id INT) WITH (kafka_topic='" + std::string(40000, 'a') +
                    "', partitions=1, value_format='JSON');")
                .find("the limit is 249"),
            std::string::npos);
  EXPECT_NE(message("CREATE STREAM a (id INT) WITH (kafka_topic='no spaces!', partitions=1, "
                    "value_format='JSON');")
                .find("contains a character other than ASCII alphanumerics"),
            std::string::npos);
  ASSERT_EQ(message("CREATE STREAM a (id INT) WITH (kafka_topic='a', partitions=1, "
                    "value_format='JSON');"),
            "<ok>");
  // A C*AS named beyond Kafka's limit would create an illegal sink topic.
  EXPECT_NE(message("CREATE STREAM " + std::string(250, 'N') + " AS SELECT * FROM a;")
                .find("the limit is 249"),
            std::string::npos);
  // Longer names are refused by the parser, at the name (no 1 MiB names in the catalog).
  EXPECT_NE(message("CREATE STREAM " + std::string(300, 'N') + " AS SELECT * FROM a;")
                .find("The name is too long: more than 255 characters"),
            std::string::npos);
  EXPECT_NE(message("CREATE STREAM `" + std::string(1 << 20, 'q') +
                    "` (id INT) WITH "
                    "(kafka_topic='q', partitions=1, value_format='JSON');")
                .find("The name is too long"),
            std::string::npos);
  // DEFINEs that reference each other grow tenfold per level: refused at 1 MiB, not 10^8.
  std::string defines = "DEFINE v0='xxxxxxxxxx';";
  for (int i = 1; i <= 8; ++i) {
    std::string prev = "${v" + std::to_string(i - 1) + "}";
    std::string value;
    for (int j = 0; j < 10; ++j) value += prev;
    defines += "DEFINE v" + std::to_string(i) + "='" + value + "';";
  }
  EXPECT_NE(message(defines).find("would be longer than 1048576 characters"), std::string::npos);
  EXPECT_EQ(message("CREATE STREAM b AS SELECT * FROM a;"), "<ok>");
}

// A JSON record with a trailing comma is malformed (ksqlDB's parser refuses it): it is skipped
// and logged, even when the columns the query needs come before the comma.
TEST_F(DefectsTest, JsonRecordsWithATrailingCommaAreSkippedAndLogged) {
  auto engine = NewEngine();
  auto r = engine->ExecuteScript(
      "CREATE STREAM pay (id INT, amount INT) WITH (kafka_topic='pay', value_format='JSON');"
      "CREATE STREAM big AS SELECT id FROM pay WHERE amount > 10;",
      session_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  uint64_t logged = engine->processing_log().count();
  ASSERT_TRUE(broker_.Produce({"pay", -1, 0, std::nullopt, R"({"ID":1,"AMOUNT":99,})", {}}).ok());
  ASSERT_TRUE(
      broker_.Produce({"pay", -1, 0, std::nullopt, R"({"ID":2,"AMOUNT":98,"X":1,})", {}}).ok());
  ASSERT_TRUE(broker_.Produce({"pay", -1, 0, std::nullopt, R"({"ID":3,"AMOUNT":97})", {}}).ok());
  ASSERT_TRUE(engine->RunUntilIdle().ok());
  EXPECT_EQ(Values("BIG"), (std::vector<std::string>{R"({"ID":3})"}));
  EXPECT_EQ(engine->processing_log().count(), logged + 2);
}

}  // namespace
}  // namespace brook
