#include "planner/physical/physical_plan.h"

#include <map>
#include <set>

namespace brook {

const char* PhysicalStep::name() const {
  return std::visit([](const auto& s) { return std::decay_t<decltype(s)>::kName; }, body);
}

Status PhysicalPlan::Validate() const {
  auto bad = [](const std::string& why) { return InvalidArgument("Invalid query plan: " + why); };
  std::set<std::string> seen;
  int sources = 0, projects = 0;
  for (const PhysicalStep& s : steps) {
    if (s.id.empty() || !seen.insert(s.id).second) return bad("step ids must be unique: " + s.id);
    bool is_source = s.As<SourceStep>() != nullptr;
    sources += is_source;
    projects += s.As<ProjectStep>() != nullptr;
    if (is_source != s.inputs.empty()) return bad("only sources have no inputs: " + s.id);
    size_t want = s.As<JoinStep>() ? 2 : (is_source ? 0 : 1);
    if (s.inputs.size() != want) return bad("step " + s.id + " has the wrong number of inputs");
    for (const std::string& in : s.inputs) {
      if (!seen.count(in) || in == s.id) return bad("step " + s.id + " reads unknown '" + in + "'");
    }
  }
  if (sources < 1 || projects != 1) return bad("a plan needs a source and one projection");
  // A tree: every step but the last is read by exactly one step.
  std::map<std::string, int> readers;
  for (const PhysicalStep& s : steps) {
    for (const std::string& in : s.inputs) ++readers[in];
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    int want = i + 1 == steps.size() ? 0 : 1;
    if (readers[steps[i].id] != want) return bad("step " + steps[i].id + " must be read once");
  }
  if (sources > 1 && !Find<JoinStep>()) return bad("only a join reads more than one source");
  // Without joins a plan is one chain, in order: source, then filter / rekey / flat map /
  // aggregate steps, the projection, at most a materialization and at most a sink (last), each
  // reading the step before it.
  if (!Find<JoinStep>()) {
    bool seen_project = false;
    bool seen_materialize = false;
    for (size_t i = 0; i < steps.size(); ++i) {
      const PhysicalStep& s = steps[i];
      if ((i == 0) != (s.As<SourceStep>() != nullptr)) {
        return bad("the source must come first, and only once");
      }
      if (i > 0 && s.inputs[0] != steps[i - 1].id) {
        return bad("step " + s.id + " must read the step before it");
      }
      bool is_materialize = s.As<MaterializeStep>() != nullptr;
      if (seen_project && !(s.As<SinkStep>() && i + 1 == steps.size()) &&
          !(is_materialize && !seen_materialize)) {
        return bad("only a materialization and a sink may follow the projection");
      }
      if (s.As<SinkStep>() && !seen_project) return bad("the sink must follow the projection");
      if (is_materialize && !seen_project) {
        return bad("the materialization must follow the projection");
      }
      seen_project = seen_project || s.As<ProjectStep>() != nullptr;
      seen_materialize = seen_materialize || is_materialize;
    }
  }
  const ProjectStep& p = project();
  if (p.key_exprs.size() != output_schema.key.size() ||
      p.value_exprs.size() != output_schema.value.size()) {
    return bad("the projection does not match the output schema");
  }
  if (const MaterializeStep* m = Find<MaterializeStep>()) {
    if (!output_is_table || m->key_count != static_cast<int>(output_schema.key.size()) ||
        m->value_count != static_cast<int>(output_schema.value.size())) {
      return bad("the materialization does not match the output table");
    }
  }
  if (const SinkStep* k = sink()) {
    size_t bound = k->timestamp_in_key ? output_schema.key.size() : output_schema.value.size();
    if (k->timestamp_column >= static_cast<int>(bound)) {
      return bad("the sink's timestamp column is out of range");
    }
  }
  return Status::Ok();
}

std::string PhysicalPlan::Describe() const {
  std::string s;
  for (const PhysicalStep& step : steps) {
    s += s.empty() ? " > [ " : "\t\t > [ ";
    s += std::string(step.name()) + " ] | " + step.id;
    if (const auto* src = step.As<SourceStep>()) {
      s += " | Schema: " + src->schema.ToString() + " | Topic: " + src->topic;
    } else if (const auto* f = step.As<FilterStep>()) {
      s += " | Predicate: " + f->predicate->text;
    } else if (const auto* r = step.As<RekeyStep>()) {
      s += " | Key: " + r->schema.ToString();
    } else if (const auto* j = step.As<JoinStep>()) {
      static const char* kTypes[] = {"INNER", "LEFT", "RIGHT", "OUTER"};
      s += std::string(" | Type: ") + kTypes[static_cast<int>(j->type)];
      if (j->before_ms) {
        s += " | Within: " + std::to_string(*j->before_ms) + " ms before, " +
             std::to_string(*j->after_ms) + " ms after";
        if (j->grace_ms) s += ", grace " + std::to_string(*j->grace_ms) + " ms";
      }
    } else if (const auto* r = step.As<RepartitionStep>()) {
      s += " | Key: " + r->key->text + " | Partitions: " + std::to_string(r->partitions);
    } else if (step.As<ProjectStep>()) {
      s += " | Schema: " + output_schema.ToString();
    } else if (const auto* k = step.As<SinkStep>()) {
      s += " | Topic: " + k->topic;
    }
    s += "\n";
  }
  return s;
}

}  // namespace brook
