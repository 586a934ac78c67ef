// dialects/postgres/sql/visit_dml.cc
//! SELECT / INSERT / UPDATE / DELETE / MERGE (with CTEs, data-modifying ones included) into the
//! neutral Statement: kind, objects, where, limit, flags, nested statements, projection.
#include <stdexcept>

#include "sql/visit_context.h"
#include "sql/visit_internal.h"

namespace warden::pg::sql {

namespace detail {

namespace {


std::optional<int64_t> literalInteger(P::ExprContext* e) {
  auto* p = dynamic_cast<P::ExprPrimaryContext*>(e);
  if (p == nullptr) return std::nullopt;
  auto* c = dynamic_cast<P::PrimConstContext*>(p->primaryExpr());
  if (c == nullptr) return std::nullopt;
  auto* n = dynamic_cast<P::ConstNumberContext*>(c->constant());
  if (n == nullptr || n->numericConst()->INTEGER() == nullptr) return std::nullopt;
  std::string t = n->getText();
  if (t.size() > 18) return std::nullopt;
  return static_cast<int64_t>(std::stoll(t));
}

void limitFacts(P::SelectLimitContext* ctx, QueryFacts* facts) {
  if (ctx == nullptr || facts == nullptr) return;
  auto* l = ctx->limitClause();
  if (l == nullptr) return;
  if (l->K_LIMIT() != nullptr) {
    if (l->expr() == nullptr) return;  // LIMIT ALL
    if (auto v = literalInteger(l->expr())) {
      facts->limit = *v;
      facts->literal = true;
    }
    return;
  }
  auto* fv = l->selectFetchValue();
  if (fv == nullptr) {
    facts->limit = 1;  // FETCH FIRST ROW ONLY
    return;
  }
  auto* sn = fv->signedNumber();
  if (sn != nullptr && sn->numericConst()->INTEGER() != nullptr && sn->getText().size() <= 19) {
    facts->limit = static_cast<int64_t>(std::stoll(sn->getText()));
    facts->literal = true;
  }
}

std::vector<std::string> nameListText(P::NameListContext* ctx) {
  std::vector<std::string> out;
  if (ctx == nullptr) return out;
  for (auto* n : ctx->name()) out.push_back(identifierText(n));
  return out;
}

std::vector<ws::OutputColumn> renamed(std::vector<ws::OutputColumn> cols,
                                      const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size() && i < cols.size(); ++i) cols[i].name = names[i];
  return cols;
}

}  // namespace

void mergeInto(ws::Statement& top, const ws::Statement& part) {
  for (const auto& o : part.objects) addObject(top, o);
  top.flags |= part.flags;
  top.literal_dependent = top.literal_dependent || part.literal_dependent;
}

void Walker::functionCall(P::FuncApplicationContext* ctx) {
  auto* fn = ctx->funcName();
  std::string schema, name;
  if (fn->typeFunctionName() != nullptr) {
    name = identifierText(fn->typeFunctionName());
  } else {
    auto labels = fn->colLabel();
    name = identifierText(labels.back());
    schema = labels.size() >= 2 ? identifierText(labels[labels.size() - 2])
                                : identifierText(fn->colId());
  }
  out_.flags |= functionFlags(schema, name);
  if (name == "set_config" && (schema.empty() || schema == "pg_catalog")) setConfigCall(ctx);
}

// set_config('role' | 'session_authorization', ...) is SET ROLE in function form: it becomes a
// nested set_role / set_session_authorization statement, so rules about roles (and `dcl`)
// catch it. A setting name that is not a literal could be either: assume it is.
void Walker::setConfigCall(P::FuncApplicationContext* ctx) {
  std::string setting;
  bool known = false;
  if (auto* list = ctx->funcArgList(); list != nullptr && !list->funcArgExpr().empty()) {
    auto* first = list->funcArgExpr(0);
    // The value, when the setting is one that changes how later statements are read.
    std::optional<std::string> value;
    if (list->funcArgExpr().size() >= 2 && list->funcArgExpr(1)->typeFunctionName() == nullptr) {
      bool lit = false;
      Value v = fold(list->funcArgExpr(1)->expr(), &lit, 0);
      if (v.type == Value::Type::String) value = v.s;
    }
    std::optional<std::string> name_value;
    if (first->typeFunctionName() == nullptr) {
      bool lit = false;
      Value n = fold(first->expr(), &lit, 0);
      if (n.type == Value::Type::String) name_value = n.s;
    }
    if (!name_value || !parsingSafeSetting(*name_value, value)) {
      out_.flags |= ws::kChangesParsing;
      out_.literal_dependent = true;
    }
    if (first->typeFunctionName() == nullptr) {
      bool lit = false;
      Value v = fold(first->expr(), &lit, 0);
      if (v.type == Value::Type::String) {
        known = true;
        setting = v.s;
        for (auto& c : setting) c = char(std::tolower(static_cast<unsigned char>(c)));
        // The decision depends on the literal: never reuse it for other values.
        out_.literal_dependent = true;
      }
    }
  }
  if (known && setting != "role" && setting != "session_authorization") return;
  ws::Statement nested;
  nested.kind = setting == "session_authorization" ? ws::Kind::SetSessionAuthorization : ws::Kind::SetRole;
  nested.category = ws::Category::Dcl;
  nested.flags = ws::kChangesSession;
  nested.range = out_.range;
  out_.nested.push_back(std::move(nested));
}

const std::vector<ws::OutputColumn>& Walker::subquery(P::SelectWithParensContext* ctx,
                                                      const Scope* scope) {
  auto it = subqueries_.find(ctx);
  if (it != subqueries_.end()) return it->second;
  auto proj = select(ctx->selectStmt(), scope, nullptr);
  return subqueries_[ctx] = std::move(proj);
}

void Walker::walk(antlr4::tree::ParseTree* node, const Scope* scope) {
  auto* rule = nonEmptyRule(node);  // terminals and empty rules hold nothing to find
  if (rule == nullptr) return;
  DepthGuard guard(vc_);
  switch (rule->getRuleIndex()) {
    case P::RuleSelectWithParens:
      subquery(static_cast<P::SelectWithParensContext*>(rule), scope);
      return;
    case P::RuleSelectStmt:
      select(static_cast<P::SelectStmtContext*>(rule), scope, nullptr);
      return;
    case P::RuleFuncApplication:
      functionCall(static_cast<P::FuncApplicationContext*>(rule));
      break;
    default:
      break;
  }
  for (auto* c : rule->children) walk(c, scope);
}

void Walker::with(P::WithClauseContext* ctx, Scope& scope) {
  if (ctx == nullptr) return;
  bool recursive = ctx->K_RECURSIVE() != nullptr;
  for (auto* cte : ctx->commonTableExpr()) {
    Cte def;
    def.name = identifierText(cte->name());
    def.colNames = nameListText(cte->nameList());
    auto* body = cte->preparableStmt();
    if (auto* sel = body->selectStmt()) {
      if (recursive) {
        scope.ctes.push_back(def);
        auto proj = select(sel, &scope, nullptr);
        scope.ctes.back().projection = renamed(std::move(proj), def.colNames);
        continue;
      }
      def.projection = renamed(select(sel, &scope, nullptr), def.colNames);
    } else {
      ws::Statement nested;
      Walker sub(vc_, nested);
      sub.modify(body->children.empty() ? nullptr
                                        : dynamic_cast<antlr4::ParserRuleContext*>(body->children[0]),
                 &scope);
      def.projection = renamed(nested.projection, def.colNames);
      mergeInto(out_, nested);
      // nested statements of the nested statement (none in valid SQL) travel up
      for (auto& n : nested.nested) out_.nested.push_back(n);
      nested.nested.clear();
      out_.nested.push_back(std::move(nested));
    }
    scope.ctes.push_back(std::move(def));
  }
}

std::vector<ws::OutputColumn> Walker::select(P::SelectStmtContext* ctx, const Scope* parent,
                                             QueryFacts* facts) {
  std::vector<ws::OutputColumn> proj;
  if (ctx == nullptr) return proj;
  DepthGuard guard(vc_);
  Scope scope;
  scope.parent = parent;
  with(ctx->withClause(), scope);
  proj = selectClause(ctx->selectClause(), scope, facts);
  walk(ctx->sortClause(), &scope);
  if (auto* lim = ctx->selectLimit()) {
    walk(lim, &scope);
    limitFacts(lim, facts);
  }
  if (auto* lock = ctx->forLockingClause()) {
    if (lock->K_READ() == nullptr) {
      out_.flags |= ws::kLockingRead;
      if (facts != nullptr) facts->locking = true;
    }
  }
  return proj;
}

std::vector<ws::OutputColumn> Walker::selectClause(P::SelectClauseContext* ctx, Scope& scope,
                                                   QueryFacts* facts) {
  std::vector<P::SelectPrimaryContext*> prims;
  for (auto* in : ctx->selectIntersect())
    for (auto* p : in->selectPrimary()) prims.push_back(p);
  if (prims.size() == 1) return selectPrimary(prims[0], scope, facts, true);

  std::vector<std::vector<ws::OutputColumn>> branches;
  bool allWhere = true, anyTaut = false, anyLiteral = false;
  for (size_t i = 0; i < prims.size(); ++i) {
    QueryFacts f;
    branches.push_back(selectPrimary(prims[i], scope, &f, i == 0));
    allWhere = allWhere && f.hasWhere;
    anyTaut = anyTaut || f.tautology;
    anyLiteral = anyLiteral || f.literal;
    if (i == 0 && facts != nullptr) facts->into = f.into;
  }
  if (facts != nullptr) {
    facts->hasWhere = allWhere;
    facts->tautology = anyTaut;
    facts->literal = facts->literal || anyLiteral;
  }
  std::vector<ws::OutputColumn> out = branches[0];
  bool aligned = true;
  for (const auto& b : branches) {
    aligned = aligned && b.size() == out.size();
    for (const auto& c : b) aligned = aligned && !c.star;
  }
  for (size_t bi = 1; bi < branches.size(); ++bi) {
    const auto& b = branches[bi];
    if (aligned) {
      for (size_t i = 0; i < out.size(); ++i) {
        for (const auto& s : b[i].sources) addUnique(out[i].sources, s);
        out[i].derived = out[i].derived || b[i].derived;
      }
    } else {
      // Stars make positions unknown: every column may come from any column of the branch.
      for (auto& c : out) {
        for (const auto& bc : b) {
          for (const auto& s : bc.sources) addUnique(c.sources, s);
          c.star = c.star || bc.star;
          c.derived = c.derived || bc.derived;
        }
      }
    }
  }
  return out;
}

std::vector<ws::OutputColumn> Walker::selectPrimary(P::SelectPrimaryContext* ctx, Scope& scope,
                                                    QueryFacts* facts, bool first) {
  if (auto* par = ctx->selectWithParens()) return select(par->selectStmt(), &scope, facts);
  auto* simple = ctx->simpleSelect();
  std::vector<ws::OutputColumn> proj;
  if (auto* q = dynamic_cast<P::SimpleSelectQueryContext*>(simple)) {
    Scope local;
    local.parent = &scope;
    if (auto* from = q->fromClause())
      for (auto* tr : from->fromList()->tableRef()) fromItem(tr, local);
    proj = targetList(q->targetList(), local);
    walk(q->distinctClause(), &local);
    if (auto* w = q->whereClause()) {
      walk(w, &local);
      if (facts != nullptr) {
        facts->hasWhere = true;
        bool lit = false;
        facts->tautology = isTautology(w->expr(), &lit);
        facts->literal = facts->literal || lit;
      }
    }
    walk(q->groupClause(), &local);
    walk(q->havingClause(), &local);
    walk(q->windowClause(), &local);
    if (facts != nullptr && first) facts->into = q->intoClause();
    return proj;
  }
  if (auto* v = dynamic_cast<P::SimpleSelectValuesContext*>(simple)) {
    if (facts != nullptr) facts->valuesOnly = true;
    for (auto* row : v->valuesClause()->valuesRow()) {
      auto exprs = row->exprList()->expr();
      for (size_t i = 0; i < exprs.size(); ++i) {
        if (proj.size() <= i) {
          ws::OutputColumn c;
          c.name = "column" + std::to_string(i + 1);
          c.derived = true;
          proj.push_back(std::move(c));
        }
        exprSources(exprs[i], scope, proj[i].sources);
      }
    }
    return proj;
  }
  if (auto* t = dynamic_cast<P::SimpleSelectTableContext*>(simple)) {
    Scope local;
    local.parent = &scope;
    relation(t->relationExpr(), nullptr, local);
    ws::OutputColumn c;
    c.name = "*";
    c.star = true;
    for (const auto& r : local.rels)
      for (const auto& s : relStar(r)) addUnique(c.sources, s);
    proj.push_back(std::move(c));
    return proj;
  }
  return proj;
}

void Walker::relation(P::RelationExprContext* rel, P::AliasClauseContext* alias, Scope& scope) {
  auto* qn = rel->qualifiedName();
  Rel r;
  std::string aliasName = alias != nullptr ? identifierText(alias->colId()) : std::string();
  if (alias != nullptr) {
    for (auto& n : nameListText(alias->nameList())) r.colAliases.push_back(n);
  }
  if (qn->colLabel().empty()) {
    std::string name = identifierText(qn->colId());
    if (const Cte* cte = scope.findCte(name)) {
      r.type = Rel::Type::Derived;
      r.alias = aliasName.empty() ? name : aliasName;
      r.columns = cte->projection;
      scope.rels.push_back(std::move(r));
      return;
    }
  }
  ws::ObjectRef obj = objectFromName(qn, ws::ObjectType::Table, ws::Access::Read);
  r.type = Rel::Type::Table;
  r.table = obj.qualified();
  if (aliasName.empty()) {
    r.alias = obj.name;
    r.schema = obj.schema;
  } else {
    r.alias = aliasName;
  }
  addObject(out_, std::move(obj));
  scope.rels.push_back(std::move(r));
}

void Walker::fromItem(P::TableRefContext* ctx, Scope& scope) {
  DepthGuard guard(vc_);
  if (auto* r = dynamic_cast<P::TableRefRelationContext*>(ctx)) {
    relation(r->relationExpr(), r->aliasClause(), scope);
    walk(r->tablesampleClause(), &scope);
    return;
  }
  if (auto* f = dynamic_cast<P::TableRefFunctionContext*>(ctx)) {
    Rel rel;
    rel.type = Rel::Type::Function;
    exprSources(f->funcTable(), scope, rel.funcSources);
    if (auto* fa = f->funcAliasClause()) {
      if (auto* ac = fa->aliasClause()) {
        rel.alias = identifierText(ac->colId());
        rel.colAliases = nameListText(ac->nameList());
      } else {
        if (fa->colId() != nullptr) rel.alias = identifierText(fa->colId());
        for (auto* el : fa->tableFuncElementList()->tableFuncElement())
          rel.colAliases.push_back(identifierText(el->colId()));
      }
    }
    if (rel.alias.empty()) {
      auto* fe = f->funcTable()->funcExprWindowless();
      if (fe != nullptr && fe->funcApplication() != nullptr) {
        auto* fn = fe->funcApplication()->funcName();
        rel.alias = fn->typeFunctionName() != nullptr ? identifierText(fn->typeFunctionName())
                                                      : identifierText(fn->colLabel().back());
      }
    }
    scope.rels.push_back(std::move(rel));
    return;
  }
  if (auto* x = dynamic_cast<P::TableRefXmlTableContext*>(ctx)) {
    Rel rel;
    rel.type = Rel::Type::Function;
    exprSources(x->xmlTable(), scope, rel.funcSources);
    rel.alias = x->aliasClause() != nullptr ? identifierText(x->aliasClause()->colId()) : "xmltable";
    scope.rels.push_back(std::move(rel));
    return;
  }
  if (auto* s = dynamic_cast<P::TableRefSubqueryContext*>(ctx)) {
    Rel rel;
    rel.type = Rel::Type::Derived;
    rel.columns = subquery(s->selectWithParens(), &scope);
    if (auto* ac = s->aliasClause()) {
      rel.alias = identifierText(ac->colId());
      rel.colAliases = nameListText(ac->nameList());
    }
    scope.rels.push_back(std::move(rel));
    return;
  }
  if (auto* p = dynamic_cast<P::TableRefParenContext*>(ctx)) {
    size_t before = scope.rels.size();
    fromItem(p->tableRef(), scope);
    if (auto* ac = p->aliasClause()) {
      Rel rel;
      rel.type = Rel::Type::Derived;
      rel.alias = identifierText(ac->colId());
      ws::OutputColumn all;
      all.star = true;
      for (size_t i = before; i < scope.rels.size(); ++i)
        for (const auto& s : relStar(scope.rels[i])) addUnique(all.sources, s);
      rel.columns.push_back(std::move(all));
      scope.rels.push_back(std::move(rel));
    }
    return;
  }
  if (auto* j = dynamic_cast<P::TableRefJoinContext*>(ctx)) {
    fromItem(j->tableRef(0), scope);
    fromItem(j->tableRef(1), scope);
    if (auto* q = j->joinQual()) walk(q->expr(), &scope);
    return;
  }
  if (auto* j = dynamic_cast<P::TableRefCrossJoinContext*>(ctx)) {
    fromItem(j->tableRef(0), scope);
    fromItem(j->tableRef(1), scope);
    return;
  }
  if (auto* j = dynamic_cast<P::TableRefNaturalJoinContext*>(ctx)) {
    fromItem(j->tableRef(0), scope);
    fromItem(j->tableRef(1), scope);
    return;
  }
  walk(ctx, &scope);
}

void Walker::modify(antlr4::ParserRuleContext* ctx, const Scope* parent) {
  if (ctx == nullptr) return;
  DepthGuard guard(vc_);
  Scope scope;
  scope.parent = parent;
  auto targetRel = [&](P::QualifiedNameContext* qn, P::ColIdContext* alias, Scope& into) {
    ws::ObjectRef obj = objectFromName(qn, ws::ObjectType::Table, ws::Access::Write);
    Rel r;
    r.type = Rel::Type::Table;
    r.table = obj.qualified();
    if (alias != nullptr) {
      r.alias = identifierText(alias);
    } else {
      r.alias = obj.name;
      r.schema = obj.schema;
    }
    addObject(out_, std::move(obj));
    into.rels.push_back(std::move(r));
  };
  auto where = [&](P::WhereOrCurrentClauseContext* w, Scope& s) {
    if (w == nullptr) return;
    out_.has_where = true;
    if (w->expr() != nullptr) {
      walk(w->expr(), &s);
      bool lit = false;
      out_.where_is_tautology = isTautology(w->expr(), &lit);
      out_.literal_dependent = out_.literal_dependent || lit;
    }
  };
  auto returning = [&](P::ReturningClauseContext* r, Scope& s) {
    if (r != nullptr) out_.projection = targetList(r->targetList(), s);
  };
  out_.category = ws::Category::Write;

  if (auto* ins = dynamic_cast<P::InsertStmtContext*>(ctx)) {
    out_.kind = ws::Kind::Insert;
    with(ins->withClause(), scope);
    Scope target;
    target.parent = &scope;
    targetRel(ins->insertTarget()->qualifiedName(), ins->insertTarget()->colId(), target);
    if (auto* sel = ins->insertRest()->selectStmt()) select(sel, &scope, nullptr);
    if (auto* oc = ins->onConflict()) {
      Rel excluded;
      excluded.type = Rel::Type::Derived;
      excluded.alias = "excluded";
      target.rels.push_back(excluded);
      walk(oc, &target);
      target.rels.pop_back();
    }
    returning(ins->returningClause(), target);
    return;
  }
  if (auto* up = dynamic_cast<P::UpdateStmtContext*>(ctx)) {
    out_.kind = ws::Kind::Update;
    with(up->withClause(), scope);
    Scope local;
    local.parent = &scope;
    auto* ra = up->relationExprOptAlias();
    targetRel(ra->relationExpr()->qualifiedName(), ra->colId(), local);
    if (auto* from = up->fromClause())
      for (auto* tr : from->fromList()->tableRef()) fromItem(tr, local);
    walk(up->setClauseList(), &local);
    where(up->whereOrCurrentClause(), local);
    returning(up->returningClause(), local);
    // UPDATE pg_settings is SET in table form: any setting, decided only at run time.
    for (const auto& o : out_.objects)
      if (o.access == ws::Access::Write && o.name == "pg_settings" &&
          (o.schema.empty() || o.schema == "pg_catalog"))
        out_.flags |= ws::kChangesParsing | ws::kChangesSession;
    return;
  }
  if (auto* del = dynamic_cast<P::DeleteStmtContext*>(ctx)) {
    out_.kind = ws::Kind::Delete;
    with(del->withClause(), scope);
    Scope local;
    local.parent = &scope;
    auto* ra = del->relationExprOptAlias();
    targetRel(ra->relationExpr()->qualifiedName(), ra->colId(), local);
    if (auto* using_ = del->fromList())
      for (auto* tr : using_->tableRef()) fromItem(tr, local);
    where(del->whereOrCurrentClause(), local);
    returning(del->returningClause(), local);
    return;
  }
  if (auto* mg = dynamic_cast<P::MergeStmtContext*>(ctx)) {
    out_.kind = ws::Kind::Merge;
    with(mg->withClause(), scope);
    Scope local;
    local.parent = &scope;
    auto* ra = mg->relationExprOptAlias();
    targetRel(ra->relationExpr()->qualifiedName(), ra->colId(), local);
    fromItem(mg->tableRef(), local);
    walk(mg->expr(), &local);
    // The join condition bounds which rows are changed, as WHERE does for UPDATE/DELETE:
    // `MERGE ... ON true WHEN MATCHED THEN DELETE` is a bulk delete.
    out_.has_where = true;
    bool lit = false;
    out_.where_is_tautology = isTautology(mg->expr(), &lit);
    out_.literal_dependent = out_.literal_dependent || lit;
    // A table merged with itself (`MERGE INTO users u USING users s ON u.id = s.id`): every
    // row matches itself, so the join bounds nothing Warden can vouch for.
    if (auto* src = dynamic_cast<P::TableRefRelationContext*>(mg->tableRef())) {
      if (src->relationExpr()->qualifiedName()->getText() ==
          ra->relationExpr()->qualifiedName()->getText())
        out_.where_is_tautology = true;
    }
    for (auto* w : mg->mergeWhenClause()) walk(w, &local);
    return;
  }
  out_.kind = ws::Kind::Other;
}

}  // namespace detail

namespace {

void finishQuery(P::SelectStmtContext* sel, detail::Walker& w, VisitContext& vc, ws::Statement& out) {
  (void)vc;
  detail::QueryFacts facts;
  auto proj = w.select(sel, nullptr, &facts);
  out.has_where = facts.hasWhere;
  out.where_is_tautology = facts.tautology;
  out.literal_dependent = out.literal_dependent || facts.literal;
  out.limit = facts.limit;
  if (facts.into != nullptr) {
    out.kind = ws::Kind::CreateTable;
    out.category = ws::Category::Ddl;
    out.flags |= ws::kCreatesObject;
    addObject(out, objectFromName(facts.into->optTempTableName()->qualifiedName(),
                                  ws::ObjectType::Table, ws::Access::Ddl));
    return;
  }
  bool valuesOnly = facts.valuesOnly && sel->selectClause()->selectIntersect().size() == 1 &&
                    sel->selectClause()->selectIntersect(0)->selectPrimary().size() == 1;
  out.kind = valuesOnly ? ws::Kind::Values : ws::Kind::Select;
  out.category = ws::Category::Read;
  out.projection = std::move(proj);
}

//! The strongest write among the data-modifying CTEs wins the top kind.
void applyNestedWrites(ws::Statement& out) {
  auto rank = [](ws::Kind k) {
    switch (k) {
      case ws::Kind::Delete: return 4;
      case ws::Kind::Update: return 3;
      case ws::Kind::Merge: return 2;
      case ws::Kind::Insert: return 1;
      default: return 0;
    }
  };
  const ws::Statement* best = nullptr;
  int bestRank = rank(out.kind);
  for (const auto& n : out.nested) {
    if (rank(n.kind) > bestRank) {
      best = &n;
      bestRank = rank(n.kind);
    }
  }
  if (best == nullptr) return;
  if (out.kind == ws::Kind::CreateTable) {
    // SELECT INTO with a data-modifying CTE: still creates the table (ddl); the write is nested.
    return;
  }
  out.kind = best->kind;
  out.category = ws::Category::Write;
  out.has_where = best->has_where;
  out.where_is_tautology = best->where_is_tautology;
  // The projection stays: it is what the client receives (masking needs its lineage).
}

}  // namespace

void buildPreparable(P::PreparableStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (ctx == nullptr) {
    out.kind = ws::Kind::Other;
    return;
  }
  try {
    detail::Walker w(vc, out);
    if (auto* sel = ctx->selectStmt()) {
      finishQuery(sel, w, vc, out);
    } else if (!ctx->children.empty()) {
      w.modify(dynamic_cast<antlr4::ParserRuleContext*>(ctx->children[0]), nullptr);
    }
    applyNestedWrites(out);
  } catch (const std::exception&) {
    ws::Statement other;
    other.kind = ws::Kind::Other;
    other.category = ws::Category::Unknown;
    other.objects = std::move(out.objects);
    other.flags = out.flags;
    out = std::move(other);
  }
}

void buildSelect(P::SelectStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (ctx == nullptr) {
    out.kind = ws::Kind::Other;
    return;
  }
  try {
    detail::Walker w(vc, out);
    finishQuery(ctx, w, vc, out);
    applyNestedWrites(out);
  } catch (const std::exception&) {
    out.kind = ws::Kind::Other;
    out.category = ws::Category::Unknown;
    out.projection.clear();
  }
}

void collectSelect(P::SelectStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (ctx == nullptr) return;
  try {
    detail::Walker w(vc, out);
    w.select(ctx, nullptr, nullptr);
  } catch (const std::exception&) {
    out.kind = ws::Kind::Other;
  }
}

}  // namespace warden::pg::sql
