// Changelog commit markers: what makes a restore from the changelogs exact.
//
// At every TaskState::Commit, after the changed keys, one marker record goes to each of the
// task's changelog partitions. It carries the commit's sequence number and every input offset the
// committed state corresponds to. The stream thread flushes the changelog records before the
// commit (so a marker is never durable before the data of its commit, in any store) and the
// markers before it commits offsets to the consumer group.
//
// A restore (TaskState::Restore) then applies, in each changelog partition, the records up to the
// commit of the highest marker found in any of the task's changelogs, and resumes from that
// marker's offsets: records of a commit that never finished are dropped, and no input is counted
// twice, whatever moment the state directory was lost at.
//
// Record layout: key kCommitMarkerKey (a key is required on compacted topics), header
// kCommitMarkerHeader (what identifies a marker: store records carry no headers), value text:
//   brook-commit 1\n
//   seq <n>\n
//   <partition> <offset> <topic>\n      (one line per input partition)
// Pure functions; thread-safe. Decoding treats the value as untrusted and never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/kafka/kafka.h"

namespace brook::state {

inline constexpr std::string_view kCommitMarkerHeader = "__brook.commit";
inline constexpr std::string_view kCommitMarkerKey = "\xff__brook.commit";
// Bounds on what a marker may hold: a task reads a few topics, one partition each, and a task
// reading a GROUP BY repartition topic adds three pseudo-offsets per writer (Task::CommitState):
// up to about 2,700 writers (a join reading two repartitioned sides: one per writer of each). Below
// Kafka's default message.max.bytes (1 MB).
inline constexpr size_t kMaxCommitMarkerBytes = 512 * 1024;
inline constexpr size_t kMaxCommitMarkerOffsets = 8192;

struct CommitMarker {
  int64_t seq = 0;
  std::vector<kafka::TopicPartitionOffset> offsets;
};

std::string EncodeCommitMarker(const CommitMarker& marker);
// nullopt when `value` is not a well-formed marker of a version this build reads.
std::optional<CommitMarker> DecodeCommitMarker(std::string_view value);
// Whether a changelog record is a commit marker (by its header).
bool IsCommitMarker(const kafka::RecordView& record);

}  // namespace brook::state
