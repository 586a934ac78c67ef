// test/difftest/pg_parse_diff.cc
//! Differential test of Warden's PostgreSQL analysis against PostgreSQL's own parser
//! (libpg_query = PostgreSQL 15's raw parser, test-only: never linked into warden or a plugin).
//!
//! For each corpus statement (test/corpus/postgres/*.sql) both sides give
//!   - the statement kind, spelled as statement.h's kindName();
//!   - the set of referenced tables ("[catalog.]schema.name" as written, "name" when unqualified,
//!     names case-folded as PostgreSQL does).
//! Agreement = kind and table set equal. Every disagreement is printed; the last line is
//! `agreement=X% (n/N)`; the exit status is non-zero below the threshold (default 99.5 %).
//!
//! PostgreSQL side (the reference; decisions a visitor must match):
//!   - kind from the top raw parse node, see pgKind() below. Text decides what the raw tree
//!     cannot tell: ALTER/DROP USER vs ROLE, RESET vs SET, bare VALUES (`TABLE t` is a select).
//!     Data-modifying CTEs: the strongest write among the outer statement and its CTEs wins
//!     (delete > update > merge > insert): WITH d AS (DELETE ..) SELECT/INSERT .. is a delete.
//!     RESET ROLE / RESET SESSION AUTHORIZATION are set_role / set_session_authorization;
//!     aggregates are functions, event triggers are triggers, ALTER DOMAIN is alter_type.
//!   - tables: every RangeVar of the tree except
//!       * unqualified names of CTEs in scope (non-recursive WITH: a CTE body sees only earlier
//!         CTEs; the target of INSERT/UPDATE/DELETE/MERGE is always a real table),
//!       * relations named as a view, materialized view, sequence or index by the statement
//!         (CREATE VIEW v, ALTER INDEX i, CREATE SEQUENCE s, REFRESH MATERIALIZED VIEW m,
//!         CREATE MATERIALIZED VIEW m AS, GRANT .. ON SEQUENCE s, REINDEX INDEX i, ...);
//!       * RangeVars that are not relations: SET CONSTRAINTS names, FOR UPDATE OF aliases,
//!         CREATE TYPE t AS (...);
//!     plus name lists that are not RangeVars: DROP TABLE/FOREIGN TABLE names, the table of DROP
//!     TRIGGER/POLICY/RULE .. ON t, COMMENT ON / SECURITY LABEL ON TABLE t, COLUMN t.c,
//!     TRIGGER/CONSTRAINT/POLICY/RULE .. ON t; and the new name of ALTER TABLE t RENAME TO u
//!     (u in t's schema).
//!   Function bodies in strings (DO, CREATE FUNCTION AS $$..$$) are not parsed by either side.
//! Warden side: kindName() of the analysis's first statement; tables = objects of type
//! ObjectType::Table (ObjectRef::qualified()) of that statement and of its nested statements
//! (EXPLAIN target, data-modifying CTEs, PREPARE body ...).
//!
//! usage: pg_parse_diff [--threshold=99.5] [--validate] [--summary] [--quiet]
//!                      [--time-budget-ms=N] [--slow-ms=N] PATH...
//!   PATH: corpus .sql files or directories. --validate: PostgreSQL side only (every statement
//!   must be accepted by libpg_query; prints the kind distribution). --summary: disagreement
//!   classes by (pg kind -> warden kind, what differs). --quiet: no per-statement lines.
//!   --time-budget-ms: the analyzer's parse time budget (default: AnalyzerLimits' production
//!   default; a statement over it is `unparsed` and counts as a disagreement). --slow-ms: list
//!   statements whose analysis took longer than N ms.
#include <pg_query.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corpus.h"
#include "warden/sql/statement.h"

#ifndef PG_DIFF_PG_ONLY
#include "sql/analyzer.h"  // dialects/postgres/sql/analyzer.h: warden::pg::sql::makeAnalyzer
#include "warden/sql/analyzer.h"
#endif

namespace {

using Json = nlohmann::json;

// ------------------------------------------------------------------------------------------
// Text helpers: the first words of a statement (comments, whitespace and '(' skipped).
std::vector<std::string> firstWords(const std::string& s, size_t n) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size() && out.size() < n) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(') {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      int depth = 0;
      while (i < s.size()) {
        if (s.compare(i, 2, "/*") == 0) { ++depth; i += 2; }
        else if (s.compare(i, 2, "*/") == 0) { i += 2; if (--depth == 0) break; }
        else ++i;
      }
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string w;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
        w += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i++])));
      out.push_back(w);
    } else {
      break;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// PostgreSQL side.

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool boolean(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

//! "OBJECT_MATVIEW" -> the object part of a kind name ("materialized_view"), "" if none.
std::string objectSuffix(const std::string& objtype) {
  static const std::map<std::string, std::string> m = {
      {"OBJECT_TABLE", "table"},          {"OBJECT_FOREIGN_TABLE", "table"},
      {"OBJECT_INDEX", "index"},          {"OBJECT_VIEW", "view"},
      {"OBJECT_MATVIEW", "materialized_view"}, {"OBJECT_SCHEMA", "schema"},
      {"OBJECT_DATABASE", "database"},    {"OBJECT_FUNCTION", "function"},
      {"OBJECT_PROCEDURE", "function"},   {"OBJECT_ROUTINE", "function"},
      {"OBJECT_SEQUENCE", "sequence"},    {"OBJECT_TRIGGER", "trigger"},
      {"OBJECT_EXTENSION", "extension"},  {"OBJECT_TYPE", "type"},
      {"OBJECT_DOMAIN", "domain"},        {"OBJECT_POLICY", "policy"},
      {"OBJECT_RULE", "rule"},            {"OBJECT_ROLE", "role"},
      {"OBJECT_TABLESPACE", "tablespace"},
  };
  auto it = m.find(objtype);
  return it == m.end() ? std::string() : it->second;
}

//! verb + "_" + object when that is a known kind, else verb + "_other".
std::string verbKind(const std::string& verb, const std::string& objtype) {
  std::string suffix = objectSuffix(objtype);
  if (!suffix.empty()) {
    std::string k = verb + "_" + suffix;
    if (warden::sql::kindFromName(k)) return k;
  }
  return verb + "_other";
}

bool isRoleUser(const std::string& text, size_t wordIndex) {
  auto w = firstWords(text, wordIndex + 1);
  return w.size() > wordIndex && w[wordIndex] == "user";
}

const char* kDmlNodes[] = {"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"};

std::string dmlKind(const std::string& node) {
  if (node == "InsertStmt") return "insert";
  if (node == "UpdateStmt") return "update";
  if (node == "DeleteStmt") return "delete";
  if (node == "MergeStmt") return "merge";
  return {};
}

int writeRank(const std::string& kind) {
  if (kind == "delete") return 4;
  if (kind == "update") return 3;
  if (kind == "merge") return 2;
  if (kind == "insert") return 1;
  return 0;
}

std::string pgKind(const std::string& type, const Json& n, const std::string& text) {
  auto words = firstWords(text, 3);
  auto first = words.empty() ? std::string() : words[0];
  if (type == "SelectStmt" && n.contains("intoClause")) return "create_table";
  if (type == "SelectStmt" || !dmlKind(type).empty()) {
    std::string kind = type == "SelectStmt" ? "select" : dmlKind(type);
    if (type == "SelectStmt" && (str(n, "op") == "SETOP_NONE" || str(n, "op").empty()) &&
        n.contains("valuesLists") && first == "values")
      kind = "values";
    // The strongest write among the data-modifying CTEs wins: delete > update > merge > insert.
    if (n.contains("withClause")) {
      for (const auto& cte : n["withClause"].value("ctes", Json::array())) {
        const Json& q = cte["CommonTableExpr"]["ctequery"];
        for (const char* d : kDmlNodes)
          if (q.contains(d) && writeRank(dmlKind(d)) > writeRank(kind)) kind = dmlKind(d);
      }
    }
    return kind;
  }
  if (type == "CreateStmt" || type == "CreateForeignTableStmt") return "create_table";
  if (type == "CreateTableAsStmt")
    return str(n, "objtype") == "OBJECT_MATVIEW" ? "create_materialized_view" : "create_table";
  if (type == "DropStmt") {
    std::string t = str(n, "removeType");
    if (t == "OBJECT_AGGREGATE") return "drop_function";
    if (t == "OBJECT_EVENT_TRIGGER") return "drop_trigger";
    return verbKind("drop", t);
  }
  if (type == "TruncateStmt") return "truncate";
  if (type == "IndexStmt") return "create_index";
  if (type == "ViewStmt") return "create_view";
  if (type == "AlterTableStmt") return verbKind("alter", str(n, "objtype"));
  if (type == "AlterTableMoveAllStmt") return verbKind("alter", str(n, "objtype"));
  if (type == "RenameStmt") {
    std::string t = str(n, "renameType");
    if (t == "OBJECT_TABLE" || t == "OBJECT_FOREIGN_TABLE") return "rename_table";
    if (t == "OBJECT_COLUMN") return verbKind("alter", str(n, "relationType"));
    if (t == "OBJECT_TABCONSTRAINT") return "alter_table";
    if (t == "OBJECT_ROLE") return isRoleUser(text, 1) ? "alter_user" : "alter_role";
    return verbKind("alter", t);
  }
  if (type == "AlterObjectSchemaStmt" || type == "AlterOwnerStmt" ||
      type == "AlterObjectDependsStmt")
    return verbKind("alter", str(n, "objectType"));
  if (type == "CreateRoleStmt")
    return str(n, "stmt_type") == "ROLESTMT_USER" ? "create_user" : "create_role";
  if (type == "AlterRoleStmt" || type == "AlterRoleSetStmt")
    return isRoleUser(text, 1) ? "alter_user" : "alter_role";
  if (type == "DropRoleStmt") return isRoleUser(text, 1) ? "drop_user" : "drop_role";
  if (type == "GrantStmt" || type == "GrantRoleStmt")
    return boolean(n, "is_grant") ? "grant" : "revoke";
  if (type == "VariableSetStmt") {
    // RESET ROLE / RESET SESSION AUTHORIZATION change the acting role: set_role / set_...
    std::string name = str(n, "name");
    if (name == "role") return "set_role";
    if (name == "session_authorization") return "set_session_authorization";
    return first == "reset" ? "reset" : "set";
  }
  if (type == "ConstraintsSetStmt") return "set";
  if (type == "VariableShowStmt") return "show";
  if (type == "TransactionStmt") {
    std::string k = str(n, "kind");
    if (k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START") return "begin";
    if (k == "TRANS_STMT_COMMIT") return "commit";
    if (k == "TRANS_STMT_ROLLBACK" || k == "TRANS_STMT_ROLLBACK_TO") return "rollback";
    if (k == "TRANS_STMT_SAVEPOINT") return "savepoint";
    if (k == "TRANS_STMT_RELEASE") return "release_savepoint";
    if (k == "TRANS_STMT_PREPARE") return "prepare_transaction";
    if (k == "TRANS_STMT_COMMIT_PREPARED") return "commit_prepared";
    if (k == "TRANS_STMT_ROLLBACK_PREPARED") return "rollback_prepared";
    return "other";
  }
  if (type == "CopyStmt") return boolean(n, "is_from") ? "copy_from" : "copy_to";
  if (type == "ExplainStmt") return "explain";
  if (type == "DoStmt") return "do";
  if (type == "CallStmt") return "call";
  if (type == "PrepareStmt") return "prepare";
  if (type == "ExecuteStmt") return "execute";
  if (type == "DeallocateStmt") return "deallocate";
  if (type == "VacuumStmt") return boolean(n, "is_vacuumcmd") ? "vacuum" : "analyze";
  if (type == "LockStmt") return "lock";
  if (type == "ListenStmt") return "listen";
  if (type == "NotifyStmt") return "notify";
  if (type == "UnlistenStmt") return "unlisten";
  if (type == "CreatedbStmt") return "create_database";
  if (type == "DropdbStmt") return "drop_database";
  if (type == "AlterDatabaseStmt" || type == "AlterDatabaseSetStmt" ||
      type == "AlterDatabaseRefreshCollStmt")
    return "alter_database";
  if (type == "CreateSchemaStmt") return "create_schema";
  if (type == "CreateFunctionStmt") return "create_function";
  if (type == "AlterFunctionStmt") return "alter_function";
  if (type == "CreateSeqStmt") return "create_sequence";
  if (type == "AlterSeqStmt") return "alter_sequence";
  if (type == "RefreshMatViewStmt") return "refresh_materialized_view";
  if (type == "CreateTrigStmt") return "create_trigger";
  if (type == "CreateExtensionStmt") return "create_extension";
  if (type == "AlterExtensionStmt" || type == "AlterExtensionContentsStmt")
    return "alter_extension";
  if (type == "CompositeTypeStmt" || type == "CreateEnumStmt" || type == "CreateRangeStmt")
    return "create_type";
  if (type == "DefineStmt") {
    std::string k = str(n, "kind");
    if (k == "OBJECT_TYPE") return "create_type";
    if (k == "OBJECT_AGGREGATE") return "create_function";  // aggregates are functions (pg_proc)
    return "create_other";
  }
  if (type == "AlterEnumStmt" || type == "AlterTypeStmt") return "alter_type";
  if (type == "AlterDomainStmt") return "alter_type";  // a domain is a type; no alter_domain kind
  if (type == "CreateEventTrigStmt") return "create_trigger";
  if (type == "CreateDomainStmt") return "create_domain";
  if (type == "CreatePolicyStmt") return "create_policy";
  if (type == "RuleStmt") return "create_rule";
  if (type == "DropOwnedStmt") return "drop_owned";
  if (type == "ReassignOwnedStmt") return "reassign_owned";
  if (type == "AlterDefaultPrivilegesStmt") return "alter_default_privileges";
  if (type == "AlterSystemStmt") return "alter_system";
  if (type == "CreateTableSpaceStmt") return "create_tablespace";
  if (type == "DropTableSpaceStmt") return "drop_tablespace";
  if (type == "DeclareCursorStmt") return "declare";
  if (type == "FetchStmt") return boolean(n, "ismove") ? "move" : "fetch";
  if (type == "ClosePortalStmt") return "close";
  if (type == "CheckPointStmt") return "checkpoint";
  if (type == "DiscardStmt") return "discard";
  if (type == "ReindexStmt") return "reindex";
  if (type == "ClusterStmt") return "cluster";
  if (type == "CommentStmt") return "comment";
  if (type == "SecLabelStmt") return "security";
  if (type.rfind("Create", 0) == 0 || type == "ImportForeignSchemaStmt") return "create_other";
  if (type.rfind("Alter", 0) == 0) return "alter_other";
  if (type.rfind("Drop", 0) == 0) return "drop_other";
  return "other";
}

struct PgWalker {
  std::set<std::string> tables;

  static std::string qualified(const Json& rv) {
    std::string out;
    for (const char* k : {"catalogname", "schemaname"}) {
      std::string part = str(rv, k);
      if (!part.empty()) out += part + ".";
    }
    return out + str(rv, "relname");
  }

  static std::string joinNames(const Json& items, size_t drop_last) {
    std::string out;
    if (!items.is_array() || items.size() <= drop_last) return out;
    for (size_t i = 0; i + drop_last < items.size(); ++i) {
      std::string s = items[i].contains("String") ? str(items[i]["String"], "sval") : "?";
      out += (out.empty() ? "" : ".") + s;
    }
    return out;
  }

  //! A name list node: {"List":{"items":[...]}} or a bare array.
  static const Json* listItems(const Json& node) {
    if (node.is_object() && node.contains("List")) return &node["List"]["items"];
    if (node.is_array()) return &node;
    return nullptr;
  }

  void rangeVar(const Json& rv, const std::vector<std::string>& ctes, bool is_table,
                bool cte_visible = true) {
    if (!is_table) return;
    std::string name = qualified(rv);
    if (cte_visible && !rv.contains("schemaname") && !rv.contains("catalogname") &&
        std::find(ctes.begin(), ctes.end(), str(rv, "relname")) != ctes.end())
      return;
    tables.insert(name);
  }

  //! Whether the RangeVar in `field` of node `type` names a table (vs a view, index, ...).
  static bool fieldIsTable(const std::string& type, const Json& n, const std::string& field) {
    auto tableType = [](const std::string& t) {
      return t == "OBJECT_TABLE" || t == "OBJECT_FOREIGN_TABLE";
    };
    if (type == "ViewStmt" && field == "view") return false;
    if ((type == "CreateSeqStmt" || type == "AlterSeqStmt") && field == "sequence") return false;
    if (type == "CompositeTypeStmt" && field == "typevar") return false;  // CREATE TYPE t AS (..)
    if (type == "ConstraintsSetStmt") return false;                       // constraint names
    if (type == "LockingClause" && field == "lockedRels") return false;   // FOR UPDATE OF alias
    if (type == "RefreshMatViewStmt" && field == "relation") return false;
    if (type == "AlterTableStmt" && field == "relation") return tableType(str(n, "objtype"));
    if (type == "RenameStmt" && field == "relation") {
      std::string t = str(n, "renameType");
      if (t == "OBJECT_TABCONSTRAINT") return true;
      if (t == "OBJECT_COLUMN") return tableType(str(n, "relationType"));
      return tableType(t) || t == "OBJECT_TRIGGER" || t == "OBJECT_POLICY" || t == "OBJECT_RULE";
    }
    if ((type == "AlterObjectSchemaStmt" || type == "AlterOwnerStmt" ||
         type == "AlterObjectDependsStmt") && field == "relation")
      return tableType(str(n, "objectType"));
    if (type == "ReindexStmt" && field == "relation") return str(n, "kind") == "REINDEX_OBJECT_TABLE";
    if (type == "GrantStmt" && field == "objects") return str(n, "objtype") == "OBJECT_TABLE";
    return true;
  }

  // Typed (unwrapped) struct fields that hold something other than a RangeVar.
  static std::string typedField(const std::string& field) {
    if (field == "into") return "IntoClause";
    if (field == "withClause") return "WithClause";
    if (field == "base") return "CreateStmt";
    if (field == "onConflictClause") return "OnConflictClause";
    return {};
  }

  void walkValue(const Json& v, const std::string& parentType, const Json& parent,
                 const std::string& field, std::vector<std::string>& ctes, bool is_table,
                 bool matview_into, int depth) {
    if (depth > 2000) return;
    if (v.is_array()) {
      for (const auto& e : v) walkValue(e, parentType, parent, field, ctes, is_table, matview_into, depth + 1);
      return;
    }
    if (!v.is_object()) return;
    bool table = is_table && fieldIsTable(parentType, parent, field);
    if (v.contains("relname") && v["relname"].is_string()) {  // typed RangeVar field
      bool target = field == "relation" && dmlKind(parentType).size();
      rangeVar(v, ctes, table && !(parentType == "IntoClause" && matview_into), !target);
      return;
    }
    if (v.size() == 1 && v.begin().key().size() && std::isupper(static_cast<unsigned char>(v.begin().key()[0])) &&
        v.begin().value().is_object()) {
      const std::string& type = v.begin().key();
      const Json& n = v.begin().value();
      if (type == "RangeVar") {
        rangeVar(n, ctes, table);
        return;
      }
      walkNode(type, n, ctes, table, matview_into, depth + 1);
      return;
    }
    std::string t = typedField(field);
    if (!t.empty()) walkNode(t, v, ctes, is_table, matview_into, depth + 1);
    else walkNode(parentType + "." + field, v, ctes, is_table, matview_into, depth + 1);
  }

  void walkNode(const std::string& type, const Json& n, std::vector<std::string>& ctes,
                bool is_table, bool matview_into, int depth) {
    if (type == "CreateTableAsStmt") matview_into = str(n, "objtype") == "OBJECT_MATVIEW";
    // ALTER INDEX/VIEW/SEQUENCE/MATERIALIZED VIEW: nothing under it names a table.
    if (type == "AlterTableStmt" && str(n, "objtype") != "OBJECT_TABLE" &&
        str(n, "objtype") != "OBJECT_FOREIGN_TABLE")
      is_table = false;
    // Non-RangeVar name lists.
    if (type == "DropStmt") {
      std::string t = str(n, "removeType");
      size_t drop_last = (t == "OBJECT_TABLE" || t == "OBJECT_FOREIGN_TABLE") ? 0
                         : (t == "OBJECT_TRIGGER" || t == "OBJECT_POLICY" || t == "OBJECT_RULE") ? 1
                                                                                                : 99;
      if (drop_last != 99)
        for (const auto& o : n.value("objects", Json::array()))
          if (const Json* items = listItems(o)) {
            std::string name = joinNames(*items, drop_last);
            if (!name.empty()) tables.insert(name);
          }
      return;
    }
    if (type == "CommentStmt" || type == "SecLabelStmt") {
      // COMMENT ON / SECURITY LABEL ON TABLE t, COLUMN t.c, TRIGGER|CONSTRAINT|POLICY|RULE x ON t
      std::string t = str(n, "objtype");
      if (n.contains("object")) {
        const Json* items = listItems(n["object"]);
        if (items && (t == "OBJECT_TABLE" || t == "OBJECT_FOREIGN_TABLE"))
          tables.insert(joinNames(*items, 0));
        if (items && (t == "OBJECT_COLUMN" || t == "OBJECT_TRIGGER" || t == "OBJECT_TABCONSTRAINT" ||
                      t == "OBJECT_POLICY" || t == "OBJECT_RULE")) {
          std::string name = joinNames(*items, 1);
          if (!name.empty()) tables.insert(name);
        }
      }
      return;
    }
    // ALTER TABLE t RENAME TO u: the new name u (in t's schema) is a table of the statement too.
    if (type == "RenameStmt" && n.contains("relation") &&
        (str(n, "renameType") == "OBJECT_TABLE" || str(n, "renameType") == "OBJECT_FOREIGN_TABLE")) {
      Json renamed = n["relation"];
      renamed["relname"] = str(n, "newname");
      tables.insert(qualified(renamed));
    }
    // CTE scope.
    size_t saved = ctes.size();
    if (n.contains("withClause") && n["withClause"].contains("ctes")) {
      const Json& w = n["withClause"];
      bool recursive = boolean(w, "recursive");
      std::vector<std::string> names;
      for (const auto& c : w["ctes"]) names.push_back(str(c["CommonTableExpr"], "ctename"));
      for (size_t i = 0; i < w["ctes"].size(); ++i) {
        size_t base = ctes.size();
        for (size_t k = 0; k < (recursive ? names.size() : i); ++k) ctes.push_back(names[k]);
        walkValue(w["ctes"][i]["CommonTableExpr"]["ctequery"], "CommonTableExpr",
                  w["ctes"][i]["CommonTableExpr"], "ctequery", ctes, is_table, matview_into, depth + 1);
        ctes.resize(base);
      }
      for (const auto& nm : names) ctes.push_back(nm);
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it.key() == "withClause") continue;
      walkValue(it.value(), type, n, it.key(), ctes, is_table, matview_into, depth + 1);
    }
    ctes.resize(saved);
  }
};

struct Side {
  bool ok = false;
  std::string kind;
  std::set<std::string> tables;
  std::string error;
};

Side pgSide(const std::string& text) {
  Side s;
  PgQueryParseResult r = pg_query_parse(text.c_str());
  if (r.error) {
    s.error = r.error->message;
    pg_query_free_parse_result(r);
    return s;
  }
  Json tree = Json::parse(r.parse_tree, nullptr, false);
  pg_query_free_parse_result(r);
  if (tree.is_discarded() || !tree.contains("stmts") || tree["stmts"].empty()) {
    s.error = "empty parse";
    return s;
  }
  const Json& stmt = tree["stmts"][0]["stmt"];
  const std::string& type = stmt.begin().key();
  s.kind = pgKind(type, stmt.begin().value(), text);
  PgWalker w;
  std::vector<std::string> ctes;
  w.walkNode(type, stmt.begin().value(), ctes, true, false, 0);
  s.tables = std::move(w.tables);
  s.ok = true;
  if (tree["stmts"].size() > 1) s.error = "more than one statement";
  return s;
}

#ifndef PG_DIFF_PG_ONLY
void collectTables(const warden::sql::Statement& st, std::set<std::string>& out) {
  for (const auto& o : st.objects)
    if (o.type == warden::sql::ObjectType::Table) out.insert(o.qualified());
  for (const auto& n : st.nested) collectTables(n, out);
}

Side wardenSide(warden::sql::Analyzer& a, const std::string& text, double& ms) {
  Side s;
  warden::sql::Analysis an;
  auto t0 = std::chrono::steady_clock::now();
  a.analyze(text, an);
  ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (an.statements.empty()) {
    s.kind = "(none)";
    return s;
  }
  const auto& st = an.statements[0];
  s.kind = std::string(warden::sql::kindName(st.kind));
  s.error = st.error;
  collectTables(st, s.tables);
  s.ok = true;
  return s;
}
#endif

std::string setText(const std::set<std::string>& s) {
  std::string out = "{";
  for (const auto& t : s) out += (out.size() > 1 ? ", " : "") + t;
  return out + "}";
}

std::string oneLine(const std::string& text, size_t max) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') { space = true; continue; }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > max) out = out.substr(0, max) + " ...";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  double threshold = 99.5;
  bool validate = false, summary = false, quiet = false;
  long budget_ms = -1;
  double slow_ms = -1;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--threshold=", 0) == 0) threshold = std::atof(a.c_str() + 12);
    else if (a == "--validate") validate = true;
    else if (a.rfind("--time-budget-ms=", 0) == 0) budget_ms = std::atol(a.c_str() + 17);
    else if (a.rfind("--slow-ms=", 0) == 0) slow_ms = std::atof(a.c_str() + 10);
    else if (a == "--summary") summary = true;
    else if (a == "--quiet") quiet = true;
    else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "usage: pg_parse_diff [--threshold=P] [--validate] [--summary] [--quiet] [--time-budget-ms=N] [--slow-ms=N] PATH...\n");
      return 2;
    } else paths.push_back(a);
  }
#ifdef PG_DIFF_PG_ONLY
  validate = true;
#endif
  if (paths.empty()) {
    std::fprintf(stderr, "pg_parse_diff: no corpus path given\n");
    return 2;
  }
  auto corpus = warden::corpus::load(paths);
  if (corpus.empty()) {
    std::fprintf(stderr, "pg_parse_diff: empty corpus\n");
    return 2;
  }

  if (validate) {
    std::map<std::string, int> kinds, perFile;
    int bad = 0;
    for (const auto& e : corpus) {
      Side pg = pgSide(e.text);
      ++perFile[e.file];
      if (!pg.ok || !pg.error.empty()) {
        ++bad;
        std::printf("REJECTED %s#%d (line %d): %s\n  %s\n", e.file.c_str(), e.index, e.line,
                    pg.error.c_str(), oneLine(e.text, 300).c_str());
        continue;
      }
      ++kinds[pg.kind];
      if (!quiet)
        std::printf("%s#%d %s %s\n", e.file.c_str(), e.index, pg.kind.c_str(), setText(pg.tables).c_str());
    }
    for (const auto& [f, c] : perFile) std::printf("file %s: %d statements\n", f.c_str(), c);
    for (const auto& [k, c] : kinds) std::printf("kind %-28s %d\n", k.c_str(), c);
    std::printf("statements=%zu rejected=%d kinds=%zu\n", corpus.size(), bad, kinds.size());
    return bad == 0 ? 0 : 1;
  }

#ifndef PG_DIFF_PG_ONLY
  warden::sql::AnalyzerLimits limits;
  if (budget_ms >= 0) limits.time_budget = std::chrono::milliseconds(budget_ms);
  auto analyzer = warden::pg::sql::makeAnalyzer(limits);
  analyzer->warm();
  std::vector<std::pair<double, std::string>> slow;
  size_t agree = 0, rejected = 0;
  std::map<std::string, int> classes;
  std::map<std::string, std::pair<int, int>> perKind;  // pg kind -> (agree, total)
  for (const auto& e : corpus) {
    Side pg = pgSide(e.text);
    if (!pg.ok) {
      ++rejected;
      std::printf("REJECTED-BY-PG %s#%d (line %d): %s\n", e.file.c_str(), e.index, e.line, pg.error.c_str());
      continue;
    }
    double ms = 0;
    Side wd = wardenSide(*analyzer, e.text, ms);
    if (slow_ms >= 0 && ms > slow_ms)
      slow.push_back({ms, e.file + "#" + std::to_string(e.index) + " (line " + std::to_string(e.line) + ")"});
    bool kindOk = pg.kind == wd.kind;
    bool tablesOk = pg.tables == wd.tables;
    auto& pk = perKind[pg.kind];
    ++pk.second;
    if (kindOk && tablesOk) {
      ++agree;
      ++pk.first;
      continue;
    }
    std::string cls;
    if (!kindOk) cls = "kind " + pg.kind + " -> " + wd.kind;
    else {
      std::set<std::string> missing, extra;
      std::set_difference(pg.tables.begin(), pg.tables.end(), wd.tables.begin(), wd.tables.end(),
                          std::inserter(missing, missing.end()));
      std::set_difference(wd.tables.begin(), wd.tables.end(), pg.tables.begin(), pg.tables.end(),
                          std::inserter(extra, extra.end()));
      cls = "tables of " + pg.kind + (missing.empty() ? "" : " missing") + (extra.empty() ? "" : " extra");
    }
    ++classes[cls];
    if (!quiet) {
      std::printf("DISAGREE %s#%d (line %d) [%s]\n  sql:     %s\n  pg:      %s %s\n  warden:  %s %s%s%s\n",
                  e.file.c_str(), e.index, e.line, cls.c_str(), oneLine(e.text, 400).c_str(),
                  pg.kind.c_str(), setText(pg.tables).c_str(), wd.kind.c_str(),
                  setText(wd.tables).c_str(), wd.error.empty() ? "" : "  error: ",
                  oneLine(wd.error, 200).c_str());
    }
  }
  size_t n = corpus.size() - rejected;
  if (summary || !quiet) {
    std::vector<std::pair<int, std::string>> sorted;
    for (const auto& [c, k] : classes) sorted.push_back({k, c});
    std::sort(sorted.rbegin(), sorted.rend());
    std::printf("disagreement classes:\n");
    for (const auto& [k, c] : sorted) std::printf("  %5d  %s\n", k, c.c_str());
    if (summary) {
      std::printf("per pg kind (agree/total):\n");
      for (const auto& [k, p] : perKind)
        if (p.first != p.second) std::printf("  %-28s %d/%d\n", k.c_str(), p.first, p.second);
    }
  }
  if (slow_ms >= 0) {
    std::sort(slow.rbegin(), slow.rend());
    std::printf("statements analysed in more than %.1f ms: %zu\n", slow_ms, slow.size());
    for (const auto& [ms, where] : slow) std::printf("  %9.1f ms  %s\n", ms, where.c_str());
  }
  uint64_t parsed = 0, ll = 0;
  analyzer->stats(parsed, ll);
  std::printf("statements=%zu rejected_by_pg=%zu parsed=%llu ll_fallbacks=%llu\n", corpus.size(),
              rejected, static_cast<unsigned long long>(parsed), static_cast<unsigned long long>(ll));
  double pct = n ? 100.0 * static_cast<double>(agree) / static_cast<double>(n) : 0.0;
  std::printf("agreement=%.2f%% (%zu/%zu)\n", pct, agree, n);
  return (pct >= threshold && rejected == 0) ? 0 : 1;
#else
  return 0;
#endif
}
