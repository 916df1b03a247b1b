#include "planner/ddl_planner.h"

#include "planner/analyzer/expression_binder.h"
#include "common/ascii.h"

namespace brook {

namespace {

std::string ColumnList(const std::vector<Column>& cols, bool is_key) {
  std::string s = "[";
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) s += ", ";
    s += "`" + cols[i].name + "` " + TypeName(cols[i].type) + (is_key ? " KEY" : "");
  }
  return s + "]";
}

const char* KindWord(TypeKind k) {
  switch (k) {
    case TypeKind::kArray: return "ARRAY";
    case TypeKind::kMap: return "MAP";
    case TypeKind::kStruct: return "STRUCT";
    case TypeKind::kBoolean: return "BOOLEAN";
    case TypeKind::kDecimal: return "DECIMAL";
    case TypeKind::kDate: return "DATE";
    case TypeKind::kTime: return "TIME";
    case TypeKind::kTimestamp: return "TIMESTAMP";
    default: return "?";
  }
}

}  // namespace

// `type_unsupported` is set when the format cannot hold a column's type.
static Status ValidateFormatInner(const FormatInfo& format, const std::vector<Column>& in_columns,
                                  bool is_key, const SourceRange& range, bool& type_unsupported);

Status ValidateFormat(const FormatInfo& format, const std::vector<Column>& columns, bool is_key,
                      const SourceRange& range) {
  // Map keys are refused whatever the format (ksqlDB checks this first).
  if (is_key) {
    for (const Column& c : columns) {
      if (ContainsMap(c.type)) {
        return InvalidArgument(
            "Map keys, including types that contain maps, are not supported as they may lead to "
            "unexpected behavior due to inconsistent serialization. Key column name: `" + c.name +
                "`. Column type: " + TypeName(c.type) +
                ". See https://github.com/confluentinc/ksql/issues/6621 for more.",
            range);
      }
    }
  }
  bool type_unsupported = false;
  Status st = ValidateFormatInner(format, columns, is_key, range, type_unsupported);
  if (st.ok() || !is_key || format.name == "NONE" || st.code() == StatusCode::kUnsupported) {
    return st;
  }
  std::string column;
  if (type_unsupported) {
    for (const Column& c : columns) {
      if (!c.type->IsPrimitive() || c.type->kind() == TypeKind::kBoolean ||
          c.type->kind() == TypeKind::kDecimal || c.type->kind() == TypeKind::kDate ||
          c.type->kind() == TypeKind::kTime || c.type->kind() == TypeKind::kTimestamp) {
        column = ", column: `" + c.name + "`";
        break;
      }
    }
  }
  return InvalidArgument("Key format does not support schema.\nformat: " + format.name +
                             "\nschema: Persistence{columns=" + ColumnList(columns, true) +
                             ", features=[]}\nreason: " + st.message() + column,
                         range);
}

static Status ValidateFormatInner(const FormatInfo& format, const std::vector<Column>& in_columns,
                                  bool is_key, const SourceRange& range, bool& type_unsupported) {
  std::vector<Column> columns;
  for (const Column& c : in_columns) {
    if (c.ns != ColumnNamespace::kHeader) columns.push_back(c);
  }
  const std::string& f = format.name;
  if (f == "AVRO" || f == "PROTOBUF" || f == "PROTOBUF_NOSR" || f == "JSON_SR") {
    return Unsupported("The '" + f + "' format is not supported by brook yet (it needs a schema "
                       "registry); use JSON, KAFKA, DELIMITED or NONE.",
                       range);
  }
  if (f == "NONE") {
    if (!columns.empty()) {
      return InvalidArgument("The 'NONE' format can only be used when no columns are defined. Got: " +
                                 ColumnList(columns, is_key),
                             range);
    }
    return Status::Ok();
  }
  if (f == "KAFKA") {
    if (columns.size() > 1) {
      return InvalidArgument("The 'KAFKA' format only supports a single field. Got: " +
                                 ColumnList(columns, is_key),
                             range);
    }
    for (const Column& c : columns) {
      TypeKind k = c.type->kind();
      if (k != TypeKind::kInt && k != TypeKind::kBigint && k != TypeKind::kDouble &&
          k != TypeKind::kString && k != TypeKind::kBytes) {
        type_unsupported = true;
        return InvalidArgument(std::string("The 'KAFKA' format does not support type '") +
                                   KindWord(k) + "'",
                               range);
      }
    }
  }
  if (f == "DELIMITED") {
    for (const Column& c : columns) {
      TypeKind k = c.type->kind();
      if (k == TypeKind::kArray || k == TypeKind::kMap || k == TypeKind::kStruct) {
        type_unsupported = true;
        return InvalidArgument(std::string("The 'DELIMITED' format does not support type '") +
                                   KindWord(k) + "'",
                               range);
      }
    }
  }
  if (f == "JSON") {
    std::function<bool(const TypePtr&)> bad_map = [&](const TypePtr& t) -> bool {
      if (!t) return false;
      if (t->kind() == TypeKind::kMap) {
        return t->key()->kind() != TypeKind::kString || bad_map(t->value());
      }
      if (t->kind() == TypeKind::kArray) return bad_map(t->element());
      if (t->kind() == TypeKind::kStruct) {
        for (const auto& fld : t->fields()) {
          if (bad_map(fld.type)) return true;
        }
      }
      return false;
    };
    for (const Column& c : columns) {
      if (bad_map(c.type)) return InvalidArgument("JSON only supports MAP types with STRING keys", range);
    }
  }
  return Status::Ok();
}

Status CheckUpgradeCompatible(const std::string& name, const LogicalSchema& old_schema,
                              const LogicalSchema& new_schema, const SourceRange& range) {
  auto same = [](const Column& a, const Column& b) {
    return a.name == b.name && TypesEqual(a.type, b.type) && a.ns == b.ns &&
           a.header_key == b.header_key;
  };
  auto describe = [&](const std::string& detail) {
    return InvalidArgument("Cannot upgrade data source: DataSource '`" + name + "`' has schema = " +
                               old_schema.ToString() + " which is not upgrade compatible with " +
                               new_schema.ToString() + ". (" + detail + ")",
                           range);
  };
  std::vector<Column> changed_keys;
  for (size_t i = 0; i < old_schema.key.size(); ++i) {
    if (i >= new_schema.key.size() || !same(old_schema.key[i], new_schema.key[i])) {
      changed_keys.push_back(old_schema.key[i]);
    }
  }
  if (!changed_keys.empty() || old_schema.key.size() != new_schema.key.size()) {
    return describe("Key columns must be identical. The following key columns are changed, "
                    "missing or reordered: " + ColumnList(changed_keys, true));
  }
  std::vector<Column> changed;
  for (size_t i = 0; i < old_schema.value.size(); ++i) {
    if (i >= new_schema.value.size() || !same(old_schema.value[i], new_schema.value[i])) {
      changed.push_back(old_schema.value[i]);
    }
  }
  if (!changed.empty()) {
    return describe("The following columns are changed, missing or reordered: " +
                    ColumnList(changed, false));
  }
  return Status::Ok();
}

Result<CreateSourcePlan> PlanCreateSource(const ast::CreateSource& stmt, const Catalog& catalog,
                                          const Config& config) {
  ASSIGN_OR_RETURN(SourceProperties props, ParseSourceProperties(stmt.properties, false));
  auto src = std::make_shared<DataSource>();
  src->name = stmt.name;
  src->is_table = stmt.is_table;
  src->read_only = stmt.is_source;
  src->sql = stmt.text;
  if (!props.kafka_topic) {
    return InvalidArgument("Missing required property \"KAFKA_TOPIC\" which has no default value.",
                           stmt.range);
  }
  src->topic = *props.kafka_topic;
  RETURN_IF_ERROR(ValidateTopicName(src->topic, stmt.range));
  {
    std::string vf = props.value_format.value_or(ConfigOr(config, kDefaultValueFormat, ""));
    AsciiUpperInPlace(vf);
    if (props.value_delimiter && !vf.empty() && vf != "DELIMITED") {
      return InvalidArgument(vf + " does not support the following configs: [delimiter]",
                             stmt.range);
    }
  }

  for (const ast::TableElement& el : stmt.elements) {
    if (IsReservedColumn(el.name)) {
      return InvalidArgument("'" + el.name + "' is a reserved column name. You cannot use it as a "
                             "name for a column.", el.range);
    }
    if (src->schema.FindKey(el.name) || src->schema.FindValue(el.name)) {
      return InvalidArgument("Duplicate column names:\n\t" + el.name, el.range);
    }
    ASSIGN_OR_RETURN(TypePtr type, ResolveType(*el.type, catalog));
    using C = ast::TableElement::Constraint;
    Column col{el.name, type, ColumnNamespace::kValue, std::nullopt};
    switch (el.constraint) {
      case C::kKey:
        if (stmt.is_table) {
          return InvalidArgument("Column `" + el.name + "` is a 'KEY' column: please use 'PRIMARY "
                                 "KEY' for tables.\nTables have PRIMARY KEYs, which are unique and "
                                 "NON NULL.\nStreams have KEYs, which have no uniqueness or NON "
                                 "NULL constraints.",
                                 el.range);
        }
        col.ns = ColumnNamespace::kKey;
        src->schema.key.push_back(col);
        continue;
      case C::kPrimaryKey:
        if (!stmt.is_table) {
          // ksqlDB finds this while building the AST: a ParseFailedException.
          return Status(StatusCode::kAstError,
                        "Column `" + el.name +
                            "` is a 'PRIMARY KEY' column: please use "
                            "'KEY' for streams.\nTables have PRIMARY KEYs, which are unique "
                            "and NON NULL.\nStreams have KEYs, which have no uniqueness or "
                            "NON NULL constraints.",
                        el.range);
        }
        col.ns = ColumnNamespace::kKey;
        src->schema.key.push_back(col);
        continue;
      case C::kHeaders:
        if (!TypesEqual(type, SqlType::Array(SqlType::Struct(
                                  {{"KEY", SqlType::String()}, {"VALUE", SqlType::Bytes()}})))) {
          return InvalidArgument("Invalid type for HEADERS column: expected "
                                 "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>, got " +
                                     TypeName(type),
                                 el.range);
        }
        col.ns = ColumnNamespace::kHeader;
        break;
      case C::kHeader:
        if (type->kind() != TypeKind::kBytes) {
          return InvalidArgument("Invalid type for HEADER('" + el.header_key +
                                     "') column: expected BYTES, got " + TypeName(type),
                                 el.range);
        }
        col.ns = ColumnNamespace::kHeader;
        col.header_key = el.header_key;
        break;
      case C::kNone: break;
    }
    src->schema.value.push_back(col);
  }
  int header_all = 0;
  for (const Column& c : src->schema.value) {
    if (c.ns == ColumnNamespace::kHeader && !c.header_key) ++header_all;
  }
  if (header_all > 1) {
    return InvalidArgument("Schema already contains a HEADERS column.", stmt.range);
  }
  if (stmt.is_table && src->schema.key.empty()) {
    return InvalidArgument("Tables require a PRIMARY KEY. Please define the PRIMARY KEY.",
                           stmt.range);
  }
  bool has_value_cols = false;
  for (const Column& c : src->schema.value) {
    if (c.ns == ColumnNamespace::kValue) has_value_cols = true;
  }
  if (!stmt.has_elements || !has_value_cols) {
    if (!stmt.has_elements) {
      return InvalidArgument("The statement does not define any columns.", stmt.range);
    }
  }

  std::string key_format = props.key_format.value_or(ConfigOr(config, kDefaultKeyFormat, "KAFKA"));
  std::string default_value = ConfigOr(config, kDefaultValueFormat, "");
  if (!props.value_format && default_value.empty()) {
    return InvalidArgument(
        "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one "
        "or set a default via the 'ksql.persistence.default.format.value' config.",
        stmt.range);
  }
  std::string value_format = props.value_format.value_or(default_value);
  AsciiUpperInPlace(key_format);
  AsciiUpperInPlace(value_format);
  if (!IsKnownFormat(key_format)) return InvalidArgument("Unknown format: " + key_format, stmt.range);
  if (!IsKnownFormat(value_format)) return InvalidArgument("Unknown format: " + value_format, stmt.range);
  src->key_format.name = key_format;
  src->value_format.name = value_format;
  if (props.key_delimiter) {
    if (key_format != "DELIMITED") {
      return InvalidArgument("Property KEY_DELIMITER can only be used with KEY_FORMAT='DELIMITED'",
                             stmt.range);
    }
    src->key_format.delimiter = *props.key_delimiter;
  }
  if (props.value_delimiter) {
    if (value_format != "DELIMITED") {
      return InvalidArgument(
          "Property VALUE_DELIMITER can only be used with VALUE_FORMAT='DELIMITED'", stmt.range);
    }
    src->value_format.delimiter = *props.value_delimiter;
  }
  if (src->schema.key.empty() && !props.key_format) {
    src->key_format.name = "NONE";  // keyless streams get the NONE key format, as in ksqlDB
  }
  int value_cols = 0;
  for (const Column& c : src->schema.value) value_cols += c.ns == ColumnNamespace::kValue;
  bool wrap_default = ConfigOr(config, kWrapSingleValues, "true") != "false";
  if (props.wrap_single_value) {
    if (value_cols != 1) {
      return InvalidArgument("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas",
                             stmt.range);
    }
    if (value_format == "KAFKA" || value_format == "DELIMITED") {
      if (*props.wrap_single_value) {
        return InvalidArgument("Format '" + value_format +
                                   "' does not support 'WRAP_SINGLE_VALUE' set to 'true'.",
                               stmt.range);
      }
    }
    src->value_format.wrap_single = *props.wrap_single_value;
  } else {
    src->value_format.wrap_single = wrap_default;
  }
  if (value_format == "KAFKA") src->value_format.wrap_single = false;
  RETURN_IF_ERROR(ValidateFormat(src->key_format, src->schema.key, true, stmt.range));
  RETURN_IF_ERROR(ValidateFormat(src->value_format, src->schema.value, false, stmt.range));

  if (props.timestamp) {
    const Column* ts = src->schema.FindValue(*props.timestamp);
    if (!ts) ts = src->schema.FindKey(*props.timestamp);
    if (!ts) {
      return InvalidArgument("The TIMESTAMP column set in the WITH clause does not exist in the "
                             "schema: '" + *props.timestamp + "'",
                             stmt.range);
    }
    TypeKind k = ts->type->kind();
    if (props.timestamp_format) {
      if (k != TypeKind::kString) {
        return InvalidArgument("Timestamp column, `" + ts->name + "`, should be of type STRING "
                               "when used with TIMESTAMP_FORMAT.", stmt.range);
      }
    } else if (k != TypeKind::kBigint && k != TypeKind::kTimestamp) {
      return InvalidArgument("Timestamp column, `" + ts->name + "`, should be LONG(INT64), "
                             "TIMESTAMP, or a String with a timestamp_format specified.",
                             stmt.range);
    }
    src->timestamp_column = ts->name;
    src->timestamp_format = props.timestamp_format;
  } else if (props.timestamp_format) {
    return InvalidArgument("TIMESTAMP_FORMAT requires TIMESTAMP to be set", stmt.range);
  }
  if (props.window_type) {
    WindowInfo w;
    w.type = *props.window_type == "SESSION" ? WindowInfo::Type::kSession
             : *props.window_type == "HOPPING" ? WindowInfo::Type::kHopping
                                               : WindowInfo::Type::kTumbling;
    w.size_ms = props.window_size_ms.value_or(0);
    src->window = w;
  }
  CreateSourcePlan plan;
  plan.source = src;
  plan.partitions = props.partitions;
  plan.replicas = props.replicas;
  return plan;
}

}  // namespace brook
