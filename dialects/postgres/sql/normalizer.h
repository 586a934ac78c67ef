// dialects/postgres/sql/normalizer.h
//! The PostgreSQL fingerprint scanner: one pass over the text, no allocation beyond the output.
//! Literals (strings of every kind, dollar quotes, numbers) become '?', runs of whitespace and
//! comments become one space, a '?' that is part of an operator is doubled ("??") so no text can
//! forge a literal placeholder. Must agree with PostgresLexer on literal and comment extents: a
//! differential test (pg_normalizer_test.cc, fuzz target pg_sql_fuzz) checks it.
#pragma once

#include <string_view>

#include "warden/sql/analyzer.h"

namespace warden::pg::sql {

struct NormalizeInfo {
  int max_depth = 0;  // deepest ( [ nesting
};

void normalize(std::string_view text, warden::sql::Normalized& out, NormalizeInfo* info = nullptr);

}  // namespace warden::pg::sql
