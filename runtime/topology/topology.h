// Topology: what a PhysicalPlan becomes at run time — its sub-topologies and the knowledge of
// how to build a Task for one input partition of a sub-topology.
//
// A plan is a tree of steps (physical_plan.h). It is cut into sub-topologies at its internal
// topics:
//  - an aggregation whose GROUP BY is not the input's key: its GroupBy half ends one
//    sub-topology, writing contributions to the aggregation's repartition topic, and its
//    Aggregate half starts the next (repartition.h);
//  - a repartition_v1 step (a join side not partitioned by its join key): it ends its
//    sub-topology, writing rows to "_confluent-ksql-<service id>query_<query id>-<step
//    id>-repartition", and the join reads that topic in the next.
// Every other step belongs to the sub-topology of the steps it reads: a join's two inputs meet
// in one sub-topology, whose tasks read both (co-partitioned) topics' partition of one number.
// Sub-topologies are ordered by their first step in the plan (the FROM source's comes first).
//
// With `inline_repartition` (one task over every partition: a push query) nothing is cut: the
// repartition steps pass rows through and the aggregation runs both halves in one task.
//
// TopologyBuilder::Build checks that every step is one this runtime executes, so a stored plan
// this brook cannot run fails loudly instead of running wrongly.
// Immutable once built; shared by the query's stream threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "planner/physical/physical_plan.h"
#include "runtime/topology/task.h"

namespace brook {

// One step of a sub-topology. A repartitioning aggregation is split: its GroupBy half runs in
// the sub-topology that reads its input, its Aggregate half in the next one.
struct SubStep {
  enum class Part { kWhole, kGroupHalf, kAggregateHalf };
  size_t step = 0;  // index into plan.steps
  Part part = Part::kWhole;
};

// A topic a sub-topology's tasks read, and where its rows enter the pipeline.
struct SubInput {
  enum class Kind { kSource, kGroupRepartition, kJoinRepartition };
  Kind kind = Kind::kSource;
  std::string topic;
  size_t source_step = 0;  // kSource: index of the SourceStep in plan.steps
  size_t reader = 0;       // index into SubTopology::steps of the step that reads the rows
  int side = 0;            // which input of the reader (a join's left 0 or right 1)
};

struct SubTopology {
  std::vector<SubInput> inputs;
  std::vector<SubStep> steps;  // in plan order
  // Non-empty: the sub-topology ends by writing to this internal topic (else to the sink or
  // the push query's output).
  std::string repartition_topic;
  // Set when it ends with an aggregation's GroupBy half: the group key's column count.
  size_t repartition_key_count = 0;
  // Set when it ends with a repartition_v1 step: its index in plan.steps.
  int join_repartition_step = -1;

  // The input reading `topic`, or -1.
  int InputFor(std::string_view topic) const;
};

class Topology {
 public:
  const PhysicalPlan& plan() const { return plan_; }
  const std::vector<SubTopology>& sub_topologies() const { return subs_; }
  // The topics the query's consumers subscribe to.
  std::vector<std::string> SourceTopics() const;
  // The sub-topology reading `topic`, or -1.
  int SubFor(std::string_view topic) const;
  // The internal (repartition) topics the engine must create before the query starts, with
  // their partition counts (-1: as many as the query's source).
  std::vector<std::pair<std::string, int>> InternalTopics() const;
  // The state stores of sub-topology `sub`'s tasks.
  std::vector<state::StoreSpec> Stores(size_t sub) const;

  // A task for `partition` of sub-topology `sub`, with its decoders and operators opened.
  Result<std::unique_ptr<Task>> NewTask(size_t sub, int32_t partition, TaskContext context) const;

 private:
  friend class TopologyBuilder;
  PhysicalPlan plan_;
  std::vector<SubTopology> subs_;
};

class TopologyBuilder {
 public:
  // `service_id` prefixes internal topic names. `inline_repartition` keeps the plan in one
  // sub-topology even where its rows would be repartitioned — correct only when one task sees
  // every input partition (a transient query's single task; see StreamThreadOptions).
  static Result<std::shared_ptr<const Topology>> Build(const PhysicalPlan& plan,
                                                       std::string_view service_id = "default_",
                                                       bool inline_repartition = false);
};

}  // namespace brook
