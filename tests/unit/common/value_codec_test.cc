#include "common/value_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace brook {
namespace {

std::string Ordered(const std::vector<Value>& values) {
  std::string out;
  EncodeOrderedValues(values.data(), values.size(), out);
  return out;
}

TEST(ValueCodecTest, RoundTripsEveryKind) {
  std::vector<Value> values = {Value(),
                               Value::Bool(true),
                               Value::Int(-7),
                               Value::Bigint(1LL << 40),
                               Value::Double(-0.25),
                               Value::Decimal(12345, 2),
                               Value::String(std::string("a\0b", 3)),
                               Value::Bytes("\xff\x00"),
                               Value::Array({Value::Int(1), Value()}),
                               Value::Struct({Value::String("x")})};
  std::string bytes;
  EncodeValues(values.data(), values.size(), bytes);
  std::vector<Value> back;
  ASSERT_TRUE(DecodeValues(bytes, back));
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_TRUE(back[i] == values[i]) << i;
  // Truncated input is refused, not read past its end.
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<Value> part;
    std::string_view view(bytes.data(), cut);
    bool ok = DecodeValues(view, part);
    if (ok) EXPECT_LT(part.size(), values.size());
  }
}

TEST(ValueCodecTest, OrderedEncodingRoundTrips) {
  std::vector<Value> values = {
      Value(),          Value::Bool(false),   Value::Int(-1),
      Value::Bigint(0), Value::Double(-1.5),  Value::String(std::string("\0\x01z", 3)),
      Value::Bytes(""), Value::Decimal(-5, 1)};
  std::vector<Value> back;
  ASSERT_TRUE(DecodeOrderedValues(Ordered(values), back));
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_TRUE(back[i] == values[i]) << i;
  std::string bad = Ordered({Value::String("abc")});
  bad.pop_back();  // no terminator
  EXPECT_FALSE(DecodeOrderedValues(bad, back));
}

// Bytewise order of the encodings is the order of the values.
TEST(ValueCodecTest, OrderedEncodingSortsLikeTheValues) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> ints = {std::numeric_limits<int64_t>::min(), -1000, -1, 0, 1, 999,
                               std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 200; ++i) ints.push_back(static_cast<int64_t>(rng()));
  std::vector<double> doubles = {
      -std::numeric_limits<double>::infinity(), -1e300, -2.5, -0.0, 0.0, 1e-300, 3.0, 1e300,
      std::numeric_limits<double>::infinity()};
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  for (int i = 0; i < 200; ++i) doubles.push_back(d(rng));
  std::vector<std::string> strings = {
      "", std::string(1, '\0'), std::string("\0\0", 2), "a", "a\xff", "ab", "b", "\x7f", "\x80"};
  auto check = [](auto values, auto make) {
    std::sort(values.begin(), values.end());
    for (size_t i = 0; i + 1 < values.size(); ++i) {
      if (values[i] == values[i + 1]) continue;
      EXPECT_LT(Ordered({make(values[i])}), Ordered({make(values[i + 1])}));
    }
  };
  check(ints, [](int64_t v) { return Value::Bigint(v); });
  check(doubles, [](double v) { return Value::Double(v); });
  check(strings, [](const std::string& v) { return Value::String(v); });
  // Multi-column keys compare column by column: ("a", 2) < ("ab", 1) < ("b", 0).
  EXPECT_LT(Ordered({Value::String("a"), Value::Int(2)}),
            Ordered({Value::String("ab"), Value::Int(1)}));
  EXPECT_LT(Ordered({Value::String("ab"), Value::Int(1)}),
            Ordered({Value::String("b"), Value::Int(0)}));
  // NULL sorts first.
  EXPECT_LT(Ordered({Value()}), Ordered({Value::Int(std::numeric_limits<int32_t>::min())}));
}

}  // namespace
}  // namespace brook
