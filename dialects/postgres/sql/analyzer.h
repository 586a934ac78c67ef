// dialects/postgres/sql/analyzer.h
//! PostgreSQL's sql::Analyzer: the fingerprint scanner (normalizer.h) and the ANTLR parse
//! (lexer + parser objects owned per instance, i.e. per worker; two-stage SLL then LL; size and
//! time budgets; batch split) feeding the visitor (visitor.h).
#pragma once

#include <memory>

#include "warden/sql/analyzer.h"

namespace warden::pg::sql {

std::unique_ptr<warden::sql::Analyzer> makeAnalyzer(const warden::sql::AnalyzerLimits& limits = {});

}  // namespace warden::pg::sql
