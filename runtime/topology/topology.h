// Topology: what a PhysicalPlan becomes at run time — its sub-topologies and the knowledge of
// how to build a Task for one input partition of a sub-topology.
//
// A plan is one sub-topology (source to projection) unless an aggregation must repartition
// (GROUP BY is not the input's key): then the first sub-topology ends with the aggregation's
// GroupBy half, writing contributions to the internal repartition topic (repartition.h), and
// the second reads that topic, aggregates and projects.
//
// TopologyBuilder::Build checks that every step is one this runtime executes and rejects the
// rest by name (join_v1 arrives with the joins issue), so a stored plan this brook cannot run
// fails loudly instead of running wrongly.
// Immutable once built; shared by the query's stream threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "planner/physical/physical_plan.h"
#include "runtime/topology/task.h"

namespace brook {

struct SubTopology {
  std::vector<std::string> source_topics;
  std::vector<size_t> steps;  // indices into plan.steps, in order
  // Reads the previous sub-topology's repartition topic; its first step is the aggregation
  // whose GroupBy half ran there.
  bool reads_repartition = false;
  // Non-empty: ends with an aggregation's GroupBy half and writes to this internal topic.
  std::string repartition_topic;
  size_t repartition_key_count = 0;
};

class Topology {
 public:
  const PhysicalPlan& plan() const { return plan_; }
  const std::vector<SubTopology>& sub_topologies() const { return subs_; }
  // The topics the query's consumers subscribe to.
  std::vector<std::string> SourceTopics() const;
  // The sub-topology reading `topic`, or -1.
  int SubFor(std::string_view topic) const;
  // The internal topics (repartition) the engine must create before the query starts.
  std::vector<std::string> InternalTopics() const;
  // The state stores of sub-topology `sub`'s tasks.
  std::vector<state::StoreSpec> Stores(size_t sub) const;

  // A task for `partition` of sub-topology `sub`, with its decoder and operators opened.
  Result<std::unique_ptr<Task>> NewTask(size_t sub, int32_t partition, TaskContext context) const;

 private:
  friend class TopologyBuilder;
  PhysicalPlan plan_;
  std::vector<SubTopology> subs_;
};

class TopologyBuilder {
 public:
  // `service_id` prefixes internal topic names. `inline_repartition` keeps an aggregation in one
  // sub-topology even when its groups are not the input's key — correct only when one task sees
  // every input partition (a transient query's single task; see StreamThreadOptions).
  static Result<std::shared_ptr<const Topology>> Build(const PhysicalPlan& plan,
                                                       std::string_view service_id = "default_",
                                                       bool inline_repartition = false);
};

}  // namespace brook
