// dialects/postgres/sql/visit_internal.h
//! Internals of the DML half of the PostgreSQL visitor (visit_dml.cc, visit_expr.cc,
//! visit_lineage.cc): name scopes for lineage and CTE shadowing, the query walker, constant
//! folding for WHERE tautologies, string literal decoding.
#pragma once

#include <stdexcept>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/visit_context.h"

namespace warden::pg::sql::detail {

//! Bounds the visitor's recursion (nested queries); beyond it the statement is unparsed.
constexpr int kMaxDepth = 1500;

struct DepthGuard {
  explicit DepthGuard(VisitContext& vc) : vc_(vc) {
    if (++vc_.depth > kMaxDepth) {
      --vc_.depth;
      throw std::length_error("statement nested too deeply");
    }
  }
  ~DepthGuard() { --vc_.depth; }
  VisitContext& vc_;
};


std::string lowerAscii(std::string_view s);
std::string undouble(std::string_view body, char quote);
std::string decodeUnicodeEscapes(std::string_view s, char esc);
std::string identifierTokenText(antlr4::Token* tok, P::IdentifierContext* ident);

//! Value of a string literal token (all quote styles, continuation lines); nullopt when the
//! token is no string.
std::optional<std::string> stringValue(P::StringConstContext* ctx);

// --- constant folding (WHERE tautologies) ----------------------------------------------------
struct Value {
  enum class Type { Unknown, Null, Bool, Number, String } type = Type::Unknown;
  bool b = false;
  long double n = 0;
  std::string s;
};
//! Folds `e` when it is constant for every row (or, for OR/AND, decided by a constant side).
//! Sets *literal when a literal's value took part in a decision.
Value fold(P::ExprContext* e, bool* literal, int depth = 0);
//! True when the WHERE condition is true for every row.
bool isTautology(P::ExprContext* e, bool* literal);

//! Flags raised by calling function `name` (lower-case, unqualified; `schema` lower-case or
//! empty).
uint32_t functionFlags(const std::string& schema, const std::string& name);

// --- scopes -----------------------------------------------------------------------------------
struct Rel {
  enum class Type { Table, Derived, Function } type = Type::Table;
  std::string alias;   // name the query refers to it by (alias, else the table/CTE name)
  std::string schema;  // schema written for an unaliased table (matches s.t.col)
  std::string table;   // Table: qualified name as written
  std::vector<std::string> colAliases;     // t(a, b)
  std::vector<ws::OutputColumn> columns;   // Derived: the subquery's / CTE's projection
  std::vector<ws::ColumnSource> funcSources;  // Function: sources of its arguments
};

struct Cte {
  std::string name;
  std::vector<std::string> colNames;
  std::vector<ws::OutputColumn> projection;
};

struct Scope {
  const Scope* parent = nullptr;
  std::vector<Cte> ctes;
  std::vector<Rel> rels;
  const Cte* findCte(const std::string& name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent)
      for (auto it = s->ctes.rbegin(); it != s->ctes.rend(); ++it)
        if (it->name == name) return &*it;
    return nullptr;
  }
};

//! Facts about the top level of a query (has_where, limit ...).
struct QueryFacts {
  bool hasWhere = false;
  bool tautology = false;
  bool literal = false;
  std::optional<int64_t> limit;
  bool locking = false;
  P::IntoClauseContext* into = nullptr;
  bool valuesOnly = false;
};

//! Walks one statement: objects, flags, nested data-modifying CTEs, lineage.
class Walker {
 public:
  Walker(VisitContext& vc, ws::Statement& out) : vc_(vc), out_(out) {}

  //! A SELECT (any form); returns its projection. `facts` for the top level only.
  std::vector<ws::OutputColumn> select(P::SelectStmtContext* ctx, const Scope* parent,
                                       QueryFacts* facts);
  //! INSERT/UPDATE/DELETE/MERGE into this walker's statement (kind, objects, where,
  //! projection of RETURNING).
  void modify(antlr4::ParserRuleContext* ctx, const Scope* parent);
  //! Objects / subqueries / flags inside any subtree (expressions, clauses).
  void walk(antlr4::tree::ParseTree* node, const Scope* scope);
  //! WITH: registers CTEs in `scope` (data-modifying ones become nested statements).
  void with(P::WithClauseContext* ctx, Scope& scope);

  // lineage (visit_lineage.cc)
  std::vector<ws::OutputColumn> targetList(P::TargetListContext* ctx, const Scope& scope);
  void exprSources(antlr4::tree::ParseTree* node, const Scope& scope,
                   std::vector<ws::ColumnSource>& out);
  std::vector<ws::ColumnSource> relStar(const Rel& r) const;

 private:
  friend class LineageHelper;
  std::vector<ws::OutputColumn> selectClause(P::SelectClauseContext* ctx, Scope& scope,
                                             QueryFacts* facts);
  std::vector<ws::OutputColumn> selectPrimary(P::SelectPrimaryContext* ctx, Scope& scope,
                                              QueryFacts* facts, bool first);
  void fromItem(P::TableRefContext* ctx, Scope& scope);
  void relation(P::RelationExprContext* rel, P::AliasClauseContext* alias, Scope& scope);
  void addSources(const Rel& r, const std::string& column, std::vector<ws::ColumnSource>& out,
                  bool* found) const;
  void resolveColumn(P::ColumnRefContext* ctx, const Scope& scope,
                     std::vector<ws::ColumnSource>& out);
  const std::vector<ws::OutputColumn>& subquery(P::SelectWithParensContext* ctx,
                                                const Scope* scope);
  void functionCall(P::FuncApplicationContext* ctx);
  void setConfigCall(P::FuncApplicationContext* ctx);

  VisitContext& vc_;
  ws::Statement& out_;
  std::map<const void*, std::vector<ws::OutputColumn>> subqueries_;
};

void mergeInto(ws::Statement& top, const ws::Statement& part);
void addUnique(std::vector<ws::ColumnSource>& out, const ws::ColumnSource& s);

}  // namespace warden::pg::sql::detail
