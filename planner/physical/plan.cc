#include "planner/physical/plan.h"

namespace brook {

std::string QueryPlan::Describe() const {
  std::string s = " > [ " + std::string(SourceStep::kName) + " ] | Schema: " +
                  source.schema.ToString() + " | Topic: " + source.topic + "\n";
  if (filter) s += "\t\t > [ filter_v1 ] | Predicate: " + filter->text + "\n";
  s += "\t\t > [ select_v1 ] | Schema: " + output_schema.ToString() +
       (rekeyed ? " | Rekeyed" : "") + "\n";
  if (sink) s += "\t\t > [ " + std::string(SinkStep::kName) + " ] | Topic: " + sink->topic + "\n";
  return s;
}

}  // namespace brook
