// PhysicalPlan: the immutable, versioned description of one query, produced by the
// PhysicalPlanner and turned into running operators by runtime/topology. It is a value: it
// serializes to JSON and back (plan_json.h), is stored with its statement, and a running query
// can be rebuilt from it.
//
// A plan is a list of steps, each with a versioned name ("filter_v1"), a StepId (its `id`:
// what state stores and internal topics are named after) and the ids of the steps it reads.
// Steps come after the steps they read; the last one is the root (a sink, or the projection
// of a push query). A rekey step with `repartition` set ends a sub-topology: the steps after
// it read its internal topic.
//
// Without joins a plan is a chain:
//   source_v1 -> filter_v1? -> rekey_v1? -> flat_map_v1? -> aggregate_v1? -> project_v1
//     -> materialize_v1? -> sink_v1?
// A join makes it a tree: each join_v1 reads two inputs (a source, possibly filtered and
// repartitioned, or an earlier join), and the chain continues after the last join.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/schema.h"
#include "planner/physical/aggregate_step.h"
#include "planner/physical/filter_step.h"
#include "planner/physical/flat_map_step.h"
#include "planner/physical/join_step.h"
#include "planner/physical/materialize_step.h"
#include "planner/physical/project_step.h"
#include "planner/physical/rekey_step.h"
#include "planner/physical/repartition_step.h"
#include "planner/physical/sink_step.h"
#include "planner/physical/source_step.h"

namespace brook {

using StepBody = std::variant<SourceStep, FilterStep, RekeyStep, FlatMapStep, ProjectStep, SinkStep,
                              AggregateStep, JoinStep, MaterializeStep, RepartitionStep>;

struct PhysicalStep {
  std::string id;                   // the StepId, unique within the plan
  std::vector<std::string> inputs;  // ids of the steps this one reads (none for a source)
  StepBody body;

  const char* name() const;  // the versioned step name, e.g. "filter_v1"
  template <typename T>
  const T* As() const {
    return std::get_if<T>(&body);
  }
};

struct PhysicalPlan {
  std::string query_id;
  std::string sql;
  std::optional<int64_t> limit;
  LogicalSchema output_schema;  // key columns + value columns of the result
  bool output_is_table = false;
  std::vector<PhysicalStep> steps;

  // The first step of type T, or null.
  template <typename T>
  const T* Find() const {
    for (const PhysicalStep& s : steps) {
      if (const T* t = s.As<T>()) return t;
    }
    return nullptr;
  }
  // Every plan has at least one source and exactly one projection (checked when built or
  // read). source() is the first: the FROM source.
  const SourceStep& source() const { return *Find<SourceStep>(); }
  const ProjectStep& project() const { return *Find<ProjectStep>(); }
  const SinkStep* sink() const { return Find<SinkStep>(); }
  const FilterStep* filter() const { return Find<FilterStep>(); }
  const RekeyStep* rekey() const { return Find<RekeyStep>(); }

  // Checks the plan's shape: unique ids, inputs that name earlier steps, every step read by
  // exactly one later step (a tree rooted at the last step), a source per leaf, one
  // projection, projection and output schema in agreement.
  Status Validate() const;

  // A short readable description of the steps, for EXPLAIN.
  std::string Describe() const;
};

}  // namespace brook
