// dialects/postgres/sql/visit_ddl.cc
//! DDL statements -> neutral Statement. Objects: the object a statement creates / alters / drops
//! with access ddl (tables as Table, views and materialized views as View, ...); tables a
//! definition only reads (REFERENCES, LIKE, a view's query, subqueries in DEFAULT/CHECK/WHERE)
//! with access read; parents a table attaches to (INHERITS, PARTITION OF, ATTACH PARTITION)
//! with access ddl. TRUNCATE: tables with access write, category ddl. Also the shared helpers
//! of visit_other.h.
#include <algorithm>
#include <string>
#include <vector>

#include "visit_other.h"

namespace warden::pg::sql {

using ws::Access;
using ws::Kind;
using ws::ObjectType;

// ---- shared helpers ---------------------------------------------------------------------------

void setKind(ws::Statement& s, Kind kind) {
  s.kind = kind;
  s.category = ws::defaultCategory(kind);
}

std::string wordText(antlr4::ParserRuleContext* ctx) {
  if (ctx == nullptr) return {};
  return identifierText(ctx);
}

ws::ObjectRef wordObject(antlr4::ParserRuleContext* ctx, ObjectType type, Access access) {
  ws::ObjectRef ref;
  ref.name = wordText(ctx);
  ref.type = type;
  ref.access = access;
  return ref;
}

ws::ObjectRef anyNameObject(P::AnyNameContext* ctx, ObjectType type, Access access,
                            bool dropLast) {
  std::vector<std::string> parts;
  parts.push_back(wordText(ctx->colId()));
  for (auto* l : ctx->colLabel()) parts.push_back(wordText(l));
  if (dropLast && parts.size() > 1) parts.pop_back();
  ws::ObjectRef ref;
  ref.type = type;
  ref.access = access;
  ref.name = parts.back();
  if (parts.size() >= 2) ref.schema = parts[parts.size() - 2];
  if (parts.size() >= 3) ref.catalog = parts[parts.size() - 3];
  return ref;
}

void addRole(ws::Statement& s, P::RoleSpecContext* ctx, Access access) {
  if (ctx == nullptr) return;
  ws::ObjectRef ref;
  ref.type = ObjectType::Role;
  ref.access = access;
  if (ctx->nonReservedWord() != nullptr) {
    ref.name = wordText(ctx->nonReservedWord());
  } else if (ctx->K_CURRENT_USER() != nullptr) {
    ref.name = "current_user";
  } else if (ctx->K_SESSION_USER() != nullptr) {
    ref.name = "session_user";
  } else {
    ref.name = "current_role";
  }
  addObject(s, std::move(ref));
}

void addRoles(ws::Statement& s, P::RoleListContext* ctx, Access access) {
  if (ctx == nullptr) return;
  for (auto* r : ctx->roleSpec()) addRole(s, r, access);
}

void addFunction(ws::Statement& s, P::FuncWithArgsContext* ctx, Access access) {
  if (ctx == nullptr) return;
  addObject(s, objectFromName(ctx->qualifiedName(), ObjectType::Function, access));
}

void addObjectTarget(ws::Statement& s, P::ObjectTargetContext* ctx, Access access) {
  if (auto* t = dynamic_cast<P::OtTableContext*>(ctx)) {
    addObject(s, objectFromName(t->qualifiedName(), ObjectType::Table, access));
  } else if (auto* v = dynamic_cast<P::OtViewContext*>(ctx)) {
    addObject(s, objectFromName(v->qualifiedName(), ObjectType::View, access));
  } else if (auto* i = dynamic_cast<P::OtIndexContext*>(ctx)) {
    addObject(s, objectFromName(i->qualifiedName(), ObjectType::Index, access));
  } else if (auto* q = dynamic_cast<P::OtSequenceContext*>(ctx)) {
    addObject(s, objectFromName(q->qualifiedName(), ObjectType::Sequence, access));
  } else if (auto* c = dynamic_cast<P::OtColumnContext*>(ctx)) {
    addObject(s, anyNameObject(c->anyName(), ObjectType::Table, access, true));
  } else if (auto* sc = dynamic_cast<P::OtSchemaContext*>(ctx)) {
    addObject(s, wordObject(sc->name(), ObjectType::Schema, access));
  } else if (auto* d = dynamic_cast<P::OtDatabaseContext*>(ctx)) {
    addObject(s, wordObject(d->name(), ObjectType::Database, access));
  } else if (auto* r = dynamic_cast<P::OtRoleContext*>(ctx)) {
    addRole(s, r->roleSpec(), access);
  } else if (auto* f = dynamic_cast<P::OtFunctionContext*>(ctx)) {
    addFunction(s, f->funcWithArgs(), access);
  } else if (auto* o = dynamic_cast<P::OtOnTableContext*>(ctx)) {
    // CONSTRAINT c ON DOMAIN d names a type; the others a table.
    addObject(s, objectFromName(o->qualifiedName(),
                                o->K_DOMAIN() != nullptr ? ObjectType::Type : ObjectType::Table,
                                access));
  } else if (auto* other = dynamic_cast<P::OtOtherContext*>(ctx)) {
    if (other->anyName() != nullptr)
      addObject(s, anyNameObject(other->anyName(), ObjectType::Other, access));
  }
  // OtType: type names are not tracked as objects (their text is a typeName, not a name).
}

std::string stringValue(P::StringConstContext* ctx) {
  std::string text = ctx->getText();
  if (ctx->STRING() == nullptr || text.size() < 2) return text;
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] == '\'' && i + 2 < text.size() && text[i + 1] == '\'') ++i;
  }
  return out;
}

void addRoleValue(ws::Statement& s, P::NonReservedWordContext* word,
                  P::StringConstContext* str) {
  ws::ObjectRef ref;
  ref.type = ObjectType::Role;
  ref.access = Access::Read;
  if (word != nullptr) ref.name = wordText(word);
  else if (str != nullptr) ref.name = stringValue(str);
  if (ref.name.empty() || (word != nullptr && ref.name == "none")) return;  // SET ROLE NONE
  addObject(s, std::move(ref));
}

void mergeObjects(ws::Statement& into, const ws::Statement& from, const Access* access) {
  for (auto ref : from.objects) {
    if (access != nullptr) ref.access = *access;
    addObject(into, std::move(ref));
  }
}

namespace {

//! Objects read by the expressions, queries and REFERENCES clauses inside a definition
//! (DEFAULT, CHECK, generated columns, index WHERE, policy USING ...).
void collectInside(antlr4::tree::ParseTree* tree, VisitContext& vc, ws::Statement& out) {
  if (tree == nullptr) return;
  for (auto* child : tree->children) {
    auto* rule = nonEmptyRule(child);
    if (rule == nullptr) continue;
    switch (rule->getRuleIndex()) {
      case P::RuleExpr:
        collectExpr(static_cast<P::ExprContext*>(rule), vc, out);
        break;
      case P::RuleSelectStmt:
        collectSelect(static_cast<P::SelectStmtContext*>(rule), vc, out);
        break;
      case P::RuleReferencesClause:
        addObject(out, objectFromName(static_cast<P::ReferencesClauseContext*>(rule)->qualifiedName(),
                                      ObjectType::Table, Access::Read));
        break;
      default:
        collectInside(rule, vc, out);
    }
  }
}

void buildCreateTrigger(P::CreateTriggerStmtContext* ctx, VisitContext& vc, ws::Statement& out);

//! The schema an unqualified object created next to `table` lands in (indexes).
ws::ObjectRef besideTable(const ws::ObjectRef& table, antlr4::ParserRuleContext* name,
                          ObjectType type, Access access) {
  ws::ObjectRef ref = wordObject(name, type, access);
  ref.schema = table.schema;
  ref.catalog = table.catalog;
  return ref;
}

void buildCreateForeignTable(P::CreateForeignTableStmtContext* ctx, VisitContext& vc,
                             ws::Statement& out) {
  setKind(out, Kind::CreateTable);
  auto names = ctx->qualifiedName();
  addObject(out, objectFromName(names[0], ObjectType::Table, Access::Ddl));
  if (names.size() > 1) addObject(out, objectFromName(names[1], ObjectType::Table, Access::Ddl));
  if (auto* inh = ctx->inheritsClause())
    for (auto* q : inh->qualifiedNameList()->qualifiedName())
      addObject(out, objectFromName(q, ObjectType::Table, Access::Ddl));
  for (auto* el : ctx->tableElement()) {
    if (el->K_LIKE() != nullptr)
      addObject(out, objectFromName(el->qualifiedName(), ObjectType::Table, Access::Read));
    collectInside(el, vc, out);
  }
  for (auto* el : ctx->typedTableElement()) collectInside(el, vc, out);
}

void buildAlterTable(P::AlterTableStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::AlterTable);
  if (ctx->qualifiedName() == nullptr) return;  // ALTER TABLE ALL IN TABLESPACE ...
  ws::ObjectRef table = objectFromName(ctx->qualifiedName(), ObjectType::Table, Access::Ddl);
  addObject(out, table);
  auto* tail = ctx->alterTableTail();
  if (auto* rn = dynamic_cast<P::AtRenameTableContext*>(tail)) {
    setKind(out, Kind::RenameTable);
    addObject(out, besideTable(table, rn->name(), ObjectType::Table, Access::Ddl));
  } else if (auto* at = dynamic_cast<P::AtAttachPartitionContext*>(tail)) {
    addObject(out, objectFromName(at->qualifiedName(), ObjectType::Table, Access::Ddl));
  } else if (auto* dt = dynamic_cast<P::AtDetachPartitionContext*>(tail)) {
    addObject(out, objectFromName(dt->qualifiedName(), ObjectType::Table, Access::Ddl));
  } else if (auto* cmds = dynamic_cast<P::AtCommandsContext*>(tail)) {
    for (auto* cmd : cmds->alterTableCmd()) {
      // INHERIT parent / NO INHERIT parent changes the parent too.
      if (cmd->K_INHERIT() != nullptr && cmd->qualifiedName() != nullptr)
        addObject(out, objectFromName(cmd->qualifiedName(), ObjectType::Table, Access::Ddl));
      addRole(out, cmd->roleSpec(), Access::Read);
      collectInside(cmd, vc, out);
    }
  }
}

void buildCreateIndex(P::CreateIndexStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateIndex);
  ws::ObjectRef table = objectFromName(ctx->qualifiedName(), ObjectType::Table, Access::Ddl);
  auto names = ctx->name();
  // name() holds the index name (when written) and USING method / TABLESPACE names after ON.
  if (!names.empty() && names[0]->getStart()->getTokenIndex() <
                            ctx->K_ON()->getSymbol()->getTokenIndex())
    addObject(out, besideTable(table, names[0], ObjectType::Index, Access::Ddl));
  addObject(out, table);
  for (auto* el : ctx->indexElem()) collectInside(el, vc, out);
  if (ctx->expr() != nullptr) {
    collectExpr(ctx->expr(), vc, out);
  }
}

void buildAlterIndex(P::AlterIndexStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::AlterIndex);
  if (ctx->qualifiedName() == nullptr) return;  // ALTER INDEX ALL IN TABLESPACE ...
  ws::ObjectRef index = objectFromName(ctx->qualifiedName(), ObjectType::Index, Access::Ddl);
  addObject(out, index);
  auto* act = ctx->alterIndexAction();
  if (act->K_RENAME() != nullptr)
    addObject(out, besideTable(index, act->name(), ObjectType::Index, Access::Ddl));
  if (act->K_ATTACH() != nullptr)
    addObject(out, objectFromName(act->qualifiedName(), ObjectType::Index, Access::Ddl));
}

void buildCreateView(P::CreateViewStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateView);
  ws::ObjectRef view = objectFromName(ctx->qualifiedName(), ObjectType::View, Access::Ddl);
  addObject(out, view);
  collectSelect(ctx->selectStmt(), vc, out);
  if (ctx->K_RECURSIVE() != nullptr) {
    // The query names the view itself like a recursive CTE: not a table it reads.
    auto& objs = out.objects;
    objs.erase(std::remove_if(objs.begin(), objs.end(),
                              [&](const ws::ObjectRef& o) {
                                return o.type == ObjectType::Table && o.name == view.name &&
                                       o.catalog.empty() &&
                                       (o.schema.empty() || o.schema == view.schema);
                              }),
               objs.end());
  }
}

void buildAlterView(P::AlterViewStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::AlterView);
  ws::ObjectRef view = objectFromName(ctx->qualifiedName(), ObjectType::View, Access::Ddl);
  addObject(out, view);
  auto* act = ctx->alterViewAction();
  if (act->K_RENAME() != nullptr && act->name() != nullptr)
    addObject(out, besideTable(view, act->name(), ObjectType::View, Access::Ddl));
  addRole(out, act->roleSpec(), Access::Read);
  collectInside(act, vc, out);
}

void buildAlterMatView(P::AlterMatViewStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::AlterMaterializedView);
  if (ctx->qualifiedName() == nullptr) return;
  ws::ObjectRef view = objectFromName(ctx->qualifiedName(), ObjectType::View, Access::Ddl);
  addObject(out, view);
  auto* tail = ctx->alterTableTail();
  if (auto* rn = dynamic_cast<P::AtRenameTableContext*>(tail)) {
    addObject(out, besideTable(view, rn->name(), ObjectType::View, Access::Ddl));
  } else if (tail != nullptr) {
    collectInside(tail, vc, out);
  }
}

void buildCreateSchema(P::CreateSchemaStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateSchema);
  if (ctx->name() != nullptr) {
    addObject(out, wordObject(ctx->name(), ObjectType::Schema, Access::Ddl));
  } else if (ctx->roleSpec() != nullptr && ctx->roleSpec()->nonReservedWord() != nullptr) {
    // CREATE SCHEMA AUTHORIZATION bob creates schema bob.
    addObject(out, wordObject(ctx->roleSpec()->nonReservedWord(), ObjectType::Schema,
                              Access::Ddl));
  }
  addRole(out, ctx->roleSpec(), Access::Read);
  for (auto* el : ctx->schemaElement()) {
    ws::Statement sub;
    sub.range = out.range;
    if (el->createTableStmt() != nullptr) {
      buildCreateTable(el->createTableStmt(), vc, sub);
    } else if (el->grantStmt() != nullptr) {
      buildGrant(el->grantStmt(), vc, sub);
    } else if (el->createViewStmt() != nullptr) {
      buildCreateView(el->createViewStmt(), vc, sub);
    } else if (el->createIndexStmt() != nullptr) {
      buildCreateIndex(el->createIndexStmt(), vc, sub);
    } else if (el->createSequenceStmt() != nullptr) {
      setKind(sub, Kind::CreateSequence);
      addObject(sub, objectFromName(el->createSequenceStmt()->qualifiedName(),
                                    ObjectType::Sequence, Access::Ddl));
    } else if (el->createTriggerStmt() != nullptr) {
      buildCreateTrigger(el->createTriggerStmt(), vc, sub);
    }
    mergeObjects(out, sub);
    out.nested.push_back(std::move(sub));
  }
}

void buildAlterSchema(P::AlterSchemaStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::AlterSchema);
  for (auto* n : ctx->name()) addObject(out, wordObject(n, ObjectType::Schema, Access::Ddl));
  addRole(out, ctx->roleSpec(), Access::Read);
}

void buildAlterDatabase(P::AlterDatabaseStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::AlterDatabase);
  auto names = ctx->name();
  addObject(out, wordObject(names[0], ObjectType::Database, Access::Ddl));
  if (ctx->K_RENAME() != nullptr && names.size() > 1)
    addObject(out, wordObject(names[1], ObjectType::Database, Access::Ddl));
  addRole(out, ctx->roleSpec(), Access::Read);
}

void buildCreateFunction(P::CreateFunctionStmtContext* ctx, VisitContext& vc,
                         ws::Statement& out) {
  // A string body (AS '...' / $$...$$) is not analysed: it runs when the function is called.
  // A SQL-standard body (RETURN expr, BEGIN ATOMIC ... END) is bound at creation: the tables it
  // uses are listed with access read (whatever the body does to them happens on calls).
  // Either way the function is code that runs statements Warden does not see when it is called
  // (`SELECT f()`): creating one counts as dynamic SQL.
  setKind(out, Kind::CreateFunction);
  out.flags |= ws::kExecutesDynamicSql;
  addObject(out, objectFromName(ctx->qualifiedName(), ObjectType::Function, Access::Ddl));
  auto* body = ctx->routineBody();
  if (body == nullptr) return;
  ws::Statement sub;
  if (body->expr() != nullptr) collectExpr(body->expr(), vc, sub);
  for (auto* p : body->preparableStmt()) {
    ws::Statement one;
    buildPreparable(p, vc, one);
    mergeObjects(sub, one);
  }
  const Access read = Access::Read;
  mergeObjects(out, sub, &read);
}

void buildCreateOther(P::CreateOtherStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateOther);
  auto named = [&](antlr4::ParserRuleContext* n) {
    if (n != nullptr) addObject(out, wordObject(n, ObjectType::Other, Access::Ddl));
  };
  if (auto* c = dynamic_cast<P::CoCollationContext*>(ctx)) {
    addObject(out, anyNameObject(c->anyName()[0], ObjectType::Other, Access::Ddl));
  } else if (auto* c = dynamic_cast<P::CoServerContext*>(ctx)) {
    named(c->name()[0]);
  } else if (auto* c = dynamic_cast<P::CoPublicationContext*>(ctx)) {
    named(c->name());
    for (auto* po : c->publicationObject()) {
      if (po->qualifiedName() != nullptr)
        addObject(out, objectFromName(po->qualifiedName(), ObjectType::Table, Access::Read));
      collectInside(po, vc, out);
    }
  } else if (auto* c = dynamic_cast<P::CoSubscriptionContext*>(ctx)) {
    named(c->name());
  } else if (auto* c = dynamic_cast<P::CoStatisticsContext*>(ctx)) {
    if (c->anyName() != nullptr)
      addObject(out, anyNameObject(c->anyName(), ObjectType::Other, Access::Ddl));
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Table, Access::Read));
  } else if (auto* c = dynamic_cast<P::CoLanguageContext*>(ctx)) {
    named(c->name());
  } else if (auto* c = dynamic_cast<P::CoTextSearchContext*>(ctx)) {
    addObject(out, anyNameObject(c->anyName(), ObjectType::Other, Access::Ddl));
  } else if (auto* c = dynamic_cast<P::CoConversionContext*>(ctx)) {
    addObject(out, anyNameObject(c->anyName()[0], ObjectType::Other, Access::Ddl));
  } else if (auto* c = dynamic_cast<P::CoAccessMethodContext*>(ctx)) {
    named(c->name());
  } else if (auto* c = dynamic_cast<P::CoFdwContext*>(ctx)) {
    named(c->name());
  } else if (auto* c = dynamic_cast<P::CoUserMappingContext*>(ctx)) {
    addRole(out, c->roleSpec(), Access::Read);
  } else if (auto* c = dynamic_cast<P::CoImportSchemaContext*>(ctx)) {
    // IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO local: creates foreign tables in local.
    auto names = c->name();
    if (names.size() >= 3) addObject(out, wordObject(names[2], ObjectType::Schema, Access::Ddl));
  }
}

void buildAlterFunction(P::AlterFunctionStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::AlterFunction);
  ws::ObjectRef fn =
      objectFromName(ctx->funcWithArgs()->qualifiedName(), ObjectType::Function, Access::Ddl);
  addObject(out, fn);
  if (ctx->K_RENAME() != nullptr)
    addObject(out, besideTable(fn, ctx->name(), ObjectType::Function, Access::Ddl));
  addRole(out, ctx->roleSpec(), Access::Read);
}

void buildAlterSequence(P::AlterSequenceStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::AlterSequence);
  ws::ObjectRef seq = objectFromName(ctx->qualifiedName(), ObjectType::Sequence, Access::Ddl);
  addObject(out, seq);
  if (ctx->K_RENAME() != nullptr)
    addObject(out, besideTable(seq, ctx->name(), ObjectType::Sequence, Access::Ddl));
  addRole(out, ctx->roleSpec(), Access::Read);
}

void buildCreateTrigger(P::CreateTriggerStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateTrigger);
  auto names = ctx->qualifiedName();  // ON table, [FROM table], EXECUTE FUNCTION f
  addObject(out, objectFromName(names[0], ObjectType::Table, Access::Ddl));
  if (ctx->K_FROM() != nullptr && names.size() > 2)
    addObject(out, objectFromName(names[1], ObjectType::Table, Access::Read));
  addObject(out, objectFromName(names.back(), ObjectType::Function, Access::Read));
  if (ctx->expr() != nullptr) collectExpr(ctx->expr(), vc, out);
}

void buildCreateRule(P::CreateRuleStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  // The actions run later, on each matching statement, unseen by Warden then: they are nested
  // statements decided now (like a PREPARE body; their objects appear here as read), and the
  // rule counts as dynamic SQL.
  setKind(out, Kind::CreateRule);
  out.flags |= ws::kExecutesDynamicSql;
  addObject(out, objectFromName(ctx->qualifiedName(), ObjectType::Table, Access::Ddl));
  if (ctx->expr() != nullptr) collectExpr(ctx->expr(), vc, out);
  const Access read = Access::Read;
  for (auto* action : ctx->ruleAction()) {
    ws::Statement sub;
    sub.range = out.range;
    if (action->preparableStmt() != nullptr) {
      buildPreparable(action->preparableStmt(), vc, sub);
    } else {
      buildNotify(action->notifyStmt(), sub);
    }
    mergeObjects(out, sub, &read);
    out.nested.push_back(std::move(sub));
  }
}

void buildDrop(P::DropStmtContext* ctx, ws::Statement& out) {
  auto* kind = ctx->dropObjectKind();
  ObjectType type = ObjectType::Other;
  if (dynamic_cast<P::DkTableContext*>(kind) != nullptr) {
    setKind(out, Kind::DropTable);
    type = ObjectType::Table;
  } else if (dynamic_cast<P::DkViewContext*>(kind) != nullptr) {
    setKind(out, Kind::DropView);
    type = ObjectType::View;
  } else if (dynamic_cast<P::DkMatViewContext*>(kind) != nullptr) {
    setKind(out, Kind::DropMaterializedView);
    type = ObjectType::View;
  } else if (dynamic_cast<P::DkIndexContext*>(kind) != nullptr) {
    setKind(out, Kind::DropIndex);
    type = ObjectType::Index;
  } else if (dynamic_cast<P::DkSequenceContext*>(kind) != nullptr) {
    setKind(out, Kind::DropSequence);
    type = ObjectType::Sequence;
  } else if (dynamic_cast<P::DkSchemaContext*>(kind) != nullptr) {
    setKind(out, Kind::DropSchema);
    type = ObjectType::Schema;
  } else if (dynamic_cast<P::DkTypeContext*>(kind) != nullptr) {
    setKind(out, Kind::DropType);
    type = ObjectType::Type;
  } else if (dynamic_cast<P::DkDomainContext*>(kind) != nullptr) {
    setKind(out, Kind::DropDomain);
    type = ObjectType::Type;
  } else if (dynamic_cast<P::DkExtensionContext*>(kind) != nullptr) {
    setKind(out, Kind::DropExtension);
  } else if (dynamic_cast<P::DkTablespaceContext*>(kind) != nullptr) {
    setKind(out, Kind::DropTablespace);
  } else {
    auto* other = dynamic_cast<P::DkOtherContext*>(kind);
    bool event = other != nullptr && other->genericObjectKind() != nullptr &&
                 other->genericObjectKind()->K_EVENT() != nullptr;
    setKind(out, event ? Kind::DropTrigger : Kind::DropOther);
  }
  for (auto* n : ctx->anyName()) addObject(out, anyNameObject(n, type, Access::Ddl));
}

void buildDropOnTable(P::DropOnTableStmtContext* ctx, ws::Statement& out) {
  if (ctx->K_TRIGGER() != nullptr) setKind(out, Kind::DropTrigger);
  else if (ctx->K_POLICY() != nullptr) setKind(out, Kind::DropPolicy);
  else setKind(out, Kind::DropRule);
  addObject(out, objectFromName(ctx->qualifiedName(), ObjectType::Table, Access::Ddl));
}

void buildAlterGeneric(P::AlterGenericStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::AlterOther);
  for (auto* po : ctx->publicationObject()) {  // ALTER PUBLICATION p ADD|SET|DROP TABLE t
    if (po->qualifiedName() != nullptr)
      addObject(out, objectFromName(po->qualifiedName(), ObjectType::Table, Access::Read));
    collectInside(po, vc, out);
  }
  ws::ObjectRef obj = anyNameObject(ctx->anyName(), ObjectType::Other, Access::Ddl);
  addObject(out, obj);
  if (ctx->K_RENAME() != nullptr)
    addObject(out, besideTable(obj, ctx->name(), ObjectType::Other, Access::Ddl));
  addRole(out, ctx->roleSpec(), Access::Read);
}

}  // namespace

void buildCreateTable(P::CreateTableStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateTable);
  addObject(out, objectFromName(ctx->qualifiedName(), ObjectType::Table, Access::Ddl));
  auto* body = ctx->createTableBody();
  if (auto* reg = dynamic_cast<P::CtRegularContext*>(body)) {
    if (auto* inh = reg->inheritsClause())
      for (auto* q : inh->qualifiedNameList()->qualifiedName())
        addObject(out, objectFromName(q, ObjectType::Table, Access::Ddl));
    for (auto* el : reg->tableElement()) {
      if (el->K_LIKE() != nullptr)
        addObject(out, objectFromName(el->qualifiedName(), ObjectType::Table, Access::Read));
      collectInside(el, vc, out);
    }
  } else if (auto* typed = dynamic_cast<P::CtTypedContext*>(body)) {
    for (auto* el : typed->typedTableElement()) collectInside(el, vc, out);
  } else if (auto* part = dynamic_cast<P::CtPartitionContext*>(body)) {
    addObject(out, objectFromName(part->qualifiedName(), ObjectType::Table, Access::Ddl));
    for (auto* el : part->typedTableElement()) collectInside(el, vc, out);
  } else if (auto* as = dynamic_cast<P::CtAsContext*>(body)) {
    auto* q = as->ctasQuery();
    if (q->selectStmt() != nullptr) {
      collectSelect(q->selectStmt(), vc, out);
    } else {
      ws::Statement sub;
      sub.range = out.range;
      buildExecute(q->executeStmt(), vc, sub);
      // The nested EXECUTE carries executes_dynamic_sql itself; policy decides it by the body
      // it runs when that body is known, so the flag is not copied up here.
      out.flags |= sub.flags & ~ws::kExecutesDynamicSql;
      mergeObjects(out, sub);
      out.nested.push_back(std::move(sub));
    }
  }
}

void buildCreateMatView(P::CreateMatViewStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::CreateMaterializedView);
  addObject(out, objectFromName(ctx->qualifiedName(), ObjectType::View, Access::Ddl));
  collectSelect(ctx->selectStmt(), vc, out);
}

void buildDdlStatement(P::DdlStatementContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (auto* c = ctx->createTableStmt()) {
    buildCreateTable(c, vc, out);
  } else if (auto* c = ctx->createForeignTableStmt()) {
    buildCreateForeignTable(c, vc, out);
  } else if (auto* c = ctx->alterTableStmt()) {
    buildAlterTable(c, vc, out);
  } else if (auto* c = ctx->truncateStmt()) {
    setKind(out, Kind::Truncate);
    for (auto* t : c->truncateTarget())
      addObject(out, objectFromName(t->qualifiedName(), ObjectType::Table, Access::Write));
  } else if (auto* c = ctx->createIndexStmt()) {
    buildCreateIndex(c, vc, out);
  } else if (auto* c = ctx->alterIndexStmt()) {
    buildAlterIndex(c, out);
  } else if (auto* c = ctx->createViewStmt()) {
    buildCreateView(c, vc, out);
  } else if (auto* c = ctx->alterViewStmt()) {
    buildAlterView(c, vc, out);
  } else if (auto* c = ctx->createMatViewStmt()) {
    buildCreateMatView(c, vc, out);
  } else if (auto* c = ctx->alterMatViewStmt()) {
    buildAlterMatView(c, vc, out);
  } else if (auto* c = ctx->refreshMatViewStmt()) {
    setKind(out, Kind::RefreshMaterializedView);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::View, Access::Write));
  } else if (auto* c = ctx->createSchemaStmt()) {
    buildCreateSchema(c, vc, out);
  } else if (auto* c = ctx->alterSchemaStmt()) {
    buildAlterSchema(c, out);
  } else if (auto* c = ctx->createDatabaseStmt()) {
    setKind(out, Kind::CreateDatabase);
    addObject(out, wordObject(c->name(), ObjectType::Database, Access::Ddl));
  } else if (auto* c = ctx->alterDatabaseStmt()) {
    buildAlterDatabase(c, out);
  } else if (auto* c = ctx->dropDatabaseStmt()) {
    setKind(out, Kind::DropDatabase);
    addObject(out, wordObject(c->name(), ObjectType::Database, Access::Ddl));
  } else if (auto* c = ctx->createFunctionStmt()) {
    buildCreateFunction(c, vc, out);
  } else if (auto* c = ctx->createAggregateStmt()) {
    setKind(out, Kind::CreateFunction);
    addFunction(out, c->funcWithArgs(), Access::Ddl);
  } else if (auto* c = ctx->createOtherStmt()) {
    buildCreateOther(c, vc, out);
  } else if (auto* c = ctx->alterTriggerStmt()) {
    setKind(out, Kind::AlterOther);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Table, Access::Ddl));
  } else if (ctx->dropOtherStmt() != nullptr) {
    setKind(out, Kind::DropOther);
  } else if (auto* c = ctx->alterFunctionStmt()) {
    buildAlterFunction(c, out);
  } else if (auto* c = ctx->dropFunctionStmt()) {
    setKind(out, Kind::DropFunction);
    for (auto* f : c->funcWithArgs()) addFunction(out, f, Access::Ddl);
  } else if (auto* c = ctx->createSequenceStmt()) {
    setKind(out, Kind::CreateSequence);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Sequence, Access::Ddl));
  } else if (auto* c = ctx->alterSequenceStmt()) {
    buildAlterSequence(c, out);
  } else if (auto* c = ctx->createTriggerStmt()) {
    buildCreateTrigger(c, vc, out);
  } else if (auto* c = ctx->createEventTriggerStmt()) {
    setKind(out, Kind::CreateTrigger);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Function, Access::Read));
  } else if (auto* c = ctx->createExtensionStmt()) {
    setKind(out, Kind::CreateExtension);
    addObject(out, wordObject(c->name()[0], ObjectType::Other, Access::Ddl));
  } else if (auto* c = ctx->alterExtensionStmt()) {
    setKind(out, Kind::AlterExtension);
    addObject(out, wordObject(c->name()[0], ObjectType::Other, Access::Ddl));
    if (c->objectTarget() != nullptr) addObjectTarget(out, c->objectTarget(), Access::Ddl);
  } else if (auto* c = ctx->createTypeStmt()) {
    setKind(out, Kind::CreateType);
    addObject(out, anyNameObject(c->anyName(), ObjectType::Type, Access::Ddl));
  } else if (auto* c = ctx->alterTypeStmt()) {
    setKind(out, Kind::AlterType);
    addObject(out, anyNameObject(c->anyName(), ObjectType::Type, Access::Ddl));
    addRole(out, c->roleSpec(), Access::Read);
  } else if (auto* c = ctx->createDomainStmt()) {
    setKind(out, Kind::CreateDomain);
    addObject(out, anyNameObject(c->anyName(), ObjectType::Type, Access::Ddl));
    for (auto* dc : c->domainConstraint()) collectInside(dc, vc, out);
  } else if (auto* c = ctx->alterDomainStmt()) {
    setKind(out, Kind::AlterType);
    addObject(out, anyNameObject(c->anyName(), ObjectType::Type, Access::Ddl));
    addRole(out, c->roleSpec(), Access::Read);
    collectInside(c, vc, out);
  } else if (auto* c = ctx->createPolicyStmt()) {
    setKind(out, Kind::CreatePolicy);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Table, Access::Ddl));
    addRoles(out, c->roleList(), Access::Read);
    for (auto* e : c->expr()) collectExpr(e, vc, out);
  } else if (auto* c = ctx->alterPolicyStmt()) {
    setKind(out, Kind::AlterOther);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Table, Access::Ddl));
    addRoles(out, c->roleList(), Access::Read);
    for (auto* e : c->expr()) collectExpr(e, vc, out);
  } else if (auto* c = ctx->createRuleStmt()) {
    buildCreateRule(c, vc, out);
  } else if (auto* c = ctx->createTablespaceStmt()) {
    setKind(out, Kind::CreateTablespace);
    addObject(out, wordObject(c->name(), ObjectType::Other, Access::Ddl));
    addRole(out, c->roleSpec(), Access::Read);
  } else if (auto* c = ctx->alterGenericStmt()) {
    buildAlterGeneric(c, vc, out);
  } else if (auto* c = ctx->commentStmt()) {
    setKind(out, Kind::Comment);
    addObjectTarget(out, c->objectTarget(), Access::Ddl);
  } else if (auto* c = ctx->dropStmt()) {
    buildDrop(c, out);
  } else if (auto* c = ctx->dropOnTableStmt()) {
    buildDropOnTable(c, out);
  } else if (auto* c = ctx->dropOwnedStmt()) {
    setKind(out, Kind::DropOwned);
    addRoles(out, c->roleList(), Access::Ddl);
  } else if (auto* c = ctx->reassignOwnedStmt()) {
    setKind(out, Kind::ReassignOwned);
    addRoles(out, c->roleList(), Access::Ddl);
    addRole(out, c->roleSpec(), Access::Ddl);
  } else {
    setKind(out, Kind::Other);
  }
}

}  // namespace warden::pg::sql
