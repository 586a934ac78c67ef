// dialects/postgres/sql/visit_dcl.cc
//! DCL statements -> neutral Statement. GRANT / REVOKE: the objects privileges are granted on
//! with access ddl (ALL TABLES IN SCHEMA s: the schema), the grantee roles with access ddl (their
//! rights change), GRANTED BY with access read. Role membership: both role lists ddl.
//! CREATE / ALTER / DROP ROLE: the role ddl, roles it joins or that join it (IN ROLE, ROLE,
//! ADMIN, USER) ddl. SET ROLE / SET SESSION AUTHORIZATION: the role read, flag changes_session.
#include <string>

#include "visit_other.h"

namespace warden::pg::sql {

using ws::Access;
using ws::Kind;
using ws::ObjectType;

namespace {

void addPrivilegeTarget(ws::Statement& s, P::PrivilegeTargetContext* ctx) {
  if (auto* t = dynamic_cast<P::PtTableContext*>(ctx)) {
    for (auto* q : t->qualifiedNameList()->qualifiedName())
      addObject(s, objectFromName(q, ObjectType::Table, Access::Ddl));
  } else if (auto* q = dynamic_cast<P::PtSequenceContext*>(ctx)) {
    for (auto* n : q->qualifiedNameList()->qualifiedName())
      addObject(s, objectFromName(n, ObjectType::Sequence, Access::Ddl));
  } else if (auto* d = dynamic_cast<P::PtDatabaseContext*>(ctx)) {
    for (auto* n : d->nameList()->name())
      addObject(s, wordObject(n, ObjectType::Database, Access::Ddl));
  } else if (auto* sc = dynamic_cast<P::PtSchemaContext*>(ctx)) {
    for (auto* n : sc->nameList()->name())
      addObject(s, wordObject(n, ObjectType::Schema, Access::Ddl));
  } else if (auto* f = dynamic_cast<P::PtFunctionContext*>(ctx)) {
    for (auto* fn : f->funcWithArgs()) addFunction(s, fn, Access::Ddl);
  } else if (auto* ty = dynamic_cast<P::PtTypeContext*>(ctx)) {
    for (auto* n : ty->anyName()) addObject(s, anyNameObject(n, ObjectType::Type, Access::Ddl));
  } else if (auto* all = dynamic_cast<P::PtAllInSchemaContext*>(ctx)) {
    for (auto* n : all->nameList()->name())
      addObject(s, wordObject(n, ObjectType::Schema, Access::Ddl));
  } else if (auto* o = dynamic_cast<P::PtOtherContext*>(ctx)) {
    if (o->nameList() != nullptr)
      for (auto* n : o->nameList()->name())
        addObject(s, wordObject(n, ObjectType::Other, Access::Ddl));
  }
}

void buildRevoke(P::RevokeStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::Revoke);
  addPrivilegeTarget(out, ctx->privilegeTarget());
  addRoles(out, ctx->roleList(), Access::Ddl);
  addRole(out, ctx->roleSpec(), Access::Read);
}

void buildCreateRole(P::CreateRoleStmtContext* ctx, ws::Statement& out) {
  setKind(out, ctx->K_USER() != nullptr ? Kind::CreateUser : Kind::CreateRole);
  addRole(out, ctx->roleSpec(), Access::Ddl);
  for (auto* opt : ctx->roleOption()) addRoles(out, opt->roleList(), Access::Ddl);
}

void buildAlterRole(P::AlterRoleStmtContext* ctx, ws::Statement& out) {
  // ALTER GROUP g ADD USER ... alters a role (its USER keyword is the member list's).
  setKind(out, ctx->K_GROUP() == nullptr && ctx->K_USER() != nullptr ? Kind::AlterUser
                                                                      : Kind::AlterRole);
  for (auto* r : ctx->roleSpec()) addRole(out, r, Access::Ddl);  // the role, RENAME TO name
  for (auto* opt : ctx->roleOption()) addRoles(out, opt->roleList(), Access::Ddl);
  addRoles(out, ctx->roleList(), Access::Ddl);  // ALTER GROUP g ADD/DROP USER ...
  if (ctx->name() != nullptr) addObject(out, wordObject(ctx->name(), ObjectType::Database,
                                                        Access::Read));
}

void buildDefaultPrivileges(P::AlterDefaultPrivilegesStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::AlterDefaultPrivileges);
  for (auto* nl : ctx->nameList())
    for (auto* n : nl->name()) addObject(out, wordObject(n, ObjectType::Schema, Access::Ddl));
  auto lists = ctx->roleList();
  // FOR ROLE lists come first (read: whose future objects), the grantees last (ddl).
  for (size_t i = 0; i < lists.size(); ++i)
    addRoles(out, lists[i], i + 1 == lists.size() ? Access::Ddl : Access::Read);
}

}  // namespace

void buildGrant(P::GrantStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  (void)vc;
  setKind(out, Kind::Grant);
  addPrivilegeTarget(out, ctx->privilegeTarget());
  addRoles(out, ctx->roleList(), Access::Ddl);
  addRole(out, ctx->roleSpec(), Access::Read);
}

void buildDclStatement(P::DclStatementContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (auto* c = ctx->grantStmt()) {
    buildGrant(c, vc, out);
  } else if (auto* c = ctx->revokeStmt()) {
    buildRevoke(c, out);
  } else if (auto* c = ctx->grantRoleStmt()) {
    setKind(out, Kind::Grant);
    for (auto* l : c->roleList()) addRoles(out, l, Access::Ddl);
    addRole(out, c->roleSpec(), Access::Read);
  } else if (auto* c = ctx->revokeRoleStmt()) {
    setKind(out, Kind::Revoke);
    for (auto* l : c->roleList()) addRoles(out, l, Access::Ddl);
    addRole(out, c->roleSpec(), Access::Read);
  } else if (auto* c = ctx->createRoleStmt()) {
    buildCreateRole(c, out);
  } else if (auto* c = ctx->alterRoleStmt()) {
    buildAlterRole(c, out);
  } else if (auto* c = ctx->dropRoleStmt()) {
    setKind(out, c->K_USER() != nullptr ? Kind::DropUser : Kind::DropRole);
    addRoles(out, c->roleList(), Access::Ddl);
  } else if (auto* c = ctx->alterDefaultPrivilegesStmt()) {
    buildDefaultPrivileges(c, out);
  } else if (auto* c = ctx->setRoleStmt()) {
    setKind(out, Kind::SetRole);
    out.flags |= ws::kChangesSession;
    addRoleValue(out, c->nonReservedWord(), c->stringConst());
  } else if (auto* c = ctx->setSessionAuthStmt()) {
    setKind(out, Kind::SetSessionAuthorization);
    out.flags |= ws::kChangesSession;
    addRoleValue(out, c->nonReservedWord(), c->stringConst());
  } else if (auto* c = ctx->securityLabelStmt()) {
    setKind(out, Kind::Security);
    addObjectTarget(out, c->objectTarget(), Access::Ddl);
  } else {
    setKind(out, Kind::Other);
  }
}

}  // namespace warden::pg::sql
