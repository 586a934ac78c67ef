// core/src/runtime/prepared_registry.cc
#include "prepared_registry.h"

namespace warden::runtime {

PreparedRegistry::Batch::Batch(PreparedRegistry& reg, std::shared_ptr<const sql::Analysis> analysis,
                               std::string_view protocol_name, bool protocol_prepare)
    : reg_(reg), analysis_(std::move(analysis)), protocol_name_(protocol_name),
      protocol_prepare_(protocol_prepare) {}

void PreparedRegistry::Batch::find(std::string_view name,
                                   const std::function<void(const sql::Statement&)>& fn) const {
  if (!reg_.entries_.empty()) {
    auto it = reg_.entries_.find(std::string(name));
    if (it != reg_.entries_.end())
      for (const sql::Statement* b : it->second.bodies) fn(*b);
  }
  if (!analysis_) return;
  for (const auto& s : analysis_->statements)
    if (s.kind == sql::Kind::Prepare && s.prepared_name == name)
      for (const auto& body : s.nested) fn(body);
}

void PreparedRegistry::Batch::commit() {
  if (!analysis_) return;
  try {
    if (protocol_prepare_ && !protocol_name_.empty()) {
      Entry e{analysis_, {}};
      for (const auto& s : analysis_->statements) e.bodies.push_back(&s);
      reg_.put(std::string(protocol_name_), std::move(e));
      return;
    }
    for (const auto& s : analysis_->statements) {
      switch (s.kind) {
        case sql::Kind::Prepare: {
          Entry e{analysis_, {}};
          for (const auto& body : s.nested) e.bodies.push_back(&body);
          reg_.put(s.prepared_name, std::move(e));
          break;
        }
        case sql::Kind::Deallocate:
          if (s.prepared_name.empty()) reg_.entries_.clear();
          else reg_.entries_.erase(s.prepared_name);
          break;
        case sql::Kind::Discard:
          // DISCARD ALL deallocates everything; a conservative registry may forget anything.
          reg_.entries_.clear();
          break;
        default:
          break;
      }
    }
  } catch (...) {
    // Out of memory: an unknown name is decided as dynamic SQL later (fail closed).
  }
}

void PreparedRegistry::put(std::string name, Entry e) {
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    it->second = std::move(e);
    return;
  }
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  entries_.emplace(std::move(name), std::move(e));
}

}  // namespace warden::runtime
