// core/src/masking/plan.cc
#include "warden/masking/plan.h"

#include <algorithm>

#include "warden/base/ascii.h"
#include "warden/base/glob.h"
#include "warden/masking/json_mask.h"

namespace warden::masking {

namespace {

constexpr int kMaxViewDepth = 16;

struct Name {
  std::string_view schema, table;
};

//! "public.users" → {public, users}; "users" → {"", users}; "db.public.users" → {public, users}.
Name splitRelation(std::string_view qualified) {
  size_t dot = qualified.rfind('.');
  if (dot == std::string_view::npos) return {{}, qualified};
  std::string_view head = qualified.substr(0, dot);
  size_t dot2 = head.rfind('.');
  return {dot2 == std::string_view::npos ? head : head.substr(dot2 + 1), qualified.substr(dot + 1)};
}

bool schemaMatches(const ColumnPattern& p, std::string_view schema) {
  return schema.empty() || globMatch(p.schema, schema, true);
}

std::string qualify(std::string_view schema, std::string_view table, std::string_view column) {
  std::string out;
  if (!schema.empty()) out.append(schema).push_back('.');
  out.append(table);
  if (!column.empty()) out.append(".").append(column);
  return out;
}

void collectObjects(const sql::Statement& s, std::vector<const sql::ObjectRef*>& out) {
  for (const auto& o : s.objects) out.push_back(&o);
  for (const auto& n : s.nested) collectObjects(n, out);
}

//! Decides columns of one result.
class Planner {
 public:
  Planner(const SessionMasking& session, const sql::Statement* lineage,
          const RelationCatalog* catalog)
      : session_(session), lineage_(lineage), catalog_(catalog) {
    if (lineage_) collectObjects(*lineage_, objects_);
  }

  //! Why a column is masked; `why` empty means not masked.
  struct Verdict {
    ColumnAction action;
    std::string why;
  };

  Verdict byOrigin(const ResultColumn& c) const {
    Verdict v;
    if (const CompiledRule* r = session_.match(c.schema, c.table, c.column)) {
      v.action.kind = ColumnAction::Kind::Mask;
      v.action.method = r->method;
      v.action.max_rows = r->max_rows;
      v.why = qualify(c.schema, c.table, c.column);
    }
    return v;
  }

  Verdict bySources(const std::vector<sql::ColumnSource>& sources, ValueType type,
                    int depth = 0) const {
    Verdict v;
    for (const auto& s : sources) {
      Name n = splitRelation(s.table);
      if (n.table.empty()) continue;
      RelationCatalog::Relation rel =
          catalog_ ? catalog_->find(n.schema, n.table) : RelationCatalog::Relation::Table;
      if (rel == RelationCatalog::Relation::View) {
        std::vector<sql::ColumnSource> base;
        if (depth < kMaxViewDepth && catalog_->viewSources(n.schema, n.table, s.column, base)) {
          if (s.column == "*") {
            // A whole view row: its columns' base sources decide; keys cannot be mapped.
            Verdict inner = bySources(base, ValueType::Other, depth + 1);
            if (!inner.why.empty()) return conservative(qualify(n.schema, n.table, "*"), type);
            continue;
          }
          Verdict inner = bySources(base, type, depth + 1);
          if (!inner.why.empty()) return inner;
          continue;
        }
        if (!session_.rules.empty()) return conservative(qualify(n.schema, n.table, s.column), type);
        continue;
      }
      if (rel == RelationCatalog::Relation::Unknown) {
        // A table the catalog does not know (created since it was loaded): fail closed.
        if (!session_.rules.empty() && isTableObject(n)) {
          return conservative(qualify(n.schema, n.table, s.column), type);
        }
        continue;
      }
      if (s.column == "*") {
        const CompiledRule* r = firstRuleFor(n);
        if (!r) continue;
        if (type == ValueType::Json) {
          v.action.kind = ColumnAction::Kind::Json;
          v.action.method = r->method;
          v.action.max_rows = r->max_rows;
          v.action.tables.push_back(qualify(n.schema, n.table, {}));
          v.why = qualify(n.schema, n.table, "*");
          continue;  // more whole-row tables may join the same document
        }
        return conservative(qualify(n.schema, n.table, "*"), type, r->method);
      }
      if (const CompiledRule* r = session_.match(n.schema, n.table, s.column)) {
        Verdict m;
        m.action.kind = ColumnAction::Kind::Mask;
        m.action.method = r->method;
        m.action.max_rows = r->max_rows;
        m.why = qualify(n.schema, n.table, s.column);
        return m;
      }
    }
    return v;
  }

  //! No usable lineage: masks when the statement touches something a rule could match.
  Verdict unknownLineage(const ResultColumn& c) const {
    if (session_.rules.empty() || !lineage_) return {};
    for (const sql::ObjectRef* o : objects_) {
      if (o->type != sql::ObjectType::Table && o->type != sql::ObjectType::View) continue;
      RelationCatalog::Relation rel =
          catalog_ ? catalog_->find(o->schema, o->name) : RelationCatalog::Relation::Table;
      bool risky = rel != RelationCatalog::Relation::Table ||
                   session_.tableMayMatch(o->schema, o->name);
      if (risky) return conservative(qualify(o->schema, o->name, "?"), c.type);
    }
    return {};
  }

 private:
  Verdict conservative(std::string why, ValueType type, Method m = Method::Redact) const {
    Verdict v;
    v.action.kind = ColumnAction::Kind::Mask;
    v.action.method = m;
    v.why = std::move(why);
    (void)type;
    return v;
  }

  const CompiledRule* firstRuleFor(Name n) const {
    for (const auto& r : session_.rules)
      for (const auto& p : r.patterns)
        if (schemaMatches(p, n.schema) && globMatch(p.table, n.table, true)) return &r;
    return nullptr;
  }

  bool isTableObject(Name n) const {
    for (const sql::ObjectRef* o : objects_) {
      if (o->type != sql::ObjectType::Table && o->type != sql::ObjectType::View) continue;
      if (equalsIgnoreCase(o->name, n.table) &&
          (n.schema.empty() || o->schema.empty() || equalsIgnoreCase(o->schema, n.schema)))
        return true;
    }
    return false;
  }

  const SessionMasking& session_;
  const sql::Statement* lineage_;
  const RelationCatalog* catalog_;
  std::vector<const sql::ObjectRef*> objects_;
};

}  // namespace

bool mapLineage(const sql::Statement& s, size_t n, std::vector<std::vector<sql::ColumnSource>>& out) {
  const auto& e = s.projection;
  if (e.empty()) return false;
  size_t stars = 0, first = e.size(), last = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    if (!e[i].star) continue;
    ++stars;
    first = std::min(first, i);
    last = i;
  }
  out.assign(n, {});
  if (stars == 0) {
    if (e.size() != n) return false;
    for (size_t i = 0; i < n; ++i) out[i] = e[i].sources;
    return true;
  }
  size_t fixed = e.size() - stars;
  if (fixed > n) return false;
  size_t after = e.size() - 1 - last;
  for (size_t i = 0; i < first; ++i) out[i] = e[i].sources;
  for (size_t k = 0; k < after; ++k) out[n - 1 - k] = e[e.size() - 1 - k].sources;
  // Between the first and the last star: every column may come from any entry there.
  std::vector<sql::ColumnSource> middle;
  for (size_t i = first; i <= last; ++i)
    middle.insert(middle.end(), e[i].sources.begin(), e[i].sources.end());
  for (size_t i = first; i < n - after; ++i) out[i] = middle;
  return true;
}

namespace {

class TablesKeyPolicy final : public JsonKeyPolicy {
 public:
  TablesKeyPolicy(const SessionMasking& s, const std::vector<std::string>& tables)
      : session_(s), tables_(tables) {}
  bool masked(std::string_view key, Method& method) const override {
    for (const auto& t : tables_) {
      Name n = splitRelation(t);
      if (const CompiledRule* r = session_.match(n.schema, n.table, key)) {
        method = r->method;
        return true;
      }
    }
    return false;
  }

 private:
  const SessionMasking& session_;
  const std::vector<std::string>& tables_;
};

}  // namespace

ColumnPattern ColumnPattern::parse(std::string_view text) {
  ColumnPattern p;
  std::vector<std::string_view> parts;
  size_t from = 0;
  while (true) {
    size_t dot = text.find('.', from);
    parts.push_back(text.substr(from, dot == std::string_view::npos ? text.npos : dot - from));
    if (dot == std::string_view::npos) break;
    from = dot + 1;
  }
  if (parts.size() >= 3) {
    p.schema = parts[parts.size() - 3];
    p.table = parts[parts.size() - 2];
    p.column = parts.back();
  } else if (parts.size() == 2) {
    p.schema = "*";
    p.table = parts[0];
    p.column = parts[1];
  } else {
    p.schema = "*";
    p.table = "*";
    p.column = parts[0];
  }
  return p;
}

const CompiledRule* SessionMasking::match(std::string_view schema, std::string_view table,
                                          std::string_view column) const {
  for (const auto& r : rules)
    for (const auto& p : r.patterns)
      if (schemaMatches(p, schema) && globMatch(p.table, table, true) &&
          globMatch(p.column, column, true))
        return &r;
  return nullptr;
}

bool SessionMasking::tableMayMatch(std::string_view schema, std::string_view table) const {
  for (const auto& r : rules)
    for (const auto& p : r.patterns)
      if (schemaMatches(p, schema) && globMatch(p.table, table, true)) return true;
  return false;
}

ResultPlan buildPlan(const SessionMasking& session, const sql::Statement* lineage,
                     std::span<const ResultColumn> columns, const RelationCatalog* catalog) {
  ResultPlan plan;
  const size_t n = columns.size();
  plan.columns.resize(n);
  plan.types.resize(n);
  plan.formats.resize(n);
  plan.selected.assign(n, 0);
  plan.max_rows = session.max_rows;
  std::vector<std::vector<sql::ColumnSource>> mapped;
  bool known = !session.rules.empty() && lineage && mapLineage(*lineage, n, mapped);
  Planner planner(session, lineage, catalog);
  for (size_t i = 0; i < n; ++i) {
    const ResultColumn& c = columns[i];
    plan.types[i] = c.type;
    plan.formats[i] = c.format;
    Planner::Verdict v;
    if (!session.rules.empty()) {
      switch (c.origin) {
        case ResultColumn::Origin::Column:
          v = planner.byOrigin(c);
          break;
        case ResultColumn::Origin::View: {
          std::vector<sql::ColumnSource> one{{std::string(c.schema.empty() ? c.table
                                                              : qualify(c.schema, c.table, {})),
                                              std::string(c.column)}};
          v = planner.bySources(one, c.type);
          break;
        }
        case ResultColumn::Origin::Unknown:
        case ResultColumn::Origin::None:
          if (known) {
            v = planner.bySources(mapped[i], c.type);
            if (v.why.empty() && c.origin == ResultColumn::Origin::Unknown)
              v = planner.unknownLineage(c);
          } else {
            v = planner.unknownLineage(c);
          }
          break;
      }
    }
    ColumnAction& a = plan.columns[i];
    if (!v.why.empty()) {
      a = std::move(v.action);
      if (std::find(plan.masked.begin(), plan.masked.end(), v.why) == plan.masked.end())
        plan.masked.push_back(std::move(v.why));
    }
    if (!session.detectors.empty()) {
      if (a.kind == ColumnAction::Kind::None && c.type == ValueType::Json) {
        a.kind = ColumnAction::Kind::Json;
        a.method = session.detector_method;
      }
      if (a.kind == ColumnAction::Kind::Json) a.detect = true;
      if (a.kind == ColumnAction::Kind::None && isTextLike(c.type)) {
        a.kind = ColumnAction::Kind::Detect;
        a.method = session.detector_method;
      }
    }
    if (a.max_rows != 0 && (plan.max_rows == 0 || a.max_rows < plan.max_rows))
      plan.max_rows = a.max_rows;
    plan.selected[i] = a.kind != ColumnAction::Kind::None;
    plan.active = plan.active || plan.selected[i];
  }
  return plan;
}

Outcome PlanMasker::mask(size_t column, std::string_view value, std::string& out) {
  if (column >= plan_.columns.size()) return Outcome::Keep;
  const ColumnAction& a = plan_.columns[column];
  const ValueType type = plan_.types[column];
  const Format format = plan_.formats[column];
  switch (a.kind) {
    case ColumnAction::Kind::None:
      return Outcome::Keep;
    case ColumnAction::Kind::Mask:
      return maskValue(a.method, type, format, value, session_.key, out);
    case ColumnAction::Kind::Detect: {
      findings_.clear();
      constexpr size_t kMaxFindings = 256;
      size_t found = session_.detectors.scan(value, findings_, kMaxFindings);
      if (found == 0) return Outcome::Keep;
      // At the limit more findings may remain unreported: the whole value goes (fail closed).
      if (found >= kMaxFindings) return Outcome::Null;
      for (const auto& f : findings_) fired_ |= 1u << static_cast<unsigned>(f.kind);
      if (a.method == Method::Null) return Outcome::Null;
      out.clear();
      return applyFindings(value, findings_, a.method, session_.key, out) ? Outcome::Replace
                                                                           : Outcome::Null;
    }
    case ColumnAction::Kind::Json: {
      std::string_view doc = value;
      // jsonb's send format is version byte 1 + the text; json's is the text alone (which
      // never starts with byte 1), so the first byte tells them apart.
      bool jsonb = format == Format::Binary && type == ValueType::Json && !doc.empty() &&
                   doc[0] == 1;
      if (jsonb) doc.remove_prefix(1);
      TablesKeyPolicy keys(session_, a.tables);
      std::string body;
      JsonOutcome o = maskJson(doc, keys, session_.key, a.detect ? &session_.detectors : nullptr,
                               session_.detector_method, body);
      if (o == JsonOutcome::Keep) return Outcome::Keep;
      if (o == JsonOutcome::Null) return Outcome::Null;
      out.clear();
      if (jsonb) out.push_back('\x01');
      out.append(body);
      return Outcome::Replace;
    }
  }
  return Outcome::Keep;
}

std::vector<std::string> predictMasked(const SessionMasking& session, const sql::Analysis& a) {
  std::vector<std::string> out;
  if (session.rules.empty()) return out;
  auto visit = [&](const sql::Statement& s, auto& self) -> void {
    for (const auto& col : s.projection) {
      for (const auto& src : col.sources) {
        Name n = splitRelation(src.table);
        bool hit = src.column == "*" ? session.tableMayMatch(n.schema, n.table)
                                     : session.match(n.schema, n.table, src.column) != nullptr;
        if (hit) out.push_back(qualify(n.schema, n.table, src.column));
      }
    }
    for (const auto& nested : s.nested) self(nested, self);
  };
  for (const auto& s : a.statements) visit(s, visit);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace warden::masking
