#include "runtime/kafka/embedded_broker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace brook::kafka {
namespace {

TEST(LibrdkafkaEmbeddedBrokerTest, StartsBrokersOnLoopback) {
  auto broker = EmbeddedBroker::Start(3);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  const std::string& bootstrap = (*broker)->bootstrap_servers();
  EXPECT_EQ((*broker)->broker_count(), 3);
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 2) << bootstrap;
  EXPECT_EQ(bootstrap.rfind("127.0.0.1:", 0), 0u) << bootstrap;
  EXPECT_NE((*broker)->mock_cluster(), nullptr);
}

TEST(LibrdkafkaEmbeddedBrokerTest, CreateTopicValidatesAndRejectsDuplicates) {
  auto broker = EmbeddedBroker::Start();
  ASSERT_TRUE(broker.ok());
  EXPECT_TRUE((*broker)->CreateTopic("a", 2).ok());
  EXPECT_EQ((*broker)->CreateTopic("a", 2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*broker)->CreateTopic("", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*broker)->CreateTopic("b", 0).code(), StatusCode::kInvalidArgument);
  // Replication factor above the broker count is clamped, not an error.
  EXPECT_TRUE((*broker)->CreateTopic("c", 1, /*replication_factor=*/3).ok());
}

TEST(LibrdkafkaEmbeddedBrokerTest, RejectsZeroBrokers) {
  EXPECT_EQ(EmbeddedBroker::Start(0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace brook::kafka
