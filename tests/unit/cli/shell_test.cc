// The shell's pieces without a server: statement splitting, its own commands, tables that fit,
// carets under errors, and the migrations' file names and checksums.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/shell/migrations.h"
#include "cli/shell/render.h"
#include "cli/shell/statements.h"

namespace brook::shell {
namespace {

TEST(ShellStatementsTest, SplitsAtSemicolonsOutsideQuotesAndComments) {
  std::string buffer =
      "SELECT 'a;b', \"c;d\", `e;f` FROM s; -- a comment; not a split\n"
      "/* block; */ SHOW STREAMS;\nCREATE STREAM x (a INT)";
  auto statements = TakeStatements(buffer);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0], "SELECT 'a;b', \"c;d\", `e;f` FROM s;");
  EXPECT_EQ(statements[1], "-- a comment; not a split\n/* block; */ SHOW STREAMS;");
  EXPECT_EQ(buffer, "\nCREATE STREAM x (a INT)");
  buffer += "\n  WITH (kafka_topic='it''s;');";
  statements = TakeStatements(buffer);
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0], "CREATE STREAM x (a INT)\n  WITH (kafka_topic='it''s;');");
  EXPECT_TRUE(IsBlank(buffer));
}

TEST(ShellStatementsTest, AnUnterminatedQuoteKeepsTheStatementOpen) {
  std::string buffer = "INSERT INTO s VALUES ('half;";
  EXPECT_TRUE(TakeStatements(buffer).empty());
  buffer += "done');";
  EXPECT_EQ(TakeStatements(buffer).size(), 1u);
}

TEST(ShellStatementsTest, RecognisesTheShellsOwnCommands) {
  EXPECT_EQ(ParseLocalCommand("exit")->kind, LocalCommand::Kind::kExit);
  EXPECT_EQ(ParseLocalCommand("  HELP; ")->kind, LocalCommand::Kind::kHelp);
  auto run = ParseLocalCommand("RUN SCRIPT '/tmp/it''s.sql';");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->kind, LocalCommand::Kind::kRunScript);
  EXPECT_EQ(run->argument, "/tmp/it's.sql");
  EXPECT_EQ(ParseLocalCommand("output json")->argument, "JSON");
  EXPECT_FALSE(ParseLocalCommand("SHOW STREAMS;"));
  EXPECT_FALSE(ParseLocalCommand("exit now"));
}

TEST(ShellStatementsTest, KeepsSetAndDefineAndExplainsMistakes) {
  std::string error;
  auto set = ParseClientStatement("SET 'auto.offset.reset' = 'earliest';", error);
  ASSERT_TRUE(set);
  EXPECT_TRUE(error.empty());
  EXPECT_EQ(set->name, "auto.offset.reset");
  EXPECT_EQ(set->value, "earliest");
  auto define = ParseClientStatement("DEFINE topic = 'it''s';", error);
  ASSERT_TRUE(define);
  EXPECT_EQ(define->value, "it's");
  ParseClientStatement("SET auto.offset.reset = 'earliest';", error);
  EXPECT_NE(error.find("quoted property name"), std::string::npos) << error;
  error.clear();
  ParseClientStatement("DEFINE 1x = 'v';", error);
  EXPECT_NE(error.find("variable name"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(ParseClientStatement("SELECT * FROM s;", error));
  EXPECT_FALSE(ParseClientStatement("SHOW PROPERTIES;", error));
}

TEST(ShellRenderTest, ATableFitsTheTerminalByWrappingItsWidestColumn) {
  const std::string long_text(100, 'x');
  const std::string table = RenderTable({"ID", "TEXT"}, {{"1", long_text}, {"2", "short"}}, 40);
  std::istringstream lines(table);
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 40u) << line;
    ++count;
  }
  EXPECT_GT(count, 6u);  // the long cell wrapped onto several lines
  EXPECT_NE(table.find("|ID|TEXT"), std::string::npos) << table;
  std::string joined;
  for (char c : table) {
    if (c == 'x') joined += c;
  }
  EXPECT_EQ(joined, long_text);  // nothing lost
}

TEST(ShellRenderTest, AnErrorWithAPositionGetsTheLineAndACaret) {
  const std::string shown = RenderError("Line: 2, Col: 3: WHERE column 'NOPE' cannot be resolved.",
                                        "SELECT * FROM s WHERE\n  nope = 1;");
  EXPECT_NE(shown.find("LINE 2:   nope = 1;\n          ^\n"), std::string::npos) << shown;
  const std::string parse = RenderError("line 1:1: Syntax Error", "SELEC 1;");
  EXPECT_NE(parse.find("LINE 1: SELEC 1;\n        ^\n"), std::string::npos) << parse;
  EXPECT_EQ(RenderError("no position here", "x;"), "no position here\n");
}

TEST(ShellRenderTest, RendersStatusesListsAndErrors) {
  bool failed = false;
  std::string out = RenderKsqlResponse(
      R"([{"@type":"streams","streams":[{"name":"S","topic":"s","keyFormat":"KAFKA",)"
      R"("valueFormat":"JSON","isWindowed":false}],"warnings":[]}])",
      "SHOW STREAMS;", 100, false, failed);
  EXPECT_FALSE(failed);
  EXPECT_NE(out.find(" Stream Name | Kafka Topic | Key Format | Value Format | Windowed"),
            std::string::npos)
      << out;
  out = RenderKsqlResponse(R"({"@type":"statement_error","message":"line 1:6: bad"})", "SHOW X;",
                           100, false, failed);
  EXPECT_TRUE(failed);
  EXPECT_NE(out.find("LINE 1: SHOW X;\n             ^"), std::string::npos) << out;
  RenderKsqlResponse("not json", "SHOW X;", 100, false, failed);
  EXPECT_TRUE(failed);
}

TEST(ShellRenderTest, AServersAnswerInAnUnexpectedShapeIsShownNotACrash) {
  bool failed = false;
  const std::string out = RenderKsqlResponse(
      R"([1, {"@type":"streams","streams":{"a":1}}, {"@type":"currentStatus","commandStatus":5},)"
      R"( {"@type":"sourceDescription","sourceDescription":{"fields":[{"name":7}]}}])",
      "SHOW STREAMS;", 80, false, failed);
  EXPECT_FALSE(failed);
  EXPECT_NE(out.find("\"a\": 1"), std::string::npos) << out;
  RenderKsqlResponse(R"({"message": 42})", "x;", 80, false, failed);
  EXPECT_TRUE(failed);
}

TEST(MigrationsTest, FileNamesChecksumsAndProperties) {
  EXPECT_EQ(MigrationFileName(3, "Add users"), "V000003__Add_users.sql");
  auto f = ParseMigrationFileName("V000012__Add_users_table.sql");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->version, 12);
  EXPECT_EQ(f->name, "Add users table");
  EXPECT_FALSE(ParseMigrationFileName("V0__x.sql"));
  EXPECT_FALSE(ParseMigrationFileName("V1_x.sql"));
  EXPECT_FALSE(ParseMigrationFileName("Vx__y.sql"));
  EXPECT_FALSE(ParseMigrationFileName("V1__.sql"));
  EXPECT_FALSE(ParseMigrationFileName("V12__not_six_digits.sql"));  // ksql-migrations: {6}
  EXPECT_EQ(MigrationFileName(1, "a/b c:d"), "V000001__a_b_c_d.sql");
  EXPECT_EQ(MigrationChecksum(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(MigrationChecksum("abc"), "900150983cd24fb0d6963f7d28e17f72");
  auto props = ReadProperties("# c\nksql.server.url = http://h:1\n\n! x\na:b\n");
  EXPECT_EQ(props["ksql.server.url"], "http://h:1");
  EXPECT_EQ(props["a"], "b");
  EXPECT_EQ(props.size(), 2u);
}

}  // namespace
}  // namespace brook::shell
