// Statement AST: one struct per statement kind, all deriving from Statement.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parser/ast/expression.h"
#include "parser/ast/type.h"

namespace brook::ast {

enum class StatementKind {
  kQuery,
  kCreateSource,      // CREATE STREAM/TABLE
  kCreateAsSelect,    // CSAS / CTAS
  kInsertInto,
  kInsertValues,
  kDropSource,
  kRegisterType,
  kDropType,
  kListStreams,
  kListTables,
  kListTopics,
  kListQueries,
  kListProperties,
  kListFunctions,
  kListTypes,
  kListVariables,
  kDescribeSource,
  kDescribeStreams,   // DESCRIBE STREAMS / TABLES
  kDescribeFunction,
  kPrintTopic,
  kTerminate,
  kSetProperty,
  kUnsetProperty,
  kDefineVariable,
  kUndefineVariable,
  kExplain,
  kAlterSource,
};

struct Statement {
  explicit Statement(StatementKind k) : kind(k) {}
  virtual ~Statement() = default;
  StatementKind kind;
  SourceRange range;
  std::string text;  // the statement's SQL text, without the trailing ';'
};
using StatementPtr = std::shared_ptr<Statement>;

struct PropertyValue {
  Value value;            // string, number or boolean literal
  std::string raw;        // literal text
  SourceRange range;
};

// WITH (...) properties; names upper-cased.
struct Properties {
  std::vector<std::pair<std::string, PropertyValue>> entries;
  SourceRange range;
  const PropertyValue* Find(const std::string& name) const;
};

struct Duration {
  int64_t millis = 0;
  SourceRange range;
};

struct WindowSpec {
  enum class Type { kTumbling, kHopping, kSession, kSliding } type = Type::kTumbling;
  Duration size;                    // session: the gap; sliding: the time difference
  Duration advance;                 // hopping only
  std::optional<Duration> retention;
  std::optional<Duration> grace;
  SourceRange range;
};

enum class JoinType { kInner, kLeft, kRight, kOuter };

struct Relation {
  std::string name;   // source name
  std::string alias;  // defaults to name
  SourceRange range;
};

struct JoinClause {
  JoinType type = JoinType::kInner;
  Relation right;
  std::optional<Duration> within_before;
  std::optional<Duration> within_after;
  std::optional<Duration> grace;
  ExprPtr criteria;
  SourceRange range;
};

struct SelectItem {
  // kStructAll: `expr->*` (expr holds the struct expression).
  enum class Kind { kExpression, kAllColumns, kStructAll } kind = Kind::kExpression;
  ExprPtr expr;
  std::optional<std::string> alias;
  std::string source;  // kAllColumns: qualifier for `src.*`, empty for `*`
  SourceRange range;
};

enum class EmitKind { kNone, kChanges, kFinal };

struct Query {
  std::vector<SelectItem> select;
  Relation from;
  std::vector<JoinClause> joins;
  std::optional<WindowSpec> window;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  bool has_group_by = false;
  std::vector<ExprPtr> partition_by;
  bool has_partition_by = false;
  ExprPtr having;
  EmitKind emit = EmitKind::kNone;
  std::optional<int64_t> limit;
  SourceRange range;
};

struct QueryStatement : Statement {
  QueryStatement() : Statement(StatementKind::kQuery) {}
  Query query;
};

struct TableElement {
  std::string name;
  TypeNodePtr type;
  enum class Constraint { kNone, kKey, kPrimaryKey, kHeaders, kHeader } constraint = Constraint::kNone;
  std::string header_key;
  SourceRange range;
};

struct CreateSource : Statement {
  CreateSource() : Statement(StatementKind::kCreateSource) {}
  bool is_table = false;
  bool or_replace = false;
  bool if_not_exists = false;
  bool is_source = false;   // CREATE SOURCE STREAM/TABLE (read-only)
  std::string name;
  SourceRange name_range;
  std::vector<TableElement> elements;
  bool has_elements = false;
  Properties properties;
};

struct CreateAsSelect : Statement {
  CreateAsSelect() : Statement(StatementKind::kCreateAsSelect) {}
  bool is_table = false;
  bool or_replace = false;
  bool if_not_exists = false;
  std::string name;
  SourceRange name_range;
  Properties properties;
  Query query;
};

struct InsertInto : Statement {
  InsertInto() : Statement(StatementKind::kInsertInto) {}
  std::string target;
  SourceRange target_range;
  Properties properties;
  Query query;
};

struct InsertValues : Statement {
  InsertValues() : Statement(StatementKind::kInsertValues) {}
  std::string target;
  SourceRange target_range;
  std::vector<std::string> columns;
  std::vector<SourceRange> column_ranges;
  std::vector<ExprPtr> values;
};

struct AlterSource : Statement {
  AlterSource() : Statement(StatementKind::kAlterSource) {}
  bool is_table = false;
  std::string name;
  SourceRange name_range;
  std::vector<TableElement> columns;  // ADD COLUMN name type
};

struct DropSource : Statement {
  DropSource() : Statement(StatementKind::kDropSource) {}
  bool is_table = false;
  bool if_exists = false;
  bool delete_topic = false;
  std::string name;
  SourceRange name_range;
};

struct RegisterType : Statement {
  RegisterType() : Statement(StatementKind::kRegisterType) {}
  std::string name;
  bool if_not_exists = false;
  TypeNodePtr type;
};

struct DropType : Statement {
  DropType() : Statement(StatementKind::kDropType) {}
  std::string name;
  bool if_exists = false;
};

// Statements with at most a name and a flag: SHOW/LIST, DESCRIBE, PRINT, TERMINATE, SET...
struct SimpleStatement : Statement {
  explicit SimpleStatement(StatementKind k) : Statement(k) {}
  std::string name;       // source, function, topic, query id, property or variable name
  std::string value;      // SET / DEFINE value
  bool extended = false;  // EXTENDED; for kDescribeStreams: tables = !streams
  bool tables = false;    // kDescribeStreams over TABLES
  bool all = false;       // TERMINATE ALL; SHOW ALL TOPICS
  bool from_beginning = false;  // PRINT
  std::optional<int64_t> limit;     // PRINT
  std::optional<int64_t> interval;  // PRINT
  SourceRange name_range;
};

struct Explain : Statement {
  Explain() : Statement(StatementKind::kExplain) {}
  StatementPtr statement;  // or null when explaining a query id
  std::string query_id;
};

}  // namespace brook::ast
