// core/include/warden/masking/column_masker.h
//! The seam between a dialect's row rewriter (which knows the wire encoding of rows) and the
//! masking engine (which knows what to do with each column's value). The rewriter calls mask()
//! for the non-NULL values of the columns selected for masking, in column order, row by row.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "warden/masking/value.h"

namespace warden::masking {

class ColumnMasker {
 public:
  virtual ~ColumnMasker() = default;
  //! `column`: 0-based result column; `value`: the value's wire bytes (not NULL). Replace: `out`
  //! holds the new bytes (cleared by the callee). Null: the value becomes SQL NULL.
  virtual Outcome mask(size_t column, std::string_view value, std::string& out) = 0;
};

}  // namespace warden::masking
