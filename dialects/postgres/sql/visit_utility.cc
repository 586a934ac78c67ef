// dialects/postgres/sql/visit_utility.cc
//! Utility statements -> neutral Statement.
//!  - COPY t FROM: table write; FROM 'file' reads_file, FROM PROGRAM executes_program.
//!    COPY t TO / COPY (query) TO: table read; TO 'file' writes_file, TO PROGRAM
//!    executes_program. COPY (query): the query is a nested statement; when it modifies data
//!    (DELETE ... RETURNING, data-modifying CTE) the COPY takes its category, has_where and
//!    objects' access.
//!  - EXPLAIN: the target is always a nested statement. With ANALYZE (bare, or the option with
//!    no value or any value but false/off/0) the target runs: category, objects (with their
//!    access), has_where and flags of the target. Without ANALYZE: category read, objects as
//!    read, the nested statement flagged not_executed.
//!  - PREPARE: category session; the prepared statement is nested and its objects, flags and
//!    has_where are copied up so rules see what it would do.
//!  - DO / EXECUTE: dynamic, executes_dynamic_sql. CALL: the procedure as a function object
//!    with access write, category write.
//!  - SET / RESET: changes_session; SET role / RESET role -> set_role,
//!    session_authorization -> set_session_authorization (dcl).
//!  - VACUUM / CLUSTER / REINDEX / LOCK: tables write; ANALYZE: tables read.
//!  - LOAD: kind other, category admin, reads_file.
#include <algorithm>
#include <cctype>
#include <string>

#include "visit_internal.h"
#include "visit_other.h"

namespace warden::pg::sql {

using ws::Access;
using ws::Kind;
using ws::ObjectType;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string varNameText(P::VarNameContext* ctx) {
  std::string out;
  if (ctx == nullptr) return out;
  for (auto* part : ctx->colId()) {
    if (!out.empty()) out.push_back('.');
    out += wordText(part);
  }
  return out;
}

bool isDataModifying(const ws::Statement& s) {
  return s.category == ws::Category::Write;
}

void copyWhere(ws::Statement& into, const ws::Statement& from) {
  into.has_where = from.has_where;
  into.where_is_tautology = from.where_is_tautology;
  into.literal_dependent = into.literal_dependent || from.literal_dependent;
}

void addEndpointFlags(ws::Statement& out, P::CopyEndpointContext* ep, bool from) {
  if (ep->K_PROGRAM() != nullptr) {
    out.flags |= ws::kExecutesProgram;
  } else if (ep->stringConst() != nullptr) {
    out.flags |= from ? ws::kReadsFile : ws::kWritesFile;
  }
}

//! COPY options into Statement::options (names lower-case, string values unquoted). Values
//! come from literals: such an analysis is only reused for the same literals.
void addCopyOptions(P::CopyOptionsContext* o, P::CopyDelimitersContext* d, bool binary,
                    ws::Statement& out) {
  auto put = [&](std::string name, std::string value) {
    out.options.emplace_back(std::move(name), std::move(value));
  };
  auto str = [&](P::StringConstContext* s) {
    out.literal_dependent = true;
    std::string raw = s->getText();
    if (raw.size() >= 3 && (raw[0] == 'E' || raw[0] == 'e') && raw[1] == '\'' && raw.back() == '\'') {
      // E'...': the backslash escapes COPY options use (E'\t', E'\\', E'\'').
      std::string text;
      for (size_t i = 2; i + 1 < raw.size(); ++i) {
        char ch = raw[i];
        if (ch == '\\' && i + 2 < raw.size()) {
          char n = raw[++i];
          ch = n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n == 'b' ? '\b'
             : n == 'f' ? '\f' : n;
        } else if (ch == '\'' && i + 2 < raw.size() && raw[i + 1] == '\'') {
          ++i;
        }
        text.push_back(ch);
      }
      return text;
    }
    return std::string(stringValue(s));
  };
  if (binary) put("format", "binary");
  if (d != nullptr) put("delimiter", str(d->stringConst()));
  if (o == nullptr) return;
  for (auto* g : o->copyGenericOption()) {
    std::string name = lower(g->colLabel()->getText());
    std::string value = "true";
    if (auto* a = g->copyOptionArg()) {
      if (a->varValue().size() == 1 && a->varValue(0)->stringConst() != nullptr) {
        value = str(a->varValue(0)->stringConst());
      } else {
        value = lower(a->getText());
        out.literal_dependent = true;
      }
    }
    put(std::move(name), std::move(value));
  }
  for (auto* l : o->copyLegacyOption()) {
    if (l->K_BINARY() != nullptr) put("format", "binary");
    else if (l->K_CSV() != nullptr) put("format", "csv");
    else if (l->K_HEADER() != nullptr) put("header", "true");
    else if (l->K_DELIMITER() != nullptr) put("delimiter", str(l->stringConst()));
    else if (l->K_NULL() != nullptr) put("null", str(l->stringConst()));
    else if (l->K_FORCE() != nullptr) put("force_quote", "true");
    else if (l->K_QUOTE() != nullptr) put("quote", str(l->stringConst()));
    else if (l->K_ESCAPE() != nullptr) put("escape", str(l->stringConst()));
  }
}

void buildCopy(P::CopyStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (auto* c = dynamic_cast<P::CopyFromContext*>(ctx)) {
    setKind(out, Kind::CopyFrom);
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Table, Access::Write));
    addEndpointFlags(out, c->copyEndpoint(), true);
    if (c->expr() != nullptr) collectExpr(c->expr(), vc, out);
  } else if (auto* c = dynamic_cast<P::CopyToContext*>(ctx)) {
    setKind(out, Kind::CopyTo);
    ws::ObjectRef table = objectFromName(c->qualifiedName(), ObjectType::Table, Access::Read);
    // What the client receives: the listed columns, or every column of the table (masking).
    if (c->nameList() != nullptr) {
      for (auto* n : c->nameList()->name()) {
        ws::OutputColumn col;
        col.name = identifierText(n->colId());
        col.sources.push_back({table.qualified(), col.name});
        out.projection.push_back(std::move(col));
      }
    } else {
      ws::OutputColumn all;
      all.name = "*";
      all.star = true;
      all.sources.push_back({table.qualified(), "*"});
      out.projection.push_back(std::move(all));
    }
    addObject(out, std::move(table));
    addEndpointFlags(out, c->copyEndpoint(), false);
    addCopyOptions(c->copyOptions(), c->copyDelimiters(), c->K_BINARY() != nullptr, out);
  } else if (auto* c = dynamic_cast<P::CopyQueryToContext*>(ctx)) {
    setKind(out, Kind::CopyTo);
    addEndpointFlags(out, c->copyEndpoint(), false);
    addCopyOptions(c->copyOptions(), nullptr, false, out);
    ws::Statement sub;
    sub.range = out.range;
    buildPreparable(c->preparableStmt(), vc, sub);
    if (sub.category == ws::Category::Unknown) sub.category = ws::defaultCategory(sub.kind);
    if (isDataModifying(sub)) {
      out.category = sub.category;
      copyWhere(out, sub);
    }
    out.flags |= sub.flags & ~ws::kNotExecuted;
    mergeObjects(out, sub);
    out.nested.push_back(std::move(sub));
  } else {
    setKind(out, Kind::Other);
  }
}

//! ANALYZE given as an EXPLAIN option: on unless its value is false / off / 0.
bool optionOn(P::UtilityOptionArgContext* arg) {
  if (arg == nullptr) return true;
  auto* v = arg->varValue();
  if (v->K_FALSE() != nullptr) return false;
  std::string text = lower(v->getText());
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'')
    text = text.substr(1, text.size() - 2);
  return !(text == "false" || text == "off" || text == "0" || text == "no");
}

void buildExplainable(P::ExplainableStmtContext* ctx, VisitContext& vc, ws::Statement& sub) {
  if (ctx->preparableStmt() != nullptr) {
    buildPreparable(ctx->preparableStmt(), vc, sub);
  } else if (ctx->executeStmt() != nullptr) {
    buildExecute(ctx->executeStmt(), vc, sub);
  } else if (ctx->createTableStmt() != nullptr) {
    buildCreateTable(ctx->createTableStmt(), vc, sub);
  } else if (ctx->createMatViewStmt() != nullptr) {
    buildCreateMatView(ctx->createMatViewStmt(), vc, sub);
  } else if (ctx->declareCursorStmt() != nullptr) {
    buildDeclare(ctx->declareCursorStmt(), vc, sub);
  }
  if (sub.category == ws::Category::Unknown) sub.category = ws::defaultCategory(sub.kind);
}

void buildExplain(P::ExplainStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::Explain);
  bool analyze = ctx->analyzeKeyword() != nullptr;
  for (auto* opt : ctx->utilityOption()) {
    if (opt->analyzeKeyword() == nullptr) continue;
    analyze = optionOn(opt->utilityOptionArg());
    // ANALYZE 0 / ANALYZE 1, 'off' / 'on': the literal decides whether the target runs, so this
    // analysis is never reused for other literals.
    if (opt->utilityOptionArg() != nullptr) out.literal_dependent = true;
  }
  ws::Statement sub;
  sub.range = out.range;
  buildExplainable(ctx->explainableStmt(), vc, sub);
  if (analyze) {
    // EXPLAIN ANALYZE EXECUTE p: what runs is p's body, which policy looks up by name.
    out.category = sub.kind == Kind::Execute ? ws::Category::Session : sub.category;
    copyWhere(out, sub);
    // As for CREATE TABLE AS EXECUTE: a nested EXECUTE keeps executes_dynamic_sql to itself.
    out.flags |= sub.kind == Kind::Execute ? (sub.flags & ~ws::kExecutesDynamicSql) : sub.flags;
    mergeObjects(out, sub);
  } else {
    const Access read = Access::Read;
    sub.flags |= ws::kNotExecuted;
    mergeObjects(out, sub, &read);
    out.literal_dependent = out.literal_dependent || sub.literal_dependent;
  }
  out.nested.push_back(std::move(sub));
}

void buildPrepare(P::PrepareStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::Prepare);
  out.prepared_name = identifierText(ctx->colId());
  ws::Statement sub;
  sub.range = out.range;
  buildPreparable(ctx->preparableStmt(), vc, sub);
  if (sub.category == ws::Category::Unknown) sub.category = ws::defaultCategory(sub.kind);
  copyWhere(out, sub);
  out.flags |= sub.flags;
  mergeObjects(out, sub);
  out.nested.push_back(std::move(sub));
}

std::optional<std::string> varValueText(P::VarValueContext* v) {
  if (v->K_TRUE() != nullptr || v->K_ON() != nullptr) return std::string("on");
  if (v->K_FALSE() != nullptr) return std::string("off");
  if (v->stringConst() != nullptr) return detail::stringValue(v->stringConst());
  return v->getText();
}

void buildSet(P::SetStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::Set);
  out.flags |= ws::kChangesSession;
  if (auto* n = dynamic_cast<P::SetNamesContext*>(ctx->setRest())) {
    // SET NAMES 'x' is SET client_encoding = 'x'.
    if (n->stringConst() != nullptr) {
      out.literal_dependent = true;
      if (!parsingSafeSetting("client_encoding", detail::stringValue(n->stringConst())))
        out.flags |= ws::kChangesParsing;
    }
  }
  if (auto* c = dynamic_cast<P::SetVarFromCurrentContext*>(ctx->setRest())) {
    if (!parsingSafeSetting(varNameText(c->varName()), std::nullopt)) out.flags |= ws::kChangesParsing;
  }
  if (auto* v = dynamic_cast<P::SetVarContext*>(ctx->setRest())) {
    std::string name = varNameText(v->varName());
    if (v->K_DEFAULT() == nullptr) {  // DEFAULT: the session's own value, checked at login
      auto values = v->varValue();
      std::optional<std::string> value;
      if (values.size() == 1) value = varValueText(values[0]);
      if (!parsingSafeSetting(name, value)) out.flags |= ws::kChangesParsing;
      if (!parsingSafeSetting(name, std::nullopt)) out.literal_dependent = true;
    }
    if (name == "role" || name == "session_authorization") {
      setKind(out, name == "role" ? Kind::SetRole : Kind::SetSessionAuthorization);
      auto values = v->varValue();
      if (!values.empty()) addRoleValue(out, values[0]->nonReservedWord(), values[0]->stringConst());
    }
  }
}

void buildReset(P::ResetRestContext* ctx, ws::Statement& out) {
  setKind(out, Kind::Reset);
  out.flags |= ws::kChangesSession;
  std::string name = varNameText(ctx->varName());
  if (name == "role") setKind(out, Kind::SetRole);
  else if (name == "session_authorization" || ctx->K_AUTHORIZATION() != nullptr)
    setKind(out, Kind::SetSessionAuthorization);
}

void addRelations(ws::Statement& out, const std::vector<P::VacuumRelationContext*>& rels,
                  Access access) {
  for (auto* r : rels) addObject(out, objectFromName(r->qualifiedName(), ObjectType::Table, access));
}

void buildReindex(P::ReindexStmtContext* ctx, ws::Statement& out) {
  setKind(out, Kind::Reindex);
  auto* name = ctx->qualifiedName();
  if (name == nullptr) return;
  auto* t = ctx->reindexTarget();
  if (t->K_INDEX() != nullptr) {
    addObject(out, objectFromName(name, ObjectType::Index, Access::Write));
  } else if (t->K_TABLE() != nullptr) {
    addObject(out, objectFromName(name, ObjectType::Table, Access::Write));
  } else if (t->K_SCHEMA() != nullptr) {
    addObject(out, wordObject(name->colId(), ObjectType::Schema, Access::Write));
  } else {
    addObject(out, wordObject(name->colId(), ObjectType::Database, Access::Write));
  }
}

}  // namespace

bool parsingSafeSetting(std::string_view name, const std::optional<std::string>& value) {
  std::string n(name);
  for (auto& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
  const bool scs = n == "standard_conforming_strings";
  const bool enc = n == "client_encoding";
  if (!scs && !enc) return true;
  if (!value) return false;
  // Lower-case alphanumerics only, as the server compares encoding names.
  std::string v;
  for (char c : *value)
    if (std::isalnum(static_cast<unsigned char>(c))) v.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  if (scs) return v == "on" || v == "true" || v == "yes" || v == "1" || v == "t" || v == "y";
  // Encodings in which every byte below 0x80 is that ASCII character (quotes and backslashes
  // cannot hide inside a multibyte character). Bytes Warden cannot read as UTF-8 make a
  // statement unparsed. Anything not listed (SJIS, BIG5, GBK, UHC, GB18030, JOHAB, aliases,
  // names Warden does not know) counts as unsafe.
  static const char* const kSafePrefixes[] = {"utf8", "unicode", "sqlascii", "latin", "iso8859",
                                              "win125", "windows125", "win866", "win874",
                                              "koi8", "euc", "muleinternal", "alt", "cp866",
                                              "cp125", "tcvn", "abc", "vscii"};
  for (const char* p : kSafePrefixes)
    if (v.rfind(p, 0) == 0) return true;
  return false;
}

void buildExecute(P::ExecuteStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::Execute);
  out.flags |= ws::kExecutesDynamicSql;
  out.prepared_name = identifierText(ctx->colId());
  if (ctx->exprList() != nullptr)
    for (auto* e : ctx->exprList()->expr()) collectExpr(e, vc, out);
}

void buildDeclare(P::DeclareCursorStmtContext* ctx, VisitContext& vc, ws::Statement& out) {
  setKind(out, Kind::Declare);
  out.cursor_name = identifierText(ctx->colId());
  collectSelect(ctx->selectStmt(), vc, out);
  // The query FETCH returns rows of: masking follows its projection lineage.
  ws::Statement sub;
  sub.range = out.range;
  buildSelect(ctx->selectStmt(), vc, sub);
  if (sub.category == ws::Category::Unknown) sub.category = ws::defaultCategory(sub.kind);
  out.nested.push_back(std::move(sub));
}

void buildNotify(P::NotifyStmtContext* ctx, ws::Statement& out) {
  (void)ctx;
  setKind(out, Kind::Notify);
}

void buildUtilityStatement(P::UtilityStatementContext* ctx, VisitContext& vc,
                           ws::Statement& out) {
  if (auto* c = ctx->copyStmt()) {
    buildCopy(c, vc, out);
  } else if (auto* c = ctx->explainStmt()) {
    buildExplain(c, vc, out);
  } else if (ctx->doStmt() != nullptr) {
    setKind(out, Kind::Do);
    out.flags |= ws::kExecutesDynamicSql;
  } else if (auto* c = ctx->callStmt()) {
    setKind(out, Kind::Call);
    out.category = ws::Category::Write;
    addObject(out, objectFromName(c->qualifiedName(), ObjectType::Function, Access::Write));
    for (auto* a : c->callArg()) collectExpr(a->expr(), vc, out);
  } else if (auto* c = ctx->prepareStmt()) {
    buildPrepare(c, vc, out);
  } else if (auto* c = ctx->executeStmt()) {
    buildExecute(c, vc, out);
  } else if (auto* c = ctx->deallocateStmt()) {
    setKind(out, Kind::Deallocate);
    if (c->colId() != nullptr) out.prepared_name = identifierText(c->colId());
  } else if (auto* c = ctx->setStmt()) {
    buildSet(c, out);
  } else if (auto* c = ctx->resetStmt()) {
    buildReset(c->resetRest(), out);
  } else if (ctx->showStmt() != nullptr) {
    setKind(out, Kind::Show);
  } else if (auto* c = ctx->vacuumStmt()) {
    setKind(out, Kind::Vacuum);
    addRelations(out, c->vacuumRelation(), Access::Write);
  } else if (auto* c = ctx->analyzeStmt()) {
    setKind(out, Kind::Analyze);
    addRelations(out, c->vacuumRelation(), Access::Read);
  } else if (auto* c = ctx->lockStmt()) {
    setKind(out, Kind::Lock);
    for (auto* t : c->truncateTarget())
      addObject(out, objectFromName(t->qualifiedName(), ObjectType::Table, Access::Write));
  } else if (ctx->listenStmt() != nullptr) {
    setKind(out, Kind::Listen);
  } else if (auto* c = ctx->notifyStmt()) {
    buildNotify(c, out);
  } else if (ctx->unlistenStmt() != nullptr) {
    setKind(out, Kind::Unlisten);
  } else if (ctx->checkpointStmt() != nullptr) {
    setKind(out, Kind::Checkpoint);
  } else if (ctx->discardStmt() != nullptr) {
    setKind(out, Kind::Discard);
  } else if (ctx->loadStmt() != nullptr) {
    setKind(out, Kind::Other);
    out.category = ws::Category::Admin;
    out.flags |= ws::kReadsFile;
  } else if (ctx->alterSystemStmt() != nullptr) {
    setKind(out, Kind::AlterSystem);
  } else if (auto* c = ctx->reindexStmt()) {
    buildReindex(c, out);
  } else if (auto* c = ctx->clusterStmt()) {
    setKind(out, Kind::Cluster);
    if (c->qualifiedName() != nullptr)
      addObject(out, objectFromName(c->qualifiedName(), ObjectType::Table, Access::Write));
  } else if (auto* c = ctx->declareCursorStmt()) {
    buildDeclare(c, vc, out);
  } else if (auto* c = ctx->fetchStmt()) {
    setKind(out, c->K_MOVE() != nullptr ? Kind::Move : Kind::Fetch);
    out.cursor_name = identifierText(c->colId());
  } else if (auto* c = ctx->closeCursorStmt()) {
    setKind(out, Kind::Close);
    if (c->colId() != nullptr) out.cursor_name = identifierText(c->colId());
  } else {
    setKind(out, Kind::Other);
  }
}

}  // namespace warden::pg::sql
