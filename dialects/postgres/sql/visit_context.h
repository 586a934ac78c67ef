// dialects/postgres/sql/visit_context.h
//! Shared helpers of the PostgreSQL visitor. Contract between the DML half (owner: implements
//! everything declared here, in visit_context.cc / visit_dml.cc / visit_expr.cc /
//! visit_lineage.cc) and the DDL/DCL/TCL/utility half (uses these, implements the
//! build*Statement functions at the bottom in visit_ddl.cc / visit_dcl.cc / visit_tcl.cc /
//! visit_utility.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "PostgresParser.h"
#include "sql/tree_cast.h"
#include "warden/sql/statement.h"

namespace warden::pg::sql {

using P = pggrammar::PostgresParser;
namespace ws = warden::sql;

struct VisitContext {
  std::string_view text;  // whole analysed text
  int depth = 0;          // nesting depth guard (deep trees: give up with Kind::Other)
};

// --- names ---------------------------------------------------------------------------------
//! Identifier as PostgreSQL sees it: unquoted folded to lower case, "quoted" kept with doubled
//! quotes undone, U&"..." escapes decoded (UESCAPE honoured).
std::string identifierText(antlr4::ParserRuleContext* colIdOrLabel);
//! schema/catalog/name split of a (possibly qualified) relation name.
ws::ObjectRef objectFromName(P::QualifiedNameContext* ctx, ws::ObjectType type,
                             ws::Access access);
//! Adds `ref` to s.objects unless an equal object (same names, type) is there; if present,
//! the stronger access wins (ddl > write > read).
void addObject(ws::Statement& s, ws::ObjectRef ref);

// --- DML (implemented by the DML half) -----------------------------------------------------
//! A complete statement for a preparable statement (SELECT/INSERT/UPDATE/DELETE/MERGE/VALUES,
//! with CTEs): kind, objects, where, limit, projection, nested data-modifying CTEs.
void buildPreparable(P::PreparableStmtContext* ctx, VisitContext& vc, ws::Statement& out);
//! Objects read by a query (tables in FROM/JOIN, subqueries, CTE bodies; CTE names themselves
//! are not objects) merged into `out` with Access::Read; data-modifying CTEs add nested
//! statements and their objects. Used by CREATE VIEW/TABLE AS, COPY (query), DECLARE ...
void collectSelect(P::SelectStmtContext* ctx, VisitContext& vc, ws::Statement& out);
//! A SELECT as a statement of its own (kind, objects, where, projection), e.g. DECLARE's query.
void buildSelect(P::SelectStmtContext* ctx, VisitContext& vc, ws::Statement& out);
//! Objects read by subqueries inside an expression (DEFAULT, CHECK, index WHERE, ...), and
//! flags raised by function calls in it (see statement.h Flag).
void collectExpr(P::ExprContext* ctx, VisitContext& vc, ws::Statement& out);

// --- DDL / DCL / TCL / utility (implemented by the other half) -----------------------------
void buildDdlStatement(P::DdlStatementContext* ctx, VisitContext& vc, ws::Statement& out);
void buildDclStatement(P::DclStatementContext* ctx, VisitContext& vc, ws::Statement& out);
void buildTclStatement(P::TclStatementContext* ctx, VisitContext& vc, ws::Statement& out);
void buildUtilityStatement(P::UtilityStatementContext* ctx, VisitContext& vc,
                           ws::Statement& out);

//! False when setting `name` to `value` (nullopt: not known before run time) would change how
//! the server reads later statements: standard_conforming_strings other than on, or a
//! client_encoding other than UTF-8 (Warden reads statements as UTF-8; SJIS/BIG5/GBK... hide
//! quote and backslash bytes inside multibyte characters). Other settings are safe.
bool parsingSafeSetting(std::string_view name, const std::optional<std::string>& value);

}  // namespace warden::pg::sql
