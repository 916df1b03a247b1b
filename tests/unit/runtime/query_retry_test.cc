// A persistent query whose stream thread fails (not because of a record: its sink topic is gone)
// goes to ERROR with the error in EXPLAIN's queryErrors, is restarted after the retry backoff,
// resumes from its last commit and runs again; the other queries keep running meanwhile.

#include <chrono>
#include <thread>

#include "tests/unit/runtime/engine_fixture.h"

namespace brook::testing {
namespace {

class QueryRetryTest : public EngineFixture {
 protected:
  QueryDescription Explain(Engine& e, const std::string& id) {
    auto r = e.ExecuteScript("EXPLAIN " + id + ";", session_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    const auto* d = std::get_if<QueryDescription>(&*(*r)[0].result);
    EXPECT_NE(d, nullptr);
    return d ? *d : QueryDescription{};
  }

  // Waits up to 10 s for `done`.
  template <typename Done>
  bool WaitFor(const Done& done) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
};

TEST_F(QueryRetryTest, FailedQueryGoesToErrorThenResumesFromItsLastCommit) {
  CreateTopic("in", 1);
  CreateTopic("OUT", 1);
  CreateTopic("OTHER_IN", 1);
  auto engine = NewEngine(
      1000, /*threaded=*/true,
      {{"ksql.query.retry.backoff.initial.ms", "300"}, {"ksql.query.retry.backoff.max.ms", "600"}});
  auto created = engine->ExecuteScript(
      "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='in', value_format='JSON');"
      "CREATE STREAM out WITH (kafka_topic='OUT') AS SELECT id, v * 10 AS w FROM s;"
      "CREATE STREAM s2 (id INT KEY, v INT) WITH (kafka_topic='OTHER_IN', value_format='JSON');"
      "CREATE STREAM other AS SELECT id, v FROM s2;",
      session_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string id = std::get<CommandStatus>(*(*created)[1].result).query_id.value_or("");
  ASSERT_FALSE(id.empty());
  engine->Start();
  ASSERT_EQ(Explain(*engine, id).state, "RUNNING");

  Produce("in", std::nullopt, R"({"V": 1})");
  ASSERT_TRUE(WaitFor([&] { return broker_.ReadAll("OUT").size() == 1; }));

  // The sink disappears: writing the next result fails, and the query with it.
  broker_.SetAutoCreatePartitions(0);
  ASSERT_TRUE(broker_.DeleteTopic("OUT", kafka::Millis(0)).ok());
  Produce("in", std::nullopt, R"({"V": 2})");
  ASSERT_TRUE(WaitFor([&] { return Explain(*engine, id).state == "ERROR"; }));
  QueryDescription failed = Explain(*engine, id);
  ASSERT_FALSE(failed.errors.empty());
  EXPECT_GT(failed.errors.back().timestamp_ms, 0);
  EXPECT_FALSE(failed.errors.back().message.empty());
  EXPECT_FALSE(failed.errors.back().type.empty());

  // The other query is not affected.
  Produce("OTHER_IN", std::nullopt, R"({"V": 7})");
  ASSERT_TRUE(WaitFor([&] { return broker_.ReadAll("OTHER").size() == 1; }));

  // The sink comes back: a retry after the backoff resumes from the last commit, so the record
  // whose result could not be written is processed again, and the first one is not.
  CreateTopic("OUT", 1);
  ASSERT_TRUE(WaitFor([&] { return Explain(*engine, id).state == "RUNNING"; }));
  ASSERT_TRUE(WaitFor([&] { return broker_.ReadAll("OUT").size() >= 1; }));
  Produce("in", std::nullopt, R"({"V": 3})");
  ASSERT_TRUE(WaitFor([&] { return broker_.ReadAll("OUT").size() >= 2; }));
  engine->Stop();
  auto out = broker_.ReadAll("OUT");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0].value, R"({"W":20})");
  EXPECT_EQ(*out[1].value, R"({"W":30})");
  // The error stays listed after the recovery, as ksqlDB's queryErrors do.
  EXPECT_FALSE(Explain(*engine, id).errors.empty());
}

}  // namespace
}  // namespace brook::testing
