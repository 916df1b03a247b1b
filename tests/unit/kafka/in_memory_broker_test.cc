#include "runtime/kafka/in_memory_broker.h"

#include <gtest/gtest.h>

namespace brook::kafka {
namespace {

TEST(InMemoryBrokerTest, ReadsInProductionOrderAcrossTopics) {
  InMemoryBroker broker;
  ASSERT_TRUE(broker.CreateTopic({"a", 2}, Millis(0)).ok());
  ASSERT_TRUE(broker.Produce({"a", 1, 10, "k1", "v1", {}}).ok());
  ASSERT_TRUE(broker.Produce({"b", -1, 20, "k2", "v2", {}}).ok());
  ASSERT_TRUE(broker.Produce({"a", 0, 30, "k3", "v3", {}}).ok());
  auto consumer = broker.NewConsumer({"g", {"a", "b"}, true, {}});
  ASSERT_TRUE(consumer.ok());
  std::vector<RecordView> out;
  ASSERT_TRUE((*consumer)->Poll(10, Millis(0), out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(*out[0].value, "v1");
  EXPECT_EQ(out[1].topic, "b");
  EXPECT_EQ(*out[2].value, "v3");
  EXPECT_EQ(out[2].timestamp, 30);
}

TEST(InMemoryBrokerTest, GroupResumesFromCommittedOffset) {
  InMemoryBroker broker;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(broker.Produce({"t", 0, i, std::nullopt, std::to_string(i), {}}).ok());
  }
  {
    auto c = broker.NewConsumer({"g", {"t"}, true, {}});
    std::vector<RecordView> out;
    ASSERT_TRUE((*c)->Poll(1, Millis(0), out).ok());
    ASSERT_EQ(out.size(), 1u);
    ASSERT_TRUE((*c)->Commit({{"t", 0, out[0].offset + 1}}).ok());
  }
  auto c = broker.NewConsumer({"g", {"t"}, true, {}});
  std::vector<RecordView> out;
  ASSERT_TRUE((*c)->Poll(10, Millis(0), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0].value, "1");
}

TEST(InMemoryBrokerTest, CreateExistingTopicFails) {
  InMemoryBroker broker;
  ASSERT_TRUE(broker.CreateTopic({"x", 1}, Millis(0)).ok());
  EXPECT_EQ(broker.CreateTopic({"x", 1}, Millis(0)).code(), StatusCode::kAlreadyExists);
}

TEST(Murmur2Test, MatchesJavaDefaultPartitioner) {
  // Values from Kafka's Java Utils.murmur2 for these inputs.
  EXPECT_EQ(Murmur2("21") & 0x7fffffff, static_cast<uint32_t>(-973932308) & 0x7fffffff);
}

}  // namespace
}  // namespace brook::kafka
