#include "runtime/state/state_environment.h"

#include "runtime/state/state_internal.h"

namespace brook::state {

Result<std::shared_ptr<StateEnvironment>> StateEnvironment::Create(StateOptions options) {
  if (options.state_dir.empty()) return InvalidArgument("state: state_dir is required");
  if (options.block_cache_bytes == 0 || options.write_buffer_bytes == 0 ||
      options.max_write_buffers < 1) {
    return InvalidArgument(
        "state: block_cache_bytes, write_buffer_bytes and max_write_buffers must be positive");
  }
  if (options.cache_max_entries == 0 || options.restore_max_idle_polls < 1 ||
      options.restore_poll_records == 0 || options.restore_batch_records == 0) {
    return InvalidArgument(
        "state: cache_max_entries, restore_max_idle_polls, restore_poll_records and "
        "restore_batch_records must be positive");
  }
  auto shared = std::make_unique<Shared>();
  shared->block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  if (options.total_write_buffer_bytes > 0) {
    shared->write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
        options.total_write_buffer_bytes, shared->block_cache);
  }
  return std::shared_ptr<StateEnvironment>(
      new StateEnvironment(std::move(options), std::move(shared)));
}

StateEnvironment::StateEnvironment(StateOptions options, std::unique_ptr<Shared> shared)
    : options_(std::move(options)), shared_(std::move(shared)) {}

StateEnvironment::~StateEnvironment() = default;

}  // namespace brook::state
