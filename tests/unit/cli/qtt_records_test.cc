// The QTT runner's checks (cli/testing/qtt_records.h) as ksqlDB's harness makes them: the record
// comparator has no string/number fallback beyond ksqlDB's own, expectedException.type is an
// instanceOf check, and post.topics entries are checked.

#include "cli/testing/qtt_records.h"

#include <gtest/gtest.h>

#include "common/diagnostic.h"
#include "runtime/functions/builtins.h"

namespace brook::testing {
namespace {

JsonNode J(const std::string& text) {
  auto n = ParseJsonText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : JsonNode();
}

bool M(const std::string& expected, const std::string& actual) {
  return Matches(J(expected), J(actual), /*exact_numbers=*/true);
}

TEST(QttComparatorTest, StringsAndNumbersMatchOnlyAsKsqlDbsComparatorSays) {
  EXPECT_TRUE(M(R"("10")", R"("10")"));
  EXPECT_FALSE(M("10", R"("10")")) << "an expected number never matches an output string";
  EXPECT_FALSE(M(R"("10")", "10")) << "an expected string never matches an integer output";
  EXPECT_TRUE(M(R"("1.50")", "1.50")) << "an expected string matches an equal BigDecimal";
  EXPECT_FALSE(M(R"("1.5")", "1.50")) << "including its scale";
  EXPECT_FALSE(M(R"("abc")", "1.5"));
}

TEST(QttComparatorTest, NumbersCompareByTheOutputsJavaType) {
  EXPECT_TRUE(M("10", "10"));
  EXPECT_TRUE(M("10.0", "10")) << "Integer output: compared with the expected intValue()";
  EXPECT_FALSE(M("10", "10.0")) << "BigDecimal output with decimal places vs an integral literal";
  EXPECT_TRUE(M("100", "1E+2")) << "a BigDecimal without decimal places";
  EXPECT_TRUE(M("2.50", "2.50"));
  EXPECT_FALSE(M("2.5", "2.50"));
  EXPECT_FALSE(M("1", "99999999999999999999")) << "a BigInteger output never matches";
  EXPECT_TRUE(Matches(J("0.1"), J("0.1000000001"), /*exact_numbers=*/false));
}

TEST(QttComparatorTest, ContainersCompareElementByElement) {
  EXPECT_TRUE(M(R"({"a": [1, "x", null]})", R"({"A": [1, "x", null]})"));
  EXPECT_FALSE(M(R"({"a": [1, "x"]})", R"({"A": [1, "x", null]})"));
  EXPECT_FALSE(M(R"({"a": 1})", R"({"A": 1, "B": 2})"));
  EXPECT_FALSE(M(R"([1])", R"({"A": 1})"));
}

TEST(QttExpectedExceptionTest, TypeIsAnInstanceOfCheck) {
  Status syntax(StatusCode::kParseError, "Syntax Error");
  Status ast(StatusCode::kAstError, "Column `ID` is a 'PRIMARY KEY' column");
  Status semantic = InvalidArgument("Unknown function");
  auto type = [](const std::string& t) { return J(R"({"type": ")" + t + R"("})"); };
  const std::string parse = "io.confluent.ksql.parser.exception.ParseFailedException";
  const std::string statement = "io.confluent.ksql.util.KsqlStatementException";
  const std::string base = "io.confluent.ksql.util.KsqlException";
  EXPECT_FALSE(ExceptionTypeMismatch(type(parse), syntax));
  EXPECT_FALSE(ExceptionTypeMismatch(type(parse), ast));
  EXPECT_TRUE(ExceptionTypeMismatch(type(parse), semantic));
  for (const Status& s : {syntax, ast, semantic}) {
    EXPECT_FALSE(ExceptionTypeMismatch(type(statement), s));
    EXPECT_FALSE(ExceptionTypeMismatch(type(base), s));
  }
  EXPECT_TRUE(ExceptionTypeMismatch(type("java.lang.AssertionError"), semantic))
      << "a type the runner does not know cannot pass unchecked";
  EXPECT_FALSE(ExceptionTypeMismatch(J("{}"), semantic));
}

class QttPostTopicsTest : public ::testing::Test {
 protected:
  QttPostTopicsTest() : broker_(1) { RegisterBuiltinFunctions(functions_); }

  // Runs `sql`, then checks `post` (the case's "post" object) against the result.
  std::optional<std::string> Check(const std::string& sql, const std::string& post) {
    Engine engine(broker_, functions_, HarnessEngineOptions(1000, false));
    SessionState session;
    auto r = engine.ExecuteScript(sql, session);
    EXPECT_TRUE(r.ok()) << RenderDiagnostic(r.status(), sql);
    return CheckOutputs(J(R"({"post": )" + post + "}"), engine, broker_, true);
  }

  kafka::InMemoryBroker broker_;
  FunctionRegistry functions_;
};

constexpr const char* kWindowed =
    "CREATE STREAM S (ID INT KEY, V INT) WITH (kafka_topic='s', value_format='JSON', "
    "partitions=2);"
    "CREATE TABLE OUTPUT AS SELECT ID, COUNT(*) AS C FROM S WINDOW HOPPING (SIZE 5 SECONDS, "
    "ADVANCE BY 1 SECOND) GROUP BY ID;";

TEST_F(QttPostTopicsTest, EntriesAreChecked) {
  const std::string ok = R"({"topics": {"topics": [{"name": "OUTPUT", "partitions": 2,
      "keyFormat": {"format": "KAFKA", "windowInfo": {"type": "HOPPING", "size": 5}},
      "valueFormat": {"format": "JSON"}}]}})";
  EXPECT_EQ(Check(kWindowed, ok), std::nullopt);
  auto why = [&](const std::string& entry) {
    return Check(kWindowed, R"({"topics": {"topics": [)" + entry + "]}}").value_or("");
  };
  EXPECT_NE(why(R"({"name": "NOPE", "keyFormat": {"format": "KAFKA"},
      "valueFormat": {"format": "JSON"}})")
                .find("does not exist"),
            std::string::npos);
  EXPECT_NE(why(R"({"name": "OUTPUT", "partitions": 4, "keyFormat": {"format": "KAFKA",
      "windowInfo": {"type": "HOPPING", "size": 5}}, "valueFormat": {"format": "JSON"}})")
                .find("partitions"),
            std::string::npos);
  EXPECT_NE(why(R"({"name": "OUTPUT", "keyFormat": {"format": "KAFKA"},
      "valueFormat": {"format": "JSON"}})")
                .find("unwindowed"),
            std::string::npos);
  EXPECT_NE(why(R"({"name": "OUTPUT", "keyFormat": {"format": "KAFKA",
      "windowInfo": {"type": "TUMBLING", "size": 5}}, "valueFormat": {"format": "JSON"}})")
                .find("window type"),
            std::string::npos);
  EXPECT_NE(why(R"({"name": "OUTPUT", "keyFormat": {"format": "KAFKA",
      "windowInfo": {"type": "HOPPING", "size": 6}}, "valueFormat": {"format": "JSON"}})")
                .find("window size"),
            std::string::npos);
  EXPECT_NE(why(R"({"name": "OUTPUT", "keyFormat": {"format": "JSON",
      "windowInfo": {"type": "HOPPING", "size": 5}}, "valueFormat": {"format": "JSON"}})")
                .find("key format"),
            std::string::npos);
  EXPECT_NE(why(R"({"name": "OUTPUT", "keyFormat": {"format": "KAFKA",
      "windowInfo": {"type": "HOPPING", "size": 5}}, "valueFormat": {"format": "DELIMITED"}})")
                .find("value format"),
            std::string::npos);
}

TEST_F(QttPostTopicsTest, BlacklistMatchesAnywhereInTheName) {
  // Java's Pattern.asPredicate(): "Materialize" is found inside the changelog topic's name.
  auto why = Check(kWindowed, R"({"topics": {"blacklist": "Materialize"}})");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("-changelog is blacklisted"), std::string::npos) << *why;
  EXPECT_EQ(Check(kWindowed, R"({"topics": {"blacklist": ".*-repartition"}})"), std::nullopt);
}

}  // namespace
}  // namespace brook::testing
