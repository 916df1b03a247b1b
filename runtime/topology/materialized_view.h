// MaterializedView: where a table query's materialization (materialize_v1) can be read from —
// one committed-state reader per task that holds a part of it (one per input partition of the
// sub-topology the step runs in). Tasks add their reader when they open and remove it when they
// close; pull queries take a snapshot of the readers and read through them
// (runtime/engine/pull_query.h).
//
// A task restoring its state from the changelog is not readable yet: the stream thread marks
// its partition Opening before it opens the task, and Add clears the mark. A view created for a
// query whose changelogs hold state (a restart) is also not readable before its tasks are
// assigned. Available() says so, and a pull query reports it instead of answering with the
// rows of the other partitions, or none.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "planner/physical/materialize_step.h"
#include "runtime/state/store_reader.h"

namespace brook {

class MaterializedView {
 public:
  // awaiting_state: the changelogs hold state, so an empty view means "not assigned yet".
  explicit MaterializedView(MaterializeStep step, bool awaiting_state = false)
      : step_(std::move(step)), awaiting_assignment_(awaiting_state) {}
  const MaterializeStep& step() const { return step_; }

  // The task of `partition` is being opened (and restored); Add or OpenFailed ends it.
  void Opening(int32_t partition);
  void OpenFailed(int32_t partition);
  void Add(int32_t partition, std::shared_ptr<state::StoreReader> reader);
  // Removes the reader of `partition` if it is `reader` (a newer task may have replaced it).
  void Remove(int32_t partition, const state::StoreReader* reader);
  // The readers present now, by partition.
  std::map<int32_t, std::shared_ptr<state::StoreReader>> Readers() const;
  // kTimeout, naming `table` and the partitions, while a task is restoring or before the tasks
  // of a view awaiting its state are assigned; OK otherwise.
  [[nodiscard]] Status Available(const std::string& table) const;

 private:
  const MaterializeStep step_;
  mutable std::mutex mu_;
  std::map<int32_t, std::shared_ptr<state::StoreReader>> readers_;
  std::map<int32_t, int> opening_;  // partition -> tasks being opened
  bool awaiting_assignment_;
};

}  // namespace brook
