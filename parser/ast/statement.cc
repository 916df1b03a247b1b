#include "parser/ast/statement.h"

namespace brook::ast {

const PropertyValue* Properties::Find(const std::string& name) const {
  for (const auto& [k, v] : entries) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace brook::ast
