// Tasks, stream threads and rebalances on the in-memory broker.
#include "runtime/topology/topology.h"

#include <gtest/gtest.h>

#include <set>

#include "parser/parser.h"
#include "planner/ddl_planner.h"
#include "planner/query_planner.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"
#include "runtime/topology/repartition.h"
#include "runtime/topology/stream_thread.h"

namespace brook {
namespace {

class TopologyTest : public ::testing::Test {
 protected:
  TopologyTest() : broker_(0) {
    RegisterBuiltinFunctions(functions_);
    auto stmts = Parser::Parse(
        "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON');");
    auto plan = PlanCreateSource(static_cast<const ast::CreateSource&>(*(*stmts)[0]), catalog_, {});
    catalog_.Put(plan->source);
    EXPECT_TRUE(broker_.CreateTopic({"s", 4}, kafka::Millis(0)).ok());
    EXPECT_TRUE(broker_.CreateTopic({"OUT", 4}, kafka::Millis(0)).ok());
  }

  std::shared_ptr<const Topology> Build(const std::string& sql) {
    statements_ = *Parser::Parse(sql);
    const auto& c = static_cast<const ast::CreateAsSelect&>(*statements_[0]);
    QueryPlanRequest req;
    req.kind = QueryPlanRequest::Kind::kCreateAs;
    req.query = &c.query;
    req.sink_name = c.name;
    req.sink_properties = &c.properties;
    req.query_id = "CSAS_OUT_0";
    req.sql = sql;
    req.source_partitions = 4;
    auto planned = PlanQuery(req, catalog_, functions_, {});
    EXPECT_TRUE(planned.ok()) << planned.status().ToString();
    auto topology = TopologyBuilder::Build(planned->plan);
    EXPECT_TRUE(topology.ok()) << topology.status().ToString();
    return *topology;
  }

  std::unique_ptr<StreamThread> Thread(std::shared_ptr<const Topology> t,
                                       kafka::Millis commit_interval = kafka::Millis(0)) {
    StreamThreadOptions o;
    o.query_id = "CSAS_OUT_0";
    o.group_id = "g";
    o.commit_interval = commit_interval;
    auto thread = StreamThread::Create(std::move(t), broker_, nullptr, &log_, o);
    EXPECT_TRUE(thread.ok()) << thread.status().ToString();
    return std::move(thread).value();
  }

  void Produce(int32_t partition, int v, int64_t ts = 0) {
    ASSERT_TRUE(broker_
                    .Produce({"s", partition, ts, "k" + std::to_string(v),
                              "{\"v\": " + std::to_string(v) + "}", {}})
                    .ok());
  }

  // The V values written to OUT.
  std::multiset<std::string> Outputs() {
    std::multiset<std::string> out;
    for (const auto& r : broker_.ReadAll("OUT")) out.insert(*r.value);
    return out;
  }

  static void Drain(std::vector<StreamThread*> threads) {
    for (int round = 0; round < 100; ++round) {
      size_t read = 0;
      for (StreamThread* t : threads) {
        auto r = t->PollOnce(1000, kafka::Millis(0));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        read += *r;
      }
      if (read == 0) return;
    }
  }

  kafka::InMemoryBroker broker_;
  FunctionRegistry functions_;
  Catalog catalog_;
  ProcessingLog log_;
  std::vector<ast::StatementPtr> statements_;
};

TEST_F(TopologyTest, RejectsStepsTheRuntimeDoesNotRunByName) {
  // rekey_v1 with an internal topic is declared in the plan format, but the runtime
  // repartitions with repartition_v1: a stored plan using it must fail loudly.
  PhysicalPlan plan =
      Build("CREATE STREAM out AS SELECT v AS k2, k FROM s PARTITION BY v;")->plan();
  bool found = false;
  for (PhysicalStep& step : plan.steps) {
    if (auto* r = std::get_if<RekeyStep>(&step.body)) {
      r->repartition = true;
      r->topic = "internal";
      found = true;
    }
  }
  ASSERT_TRUE(found);
  auto t = TopologyBuilder::Build(plan);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnsupported) << t.status().ToString();
  EXPECT_NE(t.status().message().find("rekey_v1"), std::string::npos) << t.status().ToString();
}

TEST_F(TopologyTest, TwoStreamThreadsSplitThePartitionsAndProcessEachRecordOnce) {
  auto topology = Build("CREATE STREAM out AS SELECT k, v * 10 AS v FROM s;");
  auto a = Thread(topology);
  auto b = Thread(topology);
  for (int i = 0; i < 40; ++i) Produce(i % 4, i);
  Drain({a.get(), b.get()});
  EXPECT_EQ(a->records_in() + b->records_in(), 40u);
  EXPECT_EQ(a->records_in(), 20u);  // two partitions each
  EXPECT_EQ(Outputs().size(), 40u);
  EXPECT_EQ(Outputs().count("{\"V\":390}"), 1u);
}

TEST_F(TopologyTest, ARebalanceMovesPartitionsWithTheirCommittedOffsets) {
  auto topology = Build("CREATE STREAM out AS SELECT * FROM s;");
  auto a = Thread(topology, kafka::Millis(3'600'000));  // commits only when told (or revoked)
  for (int i = 0; i < 8; ++i) Produce(i % 4, i);
  Drain({a.get()});
  EXPECT_EQ(a->records_in(), 8u);
  // A second member joins: `a` gives up two partitions, committing what it did there first,
  // and `b` resumes them from those offsets — nothing is processed twice.
  auto b = Thread(topology);
  for (int i = 8; i < 16; ++i) Produce(i % 4, i);
  Drain({a.get(), b.get()});
  EXPECT_EQ(a->records_in() + b->records_in(), 16u);
  EXPECT_EQ(b->records_in(), 4u);
  EXPECT_EQ(Outputs().size(), 16u);
  // `b` leaves: `a` takes everything back from b's committed offsets.
  ASSERT_TRUE(b->Commit().ok());
  b.reset();
  for (int i = 16; i < 20; ++i) Produce(i % 4, i);
  Drain({a.get()});
  EXPECT_EQ(Outputs().size(), 20u);
  std::set<std::string> distinct;
  for (const auto& v : Outputs()) distinct.insert(v);
  EXPECT_EQ(distinct.size(), 20u);
}

TEST_F(TopologyTest, ANewMemberWaitsForTheOldOwnerToLetGo) {
  auto topology = Build("CREATE STREAM out AS SELECT * FROM s;");
  auto a = Thread(topology, kafka::Millis(3'600'000));
  for (int i = 0; i < 8; ++i) Produce(i % 4, i);
  Drain({a.get()});
  // `b` joins and polls before `a` has revoked anything: it gets nothing yet, so it cannot
  // redo the work `a` has not committed.
  auto b = Thread(topology);
  auto r = b->PollOnce(1000, kafka::Millis(0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
  Drain({a.get(), b.get()});
  for (int i = 8; i < 16; ++i) Produce(i % 4, i);
  Drain({b.get(), a.get()});
  EXPECT_EQ(a->records_in() + b->records_in(), 16u);
  EXPECT_EQ(Outputs().size(), 16u);
}

TEST_F(TopologyTest, UncommittedWorkIsProcessedAgainAfterACrash) {
  auto topology = Build("CREATE STREAM out AS SELECT * FROM s;");
  for (int i = 0; i < 4; ++i) Produce(0, i);
  // Polls until the four records are processed, and no further: the next, empty poll would
  // commit (an idle query commits at once), and the crash must come before that.
  auto process_all = [](StreamThread& t) {
    for (int round = 0; round < 100 && t.records_in() < 4; ++round) {
      ASSERT_TRUE(t.PollOnce(1000, kafka::Millis(0)).ok());
    }
  };
  {
    auto a = Thread(topology, kafka::Millis(3'600'000));
    process_all(*a);
    EXPECT_EQ(a->records_in(), 4u);
  }  // gone without a commit: at-least-once means its input is read again
  {
    auto a = Thread(topology, kafka::Millis(3'600'000));
    process_all(*a);
    EXPECT_EQ(a->records_in(), 4u);
    ASSERT_TRUE(a->Commit().ok());
  }
  auto a = Thread(topology, kafka::Millis(3'600'000));
  Drain({a.get()});
  EXPECT_EQ(a->records_in(), 0u);
  EXPECT_EQ(Outputs().size(), 8u);
}

// A query that goes idle commits without waiting for its commit interval.
TEST_F(TopologyTest, AnIdleQueryCommitsAtOnce) {
  auto topology = Build("CREATE STREAM out AS SELECT * FROM s;");
  for (int i = 0; i < 4; ++i) Produce(0, i);
  {
    auto a = Thread(topology, kafka::Millis(3'600'000));
    Drain({a.get()});  // ends with an empty poll
    EXPECT_EQ(a->records_in(), 4u);
  }  // gone without an explicit commit
  auto a = Thread(topology, kafka::Millis(3'600'000));
  Drain({a.get()});
  EXPECT_EQ(a->records_in(), 0u);  // nothing read again
  EXPECT_EQ(Outputs().size(), 4u);
}

TEST_F(TopologyTest, EachPartitionKeepsItsOwnStreamTime) {
  auto topology = Build("CREATE STREAM out AS SELECT * FROM s;");
  auto a = Thread(topology);
  Produce(0, 1, 1000);
  Produce(1, 2, 50);
  Produce(0, 3, 400);
  Drain({a.get()});
  EXPECT_EQ(a->stream_time(0), 1000);
  EXPECT_EQ(a->stream_time(1), 50);
  EXPECT_EQ(a->stream_time(2), -1);
}

// Progress records of a repartition topic's writers come from internal topics, but are parsed
// as hostile input: anything malformed or out of range is not a progress record.
TEST(RepartitionProgressTest, RoundTripsAndRefusesMalformedRecords) {
  RepartitionProgress p;
  p.writer = 3;
  p.time = 1'700'000'000'000;
  p.idle = true;
  p.writers = 4;
  kafka::OutRecord out = EncodeRepartitionProgress("t", 2, p);
  EXPECT_EQ(out.partition, 2);
  EXPECT_FALSE(out.value.has_value());
  auto view = [](std::vector<kafka::Header>* headers, bool with_value) {
    kafka::RecordView r;
    r.headers = headers;
    if (with_value) r.value = std::string_view("x");
    return r;
  };
  auto decoded = DecodeRepartitionProgress(view(&out.headers, false));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->writer, 3);
  EXPECT_EQ(decoded->time, 1'700'000'000'000);
  EXPECT_TRUE(decoded->idle);
  EXPECT_EQ(decoded->writers, 4);
  EXPECT_FALSE(DecodeRepartitionProgress(view(&out.headers, true)))
      << "a record with a value is a row, not progress";
  for (const char* bad : {"", "1 2 0", "4 10 0 4", "-1 10 0 4", "0 -2 0 4", "0 10 2 4", "0 10 0 0",
                          "0 10 0 100001", "0 x 0 4", "0 10 0 4 5", "0 99999999999999999999 0 4",
                          "0 9223372036854775807 0 4", " 0 10 0 4"}) {
    std::vector<kafka::Header> headers = {{std::string(kRepartitionProgressHeader), bad}};
    EXPECT_FALSE(DecodeRepartitionProgress(view(&headers, false))) << bad;
  }
}

}  // namespace
}  // namespace brook
