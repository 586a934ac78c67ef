// dialects/postgres/sql/visit_other.h
//! Helpers shared by the DDL / DCL / TCL / utility half of the PostgreSQL visitor
//! (visit_ddl.cc, visit_dcl.cc, visit_tcl.cc, visit_utility.cc). Not part of the contract with
//! the DML half (that is visit_context.h).
#pragma once

#include <string>

#include "visit_context.h"

namespace warden::pg::sql {

// --- statement shape (visit_ddl.cc) --------------------------------------------------------
//! Sets kind and its default category.
void setKind(ws::Statement& s, ws::Kind kind);
//! Text of a one-word name rule (colId, name, nonReservedWord, colLabel ...), folded as
//! PostgreSQL does.
std::string wordText(antlr4::ParserRuleContext* ctx);
//! Object named by one word (schema, database, role, extension ...).
ws::ObjectRef wordObject(antlr4::ParserRuleContext* ctx, ws::ObjectType type, ws::Access access);
//! Object named by a dotted anyName (types, domains, collations ...): last part the name, the
//! one before the schema, the one before that the catalog. `dropLast` drops the final part
//! first (COMMENT ON COLUMN t.c names the table t).
ws::ObjectRef anyNameObject(P::AnyNameContext* ctx, ws::ObjectType type, ws::Access access,
                            bool dropLast = false);
void addRole(ws::Statement& s, P::RoleSpecContext* ctx, ws::Access access);
void addRoles(ws::Statement& s, P::RoleListContext* ctx, ws::Access access);
void addFunction(ws::Statement& s, P::FuncWithArgsContext* ctx, ws::Access access);
//! The object of COMMENT ON / SECURITY LABEL ON / ALTER EXTENSION ADD.
void addObjectTarget(ws::Statement& s, P::ObjectTargetContext* ctx, ws::Access access);
//! Value of a plain '...' literal ('' undone); other spellings as written.
std::string stringValue(P::StringConstContext* ctx);
//! The role named by SET ROLE / SET SESSION AUTHORIZATION's value (none for NONE / DEFAULT).
void addRoleValue(ws::Statement& s, P::NonReservedWordContext* word, P::StringConstContext* str);
//! Merges every object of `from` into `into`, with `access` when given, else their own.
void mergeObjects(ws::Statement& into, const ws::Statement& from,
                  const ws::Access* access = nullptr);

// --- statements built from other categories --------------------------------------------------
void buildCreateTable(P::CreateTableStmtContext* ctx, VisitContext& vc, ws::Statement& out);
void buildCreateMatView(P::CreateMatViewStmtContext* ctx, VisitContext& vc, ws::Statement& out);
void buildGrant(P::GrantStmtContext* ctx, VisitContext& vc, ws::Statement& out);  // visit_dcl.cc
void buildExecute(P::ExecuteStmtContext* ctx, VisitContext& vc,
                  ws::Statement& out);  // visit_utility.cc
void buildDeclare(P::DeclareCursorStmtContext* ctx, VisitContext& vc,
                  ws::Statement& out);  // visit_utility.cc
void buildNotify(P::NotifyStmtContext* ctx, ws::Statement& out);  // visit_utility.cc

}  // namespace warden::pg::sql
