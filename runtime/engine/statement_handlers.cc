// Engine::Execute: dispatch of a statement to the handler of its kind.
//
// The table below is the only place that maps a StatementKind to its AST node type; each
// handler receives its node already typed. A new statement kind is a parser node, a handler in
// the engine_<topic>.cc file it belongs to, and one line here.
#include <map>

#include "runtime/engine/engine.h"

namespace brook {

const std::map<ast::StatementKind, Engine::StatementHandler>& Engine::Handlers() {
  using K = ast::StatementKind;
  using ast::SimpleStatement;
  static const std::map<K, StatementHandler> kHandlers = {
      // DDL (engine_ddl.cc)
      {K::kCreateSource, &Dispatch<ast::CreateSource, &Engine::HandleCreateSource>},
      {K::kAlterSource, &Dispatch<ast::AlterSource, &Engine::HandleAlterSource>},
      {K::kDropSource, &Dispatch<ast::DropSource, &Engine::HandleDropSource>},
      {K::kRegisterType, &Dispatch<ast::RegisterType, &Engine::HandleRegisterType>},
      {K::kDropType, &Dispatch<ast::DropType, &Engine::HandleDropType>},
      // Queries (engine_queries.cc)
      {K::kCreateAsSelect, &Dispatch<ast::CreateAsSelect, &Engine::HandleCreateAsSelect>},
      {K::kInsertInto, &Dispatch<ast::InsertInto, &Engine::HandleInsertInto>},
      {K::kInsertValues, &Dispatch<ast::InsertValues, &Engine::HandleInsertValues>},
      {K::kQuery, &Dispatch<ast::QueryStatement, &Engine::HandleQuery>},
      {K::kTerminate, &Dispatch<SimpleStatement, &Engine::HandleTerminate>},
      // Listing and describing (engine_describe.cc)
      {K::kListStreams, &Dispatch<SimpleStatement, &Engine::HandleListSources>},
      {K::kListTables, &Dispatch<SimpleStatement, &Engine::HandleListSources>},
      {K::kListTopics, &Dispatch<SimpleStatement, &Engine::HandleListTopics>},
      {K::kListQueries, &Dispatch<SimpleStatement, &Engine::HandleListQueries>},
      {K::kListProperties, &Dispatch<SimpleStatement, &Engine::HandleListProperties>},
      {K::kListFunctions, &Dispatch<SimpleStatement, &Engine::HandleListFunctions>},
      {K::kListTypes, &Dispatch<SimpleStatement, &Engine::HandleListTypes>},
      {K::kListVariables, &Dispatch<SimpleStatement, &Engine::HandleListVariables>},
      {K::kDescribeSource, &Dispatch<SimpleStatement, &Engine::HandleDescribeSource>},
      {K::kDescribeStreams, &Dispatch<SimpleStatement, &Engine::HandleDescribeStreams>},
      {K::kDescribeFunction, &Dispatch<SimpleStatement, &Engine::HandleDescribeFunction>},
      {K::kExplain, &Dispatch<ast::Explain, &Engine::HandleExplain>},
      // Session (engine_session.cc)
      {K::kSetProperty, &Dispatch<SimpleStatement, &Engine::HandleSetProperty>},
      {K::kUnsetProperty, &Dispatch<SimpleStatement, &Engine::HandleUnsetProperty>},
      {K::kDefineVariable, &Dispatch<SimpleStatement, &Engine::HandleDefineVariable>},
      {K::kUndefineVariable, &Dispatch<SimpleStatement, &Engine::HandleUndefineVariable>},
      {K::kPrintTopic, &Dispatch<SimpleStatement, &Engine::HandlePrintTopic>},
  };
  return kHandlers;
}

Result<ExecuteResult> Engine::Execute(const ast::Statement& stmt, SessionState& session) {
  const Config config = Merge(session.properties);
  StatementContext ctx{session, config};
  const auto& handlers = Handlers();
  auto it = handlers.find(stmt.kind);
  if (it == handlers.end()) return Unsupported("Statement not supported", stmt.range);
  return it->second(*this, stmt, ctx);
}

}  // namespace brook
