// dialects/postgres/session/pg_catalog.h
//! The per-target catalog masking resolves result columns with: every user table, view,
//! materialized view and foreign table with its columns (by OID + attnum, and by name), and for
//! views the lineage of each column (the view's own definition analysed by Warden's parser).
//! Warden loads it over the session's backend connection (with its own credentials, as an
//! internal query the client never sees) when a session with column rules first needs it, and
//! again after any session forwarded DDL or after kMaxAge. Shared by the sessions of one worker
//! thread (no locks); an immutable snapshot once built.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warden/masking/plan.h"

namespace warden::dialect::postgres {

class PgCatalog final : public masking::RelationCatalog {
 public:
  struct RelationInfo {
    uint32_t oid = 0;
    std::string schema, name;
    bool view = false;
    std::vector<std::string> columns;    // by attnum - 1 ("" for gaps)
    std::vector<uint32_t> types;         // type OID per column
    std::string definition;              // views: pg_get_viewdef
    //! views: base sources per column (resolved lazily); `lineage_ok` false: unknown.
    std::vector<std::vector<sql::ColumnSource>> lineage;
    bool lineage_ok = false;
  };

  //! The internal query; its rows feed addRow() (8 text columns).
  static const char* query();
  //! One DataRow of query(): oid, nspname, relname, relkind, attnum, attname, atttypid, viewdef,
  //! typcategory.
  bool addRow(const std::vector<std::string_view>& fields, const std::vector<bool>& nulls);
  //! Builds the name index and the views' lineage (parses each definition once).
  void finish();

  const RelationInfo* byOid(uint32_t oid) const;
  //! A user-defined type of a table column whose category is string or enum (citext, enums,
  //! domains over text): its values are text in both wire formats.
  bool textLikeType(uint32_t type_oid) const;
  //! A table or view by name (`schema` empty: the first in any schema).
  const RelationInfo* relation(std::string_view schema, std::string_view name) const;
  size_t size() const { return relations_.size(); }

  masking::RelationCatalog::Relation find(std::string_view schema,
                                          std::string_view name) const override;
  bool viewSources(std::string_view schema, std::string_view name, std::string_view column,
                   std::vector<sql::ColumnSource>& out) const override;

  static constexpr size_t kMaxRows = 2'000'000;

 private:
  std::vector<RelationInfo> relations_;
  std::unordered_map<uint32_t, size_t> by_oid_;
  std::unordered_map<uint32_t, char> type_category_;  // user type OID → pg_type.typcategory
  std::unordered_map<std::string, std::vector<size_t>> by_name_;  // lower-case name
  size_t rows_ = 0;
};

using PgCatalogPtr = std::shared_ptr<const PgCatalog>;

//! The worker's catalogs by target (thread-local: one loop thread each).
class CatalogCache {
 public:
  static CatalogCache& forThisThread();
  //! The catalog of `target` when loaded and fresh (null otherwise).
  PgCatalogPtr fresh(const std::string& target) const;
  //! The newest catalog even when stale (null when never loaded).
  PgCatalogPtr any(const std::string& target) const;
  //! `generation`: generation() when the load was started (DDL after it leaves it stale).
  void store(const std::string& target, PgCatalogPtr catalog, uint64_t generation);
  static uint64_t generation() { return generation_.load(std::memory_order_relaxed); }
  //! Any session of any worker forwarded DDL: every catalog is stale.
  static void ddlSeen() { generation_.fetch_add(1, std::memory_order_relaxed); }
  static constexpr std::chrono::seconds kMaxAge{60};

 private:
  struct Entry {
    PgCatalogPtr catalog;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point loaded;
  };
  std::unordered_map<std::string, Entry> entries_;
  static std::atomic<uint64_t> generation_;
};

}  // namespace warden::dialect::postgres
