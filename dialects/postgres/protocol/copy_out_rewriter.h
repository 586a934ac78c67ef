// dialects/postgres/protocol/copy_out_rewriter.h
//! Masking of COPY ... TO STDOUT: re-encodes the rows of the backend's CopyData stream with a
//! masking::ColumnMasker applied to selected columns.
//! https://www.postgresql.org/docs/15/sql-copy.html (File Formats),
//! https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-COPY
//!
//! Row boundaries are independent of CopyData boundaries: PostgreSQL happens to send one row
//! per message, but the protocol does not promise it (and the binary header shares a message
//! with the first tuple). Parsing follows the server's own COPY FROM reader
//! (copyfromparse.c), so what a client would read back is what the masker saw:
//! - text: a row ends at a '\n' not escaped by a backslash ("\r\n" too); a field equal to
//!   null_string *before* unescaping is NULL; \b \f \n \r \t \v, \ooo (octal), \xhh and
//!   \<any other byte> (that byte) are unescaped before a value is offered.
//! - csv: a row ends at a '\n' outside quotes ("\r\n" too); a quote may open anywhere in a
//!   field; inside quotes the escape byte escapes a quote or itself (when escape == quote:
//!   doubled quotes); an unquoted field equal to null_string is NULL, a quoted one is not.
//! - binary: signature, flags (bit 16: each tuple carries an extra OID field, passed through),
//!   header extension, tuples, trailer (field count -1); nothing may follow the trailer.
//! A header line (text/csv with header) and a line that is exactly "\." pass through.
//! The text/csv parsers read bytes, so they assume a client encoding in which every byte below
//! 0x80 is an ASCII character (UTF8, LATIN*, EUC_*, WIN*, ...). With SJIS, BIG5, GBK, UHC or
//! GB18030 a multibyte character can contain a backslash, quote or delimiter byte that the
//! server does not escape: callers must not use this rewriter for those encodings.
//!
//! Pure and single-threaded: one instance per COPY, fed in stream order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "warden/base/byte_io.h"
#include "warden/base/result.h"
#include "warden/masking/column_masker.h"

namespace warden::dialect::postgres {

//! The COPY options that shape the data stream. Defaults are text format; csvDefaults() gives
//! the CSV ones (delimiter ',', null "", quote '"', escape = quote).
struct CopyFormat {
  enum class Kind { Text, Csv, Binary } kind = Kind::Text;
  char delimiter = '\t';
  std::string null_string = "\\N";
  char quote = '"';
  char escape = '"';
  bool header = false;

  static CopyFormat csvDefaults() {
    CopyFormat f;
    f.kind = Kind::Csv;
    f.delimiter = ',';
    f.null_string.clear();
    return f;
  }
};

class CopyOutRewriter {
 public:
  //! `selected[i] != 0`: column i (0-based, in COPY column order) is offered to `masker`
  //! (NULLs never are). `masker` must outlive the rewriter. Rows longer than `max_row_bytes`
  //! (as received; the binary header counts as a row) are an error.
  CopyOutRewriter(CopyFormat fmt, std::vector<uint8_t> selected, masking::ColumnMasker& masker,
                  size_t max_row_bytes = size_t(64) << 20);

  //! One backend CopyData payload. Appends zero or more complete CopyData frames ('d') holding
  //! the re-encoded complete rows to `out`; rows the masker left unchanged are copied byte for
  //! byte (so a masker that keeps everything reproduces the input stream exactly). A row not
  //! yet complete is buffered. An invalid COPY format, malformed data or an oversized row is an
  //! error: `out` is restored to its size on entry and the rewriter refuses all further input.
  Result<void> feed(std::span<const uint8_t> copy_data_payload, Bytes& out);

  //! At CopyDone: an error when a row is incomplete (or, binary, the trailer is missing).
  //! Appends nothing today; `out` is there so a future encoding may flush.
  Result<void> finish(Bytes& out);

 private:
  enum class BinState : uint8_t { Signature, Flags, ExtLen, Ext, Count, FieldLen, FieldData, Done };

  Result<void> validateFormat() const;
  //! Scans `data` (the continuation of the current row) for the row's end. Returns the number
  //! of bytes that belong to the row; `complete` tells whether the row ends there.
  Result<size_t> scan(std::span<const uint8_t> data, bool& complete);
  size_t scanText(std::span<const uint8_t> data, bool& complete);
  size_t scanCsv(std::span<const uint8_t> data, bool& complete);
  Result<size_t> scanBinary(std::span<const uint8_t> data, bool& complete);

  //! Appends the re-encoded form of one complete row (terminator included) to `out`.
  Result<void> emitRow(std::span<const uint8_t> row, Bytes& out);
  Result<void> emitTextRow(std::span<const uint8_t> row, Bytes& out);
  Result<void> emitCsvRow(std::span<const uint8_t> row, Bytes& out);
  Result<void> emitBinaryTuple(std::span<const uint8_t> row, Bytes& out);
  //! Offers column `column` (non-NULL `value`) when selected.
  masking::Outcome offer(size_t column, std::string_view value);

  CopyFormat fmt_;
  std::vector<uint8_t> selected_;
  masking::ColumnMasker& masker_;
  size_t max_row_bytes_;

  bool validated_ = false;
  bool failed_ = false;    // an error was returned: no further input is accepted
  bool finished_ = false;  // finish() was called
  bool header_pending_;  // text/csv: the next line is the header
  Bytes pending_;        // bytes of the incomplete current row
  std::string value_;    // unescaped value offered to the masker
  std::string masked_;   // the masker's output

  // text/csv row scanner
  bool text_escaped_ = false;  // text: the previous byte was an escaping backslash
  bool csv_in_quote_ = false;
  bool csv_last_was_escape_ = false;

  // binary stream scanner
  enum class BinRow : uint8_t { Header, Tuple, Trailer };
  BinState bin_state_ = BinState::Signature;
  BinRow bin_row_ = BinRow::Header;  // what the row the scanner completed last is
  bool bin_oids_ = false;
  uint8_t bin_word_[4] = {};
  size_t bin_word_len_ = 0;
  uint64_t bin_skip_ = 0;        // bytes of extension or value data still to pass
  uint32_t bin_fields_left_ = 0;
};

}  // namespace warden::dialect::postgres
