#include "planner/analyzer/scope.h"

namespace brook {

Scope Scope::ForSource(const std::string& alias, const LogicalSchema& schema, bool windowed,
                       int offset) {
  Scope s;
  int i = offset;
  for (const Column& c : schema.key) s.columns.push_back({alias, c.name, c.type, i++, c.ns});
  for (const Column& c : schema.value) s.columns.push_back({alias, c.name, c.type, i++, c.ns});
  s.columns.push_back({alias, kRowtime, SqlType::Bigint(), i++, ColumnNamespace::kValue, true});
  s.columns.push_back({alias, kRowpartition, SqlType::Int(), i++, ColumnNamespace::kValue, true});
  s.columns.push_back({alias, kRowoffset, SqlType::Bigint(), i++, ColumnNamespace::kValue, true});
  if (windowed) {
    s.columns.push_back(
        {alias, kWindowstart, SqlType::Bigint(), i++, ColumnNamespace::kKey, false, true});
    s.columns.push_back(
        {alias, kWindowend, SqlType::Bigint(), i++, ColumnNamespace::kKey, false, true});
  }
  s.row_width = i;
  return s;
}

void Scope::Append(const Scope& other) {
  columns.insert(columns.end(), other.columns.begin(), other.columns.end());
  row_width = std::max(row_width, other.row_width);
}

}  // namespace brook
