// RecordDecoder: turns a Kafka record into the source step's flat row — key columns, value and
// header columns, ROWTIME, ROWPARTITION, ROWOFFSET, and window bounds for windowed keys — and
// decides the record time (the TIMESTAMP column or the record's timestamp). Only the columns the
// plan's column pruning marked `needed` are converted. In two-phase mode the first pass converts
// the `early` columns (what the filter reads) and DecodeRest the others, for rows that passed.
// A record that cannot be decoded is logged to the processing log and skipped.
// Not thread-safe: one per task.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "planner/physical/source_step.h"
#include "runtime/kafka/kafka.h"
#include "runtime/operators/operator.h"
#include "runtime/serde/serde.h"

namespace brook {

class RecordDecoder {
 public:
  // `two_phase`: decode `early` columns first (the plan has a filter right after the source).
  static Result<std::unique_ptr<RecordDecoder>> Create(const SourceStep& source, bool two_phase);

  // Fills `row` from `r`. Returns false when the record is skipped (already logged).
  bool Decode(const kafka::RecordView& r, Row& row, const OperatorContext& ctx);
  // Two-phase only: decodes the needed columns the first pass left out. False: skipped, logged.
  bool DecodeRest(Row& row, const OperatorContext& ctx);
  bool two_phase() const { return post_filter_serde_ != nullptr; }

 private:
  explicit RecordDecoder(const SourceStep& source) : src_(source) {}

  const SourceStep& src_;
  size_t key_count_ = 0;
  size_t value_count_ = 0;  // value columns the value serde decodes (no header columns)
  std::unique_ptr<Serde> key_serde_;
  std::unique_ptr<Serde> value_serde_;
  std::unique_ptr<Serde> post_filter_serde_;
  std::vector<int> header_slots_;  // row slots of header columns, parallel to header_keys_
  std::vector<std::optional<std::string>> header_keys_;
  std::vector<Value> scratch_;     // value columns when the schema has header columns
};

}  // namespace brook
