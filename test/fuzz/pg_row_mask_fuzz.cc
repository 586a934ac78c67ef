// test/fuzz/pg_row_mask_fuzz.cc
//! libFuzzer target for the PostgreSQL result-masking codec: RowDescription, DataRow rewriting
//! and COPY TO STDOUT rewriting in text, CSV and binary format.
//!
//! Input layout: [mode:1][options:1][data...]. mode % 4 picks the codec (0 rows, 1 text,
//! 2 csv, 3 binary); options pick the COPY options, the selected columns, the row limit and
//! the split pattern. Beyond "no crash" it checks:
//! - decodeRowDescription: every name views into the body, at most 1664 fields.
//! - DataRow: validity does not depend on the masker; a rewritten frame decodes with the same
//!   field count and exactly the values a model of the masker predicts; `out` is untouched
//!   when nothing changes or on error.
//! - COPY: the result (ok or error) does not depend on how the stream is split; the output is
//!   well-formed CopyData frames; a masker that keeps everything reproduces the input bytes;
//!   reading the masked output back yields what the masker decided for every value.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/copy_out_rewriter.h"
#include "protocol/row_messages.h"
#include "warden/base/byte_io.h"

namespace {

using namespace warden;
using namespace warden::dialect::postgres;
using masking::Outcome;
using Calls = std::vector<std::pair<size_t, std::string>>;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string replacementOf(std::string_view v) { return "<" + std::string(v) + ">"; }

//! Even columns: replaced by "<value>"; odd columns: NULL. Records what it was offered.
struct ParityMasker final : masking::ColumnMasker {
  Calls calls;
  Outcome mask(size_t column, std::string_view value, std::string& out) override {
    calls.emplace_back(column, std::string(value));
    if (column % 2 == 1) return Outcome::Null;
    out = replacementOf(value);
    return Outcome::Replace;
  }
};

//! Keeps everything; records what it was offered.
struct KeepMasker final : masking::ColumnMasker {
  Calls calls;
  Outcome mask(size_t column, std::string_view value, std::string&) override {
    calls.emplace_back(column, std::string(value));
    return Outcome::Keep;
  }
};

bool inside(ByteView body, std::string_view s) {
  if (s.empty()) return true;
  auto* p = reinterpret_cast<const uint8_t*>(s.data());
  return p >= body.data() && p + s.size() <= body.data() + body.size();
}

// ------------------------------------------------------------------------ rows

using Row = std::vector<std::optional<std::string>>;

//! Strict decode of a DataRow body (test-side model).
std::optional<Row> decodeBody(ByteView b) {
  if (b.size() < 2) return std::nullopt;
  const int16_t n = int16_t(loadBe16(b.data()));
  if (n < 0 || size_t(n) > kMaxResultColumns) return std::nullopt;
  size_t p = 2;
  Row row;
  for (int16_t i = 0; i < n; ++i) {
    if (b.size() - p < 4) return std::nullopt;
    const int32_t len = int32_t(loadBe32(b.data() + p));
    p += 4;
    if (len == -1) {
      row.emplace_back();
      continue;
    }
    if (len < 0 || size_t(len) > b.size() - p) return std::nullopt;
    row.emplace_back(std::string(reinterpret_cast<const char*>(b.data() + p), size_t(len)));
    p += size_t(len);
  }
  if (p != b.size()) return std::nullopt;
  return row;
}

//! A valid DataRow body built from arbitrary bytes: per field, a byte 0xff is NULL, any other
//! byte b is followed by (up to) b % 16 value bytes. Random bodies are rarely valid rows.
Bytes synthesizeRow(ByteView in) {
  Bytes body;
  appendBe16(body, 0);
  uint16_t n = 0;
  for (size_t p = 0; p < in.size() && n < kMaxResultColumns; ++n) {
    const uint8_t b = in[p++];
    if (b == 0xff) {
      appendBe32(body, 0xffffffffu);
      continue;
    }
    const size_t len = std::min<size_t>(b % 16, in.size() - p);
    appendBe32(body, uint32_t(len));
    appendBytes(body, in.subspan(p, len));
    p += len;
  }
  storeBe16(body.data(), n);
  return body;
}

void fuzzDataRow(ByteView body, uint8_t options) {

  std::vector<uint8_t> selected(options % 8);
  for (size_t i = 0; i < selected.size(); ++i) selected[i] = uint8_t((options >> 3 >> (i % 5)) & 1);
  const Bytes sentinel = {0xde, 0xad};

  KeepMasker keep;
  Bytes kept = sentinel;
  auto k = rewriteDataRow(body, selected, keep, kept);
  check(kept == sentinel);
  check(!k.ok() || !k.value());

  ParityMasker parity;
  DataRowRewriter rewriter;
  Bytes out = sentinel;
  auto r = rewriter.rewrite(body, selected, parity, out);
  const std::optional<Row> model = decodeBody(body);
  check(r.ok() == k.ok() && r.ok() == model.has_value());
  if (!r.ok()) {
    check(out == sentinel && !r.error().message.empty());
    return;
  }
  Row expected = *model;
  Calls offered;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!expected[i] || i >= selected.size() || !selected[i]) continue;
    offered.emplace_back(i, *expected[i]);
    if (i % 2 == 1) {
      expected[i].reset();
    } else {
      expected[i] = replacementOf(*expected[i]);
    }
  }
  check(parity.calls == offered && keep.calls == offered);
  check(r.value() == !offered.empty());
  if (!r.value()) {
    check(out == sentinel);
    return;
  }
  check(out.size() >= 7 && out[0] == 'D' && loadBe32(out.data() + 1) == out.size() - 1);
  auto again = decodeBody(ByteView(out).subspan(5));
  check(again.has_value() && again->size() == model->size() && *again == expected);
}

void fuzzRows(ByteView body, uint8_t options) {
  auto fields = decodeRowDescription(body);
  if (fields.ok()) {
    check(fields->size() <= kMaxResultColumns);
    for (const auto& f : fields.value()) {
      check(inside(body, f.name) && (f.format | 1) == 1);
      (void)valueTypeOf(f.type_oid);
    }
  }
  fuzzDataRow(body, options);
  const Bytes synthesized = synthesizeRow(body);
  check(decodeBody(synthesized).has_value());
  fuzzDataRow(synthesized, options);
}

// ------------------------------------------------------------------------ COPY

struct Run {
  bool ok = true;
  std::string data;  // concatenated CopyData payloads
  Calls calls;
};

//! Concatenated payloads of `out`, which must be complete non-empty CopyData frames.
std::string payloads(const Bytes& out) {
  std::string s;
  size_t p = 0;
  while (p < out.size()) {
    check(out.size() - p >= 5 && out[p] == 'd');
    const uint32_t len = loadBe32(out.data() + p + 1);
    check(len > 4 && len - 4 <= out.size() - p - 5);
    s.append(reinterpret_cast<const char*>(out.data() + p + 5), len - 4);
    p += 1 + len;
  }
  return s;
}

template <typename Masker>
Run runCopy(const CopyFormat& fmt, const std::vector<uint8_t>& selected, size_t max_row,
            std::string_view stream, const std::vector<size_t>& cuts) {
  Masker masker;
  Run run;
  CopyOutRewriter rw(fmt, selected, masker, max_row);
  Bytes out;
  size_t from = 0;
  for (size_t i = 0; i <= cuts.size() && run.ok; ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : stream.size();
    const size_t before = out.size();
    if (!rw.feed(asBytes(stream.substr(from, to - from)), out).ok()) {
      check(out.size() == before);
      run.ok = false;
    }
    from = to;
  }
  if (run.ok) {
    const size_t before = out.size();
    run.ok = rw.finish(out).ok();
    check(out.size() == before);
  }
  run.data = payloads(out);
  run.calls = std::move(masker.calls);
  return run;
}

void fuzzCopy(CopyFormat::Kind kind, std::string_view stream, uint8_t options) {
  CopyFormat fmt;
  if (kind == CopyFormat::Kind::Csv) fmt = CopyFormat::csvDefaults();
  fmt.kind = kind;
  if (kind == CopyFormat::Kind::Text) {
    fmt.delimiter = (options & 1) ? '|' : '\t';
    static const char* const kNulls[] = {"\\N", "NULL", "", "\\N"};
    fmt.null_string = kNulls[(options >> 1) & 3];
    fmt.header = (options & 8) != 0;
  } else if (kind == CopyFormat::Kind::Csv) {
    if (options & 1) fmt.delimiter = ';';
    if (options & 2) fmt.quote = '\'';
    fmt.escape = (options & 4) ? '\\' : fmt.quote;
    if (options & 16) fmt.null_string = "NULL";
    fmt.header = (options & 8) != 0;
  }
  const size_t columns = 4;
  std::vector<uint8_t> selected(columns);
  for (size_t i = 0; i < columns; ++i) selected[i] = uint8_t(((options >> 5) + i) % 3 != 0);
  const size_t max_row = (options & 0x80) ? 24 : size_t(1) << 20;

  // Split patterns: whole, one byte per feed (short inputs), pseudo-random cuts.
  std::vector<size_t> random_cuts;
  uint32_t seed = uint32_t(stream.size()) * 2654435761u + options;
  for (size_t p = 0;;) {
    seed = seed * 1103515245u + 12345u;
    p += 1 + (seed >> 16) % 13;
    if (p >= stream.size()) break;
    random_cuts.push_back(p);
  }
  std::vector<size_t> byte_cuts;
  if (stream.size() <= 256) {
    for (size_t p = 1; p < stream.size(); ++p) byte_cuts.push_back(p);
  }

  const Run keep = runCopy<KeepMasker>(fmt, selected, max_row, stream, {});
  if (keep.ok) check(keep.data == stream);
  const Run keep_split = runCopy<KeepMasker>(fmt, selected, max_row, stream, random_cuts);
  check(keep_split.ok == keep.ok);
  if (keep.ok) check(keep_split.data == stream && keep_split.calls == keep.calls);

  const Run masked = runCopy<ParityMasker>(fmt, selected, max_row, stream, {});
  check(masked.ok == keep.ok);
  for (const auto* cuts : {&random_cuts, &byte_cuts}) {
    const Run split = runCopy<ParityMasker>(fmt, selected, max_row, stream, *cuts);
    check(split.ok == masked.ok);
    if (masked.ok) check(split.data == masked.data && split.calls == masked.calls);
  }
  if (!masked.ok) return;
  check(masked.calls == keep.calls);

  // Read both streams back with every column offered: the masked one must show exactly the
  // masker's decisions.
  const std::vector<uint8_t> all(columns + 8, 1);
  const Run original = runCopy<KeepMasker>(fmt, all, size_t(1) << 20, stream, {});
  const Run back = runCopy<KeepMasker>(fmt, all, size_t(1) << 22, masked.data, {});
  check(original.ok && back.ok && back.data == masked.data);
  Calls expected;
  for (const auto& [column, value] : original.calls) {
    if (column >= columns || !selected[column]) {
      expected.emplace_back(column, value);
    } else if (column % 2 == 0) {
      expected.emplace_back(column, replacementOf(value));
    }
  }
  check(back.calls == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Exactly-sized copy so ASan sees any read past the body.
  const std::vector<uint8_t> copy(data + 2, data + size);
  const ByteView body(copy);
  switch (data[0] % 4) {
    case 0: fuzzRows(body, data[1]); break;
    case 1: fuzzCopy(CopyFormat::Kind::Text, asStringView(body), data[1]); break;
    case 2: fuzzCopy(CopyFormat::Kind::Csv, asStringView(body), data[1]); break;
    default: fuzzCopy(CopyFormat::Kind::Binary, asStringView(body), data[1]); break;
  }
  return 0;
}
