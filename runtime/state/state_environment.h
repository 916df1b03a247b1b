// StateEnvironment: the process-wide part of the state layer — the options and the RocksDB block
// cache and WriteBufferManager shared by every task's RocksDB instance, so the memory of all
// tasks together is bounded by StateOptions (block_cache_bytes, total_write_buffer_bytes).
//
// Create one per process (or per engine) and hand the shared_ptr to every TaskState::Open; it
// must outlive none of them (each TaskState keeps a reference).
// Thread-safe: immutable after Create; the RocksDB objects it holds are thread-safe.
#pragma once

#include <memory>

#include "common/status.h"
#include "runtime/state/state_options.h"

namespace brook::state {

class StateEnvironment {
 public:
  // Validates `options` (state_dir non-empty, sizes > 0) and builds the shared cache.
  [[nodiscard]] static Result<std::shared_ptr<StateEnvironment>> Create(StateOptions options);

  ~StateEnvironment();
  StateEnvironment(const StateEnvironment&) = delete;
  StateEnvironment& operator=(const StateEnvironment&) = delete;

  const StateOptions& options() const { return options_; }

  // RocksDB objects, opaque here so that this header does not include RocksDB. Defined in
  // state_internal.h for the state layer's own .cc files.
  struct Shared;
  const Shared& shared() const { return *shared_; }

 private:
  StateEnvironment(StateOptions options, std::unique_ptr<Shared> shared);

  StateOptions options_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace brook::state
