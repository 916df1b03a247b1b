#include "parser/parser.h"

#include <gtest/gtest.h>

#include "common/diagnostic.h"

namespace brook {
namespace {

TEST(ParserTest, ParsesCreateStreamWithColumnsAndProperties) {
  auto r = Parser::Parse(
      "CREATE STREAM pageviews (id INT KEY, `Name` STRING, tags ARRAY<STRING>, "
      "s STRUCT<a INT, b MAP<STRING, DECIMAL(4,2)>>) "
      "WITH (kafka_topic='pv', value_format='JSON', partitions=2);");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  auto* cs = dynamic_cast<ast::CreateSource*>((*r)[0].get());
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->name, "PAGEVIEWS");
  ASSERT_EQ(cs->elements.size(), 4u);
  EXPECT_EQ(cs->elements[0].constraint, ast::TableElement::Constraint::kKey);
  EXPECT_EQ(cs->elements[1].name, "Name");
  EXPECT_EQ(cs->elements[3].type->kind, ast::TypeNode::Kind::kStruct);
  ASSERT_NE(cs->properties.Find("KAFKA_TOPIC"), nullptr);
  EXPECT_EQ(cs->properties.Find("KAFKA_TOPIC")->value.as_string(), "pv");
  EXPECT_EQ(cs->properties.Find("PARTITIONS")->value.as_int(), 2);
}

TEST(ParserTest, ParsesQueryWithExpressions) {
  auto r = Parser::Parse(
      "CREATE STREAM out AS SELECT a + 1 AS x, s->f, arr[1], CASE WHEN a > 1 THEN 'y' ELSE 'n' END "
      "FROM src WHERE a BETWEEN 1 AND 10 AND b LIKE 'x%' AND c IN (1, 2) AND d IS NOT NULL "
      "PARTITION BY a EMIT CHANGES;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto* cas = dynamic_cast<ast::CreateAsSelect*>((*r)[0].get());
  ASSERT_NE(cas, nullptr);
  EXPECT_EQ(cas->query.select.size(), 4u);
  EXPECT_EQ(*cas->query.select[0].alias, "X");
  EXPECT_TRUE(cas->query.has_partition_by);
  EXPECT_EQ(cas->query.where->kind, ast::ExprKind::kAnd);
}

TEST(ParserTest, NegativeLiteralsFold) {
  auto r = Parser::ParseExpression("-2147483648");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->literal_kind, ast::LiteralKind::kInteger);
  EXPECT_EQ((*r)->literal.as_int(), INT32_MIN);
  auto d = Parser::ParseExpression("1.50");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->literal_kind, ast::LiteralKind::kDecimal);
  EXPECT_EQ((*d)->literal.decimal_scale(), 2);
}

TEST(ParserTest, SyntaxErrorPointsAtToken) {
  std::string sql = "SELECT * FORM x;";
  auto r = Parser::Parse(sql);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  ASSERT_TRUE(r.status().range().has_value());
  EXPECT_EQ(r.status().range()->line, 1);
  EXPECT_EQ(r.status().range()->column, 9);
  std::string rendered = RenderDiagnostic(r.status(), sql);
  EXPECT_NE(rendered.find("Syntax Error"), std::string::npos);
  EXPECT_NE(rendered.find("line 1:10"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("LINE 1: SELECT * FORM x;\n                 ^^^^"), std::string::npos)
      << rendered;
}

TEST(ParserTest, GarbageNeverCrashes) {
  for (const char* s : {"", ";", "(((", "CREATE", "SELECT FROM", "'unterminated", "`x", "\x01\x02",
                        "INSERT INTO x VALUES (", "CREATE STREAM s (a ARRAY<) WITH ();"}) {
    auto r = Parser::Parse(s);
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty()) << s;
    }
  }
}

TEST(ParserTest, SubstitutesVariables) {
  auto r = SubstituteVariables("SELECT * FROM ${Src} WHERE x = '${v}' AND y = '$${v}'",
                               {{"SRC", "T"}, {"V", "1"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "SELECT * FROM T WHERE x = '1' AND y = '${v}'");
  EXPECT_FALSE(SubstituteVariables("${nope}", {}).ok());
}

TEST(ParserTest, SplitsStatementsRespectingQuotes) {
  auto parts = Parser::SplitStatements("SET 'a'=';'; -- c;\nSELECT 1 FROM x;");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "SET 'a'=';';");
}

TEST(ParserTest, LeftAndRightAfterASourceStartAJoinNotAnAlias) {
  struct Case {
    const char* sql;
    ast::JoinType type;
    const char* left_alias;
  };
  for (const Case& c : {Case{"SELECT * FROM s LEFT JOIN t ON s.id = t.id EMIT CHANGES;",
                             ast::JoinType::kLeft, "S"},
                        Case{"SELECT * FROM s RIGHT OUTER JOIN t ON s.id = t.id EMIT CHANGES;",
                             ast::JoinType::kRight, "S"},
                        Case{"SELECT * FROM s AS left JOIN t ON left.id = t.id EMIT CHANGES;",
                             ast::JoinType::kInner, "LEFT"},
                        Case{"SELECT * FROM s x LEFT JOIN t ON x.id = t.id EMIT CHANGES;",
                             ast::JoinType::kLeft, "X"}}) {
    auto r = Parser::Parse(c.sql);
    ASSERT_TRUE(r.ok()) << c.sql << ": " << r.status().ToString();
    const auto& q = static_cast<const ast::QueryStatement&>(*(*r)[0]).query;
    ASSERT_EQ(q.joins.size(), 1u) << c.sql;
    EXPECT_EQ(q.joins[0].type, c.type) << c.sql;
    EXPECT_EQ(q.from.alias, c.left_alias) << c.sql;
  }
}

TEST(ParserTest, NestingIsBoundedBeforeAnythingRecurses) {
  // Deep enough to exhaust the stack of a recursive parser or AST walk, were it not refused.
  std::string parens = "SELECT " + std::string(20000, '(') + "1" + std::string(20000, ')') +
                       " FROM s EMIT CHANGES;";
  auto r = Parser::Parse(parens);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  ASSERT_TRUE(r.status().range().has_value());
  EXPECT_EQ(r.status().range()->column, 7 + 64);  // the 65th parenthesis
  std::string chain = "SELECT 1";
  for (int i = 0; i < 20000; ++i) chain += "+1";
  r = Parser::Parse(chain + " FROM s EMIT CHANGES;");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  // Within the bounds all is well.
  std::string fine = "SELECT " + std::string(60, '(') + "1" + std::string(60, ')');
  for (int i = 0; i < 500; ++i) fine += "+1";
  EXPECT_TRUE(Parser::Parse(fine + " FROM s EMIT CHANGES;").ok());
}

}  // namespace
}  // namespace brook
