#include "planner/analyzer/catalog.h"

namespace brook {

DataSourcePtr Catalog::Find(const std::string& name) const {
  auto it = sources_.find(name);
  return it == sources_.end() ? nullptr : it->second;
}
void Catalog::Put(DataSourcePtr source) { sources_[source->name] = std::move(source); }
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
