// dialects/postgres/protocol/copy_out_rewriter.cc
//! COPY TO STDOUT masking: row framing over CopyData payloads, then per-format field parsing
//! and re-encoding. The parsing rules mirror PostgreSQL's COPY FROM reader (copyfromparse.c:
//! CopyReadLineText, CopyReadAttributesText, CopyReadAttributesCSV, CopyReadBinaryTuple) and
//! the encoders its COPY TO writer (copyto.c: CopyAttributeOutText, CopyAttributeOutCSV).
#include "protocol/copy_out_rewriter.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "protocol/constants.h"
#include "protocol/row_messages.h"

namespace warden::dialect::postgres {

namespace {

constexpr uint8_t kBinarySignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0};
constexpr uint32_t kBinaryOidsFlag = 1u << 16;
// Output frames are closed once their payload reaches this size (rows are never split).
constexpr size_t kFrameTarget = size_t(1) << 20;
constexpr size_t kMaxFramePayload = size_t(std::numeric_limits<int32_t>::max()) - 4;

Error bad(const char* why) { return makeError(std::string("malformed COPY data: ") + why); }

std::string_view sv(std::span<const uint8_t> b) { return asStringView(b); }

bool isOctal(uint8_t c) { return c >= '0' && c <= '7'; }
int hexValue(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

//! CopyReadAttributesText's de-escaping of one raw field (no delimiter inside). A backslash
//! at the very end is dropped, as the server does.
void unescapeText(std::string_view raw, std::string& out) {
  out.clear();
  const size_t n = raw.size();
  for (size_t i = 0; i < n;) {
    uint8_t c = uint8_t(raw[i++]);
    if (c != '\\') {
      out.push_back(char(c));
      continue;
    }
    if (i >= n) break;
    c = uint8_t(raw[i++]);
    switch (c) {
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        unsigned val = c - '0';
        for (int k = 0; k < 2 && i < n && isOctal(uint8_t(raw[i])); ++k) {
          val = (val << 3) + unsigned(raw[i++] - '0');
        }
        out.push_back(char(val & 0377));
        break;
      }
      case 'x': {
        int h = i < n ? hexValue(uint8_t(raw[i])) : -1;
        if (h < 0) {
          out.push_back('x');
          break;
        }
        ++i;
        unsigned val = unsigned(h);
        if (i < n && (h = hexValue(uint8_t(raw[i]))) >= 0) {
          val = (val << 4) + unsigned(h);
          ++i;
        }
        out.push_back(char(val));
        break;
      }
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      default: out.push_back(char(c)); break;  // "\\", "\<delimiter>", "\N" inside a value, ...
    }
  }
}

//! CopyAttributeOutText.
void escapeText(std::string_view value, char delimiter, Bytes& out) {
  for (char ch : value) {
    const uint8_t c = uint8_t(ch);
    char esc = 0;
    if (c < 0x20) {
      switch (c) {
        case '\b': esc = 'b'; break;
        case '\f': esc = 'f'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\t': esc = 't'; break;
        case '\v': esc = 'v'; break;
        default:
          if (ch == delimiter) esc = ch;
          break;
      }
    } else if (ch == '\\' || ch == delimiter) {
      esc = ch;
    }
    if (esc != 0) {
      out.push_back('\\');
      out.push_back(uint8_t(esc));
    } else {
      out.push_back(c);
    }
  }
}

//! CopyAttributeOutCSV with quoting forced.
void quoteCsv(std::string_view value, char quote, char escape, Bytes& out) {
  out.push_back(uint8_t(quote));
  for (char c : value) {
    if (c == quote || c == escape) out.push_back(uint8_t(escape));
    out.push_back(uint8_t(c));
  }
  out.push_back(uint8_t(quote));
}

void appendSpan(Bytes& out, std::span<const uint8_t> row, size_t from, size_t to) {
  out.insert(out.end(), row.begin() + std::ptrdiff_t(from), row.begin() + std::ptrdiff_t(to));
}

//! The row without its line terminator is exactly "\." (the end-of-data marker of the text
//! formats): passed through, never parsed as data.
bool isEndMarker(std::span<const uint8_t> line) {
  return line.size() == 2 && line[0] == '\\' && line[1] == '.';
}

}  // namespace

CopyOutRewriter::CopyOutRewriter(CopyFormat fmt, std::vector<uint8_t> selected,
                                 masking::ColumnMasker& masker, size_t max_row_bytes)
    : fmt_(std::move(fmt)),
      selected_(std::move(selected)),
      masker_(masker),
      max_row_bytes_(max_row_bytes),
      header_pending_(fmt_.header) {}

Result<void> CopyOutRewriter::validateFormat() const {
  const auto newline = [](char c) { return c == '\n' || c == '\r'; };
  const std::string& null = fmt_.null_string;
  switch (fmt_.kind) {
    case CopyFormat::Kind::Binary:
      if (fmt_.header) return makeError("COPY format: binary COPY has no header line");
      return {};
    case CopyFormat::Kind::Text:
      // As the server requires: the delimiter must not be something an escape can start with.
      if (newline(fmt_.delimiter) || fmt_.delimiter == '\\' || fmt_.delimiter == '.' ||
          (fmt_.delimiter >= 'a' && fmt_.delimiter <= 'z') ||
          (fmt_.delimiter >= '0' && fmt_.delimiter <= '9')) {
        return makeError("COPY format: invalid text delimiter");
      }
      break;
    case CopyFormat::Kind::Csv:
      if (newline(fmt_.delimiter) || newline(fmt_.quote) || newline(fmt_.escape) ||
          fmt_.delimiter == fmt_.quote) {
        return makeError("COPY format: invalid CSV delimiter, quote or escape");
      }
      if (null.find(fmt_.quote) != std::string::npos) {
        return makeError("COPY format: the quote character appears in the NULL string");
      }
      break;
  }
  if (null.find_first_of("\r\n") != std::string::npos ||
      null.find(fmt_.delimiter) != std::string::npos) {
    return makeError("COPY format: invalid NULL string");
  }
  return {};
}

// ---------------------------------------------------------------------------- row framing

Result<size_t> CopyOutRewriter::scan(std::span<const uint8_t> data, bool& complete) {
  complete = false;
  switch (fmt_.kind) {
    case CopyFormat::Kind::Text: return scanText(data, complete);
    case CopyFormat::Kind::Csv: return scanCsv(data, complete);
    case CopyFormat::Kind::Binary: return scanBinary(data, complete);
  }
  return bad("unknown format");
}

// CopyReadLineText, text mode: a backslash makes the next byte data, even a newline.
size_t CopyOutRewriter::scanText(std::span<const uint8_t> data, bool& complete) {
  const uint8_t* p = data.data();
  const size_t n = data.size();
  size_t i = 0;
  if (text_escaped_ && n > 0) {
    text_escaped_ = false;
    i = 1;
  }
  while (i < n) {
    // Jump to the next newline; only the backslashes before it matter.
    const void* nl = std::memchr(p + i, '\n', n - i);
    const size_t stop = nl ? size_t(static_cast<const uint8_t*>(nl) - p) : n;
    while (i < stop) {
      if (p[i] == '\\') {
        if (i + 1 == n) {
          text_escaped_ = true;
          return n;
        }
        i += 2;
      } else {
        ++i;
      }
    }
    if (i == stop && stop < n) {
      complete = true;
      return stop + 1;
    }
    // else an escape consumed the newline at `stop` (i == stop + 1): continue after it
  }
  return n;
}

// CopyReadLineText, CSV mode. When escape == quote, the quote alone toggles (the server sets
// escapec = '\0' then); otherwise an escape inside quotes protects the next quote.
size_t CopyOutRewriter::scanCsv(std::span<const uint8_t> data, bool& complete) {
  const uint8_t quote = uint8_t(fmt_.quote);
  const uint8_t escape = uint8_t(fmt_.escape);
  const bool has_escape = fmt_.escape != fmt_.quote;
  for (size_t i = 0; i < data.size(); ++i) {
    const uint8_t c = data[i];
    if (has_escape && csv_in_quote_ && c == escape) csv_last_was_escape_ = !csv_last_was_escape_;
    if (c == quote && !csv_last_was_escape_) csv_in_quote_ = !csv_in_quote_;
    if (!has_escape || c != escape) csv_last_was_escape_ = false;
    if (c == '\n' && !csv_in_quote_) {
      complete = true;
      return i + 1;
    }
  }
  return data.size();
}

Result<size_t> CopyOutRewriter::scanBinary(std::span<const uint8_t> data, bool& complete) {
  size_t i = 0;
  const size_t n = data.size();
  // Collects a big-endian word of `size` bytes; true when complete.
  auto word = [&](size_t size) {
    while (bin_word_len_ < size && i < n) bin_word_[bin_word_len_++] = data[i++];
    if (bin_word_len_ < size) return false;
    bin_word_len_ = 0;
    return true;
  };
  auto fieldDone = [&]() {
    if (--bin_fields_left_ == 0) {
      bin_state_ = BinState::Count;
      bin_row_ = BinRow::Tuple;
      complete = true;
    } else {
      bin_state_ = BinState::FieldLen;
    }
  };
  while (i < n && !complete) {
    switch (bin_state_) {
      case BinState::Signature:
        // bin_word_len_ counts the signature bytes matched so far.
        while (bin_word_len_ < sizeof(kBinarySignature) && i < n) {
          if (data[i++] != kBinarySignature[bin_word_len_++]) return bad("bad binary signature");
        }
        if (bin_word_len_ == sizeof(kBinarySignature)) {
          bin_word_len_ = 0;
          bin_state_ = BinState::Flags;
        }
        break;
      case BinState::Flags:
        if (!word(4)) break;
        {
          const uint32_t flags = loadBe32(bin_word_);
          // Bits 0-15 are critical: a reader must abort on one it does not know.
          if ((flags & 0xffffu) != 0) return bad("unknown critical binary COPY flag");
          bin_oids_ = (flags & kBinaryOidsFlag) != 0;
        }
        bin_state_ = BinState::ExtLen;
        break;
      case BinState::ExtLen:
        if (!word(4)) break;
        {
          const int32_t len = int32_t(loadBe32(bin_word_));
          if (len < 0) return bad("negative binary header extension length");
          if (size_t(len) > max_row_bytes_) return bad("binary header extension too large");
          bin_skip_ = uint64_t(len);
        }
        bin_state_ = BinState::Ext;
        if (bin_skip_ == 0) {
          bin_state_ = BinState::Count;
          bin_row_ = BinRow::Header;
          complete = true;
        }
        break;
      case BinState::Ext:
      case BinState::FieldData: {
        const size_t take = size_t(std::min<uint64_t>(bin_skip_, n - i));
        i += take;
        bin_skip_ -= take;
        if (bin_skip_ != 0) break;
        if (bin_state_ == BinState::Ext) {
          bin_state_ = BinState::Count;
          bin_row_ = BinRow::Header;
          complete = true;
        } else {
          fieldDone();
        }
        break;
      }
      case BinState::Count:
        if (!word(2)) break;
        {
          const int16_t count = int16_t(loadBe16(bin_word_));
          if (count == -1) {
            bin_state_ = BinState::Done;
            bin_row_ = BinRow::Trailer;
            complete = true;
            break;
          }
          if (count < 0) return bad("negative binary tuple field count");
          if (size_t(count) > kMaxResultColumns) return bad("too many fields in a binary tuple");
          bin_fields_left_ = uint32_t(count) + (bin_oids_ ? 1 : 0);
        }
        if (bin_fields_left_ == 0) {
          bin_row_ = BinRow::Tuple;
          complete = true;
        } else {
          bin_state_ = BinState::FieldLen;
        }
        break;
      case BinState::FieldLen:
        if (!word(4)) break;
        {
          const int32_t len = int32_t(loadBe32(bin_word_));
          if (len < -1) return bad("negative binary field length");
          if (len > 0 && size_t(len) > max_row_bytes_) return bad("binary field too large");
          if (len > 0) {
            bin_skip_ = uint64_t(len);
            bin_state_ = BinState::FieldData;
            break;
          }
        }
        fieldDone();
        break;
      case BinState::Done:
        return bad("data after the binary COPY trailer");
    }
  }
  return i;
}

// ---------------------------------------------------------------------------- feeding

Result<void> CopyOutRewriter::feed(std::span<const uint8_t> payload, Bytes& out) {
  if (failed_) return makeError("COPY data after an earlier COPY error");
  if (finished_) return makeError("COPY data after CopyDone");
  if (!validated_) {
    auto v = validateFormat();
    if (!v) {
      failed_ = true;
      return v;
    }
    validated_ = true;
  }
  const size_t start = out.size();
  size_t frame_at = 0;
  bool frame_open = false;
  auto closeFrame = [&]() -> Result<void> {
    if (!frame_open) return {};
    frame_open = false;
    const size_t size = out.size() - frame_at - 5;
    if (size == 0) {
      out.resize(frame_at);
      return {};
    }
    if (size > kMaxFramePayload) return makeError("rewritten COPY data too large for a frame");
    storeBe32(out.data() + frame_at + 1, uint32_t(size + 4));
    return {};
  };
  auto fail = [&](Error e) -> Result<void> {
    out.resize(start);
    pending_.clear();
    failed_ = true;
    return e;
  };

  size_t pos = 0;
  while (pos < payload.size()) {
    bool complete = false;
    auto scanned = scan(payload.subspan(pos), complete);
    if (!scanned) return fail(scanned.error());
    const auto piece = payload.subspan(pos, scanned.value());
    pos += piece.size();
    if (pending_.size() + piece.size() > max_row_bytes_) {
      return fail(makeError("COPY row longer than " + std::to_string(max_row_bytes_) + " bytes"));
    }
    if (!complete) {
      pending_.insert(pending_.end(), piece.begin(), piece.end());
      continue;
    }
    std::span<const uint8_t> row = piece;
    if (!pending_.empty()) {
      pending_.insert(pending_.end(), piece.begin(), piece.end());
      row = pending_;
    }
    if (!frame_open) {
      frame_open = true;
      frame_at = out.size();
      out.push_back(be::kCopyData);
      appendBe32(out, 0);
    }
    auto emitted = emitRow(row, out);
    if (!emitted) return fail(emitted.error());
    pending_.clear();
    // One huge row must not pin up to max_row_bytes for the rest of the COPY.
    if (pending_.capacity() > kFrameTarget) Bytes().swap(pending_);
    if (out.size() - frame_at - 5 >= kFrameTarget) {
      auto closed = closeFrame();
      if (!closed) return fail(closed.error());
    }
  }
  auto closed = closeFrame();
  if (!closed) return fail(closed.error());
  return {};
}

Result<void> CopyOutRewriter::finish(Bytes& /*out*/) {
  if (failed_) return makeError("COPY ended after an earlier COPY error");
  finished_ = true;
  if (!pending_.empty()) {
    failed_ = true;
    return bad("COPY data ended inside a row");
  }
  if (fmt_.kind == CopyFormat::Kind::Binary && bin_state_ != BinState::Done) {
    failed_ = true;
    return bad("binary COPY data ended without its trailer");
  }
  return {};
}

// ---------------------------------------------------------------------------- re-encoding

masking::Outcome CopyOutRewriter::offer(size_t column, std::string_view value) {
  if (column >= selected_.size() || selected_[column] == 0) return masking::Outcome::Keep;
  masked_.clear();
  return masker_.mask(column, value, masked_);
}

Result<void> CopyOutRewriter::emitRow(std::span<const uint8_t> row, Bytes& out) {
  switch (fmt_.kind) {
    case CopyFormat::Kind::Binary:
      if (bin_row_ != BinRow::Tuple) {
        appendBytes(out, row);  // header or trailer
        return {};
      }
      return emitBinaryTuple(row, out);
    case CopyFormat::Kind::Text:
    case CopyFormat::Kind::Csv:
      if (header_pending_) {
        header_pending_ = false;
        appendBytes(out, row);
        return {};
      }
      return fmt_.kind == CopyFormat::Kind::Text ? emitTextRow(row, out) : emitCsvRow(row, out);
  }
  return bad("unknown format");
}

Result<void> CopyOutRewriter::emitTextRow(std::span<const uint8_t> row, Bytes& out) {
  // The row ends with an unescaped '\n'; an unescaped '\r' before it is part of the terminator
  // (a raw CR is never data in text format: the server rejects it).
  size_t end = row.size() - 1;
  if (end > 0 && row[end - 1] == '\r') {
    size_t backslashes = 0;
    while (backslashes < end - 1 && row[end - 2 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) --end;
  }
  const auto line = row.first(end);
  if (isEndMarker(line)) {
    appendBytes(out, row);
    return {};
  }
  const uint8_t delimiter = uint8_t(fmt_.delimiter);
  const std::string_view null = fmt_.null_string;
  size_t copied = 0;  // row bytes before this offset are in `out` (or replaced)
  size_t p = 0;
  for (size_t column = 0;; ++column) {
    const size_t field_start = p;
    bool escaped = false;
    while (p < end && line[p] != delimiter) {
      if (line[p] == '\\') {
        escaped = true;
        p = std::min(p + 2, end);
      } else {
        ++p;
      }
    }
    const std::string_view raw = sv(line.subspan(field_start, p - field_start));
    if (raw != null && column < selected_.size() && selected_[column] != 0) {
      std::string_view value = raw;
      if (escaped) {
        unescapeText(raw, value_);
        value = value_;
      }
      const masking::Outcome outcome = offer(column, value);
      if (outcome != masking::Outcome::Keep) {
        appendSpan(out, row, copied, field_start);
        if (outcome == masking::Outcome::Null) {
          appendBytes(out, null);
        } else {
          escapeText(masked_, fmt_.delimiter, out);
        }
        copied = p;
      }
    }
    if (p >= end) break;
    ++p;  // the delimiter
  }
  appendSpan(out, row, copied, row.size());
  return {};
}

Result<void> CopyOutRewriter::emitCsvRow(std::span<const uint8_t> row, Bytes& out) {
  // The row ends with an unquoted '\n'; a '\r' right before it is unquoted too ("\r\n").
  size_t end = row.size() - 1;
  if (end > 0 && row[end - 1] == '\r') --end;
  const auto line = row.first(end);
  if (isEndMarker(line)) {
    appendBytes(out, row);
    return {};
  }
  const uint8_t delimiter = uint8_t(fmt_.delimiter);
  const uint8_t quote = uint8_t(fmt_.quote);
  const uint8_t escape = uint8_t(fmt_.escape);
  const std::string_view null = fmt_.null_string;
  size_t copied = 0;
  size_t p = 0;
  for (size_t column = 0;; ++column) {
    const size_t field_start = p;
    const bool wanted = column < selected_.size() && selected_[column] != 0;
    bool saw_quote = false;
    // CopyReadAttributesCSV: outside quotes only the delimiter and the quote are special.
    while (p < end) {
      const uint8_t c = line[p];
      if (c == delimiter) break;
      ++p;
      if (c != quote) {
        if (wanted && saw_quote) value_.push_back(char(c));
        continue;
      }
      // Until the first quote the value is the raw bytes (offered without a copy).
      if (wanted && !saw_quote) value_.assign(sv(line.subspan(field_start, p - 1 - field_start)));
      saw_quote = true;
      for (;;) {
        if (p >= end) return bad("unterminated CSV quoted field");
        const uint8_t q = line[p++];
        // Checked before the closing quote, since escape and quote are usually the same byte.
        if (q == escape && p < end && (line[p] == escape || line[p] == quote)) {
          if (wanted) value_.push_back(char(line[p]));
          ++p;
          continue;
        }
        if (q == quote) break;
        if (wanted) value_.push_back(char(q));
      }
    }
    const std::string_view raw = sv(line.subspan(field_start, p - field_start));
    const bool is_null = !saw_quote && raw == null;
    if (wanted && !is_null) {
      const masking::Outcome outcome = offer(column, saw_quote ? std::string_view(value_) : raw);
      if (outcome != masking::Outcome::Keep) {
        appendSpan(out, row, copied, field_start);
        if (outcome == masking::Outcome::Null) {
          appendBytes(out, null);
        } else {
          quoteCsv(masked_, fmt_.quote, fmt_.escape, out);
        }
        copied = p;
      }
    }
    if (p >= end) break;
    ++p;  // the delimiter
  }
  appendSpan(out, row, copied, row.size());
  return {};
}

Result<void> CopyOutRewriter::emitBinaryTuple(std::span<const uint8_t> row, Bytes& out) {
  // The scanner validated the structure: count, then (count + oid) length-prefixed values.
  const size_t count = size_t(loadBe16(row.data()));
  size_t p = 2;
  size_t copied = 0;
  if (bin_oids_) {
    const int32_t len = int32_t(loadBe32(row.data() + p));
    p += 4 + (len > 0 ? size_t(len) : 0);
  }
  for (size_t column = 0; column < count; ++column) {
    const size_t field_start = p;
    const int32_t len = int32_t(loadBe32(row.data() + p));
    p += 4;
    if (len < 0) continue;  // NULL (the scanner rejected anything below -1)
    const std::string_view value = sv(row.subspan(p, size_t(len)));
    p += size_t(len);
    const masking::Outcome outcome = offer(column, value);
    if (outcome == masking::Outcome::Keep) continue;
    appendSpan(out, row, copied, field_start);
    if (outcome == masking::Outcome::Null) {
      appendBe32(out, 0xffffffffu);
    } else {
      if (masked_.size() > size_t(std::numeric_limits<int32_t>::max())) {
        return makeError("masked binary COPY value too large");
      }
      appendBe32(out, uint32_t(masked_.size()));
      appendBytes(out, masked_);
    }
    copied = p;
  }
  appendSpan(out, row, copied, row.size());
  return {};
}

}  // namespace warden::dialect::postgres
