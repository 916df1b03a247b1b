// A compact, self-delimiting binary form of Value, for state: aggregate accumulators and group
// keys stored in RocksDB and their changelogs. Not a wire format for users (those are the
// serdes in runtime/serde/); it is stable within a brook version and tagged per value, so it
// needs no schema to decode.
//
// Layout: one tag byte (Value::Kind), then
//   BOOL 1 byte; INT/BIGINT/DATE/TIME/TIMESTAMP 8 bytes little-endian; DOUBLE 8 bytes (IEEE);
//   DECIMAL 16 bytes unscaled + 1 byte scale; STRING/BYTES varint length + bytes;
//   ARRAY/STRUCT/MAP varint count + the elements (a MAP's count is of keys and values).
// Concatenated encodings decode one after another, so a list of values (a multi-column key)
// is just their encodings back to back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/value.h"

namespace brook {

// Nesting bound when decoding (values nest no deeper than their SQL types, which are bounded by
// the parser's nesting limit; this guards against corrupt bytes).
inline constexpr int kMaxValueCodecDepth = 128;

void EncodeValue(const Value& v, std::string& out);
void EncodeValues(const Value* values, size_t n, std::string& out);

// Decodes one value from the front of `in` and advances it. False if the bytes are malformed
// (then `out` is unspecified).
[[nodiscard]] bool DecodeValue(std::string_view& in, Value& out, int depth = 0);
// Decodes values until `in` is empty.
[[nodiscard]] bool DecodeValues(std::string_view in, std::vector<Value>& out);

// An order-preserving form of key values, for stores that are scanned in key order (a pull
// query's table scan returns rows in this order): for two lists of values of the same types,
// bytewise order of the encodings is the order of the values, column by column — NULL first,
// then BOOLEAN false < true, integers and temporal types numerically, DOUBLE numerically (-0.0
// before 0.0, NaN last), STRING and BYTES lexicographically by their bytes. DECIMAL and the
// structured types are kept in the value codec above (decodable, not ordered).
// Layout per value: the kind tag, then integers as 8 bytes big-endian with the sign bit
// flipped; DOUBLE as its IEEE bits big-endian, all bits flipped if negative, else the sign
// bit; STRING/BYTES escaped (0x00 -> 0x00 0xFF) and ended by 0x00 0x01.
void EncodeOrderedValues(const Value* values, size_t n, std::string& out);
// Decodes EncodeOrderedValues' output until `in` is empty. False if the bytes are malformed.
[[nodiscard]] bool DecodeOrderedValues(std::string_view in, std::vector<Value>& out);

}  // namespace brook
