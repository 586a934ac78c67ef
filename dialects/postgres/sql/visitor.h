// dialects/postgres/sql/visitor.h
//! Parse tree (one `stmt` of PostgresParser.g4's `root`) -> neutral sql::Statement. The DML
//! half (visit_dml.cc, visit_expr.cc, visit_lineage.cc) and the DDL/DCL/TCL/utility half
//! (visit_ddl.cc, visit_dcl.cc, visit_tcl.cc, visit_utility.cc) meet through visit_context.h.
#pragma once

#include <string_view>

#include "PostgresParser.h"
#include "warden/sql/statement.h"

namespace warden::pg::sql {

//! Fills kind, category, objects, where/limit, projection, nested, flags of `out` for one
//! statement. `text` is the whole analysed text (ranges are offsets into it). Must not throw
//! for any tree the parser accepted; a construct it cannot classify gives Kind::Other.
void buildStatement(pggrammar::PostgresParser::StmtContext* ctx, std::string_view text,
                    warden::sql::Statement& out);

}  // namespace warden::pg::sql
