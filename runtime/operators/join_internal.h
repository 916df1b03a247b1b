// The join operators of each shape (see join_operator.h); only JoinOperator::Create uses these.
#pragma once

#include <memory>
#include <string>

#include "runtime/operators/join_operator.h"

namespace brook {

std::unique_ptr<Operator> NewStreamTableJoin(const JoinStep& step, std::string step_id);
std::unique_ptr<Operator> NewTableTableJoin(const JoinStep& step, std::string step_id);
Result<std::unique_ptr<Operator>> NewForeignKeyJoin(const JoinStep& step, std::string step_id);
std::unique_ptr<Operator> NewStreamStreamJoin(const JoinStep& step, std::string step_id);

}  // namespace brook
