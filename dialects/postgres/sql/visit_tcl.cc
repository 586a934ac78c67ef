// dialects/postgres/sql/visit_tcl.cc
//! Transaction control -> neutral Statement. No objects. SET TRANSACTION / SET CONSTRAINTS are
//! kind `set` (session); SET SESSION CHARACTERISTICS also raises changes_session (it outlives
//! the transaction).
#include "visit_other.h"

namespace warden::pg::sql {

using ws::Kind;

void buildTclStatement(P::TclStatementContext* ctx, VisitContext& vc, ws::Statement& out) {
  (void)vc;
  if (ctx->beginStmt() != nullptr) {
    setKind(out, Kind::Begin);
  } else if (ctx->commitStmt() != nullptr) {
    setKind(out, Kind::Commit);
  } else if (ctx->rollbackStmt() != nullptr || ctx->rollbackToStmt() != nullptr) {
    setKind(out, Kind::Rollback);
  } else if (ctx->savepointStmt() != nullptr) {
    setKind(out, Kind::Savepoint);
  } else if (ctx->releaseSavepointStmt() != nullptr) {
    setKind(out, Kind::ReleaseSavepoint);
  } else if (ctx->prepareTransactionStmt() != nullptr) {
    setKind(out, Kind::PrepareTransaction);
  } else if (ctx->commitPreparedStmt() != nullptr) {
    setKind(out, Kind::CommitPrepared);
  } else if (ctx->rollbackPreparedStmt() != nullptr) {
    setKind(out, Kind::RollbackPrepared);
  } else if (auto* c = ctx->setTransactionStmt()) {
    setKind(out, Kind::Set);
    if (c->K_CHARACTERISTICS() != nullptr) out.flags |= ws::kChangesSession;
  } else {
    setKind(out, Kind::Other);
  }
}

}  // namespace warden::pg::sql
