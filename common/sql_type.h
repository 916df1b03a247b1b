// SqlType: the SQL type system shared by every stage (ksqlDB's types).
//
// Types are immutable and shared (TypePtr). Primitive types are singletons; build composite
// types with the factory functions. A null TypePtr means "unknown" (the type of a bare NULL
// literal before it is resolved from context).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace brook {

enum class TypeKind {
  kBoolean,
  kInt,        // 32-bit
  kBigint,     // 64-bit
  kDouble,
  kDecimal,    // precision 1..38, scale 0..precision
  kString,
  kBytes,
  kDate,       // days since epoch
  kTime,       // milliseconds of day
  kTimestamp,  // milliseconds since epoch, no time zone
  kArray,
  kMap,
  kStruct,
};

class SqlType;
using TypePtr = std::shared_ptr<const SqlType>;

struct StructField {
  std::string name;
  TypePtr type;
};

class SqlType {
 public:
  static TypePtr Boolean();
  static TypePtr Int();
  static TypePtr Bigint();
  static TypePtr Double();
  static TypePtr String();
  static TypePtr Bytes();
  static TypePtr Date();
  static TypePtr Time();
  static TypePtr Timestamp();
  static TypePtr Decimal(int precision, int scale);
  static TypePtr Array(TypePtr element);
  static TypePtr Map(TypePtr key, TypePtr value);
  static TypePtr Struct(std::vector<StructField> fields);

  TypeKind kind() const { return kind_; }
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  const TypePtr& element() const { return element_; }    // ARRAY
  const TypePtr& key() const { return key_; }            // MAP
  const TypePtr& value() const { return value_; }        // MAP
  const std::vector<StructField>& fields() const { return fields_; }  // STRUCT
  // Index of a struct field by exact name, or -1.
  int FieldIndex(const std::string& name) const;

  bool IsNumeric() const;   // INT, BIGINT, DOUBLE, DECIMAL
  bool IsIntegral() const { return kind_ == TypeKind::kInt || kind_ == TypeKind::kBigint; }
  bool IsPrimitive() const {
    return kind_ != TypeKind::kArray && kind_ != TypeKind::kMap && kind_ != TypeKind::kStruct;
  }

  // ksqlDB's rendering: INTEGER, DECIMAL(4, 2), ARRAY<STRING>, STRUCT<`A` INTEGER>.
  std::string ToString() const;
  bool Equals(const SqlType& other) const;

  SqlType(TypeKind kind) : kind_(kind) {}  // use the factories

 private:
  TypeKind kind_;
  int precision_ = 0;
  int scale_ = 0;
  TypePtr element_;
  TypePtr key_;
  TypePtr value_;
  std::vector<StructField> fields_;
};

bool TypesEqual(const TypePtr& a, const TypePtr& b);
std::string TypeName(const TypePtr& t);  // "NULL" for unknown

// Whether a type is or contains a MAP (ksqlDB refuses such key columns).
bool ContainsMap(const TypePtr& t);

// The DECIMAL type an integral type widens to (INT -> DECIMAL(10,0), BIGINT -> DECIMAL(19,0)).
TypePtr DecimalOf(const TypePtr& t);

}  // namespace brook
