// dialects/postgres/sql/visitor.cc
//! One `stmt` -> neutral Statement: dispatch on the statement category; the DML half lives in
//! visit_dml.cc, the others in visit_ddl.cc / visit_dcl.cc / visit_tcl.cc / visit_utility.cc.
#include "sql/visitor.h"

#include "sql/visit_context.h"

namespace warden::pg::sql {

void buildStatement(pggrammar::PostgresParser::StmtContext* ctx, std::string_view text,
                    warden::sql::Statement& out) {
  VisitContext vc;
  vc.text = text;
  try {
    if (ctx == nullptr) {
      out.kind = ws::Kind::Other;
    } else if (auto* dml = ctx->dmlStatement()) {
      buildPreparable(dml->preparableStmt(), vc, out);
    } else if (auto* ddl = ctx->ddlStatement()) {
      buildDdlStatement(ddl, vc, out);
    } else if (auto* dcl = ctx->dclStatement()) {
      buildDclStatement(dcl, vc, out);
    } else if (auto* tcl = ctx->tclStatement()) {
      buildTclStatement(tcl, vc, out);
    } else if (auto* util = ctx->utilityStatement()) {
      buildUtilityStatement(util, vc, out);
    } else {
      out.kind = ws::Kind::Other;
    }
  } catch (...) {
    // Fail closed: a statement the visitor could not finish is not understood.
    ws::Statement unparsed;
    unparsed.kind = ws::Kind::Unparsed;
    unparsed.category = ws::Category::Unknown;
    unparsed.error = "statement too complex to analyse";
    out = std::move(unparsed);
  }
}

}  // namespace warden::pg::sql
