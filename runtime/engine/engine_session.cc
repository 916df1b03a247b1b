// Engine: session statement handlers — SET, UNSET, DEFINE, UNDEFINE — and PRINT, which only
// the REST server's streaming endpoint serves.
#include "runtime/engine/engine.h"

namespace brook {

Result<ExecuteResult> Engine::HandleSetProperty(const ast::SimpleStatement& s,
                                                StatementContext& ctx) {
  RETURN_IF_ERROR(ValidateSetProperty(s.name, s.value).WithRange(s.range));
  ctx.session.properties[s.name] = s.value;
  return ExecuteResult{};
}

Result<ExecuteResult> Engine::HandleUnsetProperty(const ast::SimpleStatement& s,
                                                  StatementContext& ctx) {
  ctx.session.properties.erase(s.name);
  return ExecuteResult{};
}

Result<ExecuteResult> Engine::HandleDefineVariable(const ast::SimpleStatement& s,
                                                   StatementContext& ctx) {
  ctx.session.variables[s.name] = s.value;
  return ExecuteResult{};
}

Result<ExecuteResult> Engine::HandleUndefineVariable(const ast::SimpleStatement& s,
                                                     StatementContext& ctx) {
  ctx.session.variables.erase(s.name);
  return ExecuteResult{};
}

Result<ExecuteResult> Engine::HandlePrintTopic(const ast::SimpleStatement& s,
                                               StatementContext& /*ctx*/) {
  return Unsupported("PRINT is only available on the /query-stream endpoint.", s.range);
}

}  // namespace brook
