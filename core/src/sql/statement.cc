// core/src/sql/statement.cc
//! Names, default categories and the two renderings (explain JSON, test dump) of the neutral
//! statement model.
#include "warden/sql/statement.h"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace warden::sql {
namespace {

struct KindInfo {
  std::string_view name;
  Category category;
};

constexpr std::array<KindInfo, static_cast<size_t>(Kind::kCount_)> kKinds = {{
    {"select", Category::Read}, {"insert", Category::Write}, {"update", Category::Write},
    {"delete", Category::Write}, {"merge", Category::Write}, {"copy_from", Category::Write},
    {"copy_to", Category::Read}, {"call", Category::Write}, {"do", Category::Dynamic},
    {"execute", Category::Dynamic}, {"prepare", Category::Session},
    {"deallocate", Category::Session}, {"begin", Category::Tcl}, {"commit", Category::Tcl},
    {"rollback", Category::Tcl}, {"savepoint", Category::Tcl}, {"set", Category::Session},
    {"show", Category::Session}, {"use", Category::Session}, {"explain", Category::Read},
    {"lock", Category::Write}, {"vacuum", Category::Admin}, {"analyze", Category::Admin},
    {"load_data", Category::Write}, {"select_into_file", Category::Read},
    {"kill", Category::Admin}, {"shutdown", Category::Admin},
    {"create_table", Category::Ddl}, {"alter_table", Category::Ddl},
    {"drop_table", Category::Ddl}, {"truncate", Category::Ddl},
    {"rename_table", Category::Ddl}, {"create_index", Category::Ddl},
    {"drop_index", Category::Ddl}, {"create_view", Category::Ddl}, {"drop_view", Category::Ddl},
    {"drop_schema", Category::Ddl}, {"drop_database", Category::Ddl},
    {"create_database", Category::Ddl}, {"create_function", Category::Ddl},
    {"drop_function", Category::Ddl}, {"create_role", Category::Dcl},
    {"alter_role", Category::Dcl}, {"drop_role", Category::Dcl}, {"create_user", Category::Dcl},
    {"alter_user", Category::Dcl}, {"drop_user", Category::Dcl}, {"grant", Category::Dcl},
    {"revoke", Category::Dcl}, {"unparsed", Category::Unknown}, {"other", Category::Unknown},
    {"release_savepoint", Category::Tcl}, {"prepare_transaction", Category::Tcl},
    {"commit_prepared", Category::Tcl}, {"rollback_prepared", Category::Tcl},
    {"reset", Category::Session}, {"set_role", Category::Dcl},
    {"set_session_authorization", Category::Dcl}, {"discard", Category::Session},
    {"listen", Category::Session}, {"notify", Category::Session},
    {"unlisten", Category::Session}, {"checkpoint", Category::Admin},
    {"reindex", Category::Admin}, {"cluster", Category::Admin}, {"comment", Category::Ddl},
    {"create_schema", Category::Ddl}, {"alter_schema", Category::Ddl},
    {"alter_index", Category::Ddl}, {"alter_view", Category::Ddl},
    {"alter_database", Category::Ddl}, {"alter_function", Category::Ddl},
    {"create_sequence", Category::Ddl}, {"alter_sequence", Category::Ddl},
    {"drop_sequence", Category::Ddl}, {"create_materialized_view", Category::Ddl},
    {"alter_materialized_view", Category::Ddl}, {"drop_materialized_view", Category::Ddl},
    {"refresh_materialized_view", Category::Write}, {"create_trigger", Category::Ddl},
    {"drop_trigger", Category::Ddl}, {"create_extension", Category::Ddl},
    {"alter_extension", Category::Ddl}, {"drop_extension", Category::Ddl},
    {"create_type", Category::Ddl}, {"alter_type", Category::Ddl}, {"drop_type", Category::Ddl},
    {"create_domain", Category::Ddl}, {"drop_domain", Category::Ddl},
    {"create_policy", Category::Dcl}, {"drop_policy", Category::Dcl},
    {"create_rule", Category::Ddl}, {"drop_rule", Category::Ddl}, {"drop_owned", Category::Dcl},
    {"reassign_owned", Category::Dcl}, {"alter_default_privileges", Category::Dcl},
    {"alter_system", Category::Admin}, {"create_tablespace", Category::Admin},
    {"drop_tablespace", Category::Admin}, {"declare", Category::Read},
    {"fetch", Category::Read}, {"close", Category::Session}, {"move", Category::Read},
    {"values", Category::Read}, {"table", Category::Read}, {"drop_other", Category::Ddl},
    {"create_other", Category::Ddl}, {"alter_other", Category::Ddl},
    {"security", Category::Dcl},
}};

constexpr std::array<std::string_view, 9> kCategories = {
    "read", "write", "ddl", "dcl", "tcl", "session", "admin", "dynamic", "unknown"};

constexpr std::array<std::string_view, kFlagCount> kFlags = {
    "executes_dynamic_sql", "writes_file", "reads_file", "executes_program",
    "multi_statement", "calls_admin_function", "changes_session", "not_executed",
    "locking_read", "creates_object", "changes_parsing"};

void finishOne(Statement& s, bool& literal_dependent) {
  if (s.category == Category::Unknown && s.kind != Kind::Unparsed && s.kind != Kind::Other)
    s.category = defaultCategory(s.kind);
  for (auto& n : s.nested) finishOne(n, literal_dependent);
  for (const auto& n : s.nested) s.literal_dependent = s.literal_dependent || n.literal_dependent;
  literal_dependent = literal_dependent || s.literal_dependent;
}

size_t statementBytes(const Statement& s) {
  size_t n = sizeof(Statement) + s.normalized.size() + s.fingerprint.size() + s.error.size() +
             s.prepared_name.size();
  for (const auto& o : s.objects)
    n += sizeof(ObjectRef) + o.catalog.size() + o.schema.size() + o.name.size();
  for (const auto& c : s.projection) {
    n += sizeof(OutputColumn) + c.name.size();
    for (const auto& src : c.sources) n += sizeof(ColumnSource) + src.table.size() + src.column.size();
  }
  for (const auto& x : s.nested) n += statementBytes(x);
  return n;
}

bool showsWhere(const Statement& s) {
  return s.has_where || s.kind == Kind::Select || s.kind == Kind::Update ||
         s.kind == Kind::Delete || s.kind == Kind::Merge;
}

std::string_view whereName(const Statement& s) {
  if (!s.has_where) return "absent";
  return s.where_is_tautology ? "tautology" : "present";
}

nlohmann::json toJsonValue(const Statement& s) {
  using nlohmann::json;
  json j;
  j["kind"] = kindName(s.kind);
  j["category"] = categoryName(s.category);
  json tables = json::array();
  for (const auto& o : s.objects) {
    tables.push_back({{"name", o.qualified()}, {"type", objectTypeName(o.type)},
                      {"access", accessName(o.access)}});
  }
  j["tables"] = std::move(tables);
  j["has_where"] = s.has_where;
  j["where_is_tautology"] = s.where_is_tautology;
  if (s.limit) j["limit"] = *s.limit;
  json proj = json::array();
  for (const auto& c : s.projection) {
    json sources = json::array();
    for (const auto& src : c.sources) sources.push_back(src.table + "." + src.column);
    proj.push_back({{"name", c.name}, {"sources", std::move(sources)}, {"derived", c.derived},
                    {"star", c.star}});
  }
  j["projection"] = std::move(proj);
  json flags = json::array();
  for (uint32_t i = 0; i < kFlagCount; ++i)
    if (s.flags & (1u << i)) flags.push_back(kFlags[i]);
  j["flags"] = std::move(flags);
  if (!s.nested.empty()) {
    json nested = json::array();
    for (const auto& n : s.nested) nested.push_back(toJsonValue(n));
    j["nested"] = std::move(nested);
  }
  j["text"] = s.normalized;
  j["fingerprint"] = s.fingerprint;
  j["range"] = {s.range.begin, s.range.end};
  if (!s.error.empty()) j["error"] = s.error;
  if (!s.prepared_name.empty()) j["prepared_name"] = s.prepared_name;
  return j;
}

}  // namespace

std::string ObjectRef::qualified() const {
  std::string out;
  if (!catalog.empty()) out.append(catalog).push_back('.');
  if (!schema.empty()) out.append(schema).push_back('.');
  out.append(name);
  return out;
}

std::string_view kindName(Kind k) {
  auto i = static_cast<size_t>(k);
  return i < kKinds.size() ? kKinds[i].name : "other";
}

std::optional<Kind> kindFromName(std::string_view name) {
  for (size_t i = 0; i < kKinds.size(); ++i)
    if (kKinds[i].name == name) return static_cast<Kind>(i);
  return std::nullopt;
}

std::string_view categoryName(Category c) {
  auto i = static_cast<size_t>(c);
  return i < kCategories.size() ? kCategories[i] : "unknown";
}

std::optional<Category> categoryFromName(std::string_view name) {
  for (size_t i = 0; i < kCategories.size(); ++i)
    if (kCategories[i] == name) return static_cast<Category>(i);
  return std::nullopt;
}

Category defaultCategory(Kind k) {
  auto i = static_cast<size_t>(k);
  return i < kKinds.size() ? kKinds[i].category : Category::Unknown;
}

std::string_view accessName(Access a) {
  switch (a) {
    case Access::Read: return "read";
    case Access::Write: return "write";
    case Access::Ddl: return "ddl";
  }
  return "read";
}

std::string_view objectTypeName(ObjectType t) {
  switch (t) {
    case ObjectType::Table: return "table";
    case ObjectType::Index: return "index";
    case ObjectType::View: return "view";
    case ObjectType::Schema: return "schema";
    case ObjectType::Database: return "database";
    case ObjectType::Function: return "function";
    case ObjectType::Role: return "role";
    case ObjectType::Sequence: return "sequence";
    case ObjectType::Type: return "type";
    case ObjectType::Other: return "other";
  }
  return "other";
}

std::string_view flagName(Flag f) {
  for (uint32_t i = 0; i < kFlagCount; ++i)
    if (static_cast<uint32_t>(f) == (1u << i)) return kFlags[i];
  return "";
}

void finish(Analysis& analysis) {
  bool dependent = false;
  for (auto& s : analysis.statements) finishOne(s, dependent);
  if (analysis.statements.size() > 1)
    for (auto& s : analysis.statements) s.flags |= kMultiStatement;
  analysis.literal_dependent = dependent;
}

size_t Analysis::approxBytes() const {
  size_t n = sizeof(Analysis);
  for (const auto& s : statements) n += statementBytes(s);
  return n;
}

std::string toJson(const Statement& s) { return toJsonValue(s).dump(); }

std::string dump(const Statement& s, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  std::string out = pad;
  out.append(kindName(s.kind)).append(" ").append(categoryName(s.category));
  if (showsWhere(s)) out.append(" where=").append(whereName(s));
  if (s.limit) out.append(" limit=").append(std::to_string(*s.limit));
  if (!s.prepared_name.empty()) out.append(" name=").append(s.prepared_name);
  if (!s.cursor_name.empty()) out.append(" cursor=").append(s.cursor_name);
  if (!s.options.empty()) {
    out.append(" options=");
    for (size_t i = 0; i < s.options.size(); ++i)
      out.append(i == 0 ? "" : ",").append(s.options[i].first).append(":").append(s.options[i].second);
  }
  std::string flags;
  for (uint32_t i = 0; i < kFlagCount; ++i) {
    if ((s.flags & (1u << i)) == 0 || (1u << i) == kMultiStatement) continue;
    if (!flags.empty()) flags.push_back(',');
    flags.append(kFlags[i]);
  }
  if (!flags.empty()) out.append(" flags=").append(flags);
  out.push_back('\n');
  for (const auto& o : s.objects) {
    out.append(pad).append("  object ").append(o.qualified()).append(" ");
    out.append(objectTypeName(o.type)).append(" ").append(accessName(o.access)).push_back('\n');
  }
  for (const auto& c : s.projection) {
    out.append(pad).append("  column ").append(c.name.empty() ? "?" : c.name);
    if (c.derived) out.append(" derived");
    if (c.star) out.append(" star");
    out.append(" <-");
    for (size_t i = 0; i < c.sources.size(); ++i) {
      out.append(i == 0 ? " " : ", ").append(c.sources[i].table).append(".");
      out.append(c.sources[i].column);
    }
    out.push_back('\n');
  }
  if (!s.nested.empty()) {
    out.append(pad).append("  nested:\n");
    for (const auto& n : s.nested) out.append(dump(n, indent + 4));
  }
  return out;
}

std::string fingerprintHex(std::string_view normalized) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : normalized) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace warden::sql
