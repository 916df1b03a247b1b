#include "runtime/state/changelog.h"

namespace brook::state {

std::string ChangelogTopicName(std::string_view service_id, std::string_view query_id,
                               std::string_view store_name) {
  std::string out;
  out.reserve(service_id.size() + query_id.size() + store_name.size() + 33);
  out.append("_confluent-ksql-");
  out.append(service_id);
  out.append("query_");
  out.append(query_id);
  out.push_back('-');
  out.append(store_name);
  out.append("-changelog");
  return out;
}

}  // namespace brook::state
