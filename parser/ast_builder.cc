#include "parser/ast_builder.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "common/java_format.h"
#include "common/ascii.h"

namespace brook {

using namespace ast;  // NOLINT: AST node names read better unqualified here.

namespace {

// A type parameter (DECIMAL precision and scale, VARCHAR length): a small non-negative integer.
// Larger values are refused here rather than overflowing (the type checks its own ranges).
Result<int> TypeParameter(const std::string& text, SourceRange range) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 1000000) {
    return InvalidArgument("Invalid type parameter '" + text + "': expected an integer between 0 "
                           "and 1000000.",
                           range);
  }
  return value;
}

std::string Unquote(const std::string& s, char q) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    out += s[i];
    if (s[i] == q && i + 2 < s.size() && s[i + 1] == q) ++i;
  }
  return out;
}
}  // namespace

SourceRange AstBuilder::Range(antlr4::Token* t) const {
  SourceRange r;
  if (!t) return r;
  r.line = static_cast<int>(t->getLine());
  r.column = static_cast<int>(t->getCharPositionInLine());
  r.begin = t->getStartIndex();
  r.end = t->getStopIndex() + 1;
  return r;
}

SourceRange AstBuilder::Range(antlr4::ParserRuleContext* ctx) const {
  SourceRange r = Range(ctx->getStart());
  if (ctx->getStop() && ctx->getStop()->getStopIndex() + 1 > r.begin) {
    r.end = ctx->getStop()->getStopIndex() + 1;
  }
  return r;
}

std::string AstBuilder::Text(antlr4::ParserRuleContext* ctx) const {
  if (!ctx->getStart() || !ctx->getStop()) return "";
  auto* stream = ctx->getStart()->getInputStream();
  size_t a = ctx->getStart()->getStartIndex();
  size_t b = ctx->getStop()->getStopIndex();
  if (b < a || b == static_cast<size_t>(-1)) return "";
  return stream->getText(antlr4::misc::Interval(a, b));
}

std::string AstBuilder::Identifier(P::IdentifierContext* ctx) {
  if (auto* q = dynamic_cast<P::QuotedIdentifierAlternativeContext*>(ctx)) {
    return Unquote(q->QUOTED_IDENTIFIER()->getText(), '"');
  }
  if (auto* b = dynamic_cast<P::BackQuotedIdentifierContext*>(ctx)) {
    return Unquote(b->BACKQUOTED_IDENTIFIER()->getText(), '`');
  }
  return AsciiUpper(ctx->getText());
}

std::string AstBuilder::StringLiteral(antlr4::tree::TerminalNode* node) {
  return Unquote(node->getText(), '\'');
}

Result<std::vector<StatementPtr>> AstBuilder::BuildStatements(P::StatementsContext* ctx) {
  std::vector<StatementPtr> out;
  for (auto* s : ctx->statement()) {
    ASSIGN_OR_RETURN(StatementPtr stmt, Statement(s));
    stmt->range = Range(s);
    stmt->text = Text(s);
    out.push_back(std::move(stmt));
  }
  return out;
}

Result<ExprPtr> AstBuilder::BuildExpression(P::ExpressionContext* ctx) { return Expr(ctx); }

Result<Properties> AstBuilder::WithProperties(P::WithPropertiesContext* ctx) {
  Properties props;
  if (!ctx) return props;
  props.range = Range(ctx);
  for (auto* p : ctx->property()) {
    std::string name = Identifier(p->identifier());
    ASSIGN_OR_RETURN(ExprPtr lit, Literal(p->literal()));
    PropertyValue v;
    v.value = lit->literal;
    v.raw = lit->text;
    v.range = Range(p);
    for (const auto& e : props.entries) {
      if (e.first == name) {
        return InvalidArgument("Duplicate property: " + name, Range(p));
      }
    }
    props.entries.emplace_back(name, std::move(v));
  }
  return props;
}

Result<Duration> AstBuilder::Duration(P::DurationContext* ctx) {
  ast::Duration d;
  d.range = Range(ctx);
  ASSIGN_OR_RETURN(ExprPtr n, Number(ctx->number(), Range(ctx->number())));
  if (n->literal_kind != LiteralKind::kInteger && n->literal_kind != LiteralKind::kBigint) {
    return InvalidArgument("Window durations must be whole numbers", d.range);
  }
  int64_t v = n->literal.as_int64();
  std::string unit = AsciiUpper(ctx->windowUnit()->getText());
  if (unit.back() == 'S') unit.pop_back();
  int64_t mult = 1;
  if (unit == "SECOND") mult = 1000;
  else if (unit == "MINUTE") mult = 60'000;
  else if (unit == "HOUR") mult = 3'600'000;
  else if (unit == "DAY") mult = 86'400'000;
  d.millis = v * mult;
  return d;
}

Result<WindowSpec> AstBuilder::Window(P::WindowExpressionContext* ctx) {
  WindowSpec w;
  w.range = Range(ctx);
  std::vector<P::WindowOptionContext*> options;
  if (auto* t = ctx->tumblingWindowExpression()) {
    w.type = WindowSpec::Type::kTumbling;
    ASSIGN_OR_RETURN(w.size, Duration(t->duration()));
    options = t->windowOption();
  } else if (auto* h = ctx->hoppingWindowExpression()) {
    w.type = WindowSpec::Type::kHopping;
    ASSIGN_OR_RETURN(w.size, Duration(h->duration(0)));
    ASSIGN_OR_RETURN(w.advance, Duration(h->duration(1)));
    options = h->windowOption();
  } else if (auto* s = ctx->sessionWindowExpression()) {
    w.type = WindowSpec::Type::kSession;
    ASSIGN_OR_RETURN(w.size, Duration(s->duration()));
    options = s->windowOption();
  } else if (auto* sl = ctx->slidingWindowExpression()) {
    w.type = WindowSpec::Type::kSliding;
    ASSIGN_OR_RETURN(w.size, Duration(sl->duration()));
    options = sl->windowOption();
  }
  for (auto* o : options) {
    ASSIGN_OR_RETURN(ast::Duration d, Duration(o->duration()));
    if (o->RETENTION()) w.retention = d;
    else w.grace = d;
  }
  return w;
}

Result<Relation> AstBuilder::Relation(P::AliasedRelationContext* ctx) {
  ast::Relation r;
  r.name = Identifier(ctx->sourceName()->identifier());
  r.alias = ctx->identifier() ? Identifier(ctx->identifier()) : r.name;
  r.range = Range(ctx);
  return r;
}

Result<ast::Query> AstBuilder::Query(P::QueryContext* ctx) {
  ast::Query q;
  q.range = Range(ctx);
  for (auto* item : ctx->selectItem()) {
    SelectItem si;
    si.range = Range(item);
    if (auto* sa = dynamic_cast<P::SelectStructAllContext*>(item)) {
      si.kind = SelectItem::Kind::kStructAll;
      ASSIGN_OR_RETURN(si.expr, Primary(sa->primaryExpression()));
    } else if (auto* single = dynamic_cast<P::SelectSingleContext*>(item)) {
      ASSIGN_OR_RETURN(si.expr, Expr(single->expression()));
      if (single->identifier()) si.alias = Identifier(single->identifier());
    } else {
      auto* all = dynamic_cast<P::SelectAllContext*>(item);
      si.kind = SelectItem::Kind::kAllColumns;
      if (all->identifier()) si.source = Identifier(all->identifier());
    }
    q.select.push_back(std::move(si));
  }
  if (auto* join = dynamic_cast<P::JoinRelationContext*>(ctx->from)) {
    ASSIGN_OR_RETURN(q.from, Relation(join->left));
    for (auto* js : join->joinedSource()) {
      JoinClause jc;
      jc.range = Range(js);
      auto* jt = js->joinType();
      if (dynamic_cast<P::LeftJoinContext*>(jt)) jc.type = JoinType::kLeft;
      else if (dynamic_cast<P::RightJoinContext*>(jt)) jc.type = JoinType::kRight;
      else if (dynamic_cast<P::OuterJoinContext*>(jt)) jc.type = JoinType::kOuter;
      ASSIGN_OR_RETURN(jc.right, Relation(js->aliasedRelation()));
      if (auto* w = js->joinWindow()) {
        if (auto* ba = dynamic_cast<P::JoinWindowWithBeforeAndAfterContext*>(w->withinExpression())) {
          ASSIGN_OR_RETURN(jc.within_before, Duration(ba->duration(0)));
          ASSIGN_OR_RETURN(jc.within_after, Duration(ba->duration(1)));
          if (ba->gracePeriodClause()) {
            ASSIGN_OR_RETURN(jc.grace, Duration(ba->gracePeriodClause()->duration()));
          }
        } else if (auto* sw = dynamic_cast<P::SingleJoinWindowContext*>(w->withinExpression())) {
          ASSIGN_OR_RETURN(jc.within_before, Duration(sw->duration()));
          jc.within_after = jc.within_before;
          if (sw->gracePeriodClause()) {
            ASSIGN_OR_RETURN(jc.grace, Duration(sw->gracePeriodClause()->duration()));
          }
        }
      }
      ASSIGN_OR_RETURN(jc.criteria, Boolean(js->joinCriteria()->booleanExpression()));
      q.joins.push_back(std::move(jc));
    }
  } else {
    auto* single = dynamic_cast<P::SingleRelationContext*>(ctx->from);
    ASSIGN_OR_RETURN(q.from, Relation(single->aliasedRelation()));
  }
  if (ctx->windowExpression()) {
    ASSIGN_OR_RETURN(q.window, Window(ctx->windowExpression()));
  }
  if (ctx->where) {
    ASSIGN_OR_RETURN(q.where, Boolean(ctx->where));
  }
  if (auto* g = ctx->groupBy()) {
    q.has_group_by = true;
    for (auto* v : g->valueExpression()) {
      ASSIGN_OR_RETURN(ExprPtr e, ValueExpr(v));
      q.group_by.push_back(e);
    }
  }
  if (auto* p = ctx->partitionBy()) {
    q.has_partition_by = true;
    for (auto* v : p->valueExpression()) {
      ASSIGN_OR_RETURN(ExprPtr e, ValueExpr(v));
      q.partition_by.push_back(e);
    }
  }
  if (ctx->having) {
    ASSIGN_OR_RETURN(q.having, Boolean(ctx->having));
  }
  if (auto* m = ctx->resultMaterialization()) {
    q.emit = m->FINAL() ? EmitKind::kFinal : EmitKind::kChanges;
  }
  if (auto* l = ctx->limitClause()) {
    ASSIGN_OR_RETURN(ExprPtr n, Number(l->number(), Range(l)));
    if (n->literal_kind != LiteralKind::kInteger && n->literal_kind != LiteralKind::kBigint) {
      // ksqlDB reports errors of its AST builder as failures to prepare the statement.
      return InvalidArgument("Failed to prepare statement: Value must be integer for command: LIMIT",
                             Range(l));
    }
    q.limit = n->literal.as_int64();
  }
  return q;
}

Result<StatementPtr> AstBuilder::Statement(P::StatementContext* ctx) {
  auto simple = [](StatementKind k) { return std::make_shared<SimpleStatement>(k); };
  if (auto* c = dynamic_cast<P::QueryStatementContext*>(ctx)) {
    auto s = std::make_shared<QueryStatement>();
    ASSIGN_OR_RETURN(s->query, Query(c->query()));
    return StatementPtr(s);
  }
  if (dynamic_cast<P::ListPropertiesContext*>(ctx)) return StatementPtr(simple(StatementKind::kListProperties));
  if (auto* c = dynamic_cast<P::ListTopicsContext*>(ctx)) {
    auto s = simple(StatementKind::kListTopics);
    s->all = c->ALL() != nullptr;
    s->extended = c->EXTENDED() != nullptr;
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::ListStreamsContext*>(ctx)) {
    auto s = simple(StatementKind::kListStreams);
    s->extended = c->EXTENDED() != nullptr;
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::ListTablesContext*>(ctx)) {
    auto s = simple(StatementKind::kListTables);
    s->extended = c->EXTENDED() != nullptr;
    return StatementPtr(s);
  }
  if (dynamic_cast<P::ListFunctionsContext*>(ctx)) return StatementPtr(simple(StatementKind::kListFunctions));
  if (dynamic_cast<P::ListTypesContext*>(ctx)) return StatementPtr(simple(StatementKind::kListTypes));
  if (dynamic_cast<P::ListVariablesContext*>(ctx)) return StatementPtr(simple(StatementKind::kListVariables));
  if (auto* c = dynamic_cast<P::ListQueriesContext*>(ctx)) {
    auto s = simple(StatementKind::kListQueries);
    s->extended = c->EXTENDED() != nullptr;
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::DescribeStreamsContext*>(ctx)) {
    auto s = simple(StatementKind::kDescribeStreams);
    s->tables = c->TABLES() != nullptr;
    s->extended = c->EXTENDED() != nullptr;
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::DescribeFunctionContext*>(ctx)) {
    auto s = simple(StatementKind::kDescribeFunction);
    s->name = Identifier(c->identifier());
    s->name_range = Range(c->identifier());
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::DescribeSourceContext*>(ctx)) {
    auto s = simple(StatementKind::kDescribeSource);
    s->name = Identifier(c->sourceName()->identifier());
    s->name_range = Range(c->sourceName());
    s->extended = c->EXTENDED() != nullptr;
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::PrintTopicContext*>(ctx)) {
    auto s = simple(StatementKind::kPrintTopic);
    // Topic names are case-sensitive in PRINT: keep the text as written.
    s->name = c->STRING() ? StringLiteral(c->STRING()) : c->identifier()->getText();
    if (c->identifier() && (dynamic_cast<P::QuotedIdentifierAlternativeContext*>(c->identifier()) ||
                            dynamic_cast<P::BackQuotedIdentifierContext*>(c->identifier()))) {
      s->name = Identifier(c->identifier());
    }
    auto* pc = c->printClause();
    s->from_beginning = pc->BEGINNING() != nullptr;
    if (pc->intervalClause()) {
      ASSIGN_OR_RETURN(ExprPtr n, Number(pc->intervalClause()->number(), Range(pc)));
      s->interval = n->literal.as_int64();
    }
    if (pc->limitClause()) {
      ASSIGN_OR_RETURN(ExprPtr n, Number(pc->limitClause()->number(), Range(pc)));
      s->limit = n->literal.as_int64();
    }
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::TerminateQueryContext*>(ctx)) {
    auto s = simple(StatementKind::kTerminate);
    s->all = c->ALL() != nullptr;
    // ALL is also a non-reserved word, so the identifier alternative takes it: unquoted, it
    // still means every query.
    if (c->identifier() && EqualsIgnoreAsciiCase(c->identifier()->getText(), "ALL")) {
      s->all = true;
    } else if (c->identifier()) {
      s->name = Identifier(c->identifier());
      s->name_range = Range(c->identifier());
    }
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::SetPropertyContext*>(ctx)) {
    auto s = simple(StatementKind::kSetProperty);
    s->name = StringLiteral(c->STRING(0));
    s->value = StringLiteral(c->STRING(1));
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::UnsetPropertyContext*>(ctx)) {
    auto s = simple(StatementKind::kUnsetProperty);
    s->name = StringLiteral(c->STRING());
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::DefineVariableContext*>(ctx)) {
    auto s = simple(StatementKind::kDefineVariable);
    s->name = AsciiUpper(c->identifier()->getText());
    s->value = StringLiteral(c->STRING());
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::UndefineVariableContext*>(ctx)) {
    auto s = simple(StatementKind::kUndefineVariable);
    s->name = AsciiUpper(c->identifier()->getText());
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::ExplainContext*>(ctx)) {
    auto s = std::make_shared<ast::Explain>();
    if (c->statement()) {
      ASSIGN_OR_RETURN(s->statement, Statement(c->statement()));
      s->statement->range = Range(c->statement());
      s->statement->text = Text(c->statement());
    } else {
      s->query_id = Identifier(c->identifier());
    }
    return StatementPtr(s);
  }
  auto fill_create = [&](CreateSource& s, auto* c) -> Status {
    s.or_replace = c->REPLACE() != nullptr;
    s.if_not_exists = c->EXISTS() != nullptr;
    s.is_source = c->SOURCE() != nullptr;
    s.name = Identifier(c->sourceName()->identifier());
    s.name_range = Range(c->sourceName());
    if (c->tableElements()) {
      s.has_elements = true;
      for (auto* el : c->tableElements()->tableElement()) {
        TableElement te;
        te.name = Identifier(el->identifier());
        te.range = Range(el);
        ASSIGN_OR_RETURN(te.type, Type(el->type()));
        if (auto* cc = el->columnConstraints()) {
          if (cc->PRIMARY()) te.constraint = TableElement::Constraint::kPrimaryKey;
          else if (cc->KEY()) te.constraint = TableElement::Constraint::kKey;
          else if (cc->HEADERS()) te.constraint = TableElement::Constraint::kHeaders;
          else {
            te.constraint = TableElement::Constraint::kHeader;
            te.header_key = StringLiteral(cc->STRING());
          }
        }
        s.elements.push_back(std::move(te));
      }
    }
    ASSIGN_OR_RETURN(s.properties, WithProperties(c->withProperties()));
    return Status::Ok();
  };
  if (auto* c = dynamic_cast<P::CreateStreamContext*>(ctx)) {
    auto s = std::make_shared<CreateSource>();
    RETURN_IF_ERROR(fill_create(*s, c));
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::CreateTableContext*>(ctx)) {
    auto s = std::make_shared<CreateSource>();
    s->is_table = true;
    RETURN_IF_ERROR(fill_create(*s, c));
    return StatementPtr(s);
  }
  auto fill_cas = [&](CreateAsSelect& s, auto* c) -> Status {
    s.or_replace = c->REPLACE() != nullptr;
    s.if_not_exists = c->EXISTS() != nullptr;
    s.name = Identifier(c->sourceName()->identifier());
    s.name_range = Range(c->sourceName());
    ASSIGN_OR_RETURN(s.properties, WithProperties(c->withProperties()));
    ASSIGN_OR_RETURN(s.query, Query(c->query()));
    return Status::Ok();
  };
  if (auto* c = dynamic_cast<P::CreateStreamAsContext*>(ctx)) {
    auto s = std::make_shared<CreateAsSelect>();
    RETURN_IF_ERROR(fill_cas(*s, c));
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::CreateTableAsContext*>(ctx)) {
    auto s = std::make_shared<CreateAsSelect>();
    s->is_table = true;
    RETURN_IF_ERROR(fill_cas(*s, c));
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::RegisterTypeContext*>(ctx)) {
    auto s = std::make_shared<RegisterType>();
    s->name = Identifier(c->identifier());
    s->if_not_exists = c->EXISTS() != nullptr;
    ASSIGN_OR_RETURN(s->type, Type(c->type()));
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::DropTypeContext*>(ctx)) {
    auto s = std::make_shared<ast::DropType>();
    s->name = Identifier(c->identifier());
    s->if_exists = c->EXISTS() != nullptr;
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::InsertIntoContext*>(ctx)) {
    auto s = std::make_shared<InsertInto>();
    s->target = Identifier(c->sourceName()->identifier());
    s->target_range = Range(c->sourceName());
    ASSIGN_OR_RETURN(s->properties, WithProperties(c->withProperties()));
    ASSIGN_OR_RETURN(s->query, Query(c->query()));
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::InsertValuesContext*>(ctx)) {
    auto s = std::make_shared<InsertValues>();
    s->target = Identifier(c->sourceName()->identifier());
    s->target_range = Range(c->sourceName());
    if (c->columns()) {
      for (auto* id : c->columns()->identifier()) {
        s->columns.push_back(Identifier(id));
        s->column_ranges.push_back(Range(id));
      }
    }
    for (auto* e : c->expression()) {
      ASSIGN_OR_RETURN(ExprPtr v, Expr(e));
      s->values.push_back(v);
    }
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::AlterSourceContext*>(ctx)) {
    auto s = std::make_shared<AlterSource>();
    s->is_table = c->TABLE() != nullptr;
    s->name = Identifier(c->sourceName()->identifier());
    s->name_range = Range(c->sourceName());
    for (auto* o : c->alterOption()) {
      TableElement te;
      te.name = Identifier(o->identifier());
      te.range = Range(o);
      ASSIGN_OR_RETURN(te.type, Type(o->type()));
      s->columns.push_back(std::move(te));
    }
    return StatementPtr(s);
  }
  auto fill_drop = [&](DropSource& s, auto* c) {
    s.if_exists = c->EXISTS() != nullptr;
    s.delete_topic = c->DELETE() != nullptr;
    s.name = Identifier(c->sourceName()->identifier());
    s.name_range = Range(c->sourceName());
  };
  if (auto* c = dynamic_cast<P::DropStreamContext*>(ctx)) {
    auto s = std::make_shared<DropSource>();
    fill_drop(*s, c);
    return StatementPtr(s);
  }
  if (auto* c = dynamic_cast<P::DropTableContext*>(ctx)) {
    auto s = std::make_shared<DropSource>();
    s->is_table = true;
    fill_drop(*s, c);
    return StatementPtr(s);
  }
  return Unsupported("Unsupported statement", Range(ctx));
}

Result<ExprPtr> AstBuilder::Expr(P::ExpressionContext* ctx) {
  return Boolean(ctx->booleanExpression());
}

Result<ExprPtr> AstBuilder::Boolean(P::BooleanExpressionContext* ctx) {
  if (auto* d = dynamic_cast<P::BooleanDefaultContext*>(ctx)) return Predicated(d->predicated());
  if (auto* n = dynamic_cast<P::LogicalNotContext*>(ctx)) {
    auto e = MakeExpr(ExprKind::kNot, Range(ctx));
    ASSIGN_OR_RETURN(ExprPtr child, Boolean(n->booleanExpression()));
    e->children.push_back(child);
    e->text = Text(ctx);
    return e;
  }
  auto* b = dynamic_cast<P::LogicalBinaryContext*>(ctx);
  auto e = MakeExpr(b->op->getType() == P::AND ? ExprKind::kAnd : ExprKind::kOr, Range(ctx));
  ASSIGN_OR_RETURN(ExprPtr l, Boolean(b->left));
  ASSIGN_OR_RETURN(ExprPtr r, Boolean(b->right));
  e->children = {l, r};
  e->text = Text(ctx);
  return e;
}

Result<ExprPtr> AstBuilder::Predicated(P::PredicatedContext* ctx) {
  ASSIGN_OR_RETURN(ExprPtr value, ValueExpr(ctx->valueExpression()));
  auto* pred = ctx->predicate();
  if (!pred) return value;
  SourceRange range = Range(ctx);
  ExprPtr e;
  if (auto* c = dynamic_cast<P::ComparisonContext*>(pred)) {
    e = MakeExpr(ExprKind::kComparison, range);
    e->op = c->comparisonOperator()->getText();
    if (e->op == "!=") e->op = "<>";
    ASSIGN_OR_RETURN(ExprPtr r, ValueExpr(c->right));
    e->children = {value, r};
  } else if (auto* c = dynamic_cast<P::DistinctFromContext*>(pred)) {
    e = MakeExpr(ExprKind::kIsDistinctFrom, range);
    e->negated = c->NOT() != nullptr;
    ASSIGN_OR_RETURN(ExprPtr r, ValueExpr(c->right));
    e->children = {value, r};
  } else if (auto* c = dynamic_cast<P::BetweenContext*>(pred)) {
    e = MakeExpr(ExprKind::kBetween, range);
    e->negated = c->NOT() != nullptr;
    ASSIGN_OR_RETURN(ExprPtr lo, ValueExpr(c->lower));
    ASSIGN_OR_RETURN(ExprPtr hi, ValueExpr(c->upper));
    e->children = {value, lo, hi};
  } else if (auto* c = dynamic_cast<P::InListContext*>(pred)) {
    e = MakeExpr(ExprKind::kIn, range);
    e->negated = c->NOT() != nullptr;
    e->children.push_back(value);
    for (auto* x : c->expression()) {
      ASSIGN_OR_RETURN(ExprPtr v, Expr(x));
      e->children.push_back(v);
    }
  } else if (auto* c = dynamic_cast<P::LikeContext*>(pred)) {
    e = MakeExpr(ExprKind::kLike, range);
    e->negated = c->NOT() != nullptr;
    ASSIGN_OR_RETURN(ExprPtr p, ValueExpr(c->pattern));
    e->children = {value, p};
    if (c->escape) {
      std::string esc = Unquote(c->escape->getText(), '\'');
      if (esc.size() != 1) {
        return InvalidArgument("Escape string must be a single character: '" + esc + "'",
                               Range(c->escape));
      }
      e->escape = esc;
    }
  } else if (auto* c = dynamic_cast<P::NullPredicateContext*>(pred)) {
    e = MakeExpr(ExprKind::kIsNull, range);
    e->negated = c->NOT() != nullptr;
    e->children = {value};
  } else {
    return Unsupported("Unsupported predicate", range);
  }
  e->text = Text(ctx);
  return e;
}

Result<ExprPtr> AstBuilder::ValueExpr(P::ValueExpressionContext* ctx) {
  if (auto* d = dynamic_cast<P::ValueExpressionDefaultContext*>(ctx)) {
    return Primary(d->primaryExpression());
  }
  ExprPtr e;
  if (auto* u = dynamic_cast<P::ArithmeticUnaryContext*>(ctx)) {
    ASSIGN_OR_RETURN(ExprPtr child, ValueExpr(u->valueExpression()));
    if (u->op->getType() == P::PLUS) return child;
    // Fold "-<number literal>" so that -2147483648 is an INT and -1.5 a DECIMAL.
    if (child->kind == ExprKind::kLiteral && child->literal_kind != LiteralKind::kNull &&
        child->literal_kind != LiteralKind::kString && child->literal_kind != LiteralKind::kBoolean) {
      auto neg = MakeExpr(ExprKind::kLiteral, Range(ctx));
      neg->text = Text(ctx);
      neg->literal_kind = child->literal_kind;
      const Value& v = child->literal;
      switch (child->literal_kind) {
        case LiteralKind::kInteger: neg->literal = Value::Int(-v.as_int()); break;
        case LiteralKind::kBigint: {
          int64_t n = -v.as_int64();
          if (n >= INT32_MIN) {
            neg->literal_kind = LiteralKind::kInteger;
            neg->literal = Value::Int(static_cast<int32_t>(n));
          } else {
            neg->literal = Value::Bigint(n);
          }
          break;
        }
        case LiteralKind::kDecimal:
          neg->literal = Value::Decimal(-v.decimal_unscaled(), v.decimal_scale());
          break;
        default: neg->literal = Value::Double(-v.as_double()); break;
      }
      return neg;
    }
    e = MakeExpr(ExprKind::kNegate, Range(ctx));
    e->children = {child};
  } else if (auto* b = dynamic_cast<P::ArithmeticBinaryContext*>(ctx)) {
    e = MakeExpr(ExprKind::kArithmetic, Range(ctx));
    e->op = b->op->getText();
    ASSIGN_OR_RETURN(ExprPtr l, ValueExpr(b->left));
    ASSIGN_OR_RETURN(ExprPtr r, ValueExpr(b->right));
    e->children = {l, r};
  } else if (auto* c = dynamic_cast<P::ConcatenationContext*>(ctx)) {
    e = MakeExpr(ExprKind::kConcat, Range(ctx));
    ASSIGN_OR_RETURN(ExprPtr l, ValueExpr(c->left));
    ASSIGN_OR_RETURN(ExprPtr r, ValueExpr(c->right));
    e->children = {l, r};
  } else {
    return Unsupported("Unsupported expression", Range(ctx));
  }
  e->text = Text(ctx);
  return e;
}

Result<ExprPtr> AstBuilder::Number(P::NumberContext* ctx, SourceRange range) {
  auto e = MakeExpr(ExprKind::kLiteral, range);
  std::string text = ctx->getText();
  e->text = text;
  if (dynamic_cast<P::IntegerLiteralContext*>(ctx)) {
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc()) {
      // ksqlDB's AstBuilder raises it: a ParseFailedException, spelled "line L:C:".
      return Status(StatusCode::kParseError, "Invalid numeric literal: " + text, range);
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
      e->literal_kind = LiteralKind::kInteger;
      e->literal = Value::Int(static_cast<int32_t>(v));
    } else {
      e->literal_kind = LiteralKind::kBigint;
      e->literal = Value::Bigint(v);
    }
  } else if (dynamic_cast<P::DecimalLiteralContext*>(ctx)) {
    auto parts = ParseDecimal(text);
    if (!parts) return InvalidArgument("Invalid decimal literal: " + text, range);
    e->literal_kind = LiteralKind::kDecimal;
    e->literal = Value::Decimal(parts->unscaled, parts->scale);
  } else {
    e->literal_kind = LiteralKind::kDouble;
    double d = std::strtod(text.c_str(), nullptr);
    if (std::isinf(d)) {
      return Status(StatusCode::kParseError, "Number overflows DOUBLE: " + text, range);
    }
    e->literal = Value::Double(d);
  }
  return e;
}

Result<ExprPtr> AstBuilder::Literal(P::LiteralContext* ctx) {
  SourceRange range = Range(ctx);
  if (auto* n = dynamic_cast<P::NumericLiteralContext*>(ctx)) return Number(n->number(), range);
  auto e = MakeExpr(ExprKind::kLiteral, range);
  e->text = Text(ctx);
  if (dynamic_cast<P::NullLiteralContext*>(ctx)) {
    e->literal_kind = LiteralKind::kNull;
  } else if (auto* b = dynamic_cast<P::BooleanLiteralContext*>(ctx)) {
    e->literal_kind = LiteralKind::kBoolean;
    e->literal = Value::Bool(b->booleanValue()->TRUE() != nullptr);
  } else if (auto* s = dynamic_cast<P::StringLiteralContext*>(ctx)) {
    e->literal_kind = LiteralKind::kString;
    e->literal = Value::String(StringLiteral(s->STRING()));
  } else {
    return InvalidArgument("Variable " + e->text + " is not defined", range);
  }
  return e;
}

Result<ExprPtr> AstBuilder::Primary(P::PrimaryExpressionContext* ctx) {
  SourceRange range = Range(ctx);
  ExprPtr e;
  if (auto* l = dynamic_cast<P::LiteralExpressionContext*>(ctx)) {
    return Literal(l->literal());
  } else if (auto* c = dynamic_cast<P::SimpleCaseContext*>(ctx)) {
    e = MakeExpr(ExprKind::kCase, range);
    e->has_operand = true;
    ASSIGN_OR_RETURN(ExprPtr op, ValueExpr(c->operand));
    e->children.push_back(op);
    for (auto* w : c->whenClause()) {
      ASSIGN_OR_RETURN(ExprPtr cond, Expr(w->condition));
      ASSIGN_OR_RETURN(ExprPtr res, Expr(w->result));
      e->children.push_back(cond);
      e->children.push_back(res);
    }
    if (c->elseExpression) {
      e->has_else = true;
      ASSIGN_OR_RETURN(ExprPtr el, Expr(c->elseExpression));
      e->children.push_back(el);
    }
  } else if (auto* c = dynamic_cast<P::SearchedCaseContext*>(ctx)) {
    e = MakeExpr(ExprKind::kCase, range);
    for (auto* w : c->whenClause()) {
      ASSIGN_OR_RETURN(ExprPtr cond, Expr(w->condition));
      ASSIGN_OR_RETURN(ExprPtr res, Expr(w->result));
      e->children.push_back(cond);
      e->children.push_back(res);
    }
    if (c->elseExpression) {
      e->has_else = true;
      ASSIGN_OR_RETURN(ExprPtr el, Expr(c->elseExpression));
      e->children.push_back(el);
    }
  } else if (auto* c = dynamic_cast<P::CastContext*>(ctx)) {
    e = MakeExpr(ExprKind::kCast, range);
    ASSIGN_OR_RETURN(ExprPtr v, Expr(c->expression()));
    e->children.push_back(v);
    ASSIGN_OR_RETURN(e->cast_type, Type(c->type()));
  } else if (auto* c = dynamic_cast<P::ArrayConstructorContext*>(ctx)) {
    e = MakeExpr(ExprKind::kArray, range);
    for (auto* x : c->expression()) {
      ASSIGN_OR_RETURN(ExprPtr v, Expr(x));
      e->children.push_back(v);
    }
  } else if (auto* c = dynamic_cast<P::MapConstructorContext*>(ctx)) {
    e = MakeExpr(ExprKind::kMap, range);
    for (auto* x : c->expression()) {
      ASSIGN_OR_RETURN(ExprPtr v, Expr(x));
      e->children.push_back(v);
    }
  } else if (auto* c = dynamic_cast<P::StructConstructorContext*>(ctx)) {
    e = MakeExpr(ExprKind::kStruct, range);
    for (auto* id : c->identifier()) e->names.push_back(Identifier(id));
    for (auto* x : c->expression()) {
      ASSIGN_OR_RETURN(ExprPtr v, Expr(x));
      e->children.push_back(v);
    }
  } else if (auto* c = dynamic_cast<P::FunctionCallContext*>(ctx)) {
    e = MakeExpr(ExprKind::kFunctionCall, range);
    e->name = Identifier(c->identifier());
    e->star = c->ASTERISK() != nullptr;
    for (auto* a : c->functionArgument()) {
      if (a->lambdaFunction()) {
        auto* lc = dynamic_cast<P::LambdaContext*>(a->lambdaFunction());
        auto lam = MakeExpr(ExprKind::kLambda, Range(lc));
        for (auto* id : lc->identifier()) lam->names.push_back(Identifier(id));
        ASSIGN_OR_RETURN(ExprPtr body, Expr(lc->expression()));
        lam->children.push_back(body);
        lam->text = Text(lc);
        e->children.push_back(lam);
      } else {
        ASSIGN_OR_RETURN(ExprPtr v, Expr(a->expression()));
        e->children.push_back(v);
      }
    }
  } else if (auto* c = dynamic_cast<P::SubscriptContext*>(ctx)) {
    e = MakeExpr(ExprKind::kSubscript, range);
    ASSIGN_OR_RETURN(ExprPtr base, Primary(c->value));
    ASSIGN_OR_RETURN(ExprPtr idx, ValueExpr(c->index));
    e->children = {base, idx};
  } else if (auto* c = dynamic_cast<P::ColumnReferenceContext*>(ctx)) {
    e = MakeExpr(ExprKind::kColumnRef, range);
    e->name = Identifier(c->identifier());
  } else if (auto* c = dynamic_cast<P::QualifiedColumnReferenceContext*>(ctx)) {
    e = MakeExpr(ExprKind::kColumnRef, range);
    e->qualifier = Identifier(c->identifier(0));
    e->name = Identifier(c->identifier(1));
  } else if (auto* c = dynamic_cast<P::DereferenceContext*>(ctx)) {
    e = MakeExpr(ExprKind::kDereference, range);
    ASSIGN_OR_RETURN(ExprPtr base, Primary(c->base));
    e->children.push_back(base);
    e->name = Identifier(c->fieldName);
  } else if (auto* c = dynamic_cast<P::ParenthesizedExpressionContext*>(ctx)) {
    return Expr(c->expression());
  } else {
    return Unsupported("Unsupported expression", range);
  }
  e->text = Text(ctx);
  return e;
}

Result<TypeNodePtr> AstBuilder::Type(P::TypeContext* ctx) {
  auto t = std::make_shared<TypeNode>();
  t->range = Range(ctx);
  if (ctx->MAP()) {
    t->kind = TypeNode::Kind::kMap;
    for (auto* c : ctx->type()) {
      ASSIGN_OR_RETURN(TypeNodePtr ct, Type(c));
      t->children.push_back(ct);
    }
  } else if (ctx->STRUCT()) {
    t->kind = TypeNode::Kind::kStruct;
    for (auto* id : ctx->identifier()) t->field_names.push_back(Identifier(id));
    for (auto* c : ctx->type()) {
      ASSIGN_OR_RETURN(TypeNodePtr ct, Type(c));
      t->children.push_back(ct);
    }
  } else if (ctx->ARRAY()) {
    t->kind = TypeNode::Kind::kArray;
    ASSIGN_OR_RETURN(TypeNodePtr ct, Type(ctx->type(0)));
    t->children.push_back(ct);
  } else if (ctx->DECIMAL()) {
    t->kind = TypeNode::Kind::kDecimal;
    t->name = "DECIMAL";
    for (auto* n : ctx->number()) {
      ASSIGN_OR_RETURN(int p, TypeParameter(n->getText(), Range(n)));
      t->params.push_back(p);
    }
  } else {
    t->kind = TypeNode::Kind::kNamed;
    t->name = Identifier(ctx->baseType()->identifier());
    for (auto* p : ctx->typeParameter()) {
      if (p->INTEGER_VALUE()) {
        ASSIGN_OR_RETURN(int n, TypeParameter(p->getText(), Range(p)));
        t->params.push_back(n);
      }
    }
  }
  return t;
}

}  // namespace brook
