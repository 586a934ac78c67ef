// core/include/warden/masking/plan.h
//! Result masking plans. The core builds a SessionMasking once per session (the column rules
//! this identity is not exempt from on this target, the detectors enabled for its environment,
//! the hash key); the policy decision of every allowed statement carries it with the statement's
//! analysis (StatementMasking). When a result starts, the dialect describes its columns (origin
//! from the backend's own metadata where the protocol has it, type, format) and buildPlan()
//! decides per column: untouched, masked by a rule, masked inside a JSON document (whole-row
//! output), or scanned by the detectors. PlanMasker then masks values for the row rewriter.
//!
//! Lineage: a column whose origin the backend reports is decided by that origin (a view column
//! through the view's own lineage); other columns by the statement's projection lineage
//! (aliases, expressions, CTEs, subqueries, set operations, whole-row references). Where the
//! lineage cannot be mapped onto the result and the statement touches a table a rule could
//! match (or one the catalog does not know), columns without a known origin are masked
//! conservatively (fail closed).
//!
//! Part of warden_base (host and plugins); pure; a plan is used by one session on one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/masking/column_masker.h"
#include "warden/masking/detectors.h"
#include "warden/masking/value.h"
#include "warden/policy/decision.h"
#include "warden/sql/statement.h"

namespace warden::masking {

//! One `masking[].columns` entry: "schema.table.column", "table.column" (any schema) or
//! "column" (any table); each part a glob, matched case-insensitively.
struct ColumnPattern {
  std::string schema;  // "*" when not written
  std::string table;
  std::string column;
  static ColumnPattern parse(std::string_view text);
};

struct CompiledRule {
  std::string name;
  std::vector<ColumnPattern> patterns;
  Method method = Method::Redact;
  uint64_t max_rows = 0;  //!< results this rule masks are cut after this many rows (0: none)
};

//! What masking applies to one identity on one target. Immutable once built.
struct SessionMasking {
  std::vector<CompiledRule> rules;  // the rules this identity is not exempt from, config order
  DetectorSet detectors;            // empty: detectors off for this target's environment
  Method detector_method = Method::Redact;
  HashKey key;
  uint64_t max_rows = 0;  //!< the target's limit on every result (0: none)

  bool empty() const { return rules.empty() && detectors.empty() && max_rows == 0; }
  //! The first rule matching the column. `schema` empty: not known (any schema matches).
  const CompiledRule* match(std::string_view schema, std::string_view table,
                            std::string_view column) const;
  //! True when some rule could match a column of this relation (schema empty: any).
  bool tableMayMatch(std::string_view schema, std::string_view table) const;
};

//! Relations the dialect knows from the backend's catalog (tables and views by name).
class RelationCatalog {
 public:
  enum class Relation : uint8_t { Unknown, Table, View };
  virtual ~RelationCatalog() = default;
  //! `schema` empty: any schema (View wins over Table when both exist somewhere).
  virtual Relation find(std::string_view schema, std::string_view name) const = 0;
  //! Base-table sources of a view column ("*": of every column), through nested views. False
  //! when the view or its lineage is unknown (the caller masks conservatively).
  virtual bool viewSources(std::string_view schema, std::string_view name, std::string_view column,
                           std::vector<sql::ColumnSource>& out) const = 0;
};

//! One result column as the dialect sees it.
struct ResultColumn {
  enum class Origin : uint8_t {
    None,     //!< the backend reports no source column (expression, or no such metadata)
    Column,   //!< a base-table column: schema/table/column below
    View,     //!< a view column: schema/table = the view, column = its column name
    Unknown,  //!< a relation the catalog does not know (created since it was loaded)
  };
  std::string_view name;
  Origin origin = Origin::None;
  std::string_view schema, table, column;
  ValueType type = ValueType::Other;
  Format format = Format::Text;
};

struct ColumnAction {
  enum class Kind : uint8_t {
    None,    //!< passes untouched
    Mask,    //!< the whole value masked with `method`
    Json,    //!< a JSON document: members named like masked columns of `tables` masked
    Detect,  //!< text scanned by the detectors; findings masked
  };
  Kind kind = Kind::None;
  Method method = Method::Redact;
  bool detect = false;  //!< Json: also scan the other strings
  //! Json: the whole-row relations ("schema.table" or "table") whose masked columns are keys.
  std::vector<std::string> tables;
  uint64_t max_rows = 0;  //!< the deciding rule's max_rows
};

struct ResultPlan {
  std::vector<ColumnAction> columns;
  std::vector<ValueType> types;
  std::vector<Format> formats;
  std::vector<uint8_t> selected;  //!< columns[i].kind != None
  //! What was masked, for the audit trail ("public.users.email", "detector:email", ...).
  std::vector<std::string> masked;
  bool active = false;
  //! Rows after this many are dropped and the result ends with a notice (0: no limit): the
  //! smallest of the target's max_rows and those of the rules that masked a column here.
  uint64_t max_rows = 0;
};

//! `lineage`: the statement that produced this result (null: unknown). `catalog` may be null.
ResultPlan buildPlan(const SessionMasking& session, const sql::Statement* lineage,
                     std::span<const ResultColumn> columns, const RelationCatalog* catalog);

//! Masks values per a plan (the dialect's row rewriter calls it). Detector and JSON findings
//! are counted so the audit can list them.
class PlanMasker final : public ColumnMasker {
 public:
  PlanMasker(const SessionMasking& session, const ResultPlan& plan)
      : session_(session), plan_(plan) {}
  Outcome mask(size_t column, std::string_view value, std::string& out) override;
  //! Detectors that fired at least once (bit per Detector).
  uint32_t detectorsFired() const { return fired_; }

 private:
  const SessionMasking& session_;
  const ResultPlan& plan_;
  std::vector<Finding> findings_;
  uint32_t fired_ = 0;
};

//! Attached by the core to an allowed statement's Decision::transform when masking applies to
//! the session. `analysis` is the statement's (shared with the analysis cache).
struct StatementMasking final : policy::ResultTransform {
  std::shared_ptr<const SessionMasking> session;
  std::shared_ptr<const sql::Analysis> analysis;
  const StatementMasking* asMasking() const noexcept override { return this; }
};

//! Maps a statement's projection onto `n` result columns (sources per column; between the first
//! and the last `*` every column gets the union of those entries' sources). False when the
//! projection cannot describe `n` columns.
bool mapLineage(const sql::Statement& s, size_t n, std::vector<std::vector<sql::ColumnSource>>& out);

//! Columns the statement's lineage alone says are masked (for the statement's audit record,
//! written before any result exists): "public.users.email" style, sorted, unique.
std::vector<std::string> predictMasked(const SessionMasking& session, const sql::Analysis& a);

}  // namespace warden::masking
