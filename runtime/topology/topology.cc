#include "runtime/topology/topology.h"

#include "runtime/operators/aggregate_operator.h"
#include "runtime/operators/filter_operator.h"
#include "runtime/operators/flat_map_operator.h"
#include "runtime/operators/group_by_operator.h"
#include "runtime/operators/materialize_operator.h"
#include "runtime/operators/project_operator.h"
#include "runtime/operators/rekey_operator.h"
#include "runtime/topology/repartition.h"

namespace brook {

std::vector<std::string> Topology::SourceTopics() const {
  std::vector<std::string> topics;
  for (const SubTopology& s : subs_) {
    topics.insert(topics.end(), s.source_topics.begin(), s.source_topics.end());
  }
  return topics;
}

int Topology::SubFor(std::string_view topic) const {
  for (size_t i = 0; i < subs_.size(); ++i) {
    for (const std::string& t : subs_[i].source_topics) {
      if (t == topic) return static_cast<int>(i);
    }
  }
  return -1;
}

std::vector<std::string> Topology::InternalTopics() const {
  std::vector<std::string> out;
  for (const SubTopology& s : subs_) {
    if (!s.repartition_topic.empty()) out.push_back(s.repartition_topic);
  }
  return out;
}

std::vector<state::StoreSpec> Topology::Stores(size_t sub_index) const {
  std::vector<state::StoreSpec> stores;
  const SubTopology& sub = subs_[sub_index];
  for (size_t i = 0; i < sub.steps.size(); ++i) {
    const PhysicalStep& step = plan_.steps[sub.steps[i]];
    if (const auto* m = step.As<MaterializeStep>()) {
      stores.push_back(MaterializeOperator::Store(*m, step.id));
      continue;
    }
    const auto* a = step.As<AggregateStep>();
    if (!a) continue;
    bool group_half = !(sub.reads_repartition && i == 0);
    bool aggregate_half = !(!sub.repartition_topic.empty() && i + 1 == sub.steps.size());
    if (group_half) {
      for (state::StoreSpec& s : GroupByOperator::Stores(*a, step.id)) stores.push_back(s);
    }
    if (aggregate_half) {
      for (state::StoreSpec& s : AggregateOperator::Stores(*a, step.id)) stores.push_back(s);
    }
  }
  return stores;
}

Result<std::shared_ptr<const Topology>> TopologyBuilder::Build(const PhysicalPlan& plan,
                                                               std::string_view service_id,
                                                               bool inline_repartition) {
  RETURN_IF_ERROR(plan.Validate());
  auto t = std::shared_ptr<Topology>(new Topology());
  t->plan_ = plan;
  SubTopology sub;
  for (size_t i = 0; i < t->plan_.steps.size(); ++i) {
    const PhysicalStep& step = t->plan_.steps[i];
    if (const auto* s = step.As<SourceStep>()) {
      if (!sub.steps.empty()) {
        return Unsupported("The query plan reads more than one source (" + step.id +
                           "); brook's runtime does not run joins yet.");
      }
      sub.source_topics.push_back(s->topic);
    } else if (const auto* r = step.As<RekeyStep>()) {
      if (r->repartition) {
        return Unsupported("The query plan repartitions through an internal topic (" + step.id +
                           "); brook's runtime does not run repartitions yet.");
      }
    } else if (step.As<JoinStep>()) {
      return Unsupported("The query plan has a step of type '" + std::string(step.name()) +
                         "' (" + step.id + "), which brook's runtime does not run yet.");
    } else if (const auto* a = step.As<AggregateStep>();
               a && a->repartition && !inline_repartition) {
      // The GroupBy half ends this sub-topology; the aggregate half starts the next one.
      sub.steps.push_back(i);
      sub.repartition_topic = RepartitionTopicName(service_id, plan.query_id, step.id);
      sub.repartition_key_count = a->group_by.size();
      SubTopology next;
      next.source_topics.push_back(sub.repartition_topic);
      next.reads_repartition = true;
      t->subs_.push_back(std::move(sub));
      sub = std::move(next);
    }
    // The sink is the stream thread's, not the task's.
    sub.steps.push_back(i);
  }
  t->subs_.push_back(std::move(sub));
  return std::shared_ptr<const Topology>(std::move(t));
}

Result<std::unique_ptr<Task>> Topology::NewTask(size_t sub_index, int32_t partition,
                                                TaskContext context) const {
  if (sub_index >= subs_.size()) return Internal("no such sub-topology");
  const SubTopology& sub = subs_[sub_index];
  std::unique_ptr<Task> task(new Task(partition, context, sub.source_topics[0]));
  size_t first_op = 1;
  size_t key_count = 0;
  if (sub.reads_repartition) {
    task->repartition_input_ = true;
    first_op = 0;
  } else {
    const SourceStep& source = *plan_.steps[sub.steps[0]].As<SourceStep>();
    task->source_is_table_ = source.is_table;
    task->source_has_key_ = !source.schema.key.empty();
    bool filter_first =
        sub.steps.size() > 1 && plan_.steps[sub.steps[1]].As<FilterStep>() != nullptr;
    ASSIGN_OR_RETURN(task->decoder_, RecordDecoder::Create(source, filter_first));
    key_count = source.schema.key.size();
  }
  // State stores of the stateful steps, in one RocksDB instance per task.
  std::vector<state::StoreSpec> stores = Stores(sub_index);
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
    ASSIGN_OR_RETURN(auto committed, task->state_->CommittedOffsets());
    for (const kafka::TopicPartitionOffset& o : committed) {
      if (o.topic == sub.source_topics[0] && o.partition == partition) task->skip_below_ = o.offset;
    }
  }
  for (size_t i = first_op; i < sub.steps.size(); ++i) {
    const PhysicalStep& step = plan_.steps[sub.steps[i]];
    std::vector<std::unique_ptr<Operator>> ops;
    if (const auto* f = step.As<FilterStep>()) {
      FilterOperator::LateDecode late;
      if (i == 1 && task->decoder_ && task->decoder_->two_phase()) {
        RecordDecoder* decoder = task->decoder_.get();
        const OperatorContext* ctx = &task->ctx_;
        late = [decoder, ctx](Row& row) { return decoder->DecodeRest(row, *ctx); };
      }
      const SourceStep& source = *plan_.Find<SourceStep>();
      // Over a table, a row that stops matching deletes its key downstream — in a persistent
      // query's output table. A push query (no sink) just leaves it out, as ksqlDB's do.
      const bool deletes = source.is_table && plan_.sink() != nullptr;
      ops.push_back(std::make_unique<FilterOperator>(*f, deletes, std::move(late)));
    } else if (const auto* r = step.As<RekeyStep>()) {
      ops.push_back(std::make_unique<RekeyOperator>(*r, key_count));
      key_count = r->key_exprs.size();
    } else if (const auto* fm = step.As<FlatMapStep>()) {
      ops.push_back(std::make_unique<FlatMapOperator>(*fm));
    } else if (const auto* a = step.As<AggregateStep>()) {
      bool group_half = !(sub.reads_repartition && i == 0);
      bool aggregate_half = !(!sub.repartition_topic.empty() && i + 1 == sub.steps.size());
      if (group_half) ops.push_back(std::make_unique<GroupByOperator>(*a, step.id));
      if (aggregate_half) {
        ASSIGN_OR_RETURN(auto agg, AggregateOperator::Create(*a, step.id));
        ops.push_back(std::move(agg));
      }
    } else if (const auto* p = step.As<ProjectStep>()) {
      ops.push_back(std::make_unique<ProjectOperator>(*p));
    } else if (const auto* m = step.As<MaterializeStep>()) {
      ops.push_back(std::make_unique<MaterializeOperator>(*m, step.id));
      if (context.view) {
        ASSIGN_OR_RETURN(task->view_reader_, task->state_->Reader(step.id));
        task->view_ = context.view;
      }
    } else {
      continue;  // the sink: produced by the stream thread
    }
    for (auto& op : ops) {
      RETURN_IF_ERROR(op->Open(task->ctx_));
      task->operators_.push_back(std::move(op));
    }
  }
  task->batches_.resize(std::max<size_t>(1, task->operators_.size()));
  if (task->view_) task->view_->Add(partition, task->view_reader_);
  return task;
}

}  // namespace brook
