// dialects/postgres/sql/visit_lineage.cc
//! Projection lineage: output columns of a target list and the base table columns they come
//! from, through aliases, CTEs, subqueries, set operations, stars and whole-row references.
#include <stdexcept>

#include "sql/visit_context.h"
#include "sql/visit_internal.h"

namespace warden::pg::sql::detail {

namespace {


//! Dotted name parts of a column reference (up to the first subscript or star), and whether a
//! `.*` follows them.
std::vector<std::string> refParts(P::ColumnRefContext* ctx, bool* star, bool* subscript) {
  std::vector<std::string> parts{identifierText(ctx->colId())};
  *star = false;
  *subscript = false;
  if (auto* ind = ctx->indirection()) {
    for (auto* el : ind->indirectionEl()) {
      if (el->DOT() == nullptr) {
        *subscript = true;
        break;
      }
      if (el->STAR() != nullptr) {
        *star = true;
        break;
      }
      parts.push_back(identifierText(el->colLabel()));
    }
  }
  return parts;
}

P::PrimaryExprContext* primaryOf(P::ExprContext* e) {
  for (int i = 0; i < 64 && e != nullptr; ++i) {
    auto* p = dynamic_cast<P::ExprPrimaryContext*>(e);
    if (p == nullptr) return nullptr;
    auto* prim = p->primaryExpr();
    if (auto* par = dynamic_cast<P::PrimParenContext*>(prim);
        par && !par->indirection() && !par->exprList()) {
      e = par->expr();
      continue;
    }
    return prim;
  }
  return nullptr;
}

//! A plain column copy: a column reference without subscripts (parentheses allowed).
bool isPlainColumn(P::ExprContext* e) {
  auto* col = dynamic_cast<P::PrimColumnContext*>(primaryOf(e));
  if (col == nullptr) return false;
  bool star, subscript;
  refParts(col->columnRef(), &star, &subscript);
  return !subscript;
}

std::string funcNameLast(P::FuncNameContext* f) {
  if (f == nullptr) return {};
  if (!f->colLabel().empty()) return identifierText(f->colLabel().back());
  if (f->typeFunctionName() != nullptr) return identifierText(f->typeFunctionName());
  return identifierText(f->colId());
}

std::string typeNameLast(P::TypeNameContext* t) {
  if (t == nullptr) return {};
  auto* s = t->simpleTypeName();
  if (s == nullptr) return {};
  if (auto* g = s->genericType()) {
    if (!g->colLabel().empty()) return identifierText(g->colLabel().back());
    return identifierText(g->typeFunctionName());
  }
  return {};
}

std::string figureName(P::ExprContext* e, int depth = 0);

std::string figurePrimary(P::PrimaryExprContext* p, int depth) {
  if (p == nullptr || depth > 64) return {};
  if (auto* c = dynamic_cast<P::PrimColumnContext*>(p)) {
    auto* ref = c->columnRef();
    std::string name = identifierText(ref->colId());
    if (auto* ind = ref->indirection()) {
      for (auto* el : ind->indirectionEl()) {
        if (el->DOT() == nullptr) continue;
        if (el->STAR() != nullptr) return {};
        name = identifierText(el->colLabel());
      }
    }
    return name;
  }
  if (auto* par = dynamic_cast<P::PrimParenContext*>(p)) {
    if (par->exprList() != nullptr) return "row";  // implicit row (a, b)
    if (auto* ind = par->indirection()) {
      std::string last;
      for (auto* el : ind->indirectionEl())
        if (el->DOT() != nullptr && el->colLabel() != nullptr) last = identifierText(el->colLabel());
      if (!last.empty()) return last;
    }
    return figureName(par->expr(), depth + 1);
  }
  if (auto* f = dynamic_cast<P::PrimFuncContext*>(p)) {
    auto* fe = f->funcExpr();
    if (auto* app = fe->funcApplication()) return funcNameLast(app->funcName());
    auto* sp = fe->funcExprCommonSubexpr();
    if (auto* cast = dynamic_cast<P::SpecCastContext*>(sp)) {
      std::string inner = figureName(cast->expr(), depth + 1);
      return inner.empty() ? typeNameLast(cast->typeName()) : inner;
    }
    if (auto* tr = dynamic_cast<P::SpecTreatContext*>(sp)) {
      std::string inner = figureName(tr->expr(), depth + 1);
      return inner.empty() ? typeNameLast(tr->typeName()) : inner;
    }
    if (auto* trim = dynamic_cast<P::SpecTrimContext*>(sp)) {
      if (trim->K_LEADING()) return "ltrim";
      if (trim->K_TRAILING()) return "rtrim";
      return "btrim";
    }
    if (dynamic_cast<P::SpecCollationForContext*>(sp)) return "pg_collation_for";
    if (sp != nullptr && sp->getStart() != nullptr) {
      std::string kw = lowerAscii(sp->getStart()->getText());
      if (kw == "user") return "current_user";
      return kw;
    }
    return {};
  }
  if (dynamic_cast<P::PrimCaseContext*>(p)) return "case";
  if (dynamic_cast<P::PrimArrayContext*>(p)) return "array";
  if (dynamic_cast<P::PrimRowContext*>(p)) return "row";
  if (dynamic_cast<P::PrimExistsContext*>(p)) return "exists";
  if (dynamic_cast<P::PrimGroupingContext*>(p)) return "grouping";
  if (auto* c = dynamic_cast<P::PrimConstContext*>(p)) {
    auto* k = c->constant();
    if (auto* g = dynamic_cast<P::ConstGenericTypedContext*>(k)) return funcNameLast(g->funcName());
    if (dynamic_cast<P::ConstIntervalContext*>(k)) return "interval";
    if (auto* b = dynamic_cast<P::ConstBoolNullContext*>(k)) {
      if (b->booleanOrNull()->K_NULL() == nullptr) return "bool";
    }
    return {};
  }
  return {};
}

std::string figureName(P::ExprContext* e, int depth) {
  if (e == nullptr || depth > 64) return {};
  if (auto* p = dynamic_cast<P::ExprPrimaryContext*>(e)) return figurePrimary(p->primaryExpr(), depth + 1);
  if (auto* c = dynamic_cast<P::ExprTypecastContext*>(e)) {
    std::string inner = figureName(c->expr(), depth + 1);
    return inner.empty() ? typeNameLast(c->typeName()) : inner;
  }
  if (auto* c = dynamic_cast<P::ExprCollateContext*>(e)) return figureName(c->expr(), depth + 1);
  if (dynamic_cast<P::ExprAtTimeZoneContext*>(e)) return "timezone";
  return {};
}

}  // namespace

void addUnique(std::vector<ws::ColumnSource>& out, const ws::ColumnSource& s) {
  for (const auto& o : out)
    if (o.table == s.table && o.column == s.column) return;
  out.push_back(s);
}

std::vector<ws::ColumnSource> Walker::relStar(const Rel& r) const {
  std::vector<ws::ColumnSource> out;
  switch (r.type) {
    case Rel::Type::Table:
      out.push_back({r.table, "*"});
      break;
    case Rel::Type::Derived:
      for (const auto& c : r.columns)
        for (const auto& s : c.sources) addUnique(out, s);
      break;
    case Rel::Type::Function:
      for (const auto& s : r.funcSources) addUnique(out, s);
      break;
  }
  return out;
}

namespace {

//! Column `name` of a derived relation (aliases rename by position); nullptr if unknown.
const ws::OutputColumn* derivedColumn(const Rel& r, const std::string& name) {
  for (size_t i = 0; i < r.columns.size(); ++i) {
    std::string n = i < r.colAliases.size() ? r.colAliases[i] : r.columns[i].name;
    if (n == name && !r.columns[i].star) return &r.columns[i];
  }
  return nullptr;
}

bool hasStar(const Rel& r) {
  for (const auto& c : r.columns)
    if (c.star) return true;
  return false;
}

}  // namespace

void Walker::addSources(const Rel& r, const std::string& column, std::vector<ws::ColumnSource>& out,
                        bool* found) const {
  *found = true;
  switch (r.type) {
    case Rel::Type::Table: {
      bool renamed = false;
      for (const auto& a : r.colAliases) renamed = renamed || a == column;
      addUnique(out, {r.table, renamed ? "*" : column});
      return;
    }
    case Rel::Type::Function:
      for (const auto& s : r.funcSources) addUnique(out, s);
      return;
    case Rel::Type::Derived: {
      if (const auto* c = derivedColumn(r, column)) {
        for (const auto& s : c->sources) addUnique(out, s);
        return;
      }
      if (hasStar(r)) {
        // Not a named column: it comes from one of the stars (same name in the base table).
        for (const auto& c : r.columns) {
          if (!c.star) continue;
          for (const auto& s : c.sources) addUnique(out, {s.table, s.column == "*" ? column : s.column});
        }
        return;
      }
      *found = false;
      for (const auto& s : relStar(r)) addUnique(out, s);
      return;
    }
  }
}

void Walker::resolveColumn(P::ColumnRefContext* ctx, const Scope& scope,
                           std::vector<ws::ColumnSource>& out) {
  bool star, subscript;
  std::vector<std::string> parts = refParts(ctx, &star, &subscript);
  // Qualified: t.col, s.t.col, t.* (and whole-row `t`, handled below).
  size_t qualLen = star ? parts.size() : parts.size() - 1;
  if (qualLen >= 1) {
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
      for (const auto& r : s->rels) {
        bool match = false;
        if (qualLen == 1) match = r.alias == parts[0];
        else if (qualLen == 2) match = r.alias == parts[1] && r.schema == parts[0];
        else if (qualLen == 3) match = r.alias == parts[2] && r.schema == parts[1];
        if (!match) continue;
        if (star || qualLen == parts.size()) {
          for (const auto& src : relStar(r)) addUnique(out, src);
        } else {
          bool found;
          addSources(r, parts[qualLen], out, &found);
        }
        return;
      }
    }
    // Not a relation: (composite) column followed by field names.
  }
  const std::string& name = parts[0];
  for (const Scope* s = &scope; s != nullptr; s = s->parent) {
    std::vector<ws::ColumnSource> exact, possible;
    bool any = false;
    for (const auto& r : s->rels) {
      if (r.type == Rel::Type::Derived) {
        if (const auto* c = derivedColumn(r, name)) {
          for (const auto& src : c->sources) addUnique(exact, src);
          any = true;
        } else if (hasStar(r)) {
          bool found;
          addSources(r, name, possible, &found);
          any = true;
        }
      } else if (r.type == Rel::Type::Function) {
        bool named = false;
        for (const auto& a : r.colAliases) named = named || a == name;
        if (named || r.alias == name || r.colAliases.empty()) {
          for (const auto& src : r.funcSources) addUnique(named || r.alias == name ? exact : possible, src);
          any = true;
          if ((named || r.alias == name) && r.funcSources.empty()) exact.push_back({"", ""});
        }
      } else {
        addUnique(possible, {r.table, name});
        any = true;
      }
    }
    if (!any) {
      // Whole-row reference to a relation of this scope (`SELECT t FROM t`, row_to_json(t)).
      bool whole = false;
      for (const auto& r : s->rels) {
        if (r.alias != name) continue;
        for (const auto& src : relStar(r)) addUnique(out, src);
        whole = true;
      }
      if (whole) return;
      continue;
    }
    // A relation alias used as a value is a whole-row reference (columns first in PostgreSQL;
    // without the catalog, both).
    for (const auto& r : s->rels) {
      if (r.alias != name) continue;
      if (r.type == Rel::Type::Derived && derivedColumn(r, name) != nullptr) continue;
      exact.clear();
      possible.clear();
      for (const auto& src : relStar(r)) addUnique(out, src);
      return;
    }
    const auto& chosen = exact.empty() ? possible : exact;
    for (const auto& src : chosen)
      if (!src.table.empty()) addUnique(out, src);
    return;
  }
}

void Walker::exprSources(antlr4::tree::ParseTree* node, const Scope& scope,
                         std::vector<ws::ColumnSource>& out) {
  auto* rule = nonEmptyRule(node);  // terminals and empty rules carry no sources
  if (rule == nullptr) return;
  DepthGuard guard(vc_);
  size_t index = rule->getRuleIndex();
  if (index == P::RuleColumnRef) {
    auto* ref = static_cast<P::ColumnRefContext*>(rule);
    resolveColumn(ref, scope, out);
    // subscripts may hold subqueries / function calls
    if (auto* ind = ref->indirection())
      for (auto* el : ind->indirectionEl())
        for (auto* e : el->expr()) exprSources(e, scope, out);
    return;
  }
  if (index == P::RuleSelectWithParens) {
    const auto& proj = subquery(static_cast<P::SelectWithParensContext*>(rule), &scope);
    auto* parent = node->parent;
    if (dynamic_cast<P::PrimSubqueryContext*>(parent) || dynamic_cast<P::PrimArrayContext*>(parent)) {
      for (const auto& c : proj)
        for (const auto& s : c.sources) addUnique(out, s);
    }
    return;
  }
  if (index == P::RuleFuncApplication) functionCall(static_cast<P::FuncApplicationContext*>(rule));
  for (auto* c : rule->children) exprSources(c, scope, out);
}

std::vector<ws::OutputColumn> Walker::targetList(P::TargetListContext* ctx, const Scope& scope) {
  std::vector<ws::OutputColumn> cols;
  if (ctx == nullptr) return cols;
  for (auto* el : ctx->targetEl()) {
    ws::OutputColumn col;
    if (el->STAR() != nullptr) {
      col.name = "*";
      col.star = true;
      for (const auto& r : scope.rels)
        for (const auto& s : relStar(r)) addUnique(col.sources, s);
      cols.push_back(std::move(col));
      continue;
    }
    auto* e = el->expr();
    auto* prim = primaryOf(e);
    if (auto* c = dynamic_cast<P::PrimColumnContext*>(prim)) {
      bool star, subscript;
      auto parts = refParts(c->columnRef(), &star, &subscript);
      if (star) {
        std::string n;
        for (const auto& p : parts) n += p + ".";
        col.name = n + "*";
        col.star = true;
        exprSources(e, scope, col.sources);
        cols.push_back(std::move(col));
        continue;
      }
    }
    if (auto* par = dynamic_cast<P::PrimParenContext*>(prim)) {
      auto* ind = par->indirection();
      if (ind != nullptr && !ind->indirectionEl().empty() &&
          ind->indirectionEl().back()->STAR() != nullptr) {
        col.name = "*";
        col.star = true;
        exprSources(e, scope, col.sources);
        cols.push_back(std::move(col));
        continue;
      }
    }
    exprSources(e, scope, col.sources);
    col.derived = !isPlainColumn(e);
    if (el->colLabel() != nullptr) col.name = identifierText(el->colLabel());
    else if (el->bareColLabel() != nullptr) col.name = identifierText(el->bareColLabel());
    else col.name = figureName(e);
    if (!col.derived && col.sources.empty()) col.derived = false;
    cols.push_back(std::move(col));
  }
  return cols;
}

}  // namespace warden::pg::sql::detail
