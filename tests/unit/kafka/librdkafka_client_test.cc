// LibrdkafkaClientFactory against an in-process EmbeddedBroker (librdkafka's mock cluster).
// Note: a consumer-group join on the mock takes ~3 s (5 s right after a member left), so tests
// share joins.
#include "runtime/kafka/librdkafka_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/kafka/embedded_broker.h"

namespace brook::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// An owned copy of a RecordView (views die at the next Poll).
struct Rec {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::optional<std::vector<Header>> headers;
};

// Polls until `want` records arrived or `budget` passed.
std::vector<Rec> PollN(Consumer& consumer, size_t want, Millis budget, size_t max_batch = 100) {
  std::vector<Rec> got;
  std::vector<RecordView> views;
  const auto deadline = Clock::now() + budget;
  while (got.size() < want && Clock::now() < deadline) {
    // Never ask for more than is still wanted: a poll that returned 1 record followed by one that
    // returns a full batch would otherwise overshoot `want`.
    Status st = consumer.Poll(std::min(max_batch, want - got.size()), Millis(200), views);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) break;
    for (const RecordView& v : views) {
      Rec r;
      r.topic = std::string(v.topic);
      r.partition = v.partition;
      r.offset = v.offset;
      r.timestamp = v.timestamp;
      if (v.key) r.key = std::string(*v.key);
      if (v.value) r.value = std::string(*v.value);
      if (v.headers != nullptr) r.headers = *v.headers;
      got.push_back(std::move(r));
    }
  }
  return got;
}

TopicSpec Spec(const std::string& name, int partitions) {
  TopicSpec spec;
  spec.name = name;
  spec.partitions = partitions;
  return spec;
}

ConsumerConfig Group(const std::string& group, std::vector<std::string> topics) {
  ConsumerConfig config;
  config.group_id = group;
  config.topics = std::move(topics);
  return config;
}

Millis Since(Clock::time_point start) {
  return std::chrono::duration_cast<Millis>(Clock::now() - start);
}

class LibrdkafkaClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = EmbeddedBroker::Start();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    broker_ = std::move(started).value();
    factory_ = std::make_unique<LibrdkafkaClientFactory>("", std::map<std::string, std::string>{},
                                                         broker_.get());
  }

  std::unique_ptr<Consumer> NewConsumer(const std::string& group, const std::string& topic) {
    ConsumerConfig config;
    config.group_id = group;
    config.topics = {topic};
    auto consumer = factory_->NewConsumer(config);
    EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
    return consumer.ok() ? std::move(consumer).value() : nullptr;
  }

  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<LibrdkafkaClientFactory> factory_;
};

TEST_F(LibrdkafkaClientTest, ProducesConsumesCommitsAndResumes) {
  ASSERT_TRUE(factory_->admin().CreateTopic(Spec("orders", 1), Millis(1000)).ok());
  EXPECT_NE(factory_->Describe().find("(embedded)"), std::string::npos);

  auto producer_or = factory_->NewProducer();
  ASSERT_TRUE(producer_or.ok()) << producer_or.status().ToString();
  std::unique_ptr<Producer> producer = std::move(producer_or).value();
  constexpr int kRecords = 10;
  const int64_t base_ts = 1700000000000;
  for (int i = 0; i < kRecords; ++i) {
    OutRecord r;
    r.topic = "orders";
    r.timestamp = base_ts + i;
    r.key = "k" + std::to_string(i);
    if (i == 3) r.key = "";            // empty, not null
    if (i == 4) r.key = std::nullopt;  // null key
    r.value = "{\"n\":" + std::to_string(i) + "}";
    if (i == 5) r.value = std::nullopt;  // tombstone
    if (i % 2 == 0) r.headers = {{"h", "v" + std::to_string(i)}, {"null", std::nullopt}};
    ASSERT_TRUE(producer->Send(std::move(r)).ok());
  }
  Status flushed = producer->Flush(Millis(5000));
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  EXPECT_EQ(dynamic_cast<LibrdkafkaProducer&>(*producer).delivered(), uint64_t{kRecords});

  {
    std::unique_ptr<Consumer> consumer = NewConsumer("g1", "orders");
    ASSERT_NE(consumer, nullptr);
    // Small batches first, so Lag() sees a partially consumed partition.
    std::vector<Rec> got = PollN(*consumer, 3, Millis(15000), /*max_batch=*/3);
    ASSERT_EQ(got.size(), 3u);
    auto lag = consumer->Lag();
    ASSERT_TRUE(lag.ok()) << lag.status().ToString();
    EXPECT_EQ(*lag, kRecords - 3);
    std::vector<Rec> rest = PollN(*consumer, kRecords - 3, Millis(5000));
    got.insert(got.end(), rest.begin(), rest.end());
    ASSERT_EQ(got.size(), size_t{kRecords});
    for (int i = 0; i < kRecords; ++i) {
      SCOPED_TRACE(i);
      const Rec& r = got[i];
      EXPECT_EQ(r.topic, "orders");
      EXPECT_EQ(r.partition, 0);
      EXPECT_EQ(r.offset, i);
      EXPECT_EQ(r.timestamp, base_ts + i);
      if (i == 3) {
        EXPECT_EQ(r.key, std::optional<std::string>(""));
      } else if (i == 4) {
        EXPECT_FALSE(r.key.has_value());
      } else {
        EXPECT_EQ(r.key, "k" + std::to_string(i));
      }
      if (i == 5) {
        EXPECT_FALSE(r.value.has_value());
      } else {
        EXPECT_EQ(r.value, "{\"n\":" + std::to_string(i) + "}");
      }
      if (i % 2 == 0) {
        ASSERT_TRUE(r.headers.has_value());
        ASSERT_EQ(r.headers->size(), 2u);
        EXPECT_EQ((*r.headers)[0].key, "h");
        EXPECT_EQ((*r.headers)[0].value, "v" + std::to_string(i));
        EXPECT_EQ((*r.headers)[1].key, "null");
        EXPECT_FALSE((*r.headers)[1].value.has_value());
      } else {
        EXPECT_FALSE(r.headers.has_value());
      }
    }
    auto caught_up = consumer->Lag();
    ASSERT_TRUE(caught_up.ok());
    EXPECT_EQ(*caught_up, 0);

    // Commit "next offset to read" = 6: a new member of the group resumes there.
    Status committed = consumer->Commit({{"orders", 0, 6}});
    ASSERT_TRUE(committed.ok()) << committed.ToString();
    EXPECT_TRUE(consumer->Commit({}).ok());
  }  // leaves the group

  std::unique_ptr<Consumer> resumed = NewConsumer("g1", "orders");
  ASSERT_NE(resumed, nullptr);
  std::vector<Rec> again = PollN(*resumed, kRecords - 6, Millis(15000));
  ASSERT_EQ(again.size(), size_t{kRecords - 6});
  EXPECT_EQ(again.front().offset, 6);
  EXPECT_EQ(again.back().offset, kRecords - 1);
  // Nothing more: a bounded poll comes back empty.
  std::vector<RecordView> views;
  const auto start = Clock::now();
  ASSERT_TRUE(resumed->Poll(100, Millis(200), views).ok());
  EXPECT_TRUE(views.empty());
  EXPECT_LT(Since(start).count(), 2000);
}

// Pause stops a partition's records until Resume; what comes after the resume continues where
// the application left off (records fetched before the pause may still arrive, never skipped).
TEST_F(LibrdkafkaClientTest, PausedPartitionsResumeWithoutLosingRecords) {
  ASSERT_TRUE(factory_->admin().CreateTopic(Spec("paused", 2), Millis(1000)).ok());
  auto producer = std::move(factory_->NewProducer()).value();
  auto send = [&](int32_t partition, int from, int to) {
    for (int i = from; i < to; ++i) {
      OutRecord r;
      r.topic = "paused";
      r.partition = partition;
      r.value = std::to_string(i);
      ASSERT_TRUE(producer->Send(std::move(r)).ok());
    }
    ASSERT_TRUE(producer->Flush(Millis(5000)).ok());
  };
  send(0, 0, 10);
  send(1, 0, 10);
  std::unique_ptr<Consumer> consumer = NewConsumer("gp", "paused");
  ASSERT_NE(consumer, nullptr);
  std::vector<Rec> first = PollN(*consumer, 20, Millis(15000));
  ASSERT_EQ(first.size(), 20u);
  ASSERT_TRUE(consumer->Pause({{"paused", 0}}).ok());
  send(0, 10, 20);
  send(1, 10, 20);
  // Only partition 1 comes while partition 0 is paused.
  std::vector<Rec> during = PollN(*consumer, 10, Millis(10000));
  ASSERT_EQ(during.size(), 10u);
  for (const Rec& r : during) EXPECT_EQ(r.partition, 1);
  std::vector<RecordView> views;
  ASSERT_TRUE(consumer->Poll(100, Millis(500), views).ok());
  EXPECT_TRUE(views.empty());
  ASSERT_TRUE(consumer->Resume({{"paused", 0}}).ok());
  std::vector<Rec> after = PollN(*consumer, 10, Millis(10000));
  ASSERT_EQ(after.size(), 10u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].partition, 0);
    EXPECT_EQ(after[i].offset, static_cast<int64_t>(10 + i));
  }
}

TEST_F(LibrdkafkaClientTest, KeyedRecordsLandWhereJavaWouldPutThem) {
  ASSERT_TRUE(factory_->admin().CreateTopic(Spec("p4", 4), Millis(1000)).ok());
  auto producer_or = factory_->NewProducer();
  ASSERT_TRUE(producer_or.ok());
  std::unique_ptr<Producer> producer = std::move(producer_or).value();
  // Java's Utils.murmur2: "21" -> -973932308, "foobar" -> -790332482, "abc" -> 479470107;
  // toPositive(h) % 4 gives partitions 0, 2 and 3.
  const std::vector<std::pair<std::string, int32_t>> expected = {
      {"21", 0}, {"foobar", 2}, {"abc", 3}};
  for (const auto& [key, partition] : expected) {
    EXPECT_EQ(DefaultPartition(key, 4), partition) << key;
    OutRecord r;
    r.topic = "p4";
    r.key = key;
    r.value = "v";
    ASSERT_TRUE(producer->Send(std::move(r)).ok());
  }
  ASSERT_TRUE(producer->Flush(Millis(5000)).ok());

  std::unique_ptr<Consumer> consumer = NewConsumer("g-part", "p4");
  ASSERT_NE(consumer, nullptr);
  std::vector<Rec> got = PollN(*consumer, expected.size(), Millis(15000));
  ASSERT_EQ(got.size(), expected.size());
  for (const Rec& r : got) {
    ASSERT_TRUE(r.key.has_value());
    EXPECT_EQ(r.partition, DefaultPartition(*r.key, 4)) << *r.key;
  }

  // The consumer has joined: a new record comes back without waiting to fill the batch.
  OutRecord late;
  late.topic = "p4";
  late.partition = 1;  // explicit partition
  late.value = "late";
  ASSERT_TRUE(producer->Send(std::move(late)).ok());
  ASSERT_TRUE(producer->Flush(Millis(5000)).ok());
  const auto start = Clock::now();
  std::vector<Rec> one = PollN(*consumer, 1, Millis(10000), /*max_batch=*/1000);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].partition, 1);
  EXPECT_EQ(one[0].value, "late");
  EXPECT_LT(Since(start).count(), 3000);
}

TEST_F(LibrdkafkaClientTest, AdminAgainstEmbeddedBroker) {
  Admin& admin = factory_->admin();
  ASSERT_TRUE(admin.CreateTopic(Spec("t", 3), Millis(1000)).ok());
  EXPECT_EQ(admin.CreateTopic(Spec("t", 3), Millis(1000)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(admin.CreateTopic(Spec("bad", 0), Millis(1000)).code(), StatusCode::kInvalidArgument);

  auto info = admin.DescribeTopic("t", Millis(5000));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_TRUE(info->has_value());
  EXPECT_EQ((*info)->name, "t");
  EXPECT_EQ((*info)->partitions, 3);
  EXPECT_EQ((*info)->replicas, 1);

  // Describing a missing topic must not auto-create it on the mock.
  auto missing = admin.DescribeTopic("missing", Millis(5000));
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());
  auto topics = admin.ListTopics(Millis(5000));
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 1u);
  EXPECT_EQ((*topics)[0].name, "t");

  EXPECT_EQ(admin.DeleteTopic("t", Millis(1000)).code(), StatusCode::kUnsupported);
}

// Without the in-process hook the mock is a "remote" cluster: the CreateTopics admin API hangs
// on it, and the call must come back with kTimeout within its timeout.
TEST_F(LibrdkafkaClientTest, AdminCreateTopicIsBoundedOnTheMock) {
  LibrdkafkaClientFactory remote(broker_->bootstrap_servers());
  EXPECT_EQ(remote.Describe(), broker_->bootstrap_servers());
  const auto start = Clock::now();
  Status st = remote.admin().CreateTopic(Spec("never", 2), Millis(500));
  const Millis took = Since(start);
  EXPECT_EQ(st.code(), StatusCode::kTimeout) << st.ToString();
  EXPECT_GE(took.count(), 400);
  EXPECT_LT(took.count(), 1500);

  const auto start_delete = Clock::now();
  EXPECT_EQ(remote.admin().DeleteTopic("never", Millis(300)).code(), StatusCode::kTimeout);
  EXPECT_LT(Since(start_delete).count(), 1300);
}

TEST_F(LibrdkafkaClientTest, BrokerAutoCreateFallback) {
  LibrdkafkaOptions options;
  options.topic_creation = LibrdkafkaOptions::TopicCreation::kBrokerAutoCreate;
  LibrdkafkaClientFactory remote(broker_->bootstrap_servers(), {}, nullptr, options);
  Admin& admin = remote.admin();
  Status st = admin.CreateTopic(Spec("auto4", EmbeddedBroker::kAutoCreatePartitions), Millis(5000));
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto info = admin.DescribeTopic("auto4", Millis(5000));
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_EQ((*info)->partitions, EmbeddedBroker::kAutoCreatePartitions);
  EXPECT_EQ(admin.CreateTopic(Spec("auto4", 4), Millis(5000)).code(), StatusCode::kAlreadyExists);
  // Any other partition count cannot be had by auto-creation.
  EXPECT_EQ(admin.CreateTopic(Spec("auto2", 2), Millis(5000)).code(), StatusCode::kInvalidArgument);
}

TEST_F(LibrdkafkaClientTest, ProducingToAMissingTopicAutoCreatesFourPartitions) {
  auto producer_or = factory_->NewProducer();
  ASSERT_TRUE(producer_or.ok());
  std::unique_ptr<Producer> producer = std::move(producer_or).value();
  OutRecord r;
  r.topic = "implicit";
  r.value = "x";
  ASSERT_TRUE(producer->Send(std::move(r)).ok());
  ASSERT_TRUE(producer->Flush(Millis(5000)).ok());
  auto info = factory_->admin().DescribeTopic("implicit", Millis(5000));
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_EQ((*info)->partitions, EmbeddedBroker::kAutoCreatePartitions);
}

struct RecordingListener : RebalanceListener {
  void OnPartitionsRevoked(const std::vector<TopicPartition>&) override {}
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    assigned.insert(assigned.end(), p.begin(), p.end());
    ++calls;
  }
  void OnPartitionsLost(const std::vector<TopicPartition>&) override {}
  std::vector<TopicPartition> assigned;
  int calls = 0;
};

// assign_all: every partition from the first Poll, without the ~3 s group join; from the end
// when from_beginning is false; a missing topic is an error at creation.
TEST_F(LibrdkafkaClientTest, AssignAllReadsEveryPartitionWithoutAGroupJoin) {
  ASSERT_TRUE(factory_->admin().CreateTopic(Spec("assigned", 3), Millis(5000)).ok());
  auto producer = factory_->NewProducer();
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 30; ++i) {
    OutRecord r;
    r.topic = "assigned";
    r.key = "k" + std::to_string(i);
    r.value = std::to_string(i);
    ASSERT_TRUE((*producer)->Send(std::move(r)).ok());
  }
  ASSERT_TRUE((*producer)->Flush(Millis(5000)).ok());

  RecordingListener listener;
  ConsumerConfig config = Group("no-join", {"assigned"});
  config.assign_all = true;
  config.listener = &listener;
  const auto start = Clock::now();
  auto consumer = factory_->NewConsumer(config);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  std::vector<Rec> got = PollN(**consumer, 30, Millis(10000));
  EXPECT_EQ(got.size(), 30u);
  // A group join alone takes about 3 s on the mock.
  EXPECT_LT(Since(start).count(), 2500);
  EXPECT_EQ(listener.calls, 1);
  std::sort(listener.assigned.begin(), listener.assigned.end());
  EXPECT_EQ(listener.assigned,
            (std::vector<TopicPartition>{{"assigned", 0}, {"assigned", 1}, {"assigned", 2}}));
  std::set<int32_t> partitions;
  for (const Rec& r : got) partitions.insert(r.partition);
  EXPECT_EQ(partitions.size(), 3u);

  ConsumerConfig latest = Group("no-join-latest", {"assigned"});
  latest.assign_all = true;
  latest.from_beginning = false;
  auto tail = factory_->NewConsumer(latest);
  ASSERT_TRUE(tail.ok());
  EXPECT_TRUE(PollN(**tail, 1, Millis(1000)).empty());
  OutRecord r;
  r.topic = "assigned";
  r.key = "late";
  r.value = "late";
  ASSERT_TRUE((*producer)->Send(std::move(r)).ok());
  ASSERT_TRUE((*producer)->Flush(Millis(5000)).ok());
  std::vector<Rec> late = PollN(**tail, 1, Millis(5000));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].value, "late");

  ConsumerConfig missing = Group("no-join-missing", {"no_such_topic"});
  missing.assign_all = true;
  EXPECT_EQ(factory_->NewConsumer(missing).status().code(), StatusCode::kNotFound);
}

TEST_F(LibrdkafkaClientTest, InvalidInputsAreRejected) {
  LibrdkafkaClientFactory bad(broker_->bootstrap_servers(), {{"no.such.property", "1"}});
  EXPECT_EQ(bad.NewProducer().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.NewConsumer(Group("g", {"t"})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.admin().ListTopics(Millis(100)).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(factory_->NewConsumer(Group("", {"t"})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(factory_->NewConsumer(Group("g", {})).status().code(), StatusCode::kInvalidArgument);
  auto producer = factory_->NewProducer();
  ASSERT_TRUE(producer.ok());
  EXPECT_EQ((*producer)->Send(OutRecord{}).code(), StatusCode::kInvalidArgument);
}

// Nothing listens on the address: every call still returns within its bound.
TEST(LibrdkafkaUnreachableTest, CallsAreBounded) {
  LibrdkafkaOptions options;
  options.commit_timeout = Millis(300);
  options.consumer_close_timeout = Millis(300);
  LibrdkafkaClientFactory factory("127.0.0.1:1", {{"log_level", "0"}}, nullptr, options);
  const auto start = Clock::now();

  // Metadata calls may also fail fast with a transport error (kIOError).
  const StatusCode listed = factory.admin().ListTopics(Millis(300)).status().code();
  EXPECT_TRUE(listed == StatusCode::kTimeout || listed == StatusCode::kIOError);
  const StatusCode described = factory.admin().DescribeTopic("t", Millis(300)).status().code();
  EXPECT_TRUE(described == StatusCode::kTimeout || described == StatusCode::kIOError);
  EXPECT_EQ(factory.admin().CreateTopic(Spec("t", 1), Millis(300)).code(), StatusCode::kTimeout);

  auto producer = factory.NewProducer();
  ASSERT_TRUE(producer.ok());
  OutRecord r;
  r.topic = "t";
  r.value = "v";
  ASSERT_TRUE((*producer)->Send(std::move(r)).ok());
  EXPECT_EQ((*producer)->Flush(Millis(300)).code(), StatusCode::kTimeout);

  auto consumer = factory.NewConsumer(Group("g", {"t"}));
  ASSERT_TRUE(consumer.ok());
  std::vector<RecordView> views;
  EXPECT_TRUE((*consumer)->Poll(10, Millis(300), views).ok());
  EXPECT_TRUE(views.empty());
  EXPECT_EQ((*consumer)->Commit({{"t", 0, 1}}).code(), StatusCode::kTimeout);
  consumer->reset();  // bounded close
  producer->reset();
  EXPECT_LT(Since(start).count(), 5000);
}

}  // namespace
}  // namespace brook::kafka
