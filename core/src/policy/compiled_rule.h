// core/src/policy/compiled_rule.h
//! Internal: one rule as flat matchers, built once per config snapshot.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

#include "warden/config/config.h"
#include "warden/sql/statement.h"

namespace warden::policy::detail {

//! A `tables:` pattern split on dots (1 to 3 parts).
struct TablePattern {
  std::string catalog, schema, name;  // empty schema/catalog: not constrained
  int parts = 1;
};

struct CompiledRule {
  const config::Rule* rule = nullptr;  // owned by the config snapshot the engine keeps alive
  uint16_t index = 0;

  // identity / target (scope)
  std::vector<std::string> targets, environments, users, groups;
  uint8_t identity_kinds = 0;  // bit per config::IdentityKind; 0 = any

  // statement conditions
  bool any_statement = true;                          // no `statements:`
  std::bitset<size_t(sql::Kind::kCount_)> kinds;      // from `statements:`
  uint16_t categories = 0;                            // bit per sql::Category
  std::vector<TablePattern> tables;                   // empty = any
  bool where_absent = false;
  int8_t unparsed = -1;                               // -1 any, 0 parsed only, 1 unparsed only
  uint32_t flags = 0;                                 // any of these flags (0 = not constrained)

  bool hasStatementConditions() const {
    return !any_statement || !tables.empty() || where_absent || unparsed >= 0 || flags != 0;
  }
};

//! Builds the matcher; appends errors for unusable patterns.
CompiledRule compileRule(const config::Rule& rule, uint16_t index, std::vector<std::string>* errors);

//! Does `s` itself (not its nested statements) satisfy the rule's statement conditions, taking
//! `category` and `flags` as the statement's (the engine may know better than the visitor)?
bool unitMatches(const CompiledRule& r, const sql::Statement& s, sql::Category category,
                 uint32_t flags) noexcept;

//! Does one table pattern match one object?
bool tableMatches(const TablePattern& p, const sql::ObjectRef& o) noexcept;

}  // namespace warden::policy::detail
