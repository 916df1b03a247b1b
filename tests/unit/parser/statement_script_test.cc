// StatementScript: splitting with offsets, per-piece substitution, the echoed ';', and error
// positions re-based onto the whole script.
#include "parser/statement_script.h"

#include <gtest/gtest.h>

#include "parser/parser.h"

namespace brook {
namespace {

TEST(StatementScriptTest, PiecesKnowWhereTheyStart) {
  StatementScript script("SHOW STREAMS;\nSET 'a'=';';  -- c;\nSHOW TABLES;");
  ASSERT_EQ(script.size(), 3u);
  EXPECT_EQ(script.pieces()[0].offset, 0u);
  EXPECT_EQ(script.pieces()[1].offset, 13u);
  for (const StatementScript::Piece& piece : script.pieces()) {
    EXPECT_EQ(script.sql().substr(piece.offset, piece.text.size()), piece.text);
  }
  EXPECT_NE(script.pieces()[2].text.find("SHOW TABLES"), std::string::npos);
}

TEST(StatementScriptTest, PreparedTextKeepsItsSemicolon) {
  StatementScript script("SHOW STREAMS;  SHOW TABLES");
  auto first = script.Prepare(0, {}, true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->statements.size(), 1u);
  EXPECT_EQ(first->statements[0]->text, "SHOW STREAMS;");
  auto second = script.Prepare(1, {}, true);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->statements[0]->text, "SHOW TABLES");
}

TEST(StatementScriptTest, SubstitutesOnlyWhenAsked) {
  StatementScript script("DESCRIBE ${SRC};");
  auto substituted = script.Prepare(0, {{"SRC", "S1"}}, true);
  ASSERT_TRUE(substituted.ok()) << substituted.status().ToString();
  EXPECT_TRUE(substituted->substituted);
  EXPECT_EQ(substituted->statements[0]->text, "DESCRIBE S1;");
  EXPECT_FALSE(script.Prepare(0, {}, true).ok());  // unknown variable
  auto disabled = script.Prepare(0, {{"SRC", "S1"}}, false);
  if (disabled.ok()) EXPECT_FALSE(disabled->substituted);
}

TEST(StatementScriptTest, ErrorsAreRebasedOntoTheScript) {
  StatementScript script("SHOW STREAMS;\nSHOW TABLES;  CREATE STREAM FROM;");
  auto bad = script.Prepare(2, {}, true);
  ASSERT_FALSE(bad.ok());
  ASSERT_TRUE(bad.status().range().has_value());
  EXPECT_EQ(bad.status().range()->line, 2);
  EXPECT_GE(bad.status().range()->begin, script.pieces()[2].offset);
  // Positions in substituted text are left alone.
  StatementScript defined("SHOW STREAMS;\nCREATE STREAM ${X};");
  auto sub = defined.Prepare(1, {{"X", "FROM"}}, true);
  ASSERT_FALSE(sub.ok());
  auto direct = Parser::Parse("\nCREATE STREAM FROM;");
  ASSERT_FALSE(direct.ok());
  ASSERT_TRUE(sub.status().range().has_value());
  EXPECT_EQ(sub.status().range()->begin, direct.status().range()->begin);
  EXPECT_EQ(sub.status().range()->line, direct.status().range()->line);
}

TEST(StatementScriptTest, RebaseRangeMovesLineColumnAndOffsets) {
  SourceRange r{1, 5, 5, 9};
  SourceRange moved = RebaseRange(r, "SHOW STREAMS;\nSELECT", 14);
  EXPECT_EQ(moved.line, 2);
  EXPECT_EQ(moved.column, 5);
  EXPECT_EQ(moved.begin, 19u);
  EXPECT_FALSE(RebaseRange(SourceRange{}, "x", 0).valid());
}

}  // namespace
}  // namespace brook
