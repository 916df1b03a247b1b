// Topology: what a PhysicalPlan becomes at run time — its sub-topologies (today one: the steps
// from the source to the projection; a repartitioning rekey will end one and start the next)
// and the knowledge of how to build a Task for one input partition of a sub-topology.
//
// TopologyBuilder::Build checks that every step is one this runtime executes and rejects the
// rest by name (aggregate_v1 and join_v1 arrive with the stateful issues), so a stored plan this
// brook cannot run fails loudly instead of running wrongly.
// Immutable once built; shared by the query's stream threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "planner/physical/physical_plan.h"
#include "runtime/topology/task.h"

namespace brook {

struct SubTopology {
  std::vector<std::string> source_topics;
  std::vector<size_t> steps;  // indices into plan.steps, source first, in order
};

class Topology {
 public:
  const PhysicalPlan& plan() const { return plan_; }
  const std::vector<SubTopology>& sub_topologies() const { return subs_; }
  // The topics the query's consumers subscribe to.
  std::vector<std::string> SourceTopics() const;

  // A task for `partition` of sub-topology `sub`, with its decoder and operators opened.
  Result<std::unique_ptr<Task>> NewTask(size_t sub, int32_t partition, TaskContext context) const;

 private:
  friend class TopologyBuilder;
  PhysicalPlan plan_;
  std::vector<SubTopology> subs_;
};

class TopologyBuilder {
 public:
  static Result<std::shared_ptr<const Topology>> Build(const PhysicalPlan& plan);
};

}  // namespace brook
