// How the shell shows things: aligned tables that fit the terminal, brookd's entities (SHOW,
// DESCRIBE, statuses, errors) in ksqlDB CLI's layout, and errors with a caret under the SQL.
// nlohmann/json stays in render.cc.
#ifndef BROOK_CLI_SHELL_RENDER_H_
#define BROOK_CLI_SHELL_RENDER_H_

#include <string>
#include <string_view>
#include <vector>

namespace brook::shell {

using TableRow = std::vector<std::string>;

// A table of `rows` under `header`, at most `width` columns wide: the widest columns shrink and
// their cells wrap onto more lines.
std::string RenderTable(const TableRow& header, const std::vector<TableRow>& rows, int width);

// Column widths for a table printed row by row (a push query): an equal share of `width` per
// column, at least each name's length where it fits.
std::vector<int> StreamingWidths(const TableRow& header, int width);
// One bordered line, the header block, or one row (wrapped) with the widths above.
std::string RuleLine(const std::vector<int>& widths);
std::string RowLines(const TableRow& cells, const std::vector<int>& widths);

// The text of one JSON value in a table cell: strings as they are, others as JSON.
std::string CellText(std::string_view json_value);

// The body of a /ksql response (an array of entities, or an error object) as the user sees it;
// `json` prints it indented instead. `statement` is the SQL that was sent (for the caret).
// `failed` is set when the body is an error.
std::string RenderKsqlResponse(std::string_view body, std::string_view statement, int width,
                               bool json, bool& failed);

// An error message from brookd; when it starts "line L:C:" the statement's line L follows with
// a caret under column C.
std::string RenderError(std::string_view message, std::string_view statement);

}  // namespace brook::shell

#endif  // BROOK_CLI_SHELL_RENDER_H_
