// dialects/postgres/session/pg_catalog.cc
#include "session/pg_catalog.h"

#include <charconv>

#include "sql/analyzer.h"
#include "warden/base/ascii.h"

namespace warden::dialect::postgres {

std::atomic<uint64_t> CatalogCache::generation_{1};

namespace {

template <typename T>
bool parseInt(std::string_view s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool systemSchema(std::string_view schema) {
  return equalsIgnoreCase(schema, "pg_catalog") ||
         equalsIgnoreCase(schema, "information_schema");
}

//! The parser shared by this thread's catalogs (view definitions).
warden::sql::Analyzer& viewAnalyzer() {
  thread_local std::unique_ptr<warden::sql::Analyzer> a = pg::sql::makeAnalyzer();
  return *a;
}

}  // namespace

const char* PgCatalog::query() {
  return "/* warden: masking catalog */ SELECT c.oid, n.nspname, c.relname, c.relkind, a.attnum, "
         "a.attname, a.atttypid, CASE WHEN c.relkind IN ('v','m') AND a.attnum = 1 THEN "
         "pg_catalog.pg_get_viewdef(c.oid) END, t.typcategory FROM pg_catalog.pg_class c JOIN "
         "pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_attribute a ON "
         "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped JOIN pg_catalog.pg_type t "
         "ON t.oid = a.atttypid WHERE c.relkind IN "
         "('r','p','v','m','f') AND n.nspname <> 'information_schema' AND (n.nspname !~ '^pg_' OR n.nspname ~ '^pg_temp_') "
         "ORDER BY c.oid, a.attnum";
}

bool PgCatalog::addRow(const std::vector<std::string_view>& f, const std::vector<bool>& nulls) {
  if (f.size() != 9 || ++rows_ > kMaxRows) return false;
  for (int i = 0; i < 7; ++i)
    if (nulls[i]) return false;
  uint32_t oid = 0, type = 0;
  int32_t attnum = 0;
  if (!parseInt(f[0], oid) || !parseInt(f[4], attnum) || !parseInt(f[6], type)) return false;
  if (attnum <= 0 || attnum > 1664) return false;
  auto it = by_oid_.find(oid);
  if (it == by_oid_.end()) {
    RelationInfo r;
    r.oid = oid;
    r.schema.assign(f[1]);
    r.name.assign(f[2]);
    r.view = f[3] == "v" || f[3] == "m";
    it = by_oid_.emplace(oid, relations_.size()).first;
    relations_.push_back(std::move(r));
  }
  RelationInfo& r = relations_[it->second];
  if (r.columns.size() < size_t(attnum)) {
    r.columns.resize(size_t(attnum));
    r.types.resize(size_t(attnum));
  }
  r.columns[size_t(attnum - 1)].assign(f[5]);
  r.types[size_t(attnum - 1)] = type;
  if (!nulls[7] && r.view) r.definition.assign(f[7]);
  // User types (citext, enums, domains over text) are text on the wire in both formats.
  if (type >= 16384 && !nulls[8] && f[8].size() == 1) type_category_[type] = f[8][0];
  return true;
}

void PgCatalog::finish() {
  by_name_.clear();
  for (size_t i = 0; i < relations_.size(); ++i)
    by_name_[toLowerAscii(relations_[i].name)].push_back(i);
  auto& analyzer = viewAnalyzer();
  for (auto& r : relations_) {
    if (!r.view || r.definition.empty()) continue;
    warden::sql::Analysis a;
    analyzer.analyze(r.definition, a);
    r.lineage_ok = a.statements.size() == 1 && a.statements[0].kind != warden::sql::Kind::Unparsed &&
                   masking::mapLineage(a.statements[0], r.columns.size(), r.lineage);
    r.definition.clear();
    r.definition.shrink_to_fit();
  }
}

bool PgCatalog::textLikeType(uint32_t type_oid) const {
  auto it = type_category_.find(type_oid);
  return it != type_category_.end() && (it->second == 'S' || it->second == 'E');
}

const PgCatalog::RelationInfo* PgCatalog::byOid(uint32_t oid) const {
  auto it = by_oid_.find(oid);
  return it == by_oid_.end() ? nullptr : &relations_[it->second];
}

const PgCatalog::RelationInfo* PgCatalog::relation(std::string_view schema,
                                                    std::string_view name) const {
  auto it = by_name_.find(toLowerAscii(name));
  if (it == by_name_.end()) return nullptr;
  for (size_t i : it->second)
    if (schema.empty() || equalsIgnoreCase(schema, relations_[i].schema)) return &relations_[i];
  return nullptr;
}

masking::RelationCatalog::Relation PgCatalog::find(std::string_view schema,
                                                   std::string_view name) const {
  if (systemSchema(schema)) return Relation::Table;
  auto it = by_name_.find(toLowerAscii(name));
  if (it == by_name_.end()) {
    // pg_class, pg_stat_activity, ... : system relations are not user data.
    if (schema.empty() && name.size() > 3 && equalsIgnoreCase(name.substr(0, 3), "pg_")) return Relation::Table;
    return Relation::Unknown;
  }
  bool table = false;
  for (size_t i : it->second) {
    const auto& r = relations_[i];
    if (!schema.empty() && !equalsIgnoreCase(schema, r.schema)) continue;
    if (r.view) return Relation::View;
    table = true;
  }
  return table ? Relation::Table : Relation::Unknown;
}

bool PgCatalog::viewSources(std::string_view schema, std::string_view name, std::string_view column,
                            std::vector<sql::ColumnSource>& out) const {
  auto it = by_name_.find(toLowerAscii(name));
  if (it == by_name_.end()) return false;
  bool found = false;
  for (size_t i : it->second) {
    const auto& r = relations_[i];
    if (!r.view || (!schema.empty() && !equalsIgnoreCase(schema, r.schema))) continue;
    if (!r.lineage_ok) return false;
    for (size_t c = 0; c < r.columns.size() && c < r.lineage.size(); ++c) {
      if (column != "*" && !equalsIgnoreCase(column, r.columns[c])) continue;
      out.insert(out.end(), r.lineage[c].begin(), r.lineage[c].end());
      found = true;
    }
  }
  return found || column == "*";
}

CatalogCache& CatalogCache::forThisThread() {
  thread_local CatalogCache cache;
  return cache;
}

PgCatalogPtr CatalogCache::fresh(const std::string& target) const {
  auto it = entries_.find(target);
  if (it == entries_.end()) return nullptr;
  if (it->second.generation != generation_.load(std::memory_order_relaxed)) return nullptr;
  if (std::chrono::steady_clock::now() - it->second.loaded > kMaxAge) return nullptr;
  return it->second.catalog;
}

PgCatalogPtr CatalogCache::any(const std::string& target) const {
  auto it = entries_.find(target);
  return it == entries_.end() ? nullptr : it->second.catalog;
}

void CatalogCache::store(const std::string& target, PgCatalogPtr catalog, uint64_t generation) {
  Entry& e = entries_[target];
  e.catalog = std::move(catalog);
  e.generation = generation;
  e.loaded = std::chrono::steady_clock::now();
}

}  // namespace warden::dialect::postgres
