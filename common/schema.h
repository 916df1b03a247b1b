// LogicalSchema: the columns of a stream or table, in ksqlDB's three namespaces
// (KEY, VALUE, HEADERS), plus the pseudo-columns every source has.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/sql_type.h"

namespace brook {

enum class ColumnNamespace { kKey, kValue, kHeader };

struct Column {
  std::string name;
  TypePtr type;
  ColumnNamespace ns = ColumnNamespace::kValue;
  // For `HEADER('k')` columns: the header key. Unset for a `HEADERS` column (all headers).
  std::optional<std::string> header_key;
};

class LogicalSchema {
 public:
  std::vector<Column> key;
  std::vector<Column> value;  // value columns followed by header columns, in declaration order

  const Column* FindKey(const std::string& name) const;
  const Column* FindValue(const std::string& name) const;
  // Key column index, value column index, or -1.
  int KeyIndex(const std::string& name) const;
  int ValueIndex(const std::string& name) const;
  bool HasHeaders() const;

  // ksqlDB's text form: "`ID` BIGINT KEY, `NAME` STRING".
  std::string ToString() const;
};

// Pseudo-column names and whether a name is reserved.
inline constexpr const char* kRowtime = "ROWTIME";
inline constexpr const char* kRowpartition = "ROWPARTITION";
inline constexpr const char* kRowoffset = "ROWOFFSET";
inline constexpr const char* kWindowstart = "WINDOWSTART";
inline constexpr const char* kWindowend = "WINDOWEND";
bool IsPseudoColumn(const std::string& name);   // ROWTIME, ROWPARTITION, ROWOFFSET
bool IsReservedColumn(const std::string& name); // pseudo + WINDOWSTART/WINDOWEND

}  // namespace brook
