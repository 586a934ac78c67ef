// core/include/warden/sql/statement.h
//! The dialect-neutral statement model. Every dialect's SQL visitor turns its parse tree into
//! these values; parse trees never leave the dialect. Policy, masking and audit read only this.
//! Kind and category names are the SPEC.md contract (`statements:` in rules, `warden explain`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::sql {

enum class Category : uint8_t { Read, Write, Ddl, Dcl, Tcl, Session, Admin, Dynamic, Unknown };

//! Statement kinds. The first block is SPEC.md's list; later entries extend it (SPEC allows
//! more kinds). Names are the lower-case spellings returned by kindName().
enum class Kind : uint8_t {
  // DML / TCL / utility (SPEC)
  Select, Insert, Update, Delete, Merge, CopyFrom, CopyTo, Call, Do, Execute, Prepare, Deallocate,
  Begin, Commit, Rollback, Savepoint, Set, Show, Use, Explain, Lock, Vacuum, Analyze, LoadData,
  SelectIntoFile, Kill, Shutdown,
  // DDL / DCL (SPEC)
  CreateTable, AlterTable, DropTable, Truncate, RenameTable, CreateIndex, DropIndex, CreateView,
  DropView, DropSchema, DropDatabase, CreateDatabase, CreateFunction, DropFunction, CreateRole,
  AlterRole, DropRole, CreateUser, AlterUser, DropUser, Grant, Revoke,
  Unparsed, Other,
  // Extensions (beyond SPEC's list)
  ReleaseSavepoint, PrepareTransaction, CommitPrepared, RollbackPrepared, Reset, SetRole,
  SetSessionAuthorization, Discard, Listen, Notify, Unlisten, Checkpoint, Reindex, Cluster,
  Comment, CreateSchema, AlterSchema, AlterIndex, AlterView, AlterDatabase, AlterFunction,
  CreateSequence, AlterSequence, DropSequence, CreateMaterializedView, AlterMaterializedView,
  DropMaterializedView, RefreshMaterializedView, CreateTrigger, DropTrigger, CreateExtension,
  AlterExtension, DropExtension, CreateType, AlterType, DropType, CreateDomain, DropDomain,
  CreatePolicy, DropPolicy, CreateRule, DropRule, DropOwned, ReassignOwned, AlterDefaultPrivileges,
  AlterSystem, CreateTablespace, DropTablespace, Declare, Fetch, Close, Move, Values, Table,
  DropOther, CreateOther, AlterOther, Security,
  kCount_,
};

//! What a statement does to an object.
enum class Access : uint8_t { Read, Write, Ddl };

enum class ObjectType : uint8_t {
  Table,      // table, view, materialized view, foreign table, or unknown relation
  Index, View, Schema, Database, Function, Role, Sequence, Type, Other,
};

struct ObjectRef {
  std::string catalog;  // database part of db.schema.name, if written
  std::string schema;   // empty when the statement did not qualify the name
  std::string name;     // identifier as the server sees it (unquoted, case-folded per dialect)
  ObjectType type = ObjectType::Table;
  Access access = Access::Read;
  //! "schema.name" or "name" (catalog prefixed when written).
  std::string qualified() const;
};

//! One source column of an output column. column "*" = every column of `table` (a star or a
//! whole-row reference such as row_to_json(t)); expanded later from backend metadata.
struct ColumnSource {
  std::string table;   // qualified as written: "public.users" or "users"
  std::string column;
};

struct OutputColumn {
  std::string name;                   // output label ("?column?" style names left empty)
  std::vector<ColumnSource> sources;  // through aliases, CTEs, subqueries, set-op branches
  bool derived = false;               // computed by an expression (not a plain column copy)
  bool star = false;                  // came from `*` or `t.*` (one entry per star)
};

//! Flags a visitor raises on a statement; names from flagName().
enum Flag : uint32_t {
  kExecutesDynamicSql = 1u << 0,  // DO, EXECUTE, query_to_xml('..'), dblink, ...
  kWritesFile = 1u << 1,          // COPY TO 'file', lo_export, SELECT INTO OUTFILE
  kReadsFile = 1u << 2,           // COPY FROM 'file', pg_read_file, LOAD DATA INFILE
  kExecutesProgram = 1u << 3,     // COPY ... PROGRAM
  kMultiStatement = 1u << 4,      // part of a batch of more than one statement
  kCallsAdminFunction = 1u << 5,  // pg_terminate_backend, pg_reload_conf, set_config, ...
  kChangesSession = 1u << 6,      // session state that outlives the statement (SET, role, path)
  kNotExecuted = 1u << 7,         // nested statement only planned (EXPLAIN without ANALYZE)
  kLockingRead = 1u << 8,         // SELECT ... FOR UPDATE / FOR SHARE
  kCreatesObject = 1u << 9,       // SELECT INTO / CREATE TABLE AS: the statement also creates
  //! Changes how the server reads later statements (PostgreSQL: standard_conforming_strings
  //! off, a client_encoding whose multibyte characters hide quotes): Warden's own analysis of
  //! later statements would no longer match the server's, so the engine always denies it.
  kChangesParsing = 1u << 10,
};
inline constexpr uint32_t kFlagCount = 11;

struct SourceRange {
  uint32_t begin = 0;  // byte offsets into the analysed text
  uint32_t end = 0;
};

struct Statement {
  Kind kind = Kind::Unparsed;
  Category category = Category::Unknown;
  std::vector<ObjectRef> objects;
  bool has_where = false;
  bool where_is_tautology = false;      // WHERE true / 1=1 / x OR 1=1 ...
  std::optional<int64_t> limit;         // LIMIT/FETCH FIRST/TOP when a literal
  std::vector<OutputColumn> projection;
  std::vector<Statement> nested;        // CTE DML, EXPLAIN ANALYZE target, PREPARE body, ...
  uint32_t flags = 0;
  SourceRange range;
  std::string normalized;               // statement text, literals as '?', whitespace folded
  std::string fingerprint;              // hex hash of `normalized` (stable across literals)
  std::string error;                    // why unparsed (parser message), empty otherwise
  //! PREPARE / EXECUTE / DEALLOCATE: the prepared statement's name (empty for DEALLOCATE ALL).
  std::string prepared_name;
  //! DECLARE / FETCH / MOVE / CLOSE: the cursor's name (empty for CLOSE ALL). DECLARE's query is
  //! its first nested statement.
  std::string cursor_name;
  //! Statement options as written, in order: lower-case names, unquoted values ("true" for a
  //! bare flag). COPY: format, delimiter, null, quote, escape, header, ... (legacy spellings
  //! such as BINARY / CSV / DELIMITER AS are mapped to these names).
  std::vector<std::pair<std::string, std::string>> options;
  //! True when a field above was derived from a literal's value (LIMIT 10, WHERE 1=1): such an
  //! analysis is only reused for the same literals.
  bool literal_dependent = false;

  bool has(Flag f) const { return (flags & f) != 0; }
};

//! The analysis of one piece of text (one simple query, one Parse...). A batch `a; b` gives two
//! statements.
struct Analysis {
  std::vector<Statement> statements;
  bool literal_dependent = false;  // any statement (or nested) literal_dependent
  size_t approxBytes() const;      // memory estimate for the cache's byte bound
};

std::string_view kindName(Kind k);
std::optional<Kind> kindFromName(std::string_view name);
std::string_view categoryName(Category c);
std::optional<Category> categoryFromName(std::string_view name);
Category defaultCategory(Kind k);
std::string_view accessName(Access a);
std::string_view objectTypeName(ObjectType t);
std::string_view flagName(Flag f);

//! Fills category from kind when the visitor left it Unknown; sets `literal_dependent` on the
//! analysis from its statements. Call once per analysis.
void finish(Analysis& analysis);

//! JSON for `warden explain` (one object per statement, SPEC shape).
std::string toJson(const Statement& s);
//! Readable multi-line dump used by unit-test case files. Stable; see test/unit/sql/README.md.
std::string dump(const Statement& s, int indent = 0);

//! Hex of a 64-bit FNV-1a over the bytes (fingerprints).
std::string fingerprintHex(std::string_view normalized);

}  // namespace warden::sql
