#include <gtest/gtest.h>

#include "common/diagnostic.h"
#include "common/java_format.h"
#include "common/json_text.h"
#include "common/time_util.h"
#include "common/time_zone.h"
#include "common/value_cast.h"

namespace brook {
namespace {

TEST(JavaFormatTest, DoublesPrintLikeJava) {
  EXPECT_EQ(JavaDoubleToString(1.0), "1.0");
  EXPECT_EQ(JavaDoubleToString(0.1), "0.1");
  EXPECT_EQ(JavaDoubleToString(0.001), "0.001");
  EXPECT_EQ(JavaDoubleToString(0.0001), "1.0E-4");
  EXPECT_EQ(JavaDoubleToString(1e7), "1.0E7");
  EXPECT_EQ(JavaDoubleToString(9999999.0), "9999999.0");
  EXPECT_EQ(JavaDoubleToString(123456789.125), "1.23456789125E8");
  EXPECT_EQ(JavaDoubleToString(-0.0), "-0.0");
  EXPECT_EQ(JavaDoubleToString(4.9e-324), "4.9E-324");
  EXPECT_EQ(JavaDoubleToString(1.0 / 3), "0.3333333333333333");
}

TEST(JavaFormatTest, DecimalsKeepTheirScale) {
  EXPECT_EQ(DecimalToString(1250, 2), "12.50");
  EXPECT_EQ(DecimalToString(-5, 2), "-0.05");
  EXPECT_EQ(DecimalToString(7, 0), "7");
  auto p = ParseDecimal("1.10");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->scale, 2);
  EXPECT_EQ(static_cast<int64_t>(p->unscaled), 110);
  EXPECT_FALSE(ParseDecimal("1.2.3").has_value());
  EXPECT_FALSE(ParseDecimal("1e").has_value());
  EXPECT_FALSE(ParseDecimal("1e-200").has_value());  // beyond any DECIMAL(38, s)
  EXPECT_TRUE(ParseDecimal("12345678901234567890123456789012345678").has_value());  // 38 digits
  EXPECT_FALSE(ParseDecimal("123456789012345678901234567890123456789").has_value());
  EXPECT_EQ(static_cast<int64_t>(*RescaleDecimal(123, 60, 2, 38)), 0);
  // HALF_UP when reducing scale, overflow detected against precision.
  EXPECT_EQ(static_cast<int64_t>(*RescaleDecimal(125, 2, 1, 5)), 13);
  EXPECT_EQ(static_cast<int64_t>(*RescaleDecimal(-125, 2, 1, 5)), -13);
  EXPECT_FALSE(RescaleDecimal(12345, 0, 2, 5).has_value());
  // The precision bound is exact: 10^p - 1 fits DECIMAL(p, 0), 10^p does not.
  EXPECT_TRUE(RescaleDecimal(99999, 0, 0, 5).has_value());
  EXPECT_FALSE(RescaleDecimal(100000, 0, 0, 5).has_value());
  EXPECT_FALSE(RescaleDecimal(-100000, 0, 0, 5).has_value());
  int128 max38 = 0;
  for (int i = 0; i < 38; ++i) max38 = max38 * 10 + 9;
  EXPECT_TRUE(RescaleDecimal(max38, 0, 0, 38).has_value());
  EXPECT_TRUE(RescaleDecimal(-max38, 0, 0, 38).has_value());
  // Raising the scale stops before a 39th digit.
  EXPECT_TRUE(RescaleDecimal(max38 / 10, 0, 1, 38).has_value());
  EXPECT_FALSE(RescaleDecimal(max38, 0, 1, 39).has_value());
}

TEST(JavaFormatTest, AppendDecimalAppendsPlainText) {
  std::string out = "x=";
  AppendDecimal(1250, 2, out);
  EXPECT_EQ(out, "x=12.50");
  auto text = [](int128 v, int scale) {
    std::string s;
    AppendDecimal(v, scale, s);
    return s;
  };
  EXPECT_EQ(text(0, 0), "0");
  EXPECT_EQ(text(0, 3), "0.000");
  EXPECT_EQ(text(-5, 2), "-0.05");
  EXPECT_EQ(text(5, 1), "0.5");
  EXPECT_EQ(text(-123, 3), "-0.123");
  EXPECT_EQ(text(1234, 3), "1.234");
  EXPECT_EQ(text(12, -2), "1200");
  EXPECT_EQ(text(-12, -2), "-1200");
  int128 big = 1;
  for (int i = 0; i < 37; ++i) big *= 10;  // 10^37: beyond 64 bits
  EXPECT_EQ(text(big + 7, 2), "1" + std::string(32, '0') + "000.07");
  EXPECT_EQ(text(-(big + 7), 0), "-1" + std::string(33, '0') + "0007");
}

TEST(ValueTest, InPlaceSettersReplaceEveryKind) {
  Value v = Value::Array({Value::Int(1)});
  v.SetString("abc");
  EXPECT_EQ(v.kind(), Value::Kind::kString);
  EXPECT_EQ(v.as_string(), "abc");
  EXPECT_TRUE(v.list().empty());
  v.SetInt64(Value::Kind::kBigint, -7);
  EXPECT_EQ(v.kind(), Value::Kind::kBigint);
  EXPECT_EQ(v.as_int64(), -7);
  EXPECT_EQ(v.as_string(), "");
  EXPECT_TRUE(v == Value::Bigint(-7));
  v.SetDouble(2.5);
  EXPECT_TRUE(v == Value::Double(2.5));
  v = Value::Decimal(12345, 2);
  v.Reset();
  EXPECT_TRUE(v.is_null());
  EXPECT_TRUE(v == Value::Null());
  v.SetInt64(Value::Kind::kInt, 3);
  EXPECT_EQ(v.decimal_scale(), 0);
  EXPECT_TRUE(v == Value::Int(3));
}

TEST(ValueCastTest, StringConversionsFollowKsqlDb) {
  auto i = CastValue(Value::String(" 42 "), SqlType::String(), SqlType::Int());
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->as_int(), 42);
  EXPECT_FALSE(CastValue(Value::String("4x"), SqlType::String(), SqlType::Int()).ok());
  auto d = CastValue(Value::Double(1.5), SqlType::Double(), SqlType::Decimal(4, 2));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->DebugString(), "1.50");
  auto s = CastValue(Value::Array({Value::Int(1), Value::Int(2)}), SqlType::Array(SqlType::Int()),
                     SqlType::String());
  EXPECT_EQ(s->as_string(), "[1, 2]");
  auto ts = CastValue(Value::String("2020-01-02T03:04:05.006"), SqlType::String(),
                      SqlType::Timestamp());
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(FormatTimestamp(ts->as_int64()), "2020-01-02T03:04:05.006");
}

TEST(TimeZoneTest, NamedZonesFollowDaylightSaving) {
  auto la = TimeZone::Find("America/Los_Angeles");
  ASSERT_TRUE(la.ok()) << la.status().ToString();
  int64_t summer = 1526075913000;  // 2018-05-11T21:58:33Z
  int64_t winter = 1515000000000;  // 2018-01-03
  EXPECT_EQ((*la)->OffsetAt(summer), -7 * 3600000LL);
  EXPECT_EQ((*la)->AbbreviationAt(summer), "PDT");
  EXPECT_EQ((*la)->OffsetAt(winter), -8 * 3600000LL);
  auto fixed = TimeZone::Find("+05:30");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ((*fixed)->OffsetAt(0), 5 * 3600000LL + 30 * 60000LL);
  EXPECT_FALSE(TimeZone::Find("Not/AZone").ok());
  EXPECT_FALSE(TimeZone::Find("../../etc/passwd").ok());
}

TEST(DiagnosticTest, RendersCaretUnderTheSpan) {
  SourceRange r{2, 7, 16, 20};
  Status st(StatusCode::kInvalidArgument, "bad column", r);
  std::string sql = "SELECT 1\nFROM x WHERE nope > 1";
  std::string out = RenderDiagnostic(st, sql);
  EXPECT_NE(out.find("Line: 2, Col: 8: bad column"), std::string::npos) << out;
  EXPECT_NE(out.find("LINE 2: FROM x WHERE nope > 1\n               ^^^^"), std::string::npos) << out;
}

TEST(JsonTextTest, KeepsNumberTextAndStructure) {
  auto n = ParseJsonText(R"({"a": 2.50, "b": [1, -3e2, "x\u00e9\ud83d\ude00"], "c": null, "d": true})");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->Get("a")->text, "2.50");
  ASSERT_EQ(n->Get("b")->items.size(), 3u);
  EXPECT_EQ(n->Get("b")->items[1].text, "-3e2");
  EXPECT_EQ(n->Get("b")->items[2].text, "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(n->Get("c")->IsNull());
  EXPECT_TRUE(n->Get("d")->boolean);
  EXPECT_EQ(n->Dump(), R"({"a":2.50,"b":[1,-3e2,"xé😀"],"c":null,"d":true})");
}

TEST(JsonTextTest, CommentsTrailingTextAndScalars) {
  auto n = ParseJsonText("// lead\n{\"a\": /* inline */ 1, \"s\": \"//not a comment\"}");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->Get("s")->text, "//not a comment");
  EXPECT_FALSE(ParseJsonText("{\"a\": 1} x").ok());
  EXPECT_TRUE(ParseJsonPrefix("{\"a\": 1} x").ok());
  EXPECT_EQ(ParseJsonText(" 12.0 ")->text, "12.0");
  EXPECT_EQ(ParseJsonText("\"s\"")->text, "s");
  EXPECT_FALSE(ParseJsonText("{\"a\": 1 /* unterminated").ok());
  EXPECT_EQ(ParseJsonText("{\"a\": 1, \"a\": 2}")->Get("a")->text, "2");  // last wins
}

TEST(JsonTextTest, HostileInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseJsonText("\"\\uZZZZ\"").ok());
  EXPECT_FALSE(ParseJsonText("[1, 2").ok());
  EXPECT_FALSE(ParseJsonText("{\"a\" 1}").ok());
  EXPECT_FALSE(ParseJsonText("1-2").ok());
  EXPECT_FALSE(ParseJsonText("").ok());
  // Nesting far deeper than any real document: refused, without exhausting the stack.
  std::string deep(200000, '[');
  EXPECT_FALSE(ParseJsonText(deep).ok());
  std::string closed = std::string(2000, '[') + std::string(2000, ']');
  auto r = ParseJsonText(closed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("deep"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace brook
