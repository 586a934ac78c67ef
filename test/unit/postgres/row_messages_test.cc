// test/unit/postgres/row_messages_test.cc
//! RowDescription decoding, OID classification and DataRow masking. Fixtures are bytes captured
//! from PostgreSQL 15.18 (raw protocol client, client_encoding UTF8).
#include <functional>
#include <map>
#include <optional>
#include <random>

#include "pg_test_util.h"
#include "protocol/row_messages.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
using masking::Outcome;
using masking::ValueType;

// SELECT 1 AS a, 'x'::text AS b
constexpr const char* kRowDescOneX =
    "54 0000002e 0002"
    " 6100 00000000 0000 00000017 0004 ffffffff 0000"
    " 6200 00000000 0000 00000019 ffff ffffffff 0000";
constexpr const char* kDataRowOneX = "44 00000010 0002 00000001 31 00000001 78";

// CREATE TABLE t(id int, name text, note text) (oid 16384); SELECT * FROM t
constexpr const char* kRowDescT =
    "54 00000049 0003"
    " 696400 00004000 0001 00000017 0004 ffffffff 0000"
    " 6e616d6500 00004000 0002 00000019 ffff ffffffff 0000"
    " 6e6f746500 00004000 0003 00000019 ffff ffffffff 0000";
// (1, 'alice', 'a\tb')   — the note is backslash + 't'
constexpr const char* kDataRowT1 =
    "44 0000001c 0003 00000001 31 00000005 616c696365 00000004 615c7462";
// (2, NULL, E'line1\nline2\\x')
constexpr const char* kDataRowT2 =
    "44 00000020 0003 00000001 32 ffffffff 0000000d 6c696e65310a6c696e65325c78";
// (3, '', 'q"uote,comma')
constexpr const char* kDataRowT3 =
    "44 0000001f 0003 00000001 33 00000000 0000000c 7122756f74652c636f6d6d61";

//! Masker driven by per-column rules; records every call.
struct ScriptedMasker final : masking::ColumnMasker {
  struct Rule {
    Outcome outcome = Outcome::Keep;
    std::function<std::string(std::string_view)> make;
  };
  std::map<size_t, Rule> rules;
  std::vector<std::pair<size_t, std::string>> calls;

  ScriptedMasker& replace(size_t column, std::string value) {
    rules[column] = {Outcome::Replace, [value](std::string_view) { return value; }};
    return *this;
  }
  ScriptedMasker& nulls(size_t column) {
    rules[column] = {Outcome::Null, {}};
    return *this;
  }
  Outcome mask(size_t column, std::string_view value, std::string& out) override {
    calls.emplace_back(column, std::string(value));
    auto it = rules.find(column);
    if (it == rules.end()) return Outcome::Keep;
    if (it->second.outcome == Outcome::Replace) out = it->second.make(value);
    return it->second.outcome;
  }
};

using Calls = std::vector<std::pair<size_t, std::string>>;
using Row = std::vector<std::optional<std::string>>;

//! Test-side DataRow codec (independent of the code under test).
Bytes encodeRow(const Row& row) {
  Bytes body;
  appendBe16(body, uint16_t(row.size()));
  for (const auto& v : row) {
    if (!v) {
      appendBe32(body, 0xffffffffu);
      continue;
    }
    appendBe32(body, uint32_t(v->size()));
    appendBytes(body, *v);
  }
  return body;
}

//! Decodes a whole DataRow frame strictly; nullopt when it is malformed.
std::optional<Row> decodeRowFrame(const Bytes& f) {
  if (f.size() < 7 || f[0] != 'D' || loadBe32(f.data() + 1) != f.size() - 1) return std::nullopt;
  size_t p = 5;
  const size_t n = loadBe16(f.data() + p);
  p += 2;
  Row row;
  for (size_t i = 0; i < n; ++i) {
    if (f.size() - p < 4) return std::nullopt;
    const int32_t len = int32_t(loadBe32(f.data() + p));
    p += 4;
    if (len == -1) {
      row.emplace_back();
      continue;
    }
    if (len < 0 || size_t(len) > f.size() - p) return std::nullopt;
    row.emplace_back(std::string(reinterpret_cast<const char*>(f.data() + p), size_t(len)));
    p += size_t(len);
  }
  if (p != f.size()) return std::nullopt;
  return row;
}

const Bytes kSentinel = {0xde, 0xad, 0xbe, 0xef};

// --------------------------------------------------------------------------- RowDescription

TEST_CASE("pg RowDescription: SELECT 1 AS a, 'x'::text AS b", "[postgres][masking]") {
  auto fields = decodeRowDescription(typedBody(kRowDescOneX));
  REQUIRE(fields.ok());
  REQUIRE(fields->size() == 2);
  const FieldDescription& a = fields.value()[0];
  CHECK(a.name == "a");
  CHECK(a.table_oid == 0);
  CHECK(a.column == 0);
  CHECK(a.type_oid == 23);
  CHECK(a.type_len == 4);
  CHECK(a.type_mod == -1);
  CHECK(a.format == 0);
  const FieldDescription& b = fields.value()[1];
  CHECK(b.name == "b");
  CHECK(b.type_oid == 25);
  CHECK(b.type_len == -1);
  CHECK(b.type_mod == -1);
  CHECK(valueTypeOf(a.type_oid) == ValueType::Int4);
  CHECK(valueTypeOf(b.type_oid) == ValueType::Text);
}

TEST_CASE("pg RowDescription: table columns, names view into the body", "[postgres][masking]") {
  const ByteView body = typedBody(kRowDescT);
  auto fields = decodeRowDescription(body);
  REQUIRE(fields.ok());
  REQUIRE(fields->size() == 3);
  const char* names[] = {"id", "name", "note"};
  const uint32_t types[] = {23, 25, 25};
  for (size_t i = 0; i < 3; ++i) {
    const FieldDescription& f = fields.value()[i];
    CHECK(f.name == names[i]);
    CHECK(f.table_oid == 16384);
    CHECK(f.column == int16_t(i + 1));
    CHECK(f.type_oid == types[i]);
    const auto* p = reinterpret_cast<const uint8_t*>(f.name.data());
    CHECK((p >= body.data() && p + f.name.size() < body.data() + body.size()));
  }
}

TEST_CASE("pg RowDescription: binary format, empty name, zero fields", "[postgres][masking]") {
  auto f = decodeRowDescription(hex("0001 00 00000001 fffe 00000bb8 0010 00000000 0001"));
  REQUIRE(f.ok());
  REQUIRE(f->size() == 1);
  CHECK(f->front().name.empty());
  CHECK(f->front().column == -2);
  CHECK(f->front().type_oid == 3000);
  CHECK(f->front().type_len == 16);
  CHECK(f->front().format == 1);
  auto none = decodeRowDescription(hex("0000"));
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("pg RowDescription: malformed bodies", "[postgres][masking]") {
  const Bytes good = toBytes(typedBody(kRowDescT));
  // Every strict prefix fails, and so does one extra byte.
  for (size_t n = 0; n < good.size(); ++n) {
    INFO("prefix " << n);
    CHECK(!decodeRowDescription(ByteView(good).first(n)).ok());
  }
  Bytes longer = good;
  longer.push_back(0);
  CHECK(!decodeRowDescription(longer).ok());

  const std::string field = "6100 00000000 0000 00000017 0004 ffffffff 0000";
  CHECK(!decodeRowDescription(hex("ffff")).ok());                                 // negative
  CHECK(!decodeRowDescription(hex("0002 " + field)).ok());                        // too few
  CHECK(!decodeRowDescription(hex("0001 " + field + field)).ok());                // too many
  CHECK(!decodeRowDescription(hex("0001 61 00000000 0000 00000017 0004 ffffffff 0000")).ok());
  CHECK(!decodeRowDescription(hex("0001 6100 00000000 0000 00000017 0004 ffffffff 0002")).ok());
  CHECK(!decodeRowDescription(hex("0001 6100 00000000 0000 00000017 0004 ffffffff ffff")).ok());
  CHECK(decodeRowDescription(hex("0001 " + field)).ok());
  // A huge count with a short body is refused before anything is reserved.
  CHECK(!decodeRowDescription(hex("7fff 00")).ok());
}

TEST_CASE("pg RowDescription: at most 1664 fields", "[postgres][masking]") {
  auto body = [](size_t n) {
    Bytes b;
    appendBe16(b, uint16_t(n));
    for (size_t i = 0; i < n; ++i) {
      b.push_back('c');
      b.push_back(0);
      appendBe32(b, 0);
      appendBe16(b, 0);
      appendBe32(b, 25);
      appendBe16(b, 0xffff);
      appendBe32(b, 0xffffffffu);
      appendBe16(b, 0);
    }
    return b;
  };
  auto max = decodeRowDescription(body(kMaxResultColumns));
  REQUIRE(max.ok());
  CHECK(max->size() == 1664);
  auto over = decodeRowDescription(body(kMaxResultColumns + 1));
  REQUIRE(!over.ok());
  CHECK(over.error().message.find("too many") != std::string::npos);
}

TEST_CASE("pg valueTypeOf: built-in OIDs", "[postgres][masking]") {
  const std::vector<std::pair<uint32_t, ValueType>> table = {
      {25, ValueType::Text},        {1043, ValueType::Text},       {1042, ValueType::Text},
      {19, ValueType::Text},        {18, ValueType::Text},         {705, ValueType::Text},
      {142, ValueType::Text},       {114, ValueType::Json},        {3802, ValueType::Json},
      {16, ValueType::Bool},        {21, ValueType::Int2},         {23, ValueType::Int4},
      {20, ValueType::Int8},        {26, ValueType::Other},        {700, ValueType::Float4},
      {701, ValueType::Float8},     {1700, ValueType::Numeric},    {1082, ValueType::Date},
      {1083, ValueType::Time},      {1114, ValueType::Timestamp},  {1184, ValueType::TimestampTz},
      {2950, ValueType::Uuid},      {17, ValueType::Bytea},        {1266, ValueType::Other},
      {1009, ValueType::Other},     {0, ValueType::Other},         {16384, ValueType::Other},
      {3807, ValueType::Other},     {4072, ValueType::Other},
  };
  for (const auto& [oid, type] : table) {
    INFO("oid " << oid);
    CHECK(valueTypeOf(oid) == type);
  }
}

// --------------------------------------------------------------------------- DataRow

TEST_CASE("pg DataRow: a masker that keeps everything leaves out untouched",
          "[postgres][masking]") {
  ScriptedMasker m;
  DataRowRewriter rw;
  Bytes out = kSentinel;
  const std::vector<uint8_t> all = {1, 1, 1};
  for (const char* row : {kDataRowT1, kDataRowT2, kDataRowT3}) {
    auto r = rw.rewrite(typedBody(row), all, m, out);
    REQUIRE(r.ok());
    CHECK(!r.value());
  }
  CHECK(out == kSentinel);
  // NULLs are never offered; empty values are.
  CHECK(m.calls == Calls{{0, "1"}, {1, "alice"}, {2, "a\\tb"},
                         {0, "2"}, {2, "line1\nline2\\x"},
                         {0, "3"}, {1, ""}, {2, "q\"uote,comma"}});
}

TEST_CASE("pg DataRow: only selected columns are offered", "[postgres][masking]") {
  ScriptedMasker m;
  Bytes out;
  // Column 0 unselected, column 1 selected, column 2 beyond the selection.
  const std::vector<uint8_t> sel = {0, 1};
  REQUIRE(rewriteDataRow(typedBody(kDataRowT1), sel, m, out).ok());
  REQUIRE(rewriteDataRow(typedBody(kDataRowT2), sel, m, out).ok());
  CHECK(m.calls == Calls{{1, "alice"}});
  REQUIRE(rewriteDataRow(typedBody(kDataRowOneX), {}, m, out).ok());
  CHECK(m.calls.size() == 1);
}

TEST_CASE("pg DataRow: replace one column (golden)", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(1, "****");
  Bytes out = kSentinel;
  auto r = rewriteDataRow(typedBody(kDataRowT1), std::vector<uint8_t>{0, 1, 0}, m, out);
  REQUIRE(r.ok());
  REQUIRE(r.value());
  CHECK(toHex(out) ==
        toHex(hex("44 0000001b 0003 00000001 31 00000004 2a2a2a2a 00000004 615c7462")));
}

TEST_CASE("pg DataRow: null, replace and keep in one row", "[postgres][masking]") {
  ScriptedMasker m;
  m.nulls(0).replace(2, "a much longer replacement value");
  Bytes out;
  auto r = rewriteDataRow(typedBody(kDataRowT3), std::vector<uint8_t>{1, 1, 1}, m, out);
  REQUIRE(r.ok());
  REQUIRE(r.value());
  auto row = decodeRowFrame(out);
  REQUIRE(row);
  CHECK(*row == Row{std::nullopt, std::string(), std::string("a much longer replacement value")});
  CHECK(m.calls == Calls{{0, "3"}, {1, ""}, {2, "q\"uote,comma"}});
}

TEST_CASE("pg DataRow: empty replacement, NULLs kept, last column", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(2, "").replace(1, "never");
  Bytes out;
  auto r = rewriteDataRow(typedBody(kDataRowT2), std::vector<uint8_t>{0, 1, 1}, m, out);
  REQUIRE(r.ok());
  REQUIRE(r.value());
  CHECK(toHex(out) == toHex(hex("44 00000013 0003 00000001 32 ffffffff 00000000")));
  CHECK(m.calls == Calls{{2, "line1\nline2\\x"}});  // the NULL in column 1 was not offered
}

TEST_CASE("pg DataRow: out is replaced, the rewriter is reusable", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(0, "X");
  DataRowRewriter rw;
  Bytes out = kSentinel;
  const std::vector<uint8_t> sel = {1};
  REQUIRE(rw.rewrite(typedBody(kDataRowT1), sel, m, out).value());
  CHECK(decodeRowFrame(out) == Row{"X", "alice", "a\\tb"});
  REQUIRE(rw.rewrite(typedBody(kDataRowOneX), sel, m, out).value());
  CHECK(decodeRowFrame(out) == Row{"X", "x"});
  REQUIRE(rw.rewrite(typedBody(kDataRowT2), sel, m, out).value());
  CHECK(decodeRowFrame(out) == Row{"X", std::nullopt, "line1\nline2\\x"});
  m.rules.clear();
  Bytes before = out;
  REQUIRE(!rw.rewrite(typedBody(kDataRowT3), sel, m, out).value());
  CHECK(out == before);
}

TEST_CASE("pg DataRow: malformed rows are errors and leave out untouched",
          "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(0, "R");
  const std::vector<uint8_t> all = {1, 1, 1};
  auto fails = [&](const Bytes& body) {
    Bytes out = kSentinel;
    auto r = rewriteDataRow(body, all, m, out);
    if (r.ok()) return false;
    CHECK(out == kSentinel);
    return !r.error().message.empty();
  };
  const Bytes good = toBytes(typedBody(kDataRowT1));
  for (size_t n = 0; n < good.size(); ++n) {
    INFO("prefix " << n);
    CHECK(fails(Bytes(good.begin(), good.begin() + std::ptrdiff_t(n))));
  }
  Bytes longer = good;
  longer.push_back('!');
  CHECK(fails(longer));
  CHECK(fails(hex("ffff")));                                   // negative count
  CHECK(fails(hex("0001 fffffffe")));                          // length < -1
  CHECK(fails(hex("0001 80000000")));                          // INT32_MIN
  CHECK(fails(hex("0002 00000001 31")));                       // count above the data
  CHECK(fails(hex("0001 00000001 31 00000001 32")));           // count below the data
  CHECK(fails(hex("0001 00000005 3132")));                     // value past the body
  CHECK(fails(hex("0001 7fffffff 31")));
  CHECK(!fails(hex("0001 00000001 31")));
  CHECK(!fails(hex("0000")));
  // Count cap.
  Bytes many;
  appendBe16(many, uint16_t(kMaxResultColumns + 1));
  for (size_t i = 0; i <= kMaxResultColumns; ++i) appendBe32(many, 0xffffffffu);
  CHECK(fails(many));
  Bytes max;
  appendBe16(max, uint16_t(kMaxResultColumns));
  for (size_t i = 0; i < kMaxResultColumns; ++i) appendBe32(max, 0xffffffffu);
  CHECK(!fails(max));
}

TEST_CASE("pg DataRow: random rows against a model", "[postgres][masking]") {
  std::mt19937 rng(20240607);
  auto pick = [&](size_t n) { return size_t(rng() % n); };
  for (int iter = 0; iter < 3000; ++iter) {
    Row row(pick(7));
    for (auto& v : row) {
      if (pick(4) == 0) continue;  // NULL
      std::string s(pick(6), '\0');
      for (char& c : s) c = char(rng());
      v = s;
    }
    std::vector<uint8_t> sel(pick(9));
    for (auto& s : sel) s = uint8_t(pick(2));
    ScriptedMasker m;
    Row expected = row;
    Calls calls;
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t action = pick(3);
      if (action == 1) m.nulls(i);
      if (action == 2) m.replace(i, std::string(pick(4), char('a' + i)));
      if (!row[i] || i >= sel.size() || !sel[i]) continue;
      calls.emplace_back(i, *row[i]);
      if (action == 1) expected[i].reset();
      if (action == 2) expected[i] = std::string(m.rules[i].make(""));
    }
    const bool changes = expected != row || [&] {
      for (size_t i = 0; i < row.size(); ++i) {
        if (row[i] && i < sel.size() && sel[i] && m.rules.count(i)) return true;
      }
      return false;
    }();
    Bytes out = kSentinel;
    DataRowRewriter rw;
    auto r = rw.rewrite(encodeRow(row), sel, m, out);
    REQUIRE(r.ok());
    CHECK(m.calls == calls);
    CHECK(r.value() == changes);
    if (r.value()) {
      CHECK(decodeRowFrame(out) == expected);
    } else {
      CHECK(out == kSentinel);
    }
  }
}

}  // namespace
}  // namespace warden::dialect::postgres
