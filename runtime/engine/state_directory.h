// StateDirectory: where a brookd keeps the RocksDB state of its stateful queries
// (<dir>/<query id>/<task id>/, runtime/state), chosen once per engine.
//
//   - `ksql.streams.state.dir` set: that directory, as it is.
//   - otherwise, when the Kafka cluster tells its id: a directory that stays the same across
//     restarts of this server, $TMPDIR/brook-state-<uid>/<service id>-<cluster id>/, so a restart
//     reopens its state instead of restoring it from the changelogs. The cluster id keeps the
//     state of different clusters (each embedded or test broker is one) apart. It is locked
//     (flock on .lock) while in use: a second brookd with the same service id and cluster on the
//     same machine gets a private directory instead.
//   - otherwise (the in-memory broker, or no id): a private directory
//     $TMPDIR/brook-state-private-XXXXXX/, locked, removed when the engine ends. Private
//     directories left by a killed process (no longer locked) are removed at the next start.
//
// The per-user parent is created 0700 and used only if it is a real directory owned by this
// user that nobody else may write (no symlink or shared-/tmp tricks).
// Thread-safety: none needed; the engine creates it once under its lock.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "common/status.h"

namespace brook {

class StateDirectory {
 public:
  // `configured`: ksql.streams.state.dir (may be empty). `cluster_id`: empty when unknown.
  // `note` receives a line worth logging (which directory, or why a private one).
  [[nodiscard]] static Result<std::unique_ptr<StateDirectory>> Acquire(
      const std::string& configured, const std::string& service_id, const std::string& cluster_id,
      std::string* note);
  ~StateDirectory();
  StateDirectory(const StateDirectory&) = delete;
  StateDirectory& operator=(const StateDirectory&) = delete;

  const std::string& path() const { return path_; }
  // True for a private directory, removed with this object.
  bool is_private() const { return private_; }
  // Removes the directories of queries not in `live` (only names shaped like brook's query
  // ids: CSAS_/CTAS_/INSERTQUERY_/CST_ ... _<n>). Only in a directory brook chose (one per
  // service id): a configured ksql.streams.state.dir may be shared by another service, whose
  // query directories look the same. Best effort; returns how many it removed.
  size_t RemoveUnowned(const std::set<std::string>& live) const;
  // Removes the directory of one query (after TERMINATE). Best effort.
  void RemoveQuery(const std::string& query_id) const;

 private:
  StateDirectory() = default;
  std::string path_;
  bool private_ = false;
  bool configured_ = false;  // ksql.streams.state.dir: not brook's alone
  int lock_fd_ = -1;
};

}  // namespace brook
