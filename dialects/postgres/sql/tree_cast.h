// dialects/postgres/sql/tree_cast.h
//! Cheap node tests for the visitor's generic tree walks. dynamic_cast on ANTLR contexts walks
//! the class hierarchy comparing type names with strcmp (a failed cast costs several), and the
//! generic walks test every node of the tree; a rule index comparison costs one virtual call.
//! Only rule contexts ever have children (terminal and error nodes never do), so a node with
//! children is a ParserRuleContext.
#pragma once

#include "PostgresParser.h"
#include "antlr4-runtime.h"

namespace warden::pg::sql {

//! The rule context `n` is, or nullptr for terminals and for rule contexts that matched nothing.
inline antlr4::ParserRuleContext* nonEmptyRule(antlr4::tree::ParseTree* n) {
  return n != nullptr && !n->children.empty() ? static_cast<antlr4::ParserRuleContext*>(n)
                                              : nullptr;
}

//! `n` as the context class `T` of rule `rule` (any labelled alternative of it), or nullptr.
//! Contexts that matched nothing are never returned.
template <class T>
T* ruleAs(antlr4::tree::ParseTree* n, size_t rule) {
  auto* r = nonEmptyRule(n);
  return r != nullptr && r->getRuleIndex() == rule ? static_cast<T*>(r) : nullptr;
}

}  // namespace warden::pg::sql
