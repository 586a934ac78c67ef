// dialects/postgres/protocol/row_messages.cc
//! RowDescription decoding, type OID classification and DataRow masking
//! (https://www.postgresql.org/docs/15/protocol-message-formats.html).
#include "protocol/row_messages.h"

#include <limits>

#include "protocol/body_cursor.h"
#include "protocol/constants.h"

namespace warden::dialect::postgres {

namespace {

Error bad(const char* what, const char* why) {
  return makeError(std::string("malformed ") + what + ": " + why);
}

// Fixed part of one RowDescription field after its name: table oid (4), attribute number (2),
// type oid (4), type length (2), type modifier (4), format (2).
constexpr size_t kFieldFixedBytes = 18;

// A frame's length word counts itself; keep whole frames below 2^31 like the server does.
constexpr size_t kMaxFrameBody = size_t(std::numeric_limits<int32_t>::max()) - 4;

}  // namespace

Result<std::vector<FieldDescription>> decodeRowDescription(std::span<const uint8_t> body) {
  BodyCursor c(body);
  uint16_t raw_count = 0;
  if (!c.u16(raw_count)) return bad("RowDescription", "missing field count");
  const int16_t count = int16_t(raw_count);
  if (count < 0) return bad("RowDescription", "negative field count");
  if (size_t(count) > kMaxResultColumns) return bad("RowDescription", "too many fields");
  // Each field takes at least its name's NUL plus the fixed part: reject impossible counts
  // before reserving.
  if (size_t(count) * (1 + kFieldFixedBytes) > c.remaining()) {
    return bad("RowDescription", "field count exceeds body");
  }
  std::vector<FieldDescription> fields;
  fields.reserve(size_t(count));
  for (int16_t i = 0; i < count; ++i) {
    FieldDescription f;
    uint16_t column = 0, type_len = 0, format = 0;
    uint32_t type_mod = 0;
    if (!c.cstring(f.name)) return bad("RowDescription", "field name not terminated");
    if (!c.u32(f.table_oid) || !c.u16(column) || !c.u32(f.type_oid) || !c.u16(type_len) ||
        !c.u32(type_mod) || !c.u16(format)) {
      return bad("RowDescription", "field truncated");
    }
    f.column = int16_t(column);
    f.type_len = int16_t(type_len);
    f.type_mod = int32_t(type_mod);
    f.format = int16_t(format);
    if (f.format != 0 && f.format != 1) return bad("RowDescription", "format code not 0 or 1");
    fields.push_back(f);
  }
  if (!c.atEnd()) return bad("RowDescription", "bytes after the last field");
  return fields;
}

masking::ValueType valueTypeOf(uint32_t type_oid) {
  using masking::ValueType;
  switch (type_oid) {
    case 25:    // text
    case 1043:  // varchar
    case 1042:  // bpchar
    case 19:    // name
    case 18:    // "char"
    case 705:   // unknown
    case 142:   // xml
      return ValueType::Text;
    case 114:   // json
    case 3802:  // jsonb
      return ValueType::Json;
    case 16: return ValueType::Bool;
    case 21: return ValueType::Int2;
    case 23: return ValueType::Int4;
    case 20: return ValueType::Int8;
    case 700: return ValueType::Float4;
    case 701: return ValueType::Float8;
    case 1700: return ValueType::Numeric;
    case 1082: return ValueType::Date;
    case 1083: return ValueType::Time;
    case 1114: return ValueType::Timestamp;
    case 1184: return ValueType::TimestampTz;
    case 2950: return ValueType::Uuid;
    case 17: return ValueType::Bytea;
    default: return ValueType::Other;  // includes oid (26): unsigned, no Int4 semantics
  }
}

Result<bool> DataRowRewriter::rewrite(std::span<const uint8_t> body,
                                      std::span<const uint8_t> selected,
                                      masking::ColumnMasker& masker, Bytes& out) {
  if (body.size() < 2) return bad("DataRow", "missing field count");
  const int16_t count = int16_t(loadBe16(body.data()));
  if (count < 0) return bad("DataRow", "negative field count");
  if (size_t(count) > kMaxResultColumns) return bad("DataRow", "too many fields");

  // One pass. Nothing is written until the masker changes a value; from then on frame_ holds
  // the new frame up to body offset `copied` (untouched stretches are copied in bulk).
  bool changed = false;
  size_t copied = 0;
  size_t pos = 2;
  const size_t n = body.size();
  for (size_t i = 0; i < size_t(count); ++i) {
    if (n - pos < 4) return bad("DataRow", "field length past the body");
    const size_t field_start = pos;
    const int32_t len = int32_t(loadBe32(body.data() + pos));
    pos += 4;
    if (len == -1) continue;  // NULL: never offered
    if (len < -1) return bad("DataRow", "negative field length");
    if (size_t(len) > n - pos) return bad("DataRow", "field value past the body");
    const std::string_view value(reinterpret_cast<const char*>(body.data() + pos), size_t(len));
    pos += size_t(len);
    if (i >= selected.size() || selected[i] == 0) continue;

    value_.clear();
    const masking::Outcome outcome = masker.mask(i, value, value_);
    if (outcome == masking::Outcome::Keep) continue;
    if (!changed) {
      changed = true;
      frame_.clear();
      frame_.reserve(n + 5 + value_.size());
      frame_.push_back(be::kDataRow);
      appendBe32(frame_, 0);  // patched below
    }
    frame_.insert(frame_.end(), body.begin() + std::ptrdiff_t(copied),
                  body.begin() + std::ptrdiff_t(field_start));
    if (outcome == masking::Outcome::Null) {
      appendBe32(frame_, 0xffffffffu);
    } else {
      if (value_.size() > kMaxFrameBody) return bad("DataRow", "replacement value too large");
      appendBe32(frame_, uint32_t(value_.size()));
      appendBytes(frame_, value_);
    }
    copied = pos;
  }
  if (pos != n) return bad("DataRow", "bytes after the last field");
  if (!changed) return false;
  frame_.insert(frame_.end(), body.begin() + std::ptrdiff_t(copied), body.end());
  if (frame_.size() - 1 > kMaxFrameBody) return bad("DataRow", "rewritten row too large");
  storeBe32(frame_.data() + 1, uint32_t(frame_.size() - 1));
  // Swap rather than copy: both buffers keep their capacity for the next rows.
  out.swap(frame_);
  return true;
}

Result<bool> rewriteDataRow(std::span<const uint8_t> body, std::span<const uint8_t> selected,
                            masking::ColumnMasker& masker, Bytes& out) {
  DataRowRewriter rewriter;
  return rewriter.rewrite(body, selected, masker, out);
}

}  // namespace warden::dialect::postgres
