// Golden plans: for each tests/plans/NAME.sql (a script whose last statement is a query), the
// physical plan EXPLAIN returns must equal tests/plans/NAME.json. A plan change shows up as a
// diff in review. BROOK_UPDATE_GOLDEN=1 rewrites the files (do it deliberately).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/diagnostic.h"
#include "parser/parser.h"
#include "planner/physical/plan_json.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PlanGoldenTest, PlansMatchTheirGoldenFiles) {
  const char* root = std::getenv("BROOK_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "BROOK_SOURCE_DIR is set by CTest";
  fs::path dir = fs::path(root) / "tests" / "plans";
  bool update = std::getenv("BROOK_UPDATE_GOLDEN") != nullptr;
  FunctionRegistry functions;
  RegisterBuiltinFunctions(functions);
  int checked = 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& sql_path : files) {
    SCOPED_TRACE(sql_path.filename().string());
    kafka::InMemoryBroker broker(1);
    EngineOptions opts;
    opts.create_missing_source_topics = true;
    Engine engine(broker, functions, opts);
    SessionState session;
    std::string script = ReadFile(sql_path);
    std::vector<std::string> statements = Parser::SplitStatements(script);
    ASSERT_FALSE(statements.empty());
    std::string setup;
    for (size_t i = 0; i + 1 < statements.size(); ++i) setup += statements[i];
    auto ran = engine.ExecuteScript(setup, session);
    ASSERT_TRUE(ran.ok()) << RenderDiagnostic(ran.status(), setup);
    std::string explain = "EXPLAIN " + statements.back();
    auto explained = engine.ExecuteScript(explain, session);
    ASSERT_TRUE(explained.ok()) << RenderDiagnostic(explained.status(), explain);
    ASSERT_EQ(explained->size(), 1u);
    const auto* explained_plan = std::get_if<ExecutionPlan>(&*(*explained)[0].result);
    ASSERT_NE(explained_plan, nullptr);
    const json plan = PlanToJson(explained_plan->plan);
    ASSERT_TRUE(plan.is_object());
    // The golden plan also reads back into the same plan.
    auto read = PlanFromJson(plan, functions);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(PlanToJson(*read), plan);
    fs::path golden = sql_path;
    golden.replace_extension(".json");
    if (update) {
      std::ofstream(golden) << plan.dump(2) << "\n";
    } else {
      ASSERT_TRUE(fs::exists(golden)) << "missing " << golden << " (BROOK_UPDATE_GOLDEN=1)";
      json expected = json::parse(ReadFile(golden), nullptr, false);
      ASSERT_FALSE(expected.is_discarded());
      EXPECT_EQ(plan, expected) << "plan of " << sql_path.filename() << " changed:\n"
                                << plan.dump(2);
    }
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

}  // namespace
}  // namespace brook
