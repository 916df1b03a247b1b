// Type AST: a type as written; custom type names (CREATE TYPE) are resolved by the binder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/source_range.h"

namespace brook::ast {

struct TypeNode;
using TypeNodePtr = std::shared_ptr<TypeNode>;

struct TypeNode {
  enum class Kind { kNamed, kArray, kMap, kStruct, kDecimal } kind = Kind::kNamed;
  std::string name;                  // kNamed: upper-cased base or custom type name
  std::vector<int> params;           // kNamed with parameters, kDecimal: precision, scale
  std::vector<TypeNodePtr> children; // kArray: element; kMap: key, value; kStruct: fields
  std::vector<std::string> field_names;
  SourceRange range;
};

}  // namespace brook::ast
