// dialects/postgres/protocol/row_messages.h
//! Result rows on the wire: the RowDescription decoder, the OID → masking::ValueType map and the
//! DataRow rewriter that applies a masking::ColumnMasker to selected columns.
//! https://www.postgresql.org/docs/15/protocol-message-formats.html (RowDescription, DataRow)
//!
//! Pure: bytes in, bytes or an error out. No sockets, no logging.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/base/byte_io.h"
#include "warden/base/result.h"
#include "warden/masking/column_masker.h"
#include "warden/masking/value.h"

namespace warden::dialect::postgres {

//! A result row has at most this many columns (MaxTupleAttributeNumber: "target lists can have
//! at most 1664 entries"); RowDescription and DataRow counts above it are rejected.
constexpr size_t kMaxResultColumns = 1664;

//! One column of a RowDescription ('T'). `name` views into the decoded body.
struct FieldDescription {
  std::string_view name;
  uint32_t table_oid = 0;  //!< 0 when the column is not a table column
  int16_t column = 0;      //!< attribute number in that table, else 0
  uint32_t type_oid = 0;
  int16_t type_len = 0;    //!< pg_type.typlen (negative: variable width)
  int32_t type_mod = 0;
  int16_t format = 0;      //!< 0 text, 1 binary (anything else is rejected)
};

//! Decodes a RowDescription body. Validates the count (0..kMaxResultColumns, and no more than
//! the body can hold), every name terminator and fixed-width field, the format codes, and that
//! nothing follows the last field.
Result<std::vector<FieldDescription>> decodeRowDescription(std::span<const uint8_t> body);

//! The masking view of a built-in type OID (pg_type.h). Types the masking engine has no
//! dedicated handling for (oid — unsigned, arrays, ranges, timetz, ...) map to Other. Types
//! with dynamic OIDs (citext, enums, domains) cannot be recognised here and are Other too.
masking::ValueType valueTypeOf(uint32_t type_oid);

//! Rewrites DataRow ('D') bodies through a ColumnMasker, reusing its buffers across rows
//! (keep one per session; not thread-safe).
class DataRowRewriter {
 public:
  //! `body`: the DataRow body (after the length word). Column i is offered to `masker` when
  //! i < selected.size() and selected[i] != 0, unless its value is NULL.
  //! Ok(false): every offered value was kept; `out` is untouched (forward the original).
  //! Ok(true): `out` is replaced by the complete new frame ('D' + length + body).
  //! Error: malformed row (count < 0 or above kMaxResultColumns, a length < -1, a value past
  //! the body, bytes after the last value, a result too large for a frame); `out` untouched.
  //! The masker may already have been called for earlier columns when an error is returned.
  Result<bool> rewrite(std::span<const uint8_t> body, std::span<const uint8_t> selected,
                       masking::ColumnMasker& masker, Bytes& out);

 private:
  std::string value_;  // the masker's output for one value
  Bytes frame_;        // the frame being built; swapped into `out` on success
};

//! One-shot form of DataRowRewriter::rewrite (allocates its buffers per call when a value is
//! replaced; sessions keep a DataRowRewriter instead).
Result<bool> rewriteDataRow(std::span<const uint8_t> body, std::span<const uint8_t> selected,
                            masking::ColumnMasker& masker, Bytes& out);

}  // namespace warden::dialect::postgres
