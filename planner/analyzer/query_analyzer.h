// QueryAnalyzer: ast::Query -> BoundQuery. Resolves the sources (FROM and JOINs), binds WHERE,
// PARTITION BY, GROUP BY, aggregate calls, HAVING, WINDOW and the projection, and applies
// ksqlDB's rules for names (aliases, KSQL_COL_n, `*` expansion), keys (which projected columns
// are key columns, which must be projected) and errors, in the order ksqlDB reports them.
//
// GROUP BY, WINDOW and JOIN queries are analyzed fully (types, names, ksqlDB's errors) even
// though the runtime does not run them yet: a bad aggregate query gets ksqlDB's message, a
// good one is rejected later, by the planner, as not supported yet.
#pragma once

#include "common/status.h"
#include "planner/analyzer/bound_query.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"
#include "planner/properties.h"

namespace brook {

Result<BoundQuery> AnalyzeQuery(const QueryPlanRequest& request, const Catalog& catalog,
                                const FunctionRegistry& functions, const Config& config);

// The qualified SQL text of an expression ("ABS(S.ID)"): unqualified column references get
// `alias`, so two spellings of one expression compare equal.
std::string QualifiedText(const ast::Expr& e, const std::string& alias);

}  // namespace brook
