// core/src/config/policy_sections.cc
//! Policy: default_action, rules (with approvals), masking and value detectors.
#include <algorithm>

#include "sections.h"
#include "warden/policy/rule_engine.h"
#include "warden/sql/statement.h"

namespace warden::config::detail {
namespace {

std::string lineNote(const Mark& m) { return " (first at line " + std::to_string(m.line) + ")"; }

std::optional<Action> readAction(Reader& r, const Field& f) {
  return readEnum<Action>(r, f,
                          {{"allow", Action::Allow},
                           {"deny", Action::Deny},
                           {"require_approval", Action::RequireApproval}});
}

std::optional<MaskMethod> readMaskMethod(Reader& r, const Field& f) {
  // A plain `method: null` is a YAML null, not the string "null".
  if (f.value.IsNull()) return MaskMethod::Null;
  return readEnum<MaskMethod>(r, f,
                              {{"redact", MaskMethod::Redact},
                               {"partial", MaskMethod::Partial},
                               {"hash", MaskMethod::Hash},
                               {"null", MaskMethod::Null}});
}

//! A string list whose items must each be one of `known` (reported per item, with a hint).
std::optional<std::vector<std::string>> readChoiceList(Reader& r, const Field& f,
                                                       const std::vector<std::string>& known,
                                                       std::string_view what) {
  auto list = readStringList(r, f);
  if (!list) return std::nullopt;
  auto items = readSequence(r, f);
  bool ok = true;
  for (size_t i = 0; i < list->size() && i < items.size(); ++i) {
    const std::string& v = (*list)[i];
    if (std::find(known.begin(), known.end(), v) != known.end()) continue;
    std::string hint = suggest(v, known);
    r.error(items[i].value_mark, items[i].path + ": unknown " + std::string(what) + " '" + v + "'" +
                                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return list;
}

//! Reports every item of a string list `check` rejects, at the item's position.
void checkItems(Reader& r, const Field* f, bool (*check)(std::string_view) noexcept,
                std::string_view why) {
  if (f == nullptr || !f->value.IsSequence()) return;
  for (const Field& item : readSequence(r, *f)) {
    if (!item.value.IsScalar()) continue;
    const std::string v = item.value.Scalar();
    if (v.empty()) continue;  // reported by readStringList
    if (!check(v)) r.error(item.value_mark, item.path + ": '" + v + "' " + std::string(why));
  }
}

void readWhen(Reader& r, const Field& f, const Config& cfg, RuleWhen& when) {
  MapView m(r, f.value, f.path, f.value_mark,
            {"targets", "environments", "users", "groups", "kinds", "statements", "tables", "where",
             "unparsed", "flags"});
  if (!m.valid()) return;
  if (const Field* targets = m.get("targets")) {
    std::vector<std::string> names;
    for (const Target& t : cfg.targets) names.push_back(t.name);
    if (auto v = readChoiceList(r, *targets, names, "target")) when.targets = *v;
  }
  struct ListKey {
    const char* key;
    std::vector<std::string>* out;
  };
  for (const ListKey& k :
       {ListKey{"environments", &when.environments}, ListKey{"users", &when.users},
        ListKey{"groups", &when.groups}, ListKey{"statements", &when.statements},
        ListKey{"tables", &when.tables}}) {
    if (const Field* list = m.get(k.key)) {
      if (auto v = readStringList(r, *list)) *k.out = *v;
    }
  }
  checkItems(r, m.get("statements"), &policy::statementPatternKnown,
             "names no statement kind or category (see SPEC.md \"Statement kinds and categories\")");
  checkItems(r, m.get("tables"), &policy::tablePatternValid, "is not [db.][schema.]name");
  if (const Field* flags = m.get("flags")) {
    std::vector<std::string> known;
    for (uint32_t i = 0; i < sql::kFlagCount; ++i) known.emplace_back(sql::flagName(sql::Flag(1u << i)));
    if (auto v = readChoiceList(r, *flags, known, "statement flag")) when.flags = *v;
  }
  if (const Field* kinds = m.get("kinds")) {
    if (auto v = readChoiceList(r, *kinds, {"human", "agent", "service"}, "identity kind")) {
      when.kinds = *v;
    }
  }
  if (const Field* where = m.get("where")) {
    if (auto v = readString(r, *where)) {
      if (*v == "absent") {
        when.where_absent = true;
      } else {
        r.error(where->value_mark, where->path + ": the only supported value is 'absent'");
      }
    }
  }
  if (const Field* unparsed = m.get("unparsed")) {
    if (auto v = readBool(r, *unparsed)) when.unparsed = *v;
  }
}

std::optional<ApprovalSpec> readApproval(Reader& r, const Field& f) {
  MapView m(r, f.value, f.path, f.value_mark, {"groups", "quorum", "wait", "grant_window"});
  if (!m.valid()) return std::nullopt;
  ApprovalSpec spec;
  if (const Field* groups = m.require("groups")) {
    if (auto v = readStringList(r, *groups)) {
      if (v->empty()) r.error(groups->value_mark, groups->path + ": needs at least one group");
      spec.groups = *v;
    }
  }
  if (const Field* quorum = m.get("quorum")) {
    if (auto v = readInt(r, *quorum, 1, 100, "a positive integer")) spec.quorum = int(*v);
  }
  if (const Field* wait = m.get("wait")) {
    if (auto v = readDuration(r, *wait, false)) spec.wait = *v;
  }
  if (const Field* window = m.get("grant_window")) {
    if (auto v = readDuration(r, *window, true)) spec.grant_window = *v;
  }
  return spec;
}

void readRule(Reader& r, const Field& item, const Config& cfg, std::vector<Rule>& rules,
              std::vector<Mark>& name_marks) {
  MapView m(r, item.value, item.path, item.value_mark,
            {"name", "when", "action", "mode", "message", "approval"});
  if (!m.valid()) return;
  Rule rule;
  rule.mark = m.mark();
  Mark name_mark = m.mark();
  bool duplicate = false;
  if (const Field* name = m.require("name")) {
    name_mark = name->value_mark;
    if (auto v = readString(r, *name, false)) {
      for (size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].name == *v) {
          r.error(name->value_mark,
                  name->path + ": duplicate rule name '" + *v + "'" + lineNote(name_marks[i]));
          duplicate = true;
        }
      }
      rule.name = *v;
    }
  }
  if (const Field* when = m.get("when")) readWhen(r, *when, cfg, rule.when);
  const Field* action = m.require("action");
  bool action_ok = false;
  if (action) {
    if (auto v = readAction(r, *action)) {
      rule.action = *v;
      action_ok = true;
    }
  }
  if (const Field* mode = m.get("mode")) {
    if (auto v = readEnum<RuleMode>(
            r, *mode, {{"enforce", RuleMode::Enforce}, {"dry_run", RuleMode::DryRun}})) {
      rule.mode = *v;
    }
  }
  if (const Field* message = m.get("message")) {
    if (auto v = readString(r, *message)) rule.message = *v;
  }
  const Field* approval = m.get("approval");
  if (approval) rule.approval = readApproval(r, *approval);
  if (action_ok && rule.action == Action::RequireApproval && approval == nullptr) {
    r.error(action->value_mark,
            item.path + ": action 'require_approval' needs an 'approval' with 'groups'");
  }
  if (action_ok && rule.action != Action::RequireApproval && approval != nullptr) {
    r.error(approval->key_mark,
            item.path + ": 'approval' is only used with action 'require_approval'");
  }
  if (duplicate || rule.name.empty()) return;
  rules.push_back(std::move(rule));
  name_marks.push_back(name_mark);
}

void readMaskingRule(Reader& r, const Field& item, std::vector<MaskingRule>& masking,
                     std::vector<Mark>& name_marks) {
  MapView m(r, item.value, item.path, item.value_mark,
            {"name", "columns", "method", "exempt_groups", "targets", "environments",
             "max_rows"});
  if (!m.valid()) return;
  MaskingRule rule;
  Mark name_mark = m.mark();
  bool duplicate = false;
  if (const Field* name = m.require("name")) {
    name_mark = name->value_mark;
    if (auto v = readString(r, *name, false)) {
      for (size_t i = 0; i < masking.size(); ++i) {
        if (masking[i].name == *v) {
          r.error(name->value_mark, name->path + ": duplicate masking rule name '" + *v + "'" +
                                        lineNote(name_marks[i]));
          duplicate = true;
        }
      }
      rule.name = *v;
    }
  }
  if (const Field* columns = m.require("columns")) {
    if (auto v = readStringList(r, *columns)) {
      if (v->empty()) r.error(columns->value_mark, columns->path + ": needs at least one column");
      rule.columns = *v;
    }
  }
  if (const Field* method = m.get("method")) {
    if (auto v = readMaskMethod(r, *method)) rule.method = *v;
  }
  if (const Field* groups = m.get("exempt_groups")) {
    if (auto v = readStringList(r, *groups)) rule.exempt_groups = *v;
  }
  if (const Field* targets = m.get("targets")) {
    if (auto v = readStringList(r, *targets)) rule.targets = *v;
  }
  if (const Field* envs = m.get("environments")) {
    if (auto v = readStringList(r, *envs)) rule.environments = *v;
  }
  if (const Field* max = m.get("max_rows")) {
    if (auto v = readInt(r, *max, 0, int64_t(1) << 62, "a row count >= 0")) rule.max_rows = uint64_t(*v);
  }
  if (duplicate || rule.name.empty()) return;
  masking.push_back(std::move(rule));
  name_marks.push_back(name_mark);
}

void readDetectors(Reader& r, const Field& f, std::optional<DetectorsConfig>& out) {
  MapView m(r, f.value, f.path, f.value_mark, {"enabled", "method", "environments"});
  if (!m.valid()) return;
  DetectorsConfig detectors;
  if (const Field* enabled = m.get("enabled")) {
    static const std::vector<std::string> kKnown = {
        "email", "credit_card", "us_ssn", "iban", "phone", "aws_key", "jwt", "private_key"};
    if (auto v = readChoiceList(r, *enabled, kKnown, "detector")) detectors.enabled = *v;
  }
  if (const Field* method = m.get("method")) {
    if (auto v = readMaskMethod(r, *method)) detectors.method = *v;
  }
  if (const Field* envs = m.get("environments")) {
    if (auto v = readStringList(r, *envs)) detectors.environments = *v;
  }
  out = std::move(detectors);
}

}  // namespace

void readPolicySections(Reader& r, const MapView& root, Config& cfg) {
  if (const Field* action = root.get("default_action")) {
    if (auto v = readAction(r, *action)) cfg.default_action = *v;
  }
  if (const Field* rules = root.get("rules")) {
    std::vector<Mark> name_marks;
    for (const Field& item : readSequence(r, *rules)) readRule(r, item, cfg, cfg.rules, name_marks);
  }
  if (const Field* masking = root.get("masking")) {
    std::vector<Mark> name_marks;
    for (const Field& item : readSequence(r, *masking)) {
      readMaskingRule(r, item, cfg.masking, name_marks);
    }
  }
  if (const Field* detectors = root.get("detectors")) readDetectors(r, *detectors, cfg.detectors);
}

}  // namespace warden::config::detail
