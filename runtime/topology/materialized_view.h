// MaterializedView: where a table query's materialization (materialize_v1) can be read from —
// one committed-state reader per task that holds a part of it (one per input partition of the
// sub-topology the step runs in). Tasks add their reader when they open and remove it when they
// close; pull queries take a snapshot of the readers and read through them
// (runtime/engine/pull_query.h).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "planner/physical/materialize_step.h"
#include "runtime/state/store_reader.h"

namespace brook {

class MaterializedView {
 public:
  explicit MaterializedView(MaterializeStep step) : step_(std::move(step)) {}
  const MaterializeStep& step() const { return step_; }

  void Add(int32_t partition, std::shared_ptr<state::StoreReader> reader);
  // Removes the reader of `partition` if it is `reader` (a newer task may have replaced it).
  void Remove(int32_t partition, const state::StoreReader* reader);
  // The readers present now, by partition.
  std::map<int32_t, std::shared_ptr<state::StoreReader>> Readers() const;

 private:
  const MaterializeStep step_;
  mutable std::mutex mu_;
  std::map<int32_t, std::shared_ptr<state::StoreReader>> readers_;
};

}  // namespace brook
