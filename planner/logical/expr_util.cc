#include "planner/logical/expr_util.h"

#include <algorithm>

namespace brook {

void MarkColumns(const BoundExpr& e, std::vector<bool>& used) {
  if (e.kind == BoundKind::kColumn && e.index >= 0 &&
      static_cast<size_t>(e.index) < used.size()) {
    used[e.index] = true;
  }
  for (const auto& c : e.children) {
    if (c) MarkColumns(*c, used);
  }
}

std::pair<int, int> ColumnRange(const BoundExpr& e) {
  std::pair<int, int> r{-1, -1};
  if (e.kind == BoundKind::kColumn) r = {e.index, e.index};
  for (const auto& c : e.children) {
    if (!c) continue;
    auto cr = ColumnRange(*c);
    if (cr.first < 0) continue;
    r.first = r.first < 0 ? cr.first : std::min(r.first, cr.first);
    r.second = std::max(r.second, cr.second);
  }
  return r;
}

BoundExprPtr ShiftColumns(const BoundExprPtr& e, int delta) {
  if (!e || delta == 0) return e;
  BoundExpr copy = *e;
  if (copy.kind == BoundKind::kColumn) copy.index += delta;
  for (auto& c : copy.children) c = ShiftColumns(c, delta);
  return std::make_shared<const BoundExpr>(std::move(copy));
}

void SplitConjuncts(const BoundExprPtr& e, std::vector<BoundExprPtr>& out) {
  if (e && e->kind == BoundKind::kAnd && e->children.size() == 2) {
    SplitConjuncts(e->children[0], out);
    SplitConjuncts(e->children[1], out);
    return;
  }
  out.push_back(e);
}

BoundExprPtr AndAll(const std::vector<BoundExprPtr>& conjuncts) {
  if (conjuncts.empty()) return nullptr;
  BoundExprPtr acc = conjuncts[0];
  for (size_t i = 1; i < conjuncts.size(); ++i) {
    BoundExpr a;
    a.kind = BoundKind::kAnd;
    a.type = SqlType::Boolean();
    a.children = {acc, conjuncts[i]};
    a.text = "(" + acc->text + " AND " + conjuncts[i]->text + ")";
    acc = std::make_shared<const BoundExpr>(std::move(a));
  }
  return acc;
}

}  // namespace brook
