#include "runtime/state/key_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "runtime/state/changelog.h"

namespace brook::state {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string Ordered(int64_t v) {
  std::string out;
  AppendOrderedInt64(v, out);
  return out;
}

TEST(StateKeyEncodingTest, OrderedInt64ByteOrderIsSignedOrder) {
  std::vector<int64_t> values = {kMin, kMin + 1, -1000000, -256,    -255,     -1,  0,
                                 1,    255,      256,      1000000, kMax - 1, kMax};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    EXPECT_LT(Ordered(values[i]), Ordered(values[i + 1])) << values[i] << " vs " << values[i + 1];
  }
  for (int64_t v : values) {
    std::string e = Ordered(v);
    ASSERT_EQ(e.size(), 8u);
    auto d = DecodeOrderedInt64(e);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, v);
  }
  EXPECT_FALSE(DecodeOrderedInt64("short").ok());
}

// (key, time) pairs in their logical order: key bytes lexicographically (a key before its
// extensions, 0x00 and 0xFF bytes included), then signed time.
std::vector<KeyTime> LogicallyOrdered() {
  std::vector<std::string> keys = {"",
                                   std::string(1, '\0'),
                                   std::string("\0\0", 2),
                                   std::string("\0\x01", 2),
                                   "\x01",
                                   "a",
                                   std::string("a\0", 2),
                                   std::string("a\0b", 3),
                                   "a\x01",
                                   "aa",
                                   "ab",
                                   "b",
                                   "\xff",
                                   "\xff\xff"};
  std::vector<int64_t> times = {kMin, -5, -1, 0, 1, 1000, kMax};
  std::vector<KeyTime> out;
  for (const auto& k : keys) {
    for (int64_t t : times) out.push_back({k, t});
  }
  return out;
}

TEST(StateKeyEncodingTest, KeyTimeByteOrderIsKeyThenTime) {
  auto logical = LogicallyOrdered();
  for (size_t i = 0; i + 1 < logical.size(); ++i) {
    EXPECT_LT(EncodeKeyTime(logical[i].key, logical[i].time),
              EncodeKeyTime(logical[i + 1].key, logical[i + 1].time))
        << i;
  }
  for (const KeyTime& kt : logical) {
    auto d = DecodeKeyTime(EncodeKeyTime(kt.key, kt.time));
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->key, kt.key);
    EXPECT_EQ(d->time, kt.time);
  }
}

TEST(StateKeyEncodingTest, KeyPrefixesDoNotCollide) {
  // Every window of "a" lies outside the range of windows of "ab", "a\0" and vice versa.
  for (const std::string& other : {std::string("ab"), std::string("a\0", 2), std::string("")}) {
    std::string prefix = EncodeKeyPrefix("a");
    for (int64_t t : {kMin, int64_t{0}, kMax}) {
      EXPECT_NE(EncodeKeyTime(other, t).rfind(prefix, 0), 0u) << other;
      EXPECT_NE(EncodeKeyTime("a", t).rfind(EncodeKeyPrefix(other), 0), 0u) << other;
    }
  }
}

TEST(StateKeyEncodingTest, TimeKeyByteOrderIsTimeThenKey) {
  auto logical = LogicallyOrdered();
  std::sort(logical.begin(), logical.end(), [](const KeyTime& a, const KeyTime& b) {
    return a.time != b.time ? a.time < b.time : a.key < b.key;
  });
  for (size_t i = 0; i + 1 < logical.size(); ++i) {
    EXPECT_LT(EncodeTimeKey(logical[i].time, logical[i].key),
              EncodeTimeKey(logical[i + 1].time, logical[i + 1].key))
        << i;
  }
  for (const KeyTime& kt : logical) {
    auto d = DecodeTimeKey(EncodeTimeKey(kt.time, kt.key));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->key, kt.key);
    EXPECT_EQ(d->time, kt.time);
  }
}

TEST(StateKeyEncodingTest, DecodeRejectsMalformed) {
  EXPECT_FALSE(DecodeKeyTime("abc").ok());                                   // no terminator
  EXPECT_FALSE(DecodeKeyTime(std::string("a\0\x01xyz", 6)).ok());            // short time
  EXPECT_FALSE(DecodeKeyTime(std::string("a\0\x07", 3) + Ordered(1)).ok());  // bad escape
  EXPECT_FALSE(DecodeTimeKey("1234567").ok());
}

TEST(StateKeyEncodingTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor("a\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), "");
  EXPECT_EQ(PrefixSuccessor(""), "");
}

TEST(StateChangelogTest, TopicNameFollowsKsqlDb) {
  EXPECT_EQ(ChangelogTopicName(kDefaultServiceId, "CTAS_X_0", "Aggregate-Aggregate-Materialize"),
            "_confluent-ksql-default_query_CTAS_X_0-Aggregate-Aggregate-Materialize-changelog");
  EXPECT_EQ(ChangelogTopicName("svc1_", "CSAS_Y_3", "KsqlTopic-Reduce"),
            "_confluent-ksql-svc1_query_CSAS_Y_3-KsqlTopic-Reduce-changelog");
}

}  // namespace
}  // namespace brook::state
