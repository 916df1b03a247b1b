#include "runtime/topology/topology.h"

#include <map>
#include <numeric>

#include "runtime/operators/aggregate_operator.h"
#include "runtime/operators/filter_operator.h"
#include "runtime/operators/fk_subscribe_operator.h"
#include "runtime/operators/flat_map_operator.h"
#include "runtime/operators/group_by_operator.h"
#include "runtime/operators/join_operator.h"
#include "runtime/operators/materialize_operator.h"
#include "runtime/operators/project_operator.h"
#include "runtime/operators/rekey_operator.h"
#include "runtime/topology/repartition.h"

namespace brook {

int SubTopology::InputFor(std::string_view topic) const {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].topic == topic) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Topology::SourceTopics() const {
  std::vector<std::string> topics;
  for (const SubTopology& s : subs_) {
    for (const SubInput& in : s.inputs) topics.push_back(in.topic);
  }
  return topics;
}

int Topology::SubFor(std::string_view topic) const {
  for (size_t i = 0; i < subs_.size(); ++i) {
    if (subs_[i].InputFor(topic) >= 0) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::pair<std::string, int>> Topology::InternalTopics() const {
  std::vector<std::pair<std::string, int>> out;
  for (const SubTopology& s : subs_) {
    if (s.repartition_topic.empty()) continue;
    int partitions = -1;
    if (s.join_repartition_step >= 0) {
      partitions = plan_.steps[s.join_repartition_step].As<RepartitionStep>()->partitions;
    }
    out.emplace_back(s.repartition_topic, partitions);
  }
  return out;
}

std::vector<state::StoreSpec> Topology::Stores(size_t sub_index) const {
  std::vector<state::StoreSpec> stores;
  for (const SubStep& ss : subs_[sub_index].steps) {
    const PhysicalStep& step = plan_.steps[ss.step];
    if (const auto* m = step.As<MaterializeStep>()) {
      stores.push_back(MaterializeOperator::Store(*m, step.id));
    } else if (const auto* j = step.As<JoinStep>()) {
      for (state::StoreSpec& s : JoinOperator::Stores(*j, step.id)) stores.push_back(s);
    } else if (const auto* r = step.As<RepartitionStep>(); r && r->foreign_key) {
      stores.push_back(FkSubscribeOperator::Store(step.id));
    } else if (const auto* a = step.As<AggregateStep>()) {
      if (ss.part != SubStep::Part::kAggregateHalf) {
        for (state::StoreSpec& s : GroupByOperator::Stores(*a, step.id)) stores.push_back(s);
      }
      if (ss.part != SubStep::Part::kGroupHalf) {
        for (state::StoreSpec& s : AggregateOperator::Stores(*a, step.id)) stores.push_back(s);
      }
    }
  }
  return stores;
}

namespace {

// Union-find over the plan's "nodes": one per step, two for a split aggregation.
class Groups {
 public:
  int Add() {
    parent_.push_back(static_cast<int>(parent_.size()));
    return parent_.back();
  }
  int Find(int x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(int a, int b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<int> parent_;
};

}  // namespace

Result<std::shared_ptr<const Topology>> TopologyBuilder::Build(const PhysicalPlan& plan,
                                                               std::string_view service_id,
                                                               bool inline_repartition) {
  RETURN_IF_ERROR(plan.Validate());
  auto t = std::shared_ptr<Topology>(new Topology());
  t->plan_ = plan;
  const std::vector<PhysicalStep>& steps = t->plan_.steps;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < steps.size(); ++i) index[steps[i].id] = i;
  // Nodes: `in_node` receives a step's input rows, `out_node` produces its output rows. They
  // differ only for a split aggregation (GroupBy half / Aggregate half).
  Groups groups;
  std::vector<int> in_node(steps.size()), out_node(steps.size());
  std::vector<bool> split(steps.size(), false), boundary(steps.size(), false);
  for (size_t i = 0; i < steps.size(); ++i) {
    const PhysicalStep& step = steps[i];
    if (step.As<RekeyStep>() && step.As<RekeyStep>()->repartition) {
      return Unsupported("The query plan repartitions through an internal topic (" + step.id +
                         ") with rekey_v1; brook's runtime repartitions with repartition_v1.");
    }
    const auto* a = step.As<AggregateStep>();
    split[i] = a && a->repartition && !inline_repartition;
    boundary[i] = step.As<RepartitionStep>() && !inline_repartition;
    in_node[i] = groups.Add();
    out_node[i] = split[i] ? groups.Add() : in_node[i];
  }
  // A step joins the group of each step it reads, unless that one ends at an internal topic.
  for (size_t i = 0; i < steps.size(); ++i) {
    for (const std::string& in : steps[i].inputs) {
      size_t k = index.at(in);
      if (!boundary[k]) groups.Union(in_node[i], out_node[k]);
    }
  }
  // Sub-topologies in order of their first node.
  std::map<int, size_t> sub_of_root;
  auto sub_for = [&](int node) -> SubTopology& {
    int root = groups.Find(node);
    auto [it, fresh] = sub_of_root.emplace(root, t->subs_.size());
    if (fresh) t->subs_.emplace_back();
    return t->subs_[it->second];
  };
  std::vector<size_t> position(steps.size());  // step -> its index in its sub's steps (in part)
  std::vector<size_t> agg_position(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    if (split[i]) {
      SubTopology& group_sub = sub_for(in_node[i]);
      position[i] = group_sub.steps.size();
      group_sub.steps.push_back({i, SubStep::Part::kGroupHalf});
      group_sub.repartition_topic = RepartitionTopicName(service_id, plan.query_id, steps[i].id);
      group_sub.repartition_key_count = steps[i].As<AggregateStep>()->group_by.size();
      SubTopology& agg_sub = sub_for(out_node[i]);
      agg_position[i] = agg_sub.steps.size();
      agg_sub.steps.push_back({i, SubStep::Part::kAggregateHalf});
      agg_sub.inputs.push_back(
          {SubInput::Kind::kGroupRepartition, group_sub.repartition_topic, 0, agg_position[i], 0});
    } else {
      SubTopology& sub = sub_for(in_node[i]);
      position[i] = agg_position[i] = sub.steps.size();
      sub.steps.push_back({i, SubStep::Part::kWhole});
      if (boundary[i]) {
        sub.repartition_topic = JoinRepartitionTopicName(
            service_id, plan.query_id, steps[i].id, steps[i].As<RepartitionStep>()->foreign_key);
        sub.join_repartition_step = static_cast<int>(i);
      }
    }
  }
  // Inputs: sources, and the internal topics of repartition_v1 steps, where their readers are.
  for (size_t i = 0; i < steps.size(); ++i) {
    const PhysicalStep& step = steps[i];
    for (size_t side = 0; side < step.inputs.size(); ++side) {
      size_t k = index.at(step.inputs[side]);
      SubTopology& sub = sub_for(in_node[i]);
      size_t reader = position[i];
      if (const auto* s = steps[k].As<SourceStep>()) {
        sub.inputs.push_back(
            {SubInput::Kind::kSource, s->topic, k, reader, static_cast<int>(side)});
      } else if (boundary[k]) {
        sub.inputs.push_back({SubInput::Kind::kJoinRepartition,
                              JoinRepartitionTopicName(service_id, plan.query_id, steps[k].id,
                                                       steps[k].As<RepartitionStep>()->foreign_key),
                              k, reader, static_cast<int>(side)});
      }
    }
  }
  for (const SubTopology& sub : t->subs_) {
    if (sub.inputs.empty()) return Internal("a sub-topology of the query plan reads nothing");
  }
  return std::shared_ptr<const Topology>(std::move(t));
}

}  // namespace brook

namespace brook {

namespace {

// Whether the rows a step produces are a table's changes (upserts and deletions by key).
bool TableRows(const PhysicalPlan& plan, size_t step) {
  const PhysicalStep& s = plan.steps[step];
  if (const auto* src = s.As<SourceStep>()) return src->is_table;
  if (const auto* j = s.As<JoinStep>()) return j->shape == JoinStep::Shape::kTableTable;
  if (s.As<AggregateStep>()) return true;
  if (s.inputs.empty()) return false;
  for (size_t i = 0; i < step; ++i) {
    if (plan.steps[i].id == s.inputs[0]) return TableRows(plan, i);
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<Task>> Topology::NewTask(size_t sub_index, int32_t partition,
                                                TaskContext context) const {
  if (sub_index >= subs_.size()) return Internal("no such sub-topology");
  const SubTopology& sub = subs_[sub_index];
  std::unique_ptr<Task> task(new Task(partition, context));
  task->ordered_ = context.order_inputs && (sub.inputs.size() > 1 || context.buffer_rows);
  // State stores of the stateful steps, in one RocksDB instance per task.
  std::vector<state::StoreSpec> stores = Stores(sub_index);
  std::vector<kafka::TopicPartitionOffset> committed;
  if (!stores.empty()) {
    if (!context.state_env) {
      return Internal("query " + context.query_id +
                      " needs state stores but has no state directory");
    }
    state::TaskStateConfig sc;
    sc.service_id = context.service_id;
    sc.query_id = context.query_id;
    sc.task_id = std::to_string(sub_index) + "_" + std::to_string(partition);
    sc.changelog_partition = partition;
    sc.stores = std::move(stores);
    ASSIGN_OR_RETURN(task->state_,
                     state::TaskState::Open(context.state_env, std::move(sc), context.restore_from,
                                            context.changelog_producer));
    task->ctx_.state = task->state_.get();
    ASSIGN_OR_RETURN(committed, task->state_->CommittedOffsets());
    task->SeedOrigins(committed);
  }
  // Where each step sits in this sub-topology, and which step of it reads each one.
  const size_t n = sub.steps.size();
  std::map<size_t, size_t> position;  // plan step -> index into sub.steps
  for (size_t p = 0; p < n; ++p) position[sub.steps[p].step] = p;
  std::vector<int> reader(n, -1), reader_side(n, 0);
  for (size_t q = 0; q < n; ++q) {
    const PhysicalStep& step = plan_.steps[sub.steps[q].step];
    if (sub.steps[q].part == SubStep::Part::kAggregateHalf) continue;  // reads the topic
    for (size_t side = 0; side < step.inputs.size(); ++side) {
      for (size_t p = 0; p < n; ++p) {
        if (plan_.steps[sub.steps[p].step].id == step.inputs[side] &&
            sub.steps[p].part != SubStep::Part::kGroupHalf) {
          reader[p] = static_cast<int>(q);
          reader_side[p] = static_cast<int>(side);
        }
      }
    }
  }
  // Decoders, one per source input.
  std::map<size_t, RecordDecoder*> decoders;  // source step -> its decoder
  size_t key_count = 0;
  bool first_source = true;
  for (const SubInput& in : sub.inputs) {
    Task::Input ti;
    ti.topic = in.topic;
    ti.repartition = in.kind != SubInput::Kind::kSource;
    ti.join_repartition = in.kind == SubInput::Kind::kJoinRepartition;
    if (in.kind == SubInput::Kind::kSource) {
      const SourceStep& source = *plan_.steps[in.source_step].As<SourceStep>();
      ti.is_table = source.is_table;
      ti.has_key = !source.schema.key.empty();
      // Two-phase decoding completes rows from their records, which an ordered task's buffered
      // rows no longer have.
      bool filter_first =
          !task->ordered_ && plan_.steps[sub.steps[in.reader].step].As<FilterStep>() != nullptr;
      ASSIGN_OR_RETURN(ti.decoder, RecordDecoder::Create(source, filter_first));
      decoders[in.source_step] = ti.decoder.get();
      if (first_source) key_count = source.schema.key.size();
      first_source = false;
    }
    for (const kafka::TopicPartitionOffset& o : committed) {
      if (o.topic == in.topic && o.partition == partition) ti.skip_below = o.offset;
    }
    task->inputs_.push_back(std::move(ti));
  }
  // Operators, in plan order.
  std::vector<int> first(n, -1), last(n, -1);
  for (size_t p = 0; p < n; ++p) {
    const SubStep& ss = sub.steps[p];
    const PhysicalStep& step = plan_.steps[ss.step];
    std::vector<std::unique_ptr<Operator>> ops;
    if (const auto* f = step.As<FilterStep>()) {
      FilterOperator::LateDecode late;
      auto src = decoders.end();
      for (auto it = decoders.begin(); it != decoders.end(); ++it) {
        if (plan_.steps[it->first].id == step.inputs[0]) src = it;
      }
      if (src != decoders.end() && src->second->two_phase()) {
        RecordDecoder* decoder = src->second;
        const OperatorContext* ctx = &task->ctx_;
        late = [decoder, ctx](Row& row) { return decoder->DecodeRest(row, *ctx); };
      }
      // Over a table, a row that stops matching deletes its key downstream — in a persistent
      // query's output table, or in the store of the join it feeds. A push query's result just
      // leaves it out, as ksqlDB's do.
      bool input_table = false;
      for (size_t i = 0; i < ss.step; ++i) {
        if (plan_.steps[i].id == step.inputs[0]) input_table = TableRows(plan_, i);
      }
      bool feeds_join = reader[p] >= 0 && plan_.steps[sub.steps[reader[p]].step].As<JoinStep>();
      const bool deletes = input_table && (plan_.sink() != nullptr || feeds_join);
      ops.push_back(std::make_unique<FilterOperator>(*f, deletes, std::move(late)));
    } else if (const auto* r = step.As<RekeyStep>()) {
      ops.push_back(std::make_unique<RekeyOperator>(*r, key_count));
      key_count = r->key_exprs.size();
    } else if (const auto* fm = step.As<FlatMapStep>()) {
      ops.push_back(std::make_unique<FlatMapOperator>(*fm));
    } else if (const auto* a = step.As<AggregateStep>()) {
      if (ss.part != SubStep::Part::kAggregateHalf) {
        ops.push_back(std::make_unique<GroupByOperator>(*a, step.id));
      }
      if (ss.part != SubStep::Part::kGroupHalf) {
        ASSIGN_OR_RETURN(auto agg, AggregateOperator::Create(*a, step.id));
        ops.push_back(std::move(agg));
      }
    } else if (const auto* j = step.As<JoinStep>()) {
      ASSIGN_OR_RETURN(auto join, JoinOperator::Create(*j, step.id));
      ops.push_back(std::move(join));
    } else if (const auto* rp = step.As<RepartitionStep>(); rp && rp->foreign_key) {
      ops.push_back(std::make_unique<FkSubscribeOperator>(*rp, step.id, key_count));
    } else if (const auto* pr = step.As<ProjectStep>()) {
      ops.push_back(std::make_unique<ProjectOperator>(*pr));
    } else if (const auto* m = step.As<MaterializeStep>()) {
      ops.push_back(std::make_unique<MaterializeOperator>(*m, step.id));
      if (context.view) {
        ASSIGN_OR_RETURN(task->view_reader_, task->state_->Reader(step.id));
        task->view_ = context.view;
      }
    }
    // Sources, sinks and repartitions have no operator: rows pass through them.
    for (auto& op : ops) {
      RETURN_IF_ERROR(op->Open(task->ctx_));
      int idx = static_cast<int>(task->nodes_.size());
      task->nodes_.emplace_back();
      task->nodes_.back().op = std::move(op);
      if (first[p] < 0) first[p] = idx;
      if (last[p] >= 0) task->nodes_[last[p]].next = idx;
      last[p] = idx;
    }
  }
  // Where each step's output goes: the first node of the step reading it, or (for a step
  // without operators) wherever that step's output goes.
  std::vector<std::pair<int, int>> target(n, {-1, 0});
  for (size_t p = n; p-- > 0;) {
    int q = reader[p];
    if (q < 0) continue;
    target[p] = first[q] >= 0 ? std::make_pair(first[q], reader_side[p]) : target[q];
  }
  for (size_t p = 0; p < n; ++p) {
    if (last[p] < 0) continue;
    task->nodes_[last[p]].next = target[p].first;
    task->nodes_[last[p]].side = target[p].second;
  }
  for (size_t i = 0; i < sub.inputs.size(); ++i) {
    const SubInput& in = sub.inputs[i];
    std::pair<int, int> entry =
        first[in.reader] >= 0 ? std::make_pair(first[in.reader], in.side) : target[in.reader];
    task->inputs_[i].entry = entry.first;
    task->inputs_[i].side = entry.second;
  }
  if (task->view_) task->view_->Add(partition, task->view_reader_);
  return task;
}

}  // namespace brook
