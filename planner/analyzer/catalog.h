// Catalog: the metastore of streams, tables and custom types. Owned by the Engine; planner
// code reads it. Not thread-safe: the engine serialises statement execution.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/schema.h"
#include "common/sql_type.h"

namespace brook {

// A serialization format with its properties (e.g. DELIMITED's delimiter).
struct FormatInfo {
  std::string name = "KAFKA";   // KAFKA, JSON, DELIMITED, NONE
  std::string delimiter = ",";  // DELIMITED only
  bool wrap_single = true;      // value formats: wrap a single column in an object/record
  bool operator==(const FormatInfo&) const = default;
};

struct WindowInfo {
  enum class Type { kTumbling, kHopping, kSession, kSliding } type = Type::kTumbling;
  int64_t size_ms = 0;
};

struct DataSource {
  std::string name;
  bool is_table = false;
  bool read_only = false;  // CREATE SOURCE STREAM/TABLE
  bool is_cas = false;     // created by CREATE ... AS SELECT
  LogicalSchema schema;
  std::string topic;
  FormatInfo key_format;
  FormatInfo value_format;
  std::optional<std::string> timestamp_column;
  std::optional<std::string> timestamp_format;
  std::optional<WindowInfo> window;
  std::string sql;  // the statement that created it
  std::set<std::string> reading_queries;  // ids of queries reading this source
  std::set<std::string> writing_queries;  // ids of queries writing to it
};
// Catalog entries are read as const: only the Catalog's non-const methods change them.
using DataSourcePtr = std::shared_ptr<const DataSource>;
// A new entry being built (by the DDL or query planner) before it is put in the catalog.
using NewDataSourcePtr = std::shared_ptr<DataSource>;

class Catalog {
 public:
  DataSourcePtr Find(const std::string& name) const;
  // Adds or replaces the entry of `source->name`.
  void Put(NewDataSourcePtr source);
  // Puts a copy of an entry read before (e.g. restoring one a failed statement replaced).
  void Restore(const DataSourcePtr& source) { Put(std::make_shared<DataSource>(*source)); }
  bool Remove(const std::string& name);
  std::vector<DataSourcePtr> All() const;

  // The queries reading and writing each source.
  void AddReadingQuery(const std::string& source, const std::string& query_id);
  void AddWritingQuery(const std::string& source, const std::string& query_id);
  void ForgetQuery(const std::string& query_id);  // from every source

  TypePtr FindType(const std::string& name) const;
  void PutType(const std::string& name, TypePtr type) { types_[name] = std::move(type); }
  bool RemoveType(const std::string& name) { return types_.erase(name) > 0; }
  const std::map<std::string, TypePtr>& types() const { return types_; }

 private:
  std::map<std::string, NewDataSourcePtr> sources_;
  std::map<std::string, TypePtr> types_;
};

}  // namespace brook
