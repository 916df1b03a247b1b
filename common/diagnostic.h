// Rendering of errors that point at SQL text:
//
//   line 1:8: Syntax error at or near 'FORM'
//   LINE 1: SELECT * FORM x;
//                    ^^^^
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace brook {

// Message only, prefixed by "line L:C: " when the status has a position.
std::string PositionedMessage(const Status& status);

// Full rendering with the offending line of `sql` and a caret under the span.
std::string RenderDiagnostic(const Status& status, std::string_view sql);

}  // namespace brook
