// HyperLogLog sketches as byte strings: what COUNT_DISTINCT keeps per group, and what
// HLL_SKETCH / HLL_MERGE / HLL_ESTIMATE hand to users as BYTES.
//
// Precision 14: 16 384 registers, standard error 1.04/sqrt(16384) ≈ 0.81 %. Layout:
//   byte 0: format version (1); byte 1: precision (14); byte 2: 's' sparse or 'd' dense;
//   sparse: the non-zero registers, sorted by index, 3 bytes each: index << 6 | value
//           (big-endian); at most kSparseMax entries, then the sketch turns dense;
//   dense:  one byte per register (16 384 bytes; the sketch never exceeds 16 KiB + 3).
// Register values follow the usual rule (index = the hash's top 14 bits, value = leading
// zeros of the other 50 bits + 1). Estimates use Ertl's improved estimator ("New
// cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs neither
// bias tables nor a switch to linear counting and is exact-ish for small counts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/value.h"

namespace brook::hll {

inline constexpr int kPrecision = 14;
inline constexpr size_t kRegisters = size_t{1} << kPrecision;
inline constexpr size_t kSparseMax = 2048;  // entries (6 KiB) before turning dense

// An empty sketch.
std::string Empty();
// True if `sketch` is a well-formed sketch of this layout.
bool Valid(std::string_view sketch);
// 64-bit hash of a value (of its state encoding; equal values hash equally).
uint64_t HashValue(const Value& v);
// Adds a hashed item. `sketch` must be Valid.
void AddHash(std::string& sketch, uint64_t hash);
// Folds `other` into `into` (register-wise maximum). Both must be Valid.
void Merge(std::string& into, std::string_view other);
// The estimated number of distinct items. `sketch` must be Valid.
int64_t Estimate(std::string_view sketch);

}  // namespace brook::hll
