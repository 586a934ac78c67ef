// core/src/policy/compiled_rule.cc
#include "compiled_rule.h"

#include <fmt/format.h>

#include "warden/base/glob.h"
#include "warden/policy/rule_engine.h"

namespace warden::policy {
namespace detail {
namespace {

std::vector<std::string_view> splitDots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

bool anyFlagKnown(const std::string& name, uint32_t* bit) {
  for (uint32_t i = 0; i < sql::kFlagCount; ++i) {
    auto f = sql::Flag(1u << i);
    if (sql::flagName(f) == name) {
      *bit = uint32_t(f);
      return true;
    }
  }
  return false;
}

bool matchesOrUnconstrained(std::string_view pattern, std::string_view value) {
  return pattern.empty() || value.empty() || globMatch(pattern, value, true);
}

}  // namespace

CompiledRule compileRule(const config::Rule& rule, uint16_t index, std::vector<std::string>* errors) {
  CompiledRule r;
  r.rule = &rule;
  r.index = index;
  const config::RuleWhen& w = rule.when;
  r.targets = w.targets;
  r.environments = w.environments;
  r.users = w.users;
  r.groups = w.groups;
  for (const auto& k : w.kinds) {
    if (k == "human") r.identity_kinds |= 1u << unsigned(config::IdentityKind::Human);
    else if (k == "agent") r.identity_kinds |= 1u << unsigned(config::IdentityKind::Agent);
    else if (k == "service") r.identity_kinds |= 1u << unsigned(config::IdentityKind::Service);
  }
  auto err = [&](const std::string& m) {
    if (errors)
      errors->push_back(fmt::format("{}:{}:{}: rule '{}': {}", rule.mark.file, rule.mark.line,
                                    rule.mark.column, rule.name, m));
  };
  if (!w.statements.empty()) {
    r.any_statement = false;
    for (const auto& pat : w.statements) {
      bool hit = false;
      for (size_t k = 0; k < size_t(sql::Kind::kCount_); ++k) {
        if (globMatch(pat, sql::kindName(sql::Kind(k)), true)) {
          r.kinds.set(k);
          hit = true;
        }
      }
      for (unsigned c = 0; c <= unsigned(sql::Category::Unknown); ++c) {
        if (globMatch(pat, sql::categoryName(sql::Category(c)), true)) {
          r.categories |= uint16_t(1u << c);
          hit = true;
        }
      }
      if (!hit) err(fmt::format("statements: '{}' names no statement kind or category", pat));
    }
  }
  for (const auto& pat : w.tables) {
    auto parts = splitDots(pat);
    bool empty_part = false;
    for (auto p : parts) empty_part = empty_part || p.empty();
    if (parts.size() > 3 || empty_part) {
      err(fmt::format("tables: '{}' is not [db.][schema.]name", pat));
      continue;
    }
    TablePattern tp;
    tp.parts = int(parts.size());
    tp.name = std::string(parts.back());
    if (parts.size() >= 2) tp.schema = std::string(parts[parts.size() - 2]);
    if (parts.size() == 3) tp.catalog = std::string(parts[0]);
    r.tables.push_back(std::move(tp));
  }
  r.where_absent = w.where_absent;
  if (w.unparsed) r.unparsed = *w.unparsed ? 1 : 0;
  for (const auto& f : w.flags) {
    uint32_t bit = 0;
    if (anyFlagKnown(f, &bit)) r.flags |= bit;
    else err(fmt::format("flags: unknown flag '{}'", f));
  }
  return r;
}

bool tableMatches(const TablePattern& p, const sql::ObjectRef& o) noexcept {
  using sql::ObjectType;
  switch (o.type) {
    case ObjectType::Database:
      return true;  // dropping or altering a database touches every table in it
    case ObjectType::Schema:
      // A schema holds every table a schema-qualified or bare pattern could mean.
      return p.parts == 1 || globMatch(p.schema, o.name, true);
    case ObjectType::Table:
    case ObjectType::View:
    case ObjectType::Index:
    case ObjectType::Sequence:
      break;
    default:
      return false;
  }
  if (!globMatch(p.name, o.name, true)) return false;
  // Unqualified names resolve through the search_path at run time: any schema may be meant.
  if (!matchesOrUnconstrained(p.schema, o.schema)) return false;
  return matchesOrUnconstrained(p.catalog, o.catalog);
}

bool unitMatches(const CompiledRule& r, const sql::Statement& s, sql::Category category,
                 uint32_t flags) noexcept {
  if (r.unparsed >= 0 && (s.kind == sql::Kind::Unparsed) != (r.unparsed == 1)) return false;
  if (!r.any_statement) {
    bool hit = r.kinds.test(size_t(s.kind));
    if (!hit) {
      uint16_t cats = uint16_t(1u << unsigned(category));
      if (flags & sql::kExecutesDynamicSql) cats |= uint16_t(1u << unsigned(sql::Category::Dynamic));
      if (flags & (sql::kCallsAdminFunction | sql::kExecutesProgram | sql::kWritesFile |
                     sql::kReadsFile))
        cats |= uint16_t(1u << unsigned(sql::Category::Admin));
      hit = (r.categories & cats) != 0;
    }
    if (!hit) return false;
  }
  if (r.where_absent && s.has_where && !s.where_is_tautology) return false;
  if (r.flags != 0 && (flags & r.flags) == 0) return false;
  if (!r.tables.empty()) {
    bool hit = false;
    for (const auto& o : s.objects) {
      for (const auto& p : r.tables) {
        if (tableMatches(p, o)) {
          hit = true;
          break;
        }
      }
      if (hit) break;
    }
    if (!hit) return false;
  }
  return true;
}

}  // namespace detail

bool statementPatternKnown(std::string_view pattern) noexcept {
  for (size_t k = 0; k < size_t(sql::Kind::kCount_); ++k)
    if (globMatch(pattern, sql::kindName(sql::Kind(k)), true)) return true;
  for (unsigned c = 0; c <= unsigned(sql::Category::Unknown); ++c)
    if (globMatch(pattern, sql::categoryName(sql::Category(c)), true)) return true;
  return false;
}

bool tablePatternValid(std::string_view pattern) noexcept {
  auto parts = detail::splitDots(pattern);
  if (parts.size() > 3) return false;
  for (auto p : parts)
    if (p.empty()) return false;
  return true;
}

}  // namespace warden::policy
