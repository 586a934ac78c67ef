// core/include/warden/policy/rule_engine.h
//! The guardrail engine: config rules compiled once per snapshot into flat matchers (kind
//! bitsets, category masks, pre-split table globs), evaluated per statement without touching
//! YAML and without allocating unless a rule matches.
//!
//! Semantics (SPEC.md "rules"):
//!  - Identity/target conditions (targets, environments, users, groups, kinds) are decided once
//!    per session (scopeFor); statement conditions per statement.
//!  - A request (one simple query, one Parse, ...) is decided as a whole: a rule matches when one
//!    of its statements — or a statement nested in one (data-modifying CTE, EXPLAIN ANALYZE
//!    target, PREPARE body, the body an EXECUTE runs) — satisfies all of the rule's statement
//!    conditions at once. Nested statements that are only planned (EXPLAIN without ANALYZE)
//!    do not count.
//!  - `statements:` globs over kind and category names. A statement also counts as category
//!    `dynamic` when it executes dynamic SQL, and as `admin` when it calls an administrative
//!    function, runs a server program or reads/writes server files.
//!  - `tables:` globs, case-insensitive, on `schema.name` or `name` (`db.schema.name` with three
//!    parts). An unqualified name matches whatever the pattern's schema part says, because the
//!    search_path decides at run time. A schema object matches a pattern whose schema part
//!    matches it; a database object matches every pattern.
//!  - All matching rules apply: deny > require_approval > allow among enforcing rules; dry-run
//!    rules are reported in Decision::matches and never change the verdict; with no enforcing
//!    match, default_action decides.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "warden/config/config.h"
#include "warden/policy/decision.h"

namespace warden::policy {

//! Compiles `config.rules`. Never fails for a config that loadConfig() accepted; returns errors
//! (with the rule's mark) for patterns it cannot use otherwise.
//! The engine keeps `config` alive (it points into its rules).
Result<std::shared_ptr<PolicyEngine>> makeRuleEngine(config::ConfigPtr config,
                                                     std::vector<std::string>* errors);

//! Checks one `statements:` pattern: true when it names (or its glob matches) at least one
//! statement kind or category.
bool statementPatternKnown(std::string_view pattern) noexcept;

//! Checks one `tables:` pattern: 1 to 3 non-empty dot-separated parts.
bool tablePatternValid(std::string_view pattern) noexcept;

}  // namespace warden::policy
