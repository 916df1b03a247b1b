#include "common/schema.h"

namespace brook {

const Column* LogicalSchema::FindKey(const std::string& name) const {
  int i = KeyIndex(name);
  return i < 0 ? nullptr : &key[i];
}
const Column* LogicalSchema::FindValue(const std::string& name) const {
  int i = ValueIndex(name);
  return i < 0 ? nullptr : &value[i];
}
int LogicalSchema::KeyIndex(const std::string& name) const {
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i].name == name) return static_cast<int>(i);
  }
  return -1;
}
int LogicalSchema::ValueIndex(const std::string& name) const {
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i].name == name) return static_cast<int>(i);
  }
  return -1;
}
bool LogicalSchema::HasHeaders() const {
  for (const Column& c : value) {
    if (c.ns == ColumnNamespace::kHeader) return true;
  }
  return false;
}

std::string LogicalSchema::ToString() const {
  std::string s;
  auto add = [&](const Column& c, const char* suffix) {
    if (!s.empty()) s += ", ";
    s += "`" + c.name + "` " + TypeName(c.type) + suffix;
  };
  for (const Column& c : key) add(c, " KEY");
  for (const Column& c : value) {
    if (c.ns == ColumnNamespace::kHeader) {
      add(c, c.header_key ? (" HEADER('" + *c.header_key + "')").c_str() : " HEADERS");
    } else {
      add(c, "");
    }
  }
  return s;
}

bool IsPseudoColumn(const std::string& n) {
  return n == kRowtime || n == kRowpartition || n == kRowoffset;
}
bool IsReservedColumn(const std::string& n) {
  return IsPseudoColumn(n) || n == kWindowstart || n == kWindowend;
}

}  // namespace brook
