// JsonText: a small JSON tree that keeps each number's original text, because QTT compares
// DECIMAL outputs by scale ("2.50" is not "2.5") and nlohmann::json would lose that.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook {

struct JsonNode {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  std::string text;  // number text, or string contents
  std::vector<JsonNode> items;                              // array
  std::vector<std::pair<std::string, JsonNode>> fields;     // object, in order

  const JsonNode* Get(const std::string& key) const;
  bool IsNull() const { return type == Type::kNull; }
  // Serializes back to JSON text (numbers verbatim).
  std::string Dump() const;
};

// Appends `s` as a JSON string literal (quotes and escapes), copying unescaped runs at once.
void AppendJsonString(std::string_view s, std::string& out);

// Parses JSON, allowing // and /* */ comments (as Jackson's ALLOW_COMMENTS does).
Result<JsonNode> ParseJsonText(std::string_view text);
// Like ParseJsonText but ignores anything after the first complete value (as Jackson's
// ObjectMapper.readTree does).
Result<JsonNode> ParseJsonPrefix(std::string_view text);

}  // namespace brook
