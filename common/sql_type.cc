#include "common/sql_type.h"

namespace brook {

#define BROOK_SINGLETON(Fn, Kind)                                        \
  TypePtr SqlType::Fn() {                                               \
    static const TypePtr t = std::make_shared<const SqlType>(TypeKind::Kind); \
    return t;                                                           \
  }
BROOK_SINGLETON(Boolean, kBoolean)
BROOK_SINGLETON(Int, kInt)
BROOK_SINGLETON(Bigint, kBigint)
BROOK_SINGLETON(Double, kDouble)
BROOK_SINGLETON(String, kString)
BROOK_SINGLETON(Bytes, kBytes)
BROOK_SINGLETON(Date, kDate)
BROOK_SINGLETON(Time, kTime)
BROOK_SINGLETON(Timestamp, kTimestamp)
#undef BROOK_SINGLETON

TypePtr SqlType::Decimal(int precision, int scale) {
  auto t = std::make_shared<SqlType>(TypeKind::kDecimal);
  t->precision_ = precision;
  t->scale_ = scale;
  return t;
}
TypePtr SqlType::Array(TypePtr element) {
  auto t = std::make_shared<SqlType>(TypeKind::kArray);
  t->element_ = std::move(element);
  return t;
}
TypePtr SqlType::Map(TypePtr key, TypePtr value) {
  auto t = std::make_shared<SqlType>(TypeKind::kMap);
  t->key_ = std::move(key);
  t->value_ = std::move(value);
  return t;
}
TypePtr SqlType::Struct(std::vector<StructField> fields) {
  auto t = std::make_shared<SqlType>(TypeKind::kStruct);
  t->fields_ = std::move(fields);
  return t;
}

int SqlType::FieldIndex(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool SqlType::IsNumeric() const {
  return kind_ == TypeKind::kInt || kind_ == TypeKind::kBigint || kind_ == TypeKind::kDouble ||
         kind_ == TypeKind::kDecimal;
}

std::string TypeName(const TypePtr& t) { return t ? t->ToString() : "NULL"; }

std::string SqlType::ToString() const {
  switch (kind_) {
    case TypeKind::kBoolean: return "BOOLEAN";
    case TypeKind::kInt: return "INTEGER";
    case TypeKind::kBigint: return "BIGINT";
    case TypeKind::kDouble: return "DOUBLE";
    case TypeKind::kDecimal:
      return "DECIMAL(" + std::to_string(precision_) + ", " + std::to_string(scale_) + ")";
    case TypeKind::kString: return "STRING";
    case TypeKind::kBytes: return "BYTES";
    case TypeKind::kDate: return "DATE";
    case TypeKind::kTime: return "TIME";
    case TypeKind::kTimestamp: return "TIMESTAMP";
    case TypeKind::kArray: return "ARRAY<" + TypeName(element_) + ">";
    case TypeKind::kMap: return "MAP<" + TypeName(key_) + ", " + TypeName(value_) + ">";
    case TypeKind::kStruct: {
      std::string s = "STRUCT<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (i) s += ", ";
        s += "`" + fields_[i].name + "` " + TypeName(fields_[i].type);
      }
      return s + ">";
    }
  }
  return "?";
}

bool TypesEqual(const TypePtr& a, const TypePtr& b) {
  if (!a || !b) return a == b;
  return a->Equals(*b);
}

bool SqlType::Equals(const SqlType& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case TypeKind::kDecimal: return precision_ == o.precision_ && scale_ == o.scale_;
    case TypeKind::kArray: return TypesEqual(element_, o.element_);
    case TypeKind::kMap: return TypesEqual(key_, o.key_) && TypesEqual(value_, o.value_);
    case TypeKind::kStruct:
      if (fields_.size() != o.fields_.size()) return false;
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (fields_[i].name != o.fields_[i].name || !TypesEqual(fields_[i].type, o.fields_[i].type))
          return false;
      }
      return true;
    default: return true;
  }
}

TypePtr DecimalOf(const TypePtr& t) {
  if (!t) return t;
  switch (t->kind()) {
    case TypeKind::kInt: return SqlType::Decimal(10, 0);
    case TypeKind::kBigint: return SqlType::Decimal(19, 0);
    default: return t;
  }
}

bool ContainsMap(const TypePtr& t) {
  if (!t) return false;
  switch (t->kind()) {
    case TypeKind::kMap: return true;
    case TypeKind::kArray: return ContainsMap(t->element());
    case TypeKind::kStruct:
      for (const StructField& f : t->fields()) {
        if (ContainsMap(f.type)) return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace brook
