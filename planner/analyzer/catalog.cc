#include "planner/analyzer/catalog.h"

namespace brook {

DataSourcePtr Catalog::Find(const std::string& name) const {
  auto it = sources_.find(name);
  return it == sources_.end() ? nullptr : it->second;
}
void Catalog::Put(NewDataSourcePtr source) { sources_[source->name] = std::move(source); }
void Catalog::AddReadingQuery(const std::string& source, const std::string& query_id) {
  auto it = sources_.find(source);
  if (it != sources_.end()) it->second->reading_queries.insert(query_id);
}
void Catalog::AddWritingQuery(const std::string& source, const std::string& query_id) {
  auto it = sources_.find(source);
  if (it != sources_.end()) it->second->writing_queries.insert(query_id);
}
void Catalog::ForgetQuery(const std::string& query_id) {
  for (auto& [_, s] : sources_) {
    s->reading_queries.erase(query_id);
    s->writing_queries.erase(query_id);
  }
}
bool Catalog::Remove(const std::string& name) { return sources_.erase(name) > 0; }
std::vector<DataSourcePtr> Catalog::All() const {
  std::vector<DataSourcePtr> out;
  for (const auto& [_, s] : sources_) out.push_back(s);
  return out;
}
TypePtr Catalog::FindType(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second;
}

}  // namespace brook
