#include "planner/analyzer/function_registry.h"
#include "common/ascii.h"

namespace brook {

void FunctionRegistry::Register(ScalarFunction fn) {
  std::string name = fn.name;
  scalars_[name] = std::make_unique<ScalarFunction>(std::move(fn));
}

const ScalarFunction* FunctionRegistry::Find(const std::string& name) const {
  auto it = scalars_.find(name);
  return it == scalars_.end() ? nullptr : it->second.get();
}

std::vector<const ScalarFunction*> FunctionRegistry::All() const {
  std::vector<const ScalarFunction*> out;
  for (const auto& [_, f] : scalars_) out.push_back(f.get());
  return out;
}

void FunctionRegistry::RegisterAggregate(AggregateFunction fn) {
  std::string name = fn.name;
  aggregates_[name] = std::make_unique<AggregateFunction>(std::move(fn));
}

const AggregateFunction* FunctionRegistry::FindAggregate(const std::string& name) const {
  auto it = aggregates_.find(name);
  return it == aggregates_.end() ? nullptr : it->second.get();
}

std::vector<const AggregateFunction*> FunctionRegistry::AllAggregates() const {
  std::vector<const AggregateFunction*> out;
  for (const auto& [_, f] : aggregates_) out.push_back(f.get());
  return out;
}

void FunctionRegistry::RegisterTable(TableFunction fn) {
  std::string name = fn.name;
  tables_[name] = std::make_unique<TableFunction>(std::move(fn));
}

const TableFunction* FunctionRegistry::FindTable(const std::string& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

std::vector<const TableFunction*> FunctionRegistry::AllTables() const {
  std::vector<const TableFunction*> out;
  for (const auto& [_, f] : tables_) out.push_back(f.get());
  return out;
}

std::string FormatArgTypes(const std::vector<TypePtr>& args) {
  std::string s = "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s += ", ";
    s += TypeName(args[i]);
  }
  return s + ")";
}

Status NoMatchingSignature(const std::string& name, const std::vector<TypePtr>& args) {
  std::string lower;
  lower += AsciiLower(name);
  return InvalidArgument("Function '" + lower + "' does not accept parameters " +
                         FormatArgTypes(args) + ".");
}

}  // namespace brook
