// test/unit/postgres/copy_out_rewriter_test.cc
//! COPY TO STDOUT masking in text, CSV and binary format. Streams are CopyData payloads
//! captured from PostgreSQL 15.18 (client_encoding UTF8) unless built by hand; every scenario is
//! also run with the stream cut at every byte offset and fed one byte at a time.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <random>

#include "pg_test_util.h"
#include "protocol/copy_out_rewriter.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
using masking::Outcome;
using Kind = CopyFormat::Kind;

// ---------------------------------------------------------------------------- fixtures
// CREATE TABLE t(id int, name text, note text);
// INSERT INTO t VALUES (1,'alice','a\tb'),(2,NULL,E'line1\nline2\\x'),(3,'','q"uote,comma');
// (the first note is backslash + 't')

// COPY t TO STDOUT — one CopyData payload per row
const std::vector<const char*> kTextT = {
    "3109616c69636509615c5c74620a",
    "32095c4e096c696e65315c6e6c696e65325c5c780a",
    "3309097122756f74652c636f6d6d610a",
};
// COPY t TO STDOUT (FORMAT csv, HEADER)
const std::vector<const char*> kCsvT = {
    "69642c6e616d652c6e6f74650a",
    "312c616c6963652c615c74620a",
    "322c2c226c696e65310a6c696e65325c78220a",
    "332c22222c22712222756f74652c636f6d6d61220a",
};
// COPY t TO STDOUT (FORMAT binary) — the header shares a message with the first tuple
const std::vector<const char*> kBinaryT = {
    "5047434f50590aff0d0a00000000000000000000030000000400000001"
    "00000005616c69636500000004615c7462",
    "00030000000400000002ffffffff0000000d6c696e65310a6c696e65325c78",
    "00030000000400000003000000000000000c7122756f74652c636f6d6d61",
    "ffff",
};

// CREATE TABLE u(id int, v text); values 1..10:
//   E'tab\there', E'nl\nhere\r', E'back\\slash', NULL, '', E'\\N', 'a,b"c', E'\x01ctl', '\.',
//   'é|ü'
// COPY u TO STDOUT
const std::vector<const char*> kTextU = {
    "31097461625c74686572650a", "32096e6c5c6e686572655c720a", "33096261636b5c5c736c6173680a",
    "34095c4e0a",               "35090a",                     "36095c5c4e0a",
    "3709612c6222630a",         "38090163746c0a",             "39095c5c2e0a",
    "313009c3a97cc3bc0a",
};
// COPY u TO STDOUT (FORMAT csv)
const std::vector<const char*> kCsvU = {
    "312c74616209686572650a", "322c226e6c0a686572650d220a", "332c6261636b5c736c6173680a",
    "342c0a",                 "352c22220a",                 "362c5c4e0a",
    "372c22612c62222263220a", "382c0163746c0a",             "392c5c2e0a",
    "31302cc3a97cc3bc0a",
};
// COPY u TO STDOUT (FORMAT csv, QUOTE '''', ESCAPE '\', NULL 'NULL', DELIMITER ';', FORCE_QUOTE *)
const std::vector<const char*> kCsvUQuoted = {
    "2731273b277461620968657265270a", "2732273b276e6c0a686572650d270a",
    "2733273b276261636b5c5c736c617368270a", "2734273b4e554c4c0a", "2735273b27270a",
    "2736273b275c5c4e270a", "2737273b27612c622263270a", "2738273b270163746c270a",
    "2739273b275c5c2e270a", "273130273b27c3a97cc3bc270a",
};
// COPY u TO STDOUT (DELIMITER '|', NULL 'NULL', HEADER)
const std::vector<const char*> kTextUPipe = {
    "69647c760a", "317c7461625c74686572650a", "327c6e6c5c6e686572655c720a",
    "337c6261636b5c5c736c6173680a", "347c4e554c4c0a", "357c0a", "367c5c5c4e0a",
    "377c612c6222630a", "387c0163746c0a", "397c5c5c2e0a", "31307cc3a95c7cc3bc0a",
};
// The values of u as the server stores them (column 1), NULL for id 4.
const std::vector<std::optional<std::string>> kValuesU = {
    "tab\there", "nl\nhere\r", "back\\slash", std::nullopt, "", "\\N", "a,b\"c",
    "\x01" "ctl", "\\.", "\xc3\xa9|\xc3\xbc",
};
// COPY (SELECT 1::int4, NULL::text, 'x'::bytea, true) TO STDOUT (FORMAT binary)
const std::vector<const char*> kBinaryMixed = {
    "5047434f50590aff0d0a00000000000000000000040000000400000001ffffffff00000001780000000101",
    "ffff",
};

// ---------------------------------------------------------------------------- helpers

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
  ScriptedMasker& transform(size_t column, std::function<std::string(std::string_view)> f) {
    rules[column] = {Outcome::Replace, std::move(f)};
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

std::string join(const std::vector<const char*>& hexes) {
  std::string s;
  for (const char* h : hexes) s += str(hex(h));
  return s;
}

CopyFormat csv() { return CopyFormat::csvDefaults(); }
CopyFormat binary() {
  CopyFormat f;
  f.kind = Kind::Binary;
  return f;
}

//! The payloads of the CopyData frames in `out`, concatenated; framing is checked (every frame
//! complete, non-empty, length word right).
std::optional<std::string> payloads(const Bytes& out) {
  std::string s;
  size_t p = 0;
  while (p < out.size()) {
    if (out.size() - p < 5 || out[p] != 'd') return std::nullopt;
    const uint32_t len = loadBe32(out.data() + p + 1);
    if (len <= 4 || len - 4 > out.size() - p - 5) return std::nullopt;
    s.append(reinterpret_cast<const char*>(out.data() + p + 5), len - 4);
    p += 1 + len;
  }
  return s;
}

struct CopyRun {
  bool ok = true;
  std::string error;
  std::string data;  // concatenated output payloads
  Calls calls;
  bool operator==(const CopyRun&) const = default;
};

std::ostream& operator<<(std::ostream& os, const CopyRun& r) {
  os << (r.ok ? "ok" : "error: " + r.error) << " data=" << toHex(asBytes(r.data)) << " calls=";
  for (const auto& [c, v] : r.calls) os << c << ":" << toHex(asBytes(v)) << " ";
  return os;
}

//! Feeds `pieces` then finishes. Output must be well-formed frames, and nothing is appended by
//! a failing call.
CopyRun runCopy(const CopyFormat& fmt, const std::vector<uint8_t>& selected,
                ScriptedMasker masker, const std::vector<std::string_view>& pieces,
                size_t max_row = size_t(64) << 20) {
  CopyRun run;
  CopyOutRewriter rw(fmt, selected, masker, max_row);
  Bytes out;
  for (std::string_view piece : pieces) {
    const size_t before = out.size();
    auto r = rw.feed(asBytes(piece), out);
    if (!r) {
      CHECK(out.size() == before);
      run.ok = false;
      run.error = r.error().message;
      break;
    }
  }
  if (run.ok) {
    const size_t before = out.size();
    auto r = rw.finish(out);
    CHECK(out.size() == before);
    if (!r) {
      run.ok = false;
      run.error = r.error().message;
    }
  }
  auto data = payloads(out);
  REQUIRE(data);
  // After an error the stream is dead; what earlier feeds emitted depends on the split.
  if (run.ok) run.data = *data;
  run.calls = masker.calls;
  return run;
}

//! Runs the stream whole, cut in two at every offset, one byte per feed, and as the given
//! messages; every run must agree. Returns the whole run.
CopyRun runEverySplit(const CopyFormat& fmt, const std::vector<uint8_t>& selected,
                      const ScriptedMasker& masker, const std::vector<std::string>& messages,
                      size_t max_row = size_t(64) << 20) {
  std::string all;
  for (const auto& m : messages) all += m;
  const CopyRun whole = runCopy(fmt, selected, masker, {all}, max_row);
  std::vector<std::string_view> as_sent(messages.begin(), messages.end());
  CHECK(runCopy(fmt, selected, masker, as_sent, max_row) == whole);
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    INFO("cut at " << cut);
    const std::string_view v(all);
    CHECK(runCopy(fmt, selected, masker, {v.substr(0, cut), v.substr(cut)}, max_row) == whole);
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < all.size(); ++i) bytes.push_back(std::string_view(all).substr(i, 1));
  CHECK(runCopy(fmt, selected, masker, bytes, max_row) == whole);
  return whole;
}

std::vector<std::string> messagesOf(const std::vector<const char*>& hexes) {
  std::vector<std::string> m;
  for (const char* h : hexes) m.push_back(str(hex(h)));
  return m;
}

//! Decodes a stream with the rewriter itself (every column offered, nothing changed).
Calls readBack(const CopyFormat& fmt, const std::string& data, size_t columns) {
  auto run = runCopy(fmt, std::vector<uint8_t>(columns, 1), ScriptedMasker{}, {data});
  REQUIRE(run.ok);
  CHECK(run.data == data);
  return run.calls;
}

//! The calls a keep-everything masker sees for u's column 1 (id + value per row).
Calls callsForU(bool with_id) {
  Calls calls;
  for (size_t i = 0; i < kValuesU.size(); ++i) {
    if (with_id) calls.emplace_back(0, std::to_string(i + 1));
    if (kValuesU[i]) calls.emplace_back(1, *kValuesU[i]);
  }
  return calls;
}

// ---------------------------------------------------------------------------- text

TEST_CASE("pg COPY text: keeping everything reproduces the stream", "[postgres][masking]") {
  const auto msgs = messagesOf(kTextT);
  auto run = runEverySplit({}, {1, 1, 1}, ScriptedMasker{}, msgs);
  REQUIRE(run.ok);
  CHECK(run.data == join(kTextT));
  CHECK(run.calls == Calls{{0, "1"}, {1, "alice"}, {2, "a\\tb"}, {0, "2"},
                           {2, "line1\nline2\\x"}, {0, "3"}, {1, ""}, {2, "q\"uote,comma"}});
}

TEST_CASE("pg COPY text: values are unescaped before they are offered", "[postgres][masking]") {
  auto run = runEverySplit({}, {1, 1}, ScriptedMasker{}, messagesOf(kTextU));
  REQUIRE(run.ok);
  CHECK(run.data == join(kTextU));
  CHECK(run.calls == callsForU(true));
}

TEST_CASE("pg COPY text: replacements are re-escaped", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(2, "T\tN\nB\\|\r\b\f\v\x01").nulls(1);
  auto run = runEverySplit({}, {0, 1, 1}, m, messagesOf(kTextT));
  REQUIRE(run.ok);
  const std::string masked = "T\\tN\\nB\\\\|\\r\\b\\f\\v\x01";
  CHECK(run.data == "1\t\\N\t" + masked + "\n" +  // alice → NULL
                        "2\t\\N\t" + masked + "\n" + "3\t\\N\t" + masked + "\n");
  // Column 1 of row 2 was NULL: never offered.
  CHECK(run.calls == Calls{{1, "alice"}, {2, "a\\tb"}, {2, "line1\nline2\\x"}, {1, ""},
                           {2, "q\"uote,comma"}});
  // Read back: the replacement comes out exactly.
  CHECK(readBack({}, run.data, 3) == Calls{{0, "1"}, {2, "T\tN\nB\\|\r\b\f\v\x01"}, {0, "2"},
                                           {2, "T\tN\nB\\|\r\b\f\v\x01"}, {0, "3"},
                                           {2, "T\tN\nB\\|\r\b\f\v\x01"}});
}

TEST_CASE("pg COPY text: every value of u round-trips through a replacement",
          "[postgres][masking]") {
  // Each value is replaced by itself wrapped in delimiters, backslashes and newlines.
  auto wrap = [](std::string_view v) { return "\t\\" + std::string(v) + "\n\r|"; };
  for (bool pipe : {false, true}) {
    CopyFormat fmt;
    if (pipe) {
      fmt.delimiter = '|';
      fmt.null_string = "NULL";
      fmt.header = true;
    }
    ScriptedMasker m;
    m.transform(1, wrap);
    auto run = runEverySplit(fmt, {0, 1}, m, messagesOf(pipe ? kTextUPipe : kTextU));
    REQUIRE(run.ok);
    Calls expected;
    for (size_t i = 0; i < kValuesU.size(); ++i) {
      expected.emplace_back(0, std::to_string(i + 1));
      expected.emplace_back(1, kValuesU[i] ? wrap(*kValuesU[i]) : std::string());
      if (!kValuesU[i]) expected.pop_back();
    }
    if (pipe) fmt.header = false;  // read back the header as a row: "id", "v"
    Calls back = readBack(fmt, run.data, 2);
    if (pipe) {
      REQUIRE(back.size() >= 2);
      CHECK(back[0] == std::pair<size_t, std::string>{0, "id"});
      CHECK(back[1] == std::pair<size_t, std::string>{1, "v"});
      back.erase(back.begin(), back.begin() + 2);
    }
    CHECK(back == expected);
  }
}

TEST_CASE("pg COPY text: escape sequences", "[postgres][masking]") {
  // \b \f \n \r \t \v, octal (1-3 digits, high bits dropped), hex (1-2 digits), \x without a
  // hex digit, any other escaped byte, an escaped delimiter, \N inside a value.
  const std::string row =
      "\\b\\f\\n\\r\\t\\v|\\101\\7\\0428\\777|\\x41\\x4g\\xZ\\x|\\q\\\\\\.\\N\\\t\tnext\n";
  auto run = runEverySplit({}, {1, 1}, ScriptedMasker{}, {row});
  REQUIRE(run.ok);
  CHECK(run.data == row);
  CHECK(run.calls == Calls{{0, std::string("\b\f\n\r\t\v|A\x07\x22" "8\xff|A\x04" "gxZx|q\\.N\t")},
                           {1, "next"}});
}

TEST_CASE("pg COPY text: NULL marker, empty values and trailing delimiters",
          "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(0, "r0").replace(1, "r1").replace(2, "r2");
  // "\N" is NULL (never offered), "\\N" is the text \N, "" is an empty string.
  auto run = runEverySplit({}, {1, 1, 1}, m, {"\\N\t\\\\N\t\n", "\t\t\n", "\\N\n"});
  REQUIRE(run.ok);
  CHECK(run.data == "\\N\tr1\tr2\nr0\tr1\tr2\n\\N\n");
  CHECK(run.calls == Calls{{1, "\\N"}, {2, ""}, {0, ""}, {1, ""}, {2, ""}});
  // A custom NULL string is compared before unescaping.
  CopyFormat fmt;
  fmt.null_string = "nil";
  auto custom = runEverySplit(fmt, {1, 1}, m, {"nil\t\\nil\n"});
  REQUIRE(custom.ok);
  CHECK(custom.data == "nil\tr1\n");
  CHECK(custom.calls == Calls{{1, "\nil"}});
}

TEST_CASE("pg COPY text: Null outcome writes the NULL string", "[postgres][masking]") {
  ScriptedMasker m;
  m.nulls(1);
  CopyFormat fmt;
  fmt.delimiter = '|';
  fmt.null_string = "NULL";
  fmt.header = true;
  auto run = runEverySplit(fmt, {0, 1}, m, messagesOf(kTextUPipe));
  REQUIRE(run.ok);
  std::string expected = "id|v\n";  // the header passes through (column 1 is selected)
  for (int i = 1; i <= 10; ++i) expected += std::to_string(i) + "|NULL\n";
  CHECK(run.data == expected);
  CHECK(run.calls.size() == 9);  // every value but id 4's NULL
}

TEST_CASE("pg COPY text: line endings and escaped newlines", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(1, "R");
  // "\r\n" ends a row (the CR is not data); an escaped CR before it is data; a backslash
  // before a newline makes the newline data (as the server reads it).
  const std::vector<std::string> msgs = {"1\tabc\r\n", "2\ta\\\r\n", "3\ta\\\nb\n",
                                         "4\ta\\\\\r\n"};
  auto keep = runEverySplit({}, {1, 1}, ScriptedMasker{}, msgs);
  REQUIRE(keep.ok);
  CHECK(keep.calls == Calls{{0, "1"}, {1, "abc"}, {0, "2"}, {1, "a\r"}, {0, "3"},
                            {1, "a\nb"}, {0, "4"}, {1, "a\\"}});
  auto run = runEverySplit({}, {0, 1}, m, msgs);
  REQUIRE(run.ok);
  CHECK(run.data == "1\tR\r\n2\tR\n3\tR\n4\tR\r\n");
}

TEST_CASE("pg COPY text: the end marker and the header pass through", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(0, "R");
  CopyFormat fmt;
  fmt.header = true;
  auto run = runEverySplit(fmt, {1}, m, {"name\n", "a\n", "\\.\n", "b\n"});
  REQUIRE(run.ok);
  CHECK(run.data == "name\nR\n\\.\nR\n");
  CHECK(run.calls == Calls{{0, "a"}, {0, "b"}});
}

TEST_CASE("pg COPY text: several rows per message, coalesced output", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(1, "x");
  CopyOutRewriter rw({}, {0, 1}, m);
  Bytes out;
  REQUIRE(rw.feed(asBytes(std::string_view("1\ta\n2\tb\n3\t")), out).ok());
  // One frame with the two complete rows; the third is held back.
  CHECK(toHex(out) == toHex(hex("64 0000000c 310978 0a 320978 0a")));
  out.clear();
  REQUIRE(rw.feed(asBytes(std::string_view("c")), out).ok());
  CHECK(out.empty());
  REQUIRE(rw.feed(asBytes(std::string_view("\n")), out).ok());
  CHECK(payloads(out) == "3\tx\n");
  REQUIRE(rw.finish(out).ok());
}

TEST_CASE("pg COPY text: large feeds are cut into frames at row boundaries",
          "[postgres][masking]") {
  // 30000 rows of 100 bytes (3 MB) in one payload: output frames close after ~1 MiB.
  const std::string row = std::string(98, 'v') + "\tw\n";
  REQUIRE(row.size() == 101);
  std::string stream;
  for (int i = 0; i < 30000; ++i) stream += row;
  ScriptedMasker m;
  m.replace(1, "W");
  CopyOutRewriter rw({}, {0, 1}, m);
  Bytes out;
  REQUIRE(rw.feed(asBytes(stream), out).ok());
  size_t frames = 0;
  for (size_t p = 0; p < out.size(); ++frames) {
    REQUIRE(out[p] == 'd');
    const uint32_t len = loadBe32(out.data() + p + 1);
    CHECK(len - 4 <= (size_t(1) << 20) + 101);
    CHECK((len - 4) % 101 == 0);  // whole rows only
    p += 1 + len;
  }
  CHECK(frames == 3);
  std::string expected;
  for (int i = 0; i < 30000; ++i) expected += std::string(98, 'v') + "\tW\n";
  CHECK(payloads(out) == expected);
}

// ---------------------------------------------------------------------------- csv

TEST_CASE("pg COPY csv: keeping everything reproduces the stream", "[postgres][masking]") {
  CopyFormat fmt = csv();
  fmt.header = true;
  auto run = runEverySplit(fmt, {1, 1, 1}, ScriptedMasker{}, messagesOf(kCsvT));
  REQUIRE(run.ok);
  CHECK(run.data == join(kCsvT));
  // Unquoted empty = NULL (not offered); quoted empty = empty string; no backslash escapes.
  CHECK(run.calls == Calls{{0, "1"}, {1, "alice"}, {2, "a\\tb"}, {0, "2"},
                           {2, "line1\nline2\\x"}, {0, "3"}, {1, ""}, {2, "q\"uote,comma"}});
  auto u = runEverySplit(csv(), {1, 1}, ScriptedMasker{}, messagesOf(kCsvU));
  REQUIRE(u.ok);
  CHECK(u.data == join(kCsvU));
  CHECK(u.calls == callsForU(true));
}

TEST_CASE("pg COPY csv: replacements are always quoted", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(1, "x,\"y\"\nz").replace(2, "").nulls(0);
  CopyFormat fmt = csv();
  fmt.header = true;
  auto run = runEverySplit(fmt, {1, 1, 1}, m, messagesOf(kCsvT));
  REQUIRE(run.ok);
  CHECK(run.data ==
        "id,name,note\n"
        ",\"x,\"\"y\"\"\nz\",\"\"\n"
        ",,\"\"\n"
        ",\"x,\"\"y\"\"\nz\",\"\"\n");
  fmt.header = false;
  CHECK(readBack(fmt, run.data, 3) == Calls{{0, "id"}, {1, "name"}, {2, "note"},
                                            {1, "x,\"y\"\nz"}, {2, ""}, {2, ""},
                                            {1, "x,\"y\"\nz"}, {2, ""}});
}

TEST_CASE("pg COPY csv: custom quote, escape, delimiter and NULL", "[postgres][masking]") {
  CopyFormat fmt = csv();
  fmt.quote = '\'';
  fmt.escape = '\\';
  fmt.delimiter = ';';
  fmt.null_string = "NULL";
  auto keep = runEverySplit(fmt, {1, 1}, ScriptedMasker{}, messagesOf(kCsvUQuoted));
  REQUIRE(keep.ok);
  CHECK(keep.data == join(kCsvUQuoted));
  CHECK(keep.calls == callsForU(true));

  ScriptedMasker m;
  m.transform(1, [](std::string_view v) { return "it's \\ " + std::string(v) + ";NULL"; });
  auto run = runEverySplit(fmt, {0, 1}, m, messagesOf(kCsvUQuoted));
  REQUIRE(run.ok);
  const std::string first = "'1';'it\\'s \\\\ tab\there;NULL'\n";
  CHECK(run.data.compare(0, first.size(), first) == 0);
  CHECK(run.data.find("'4';NULL\n") != std::string::npos);
  Calls expected;
  for (size_t i = 0; i < kValuesU.size(); ++i) {
    expected.emplace_back(0, std::to_string(i + 1));
    if (kValuesU[i]) expected.emplace_back(1, "it's \\ " + *kValuesU[i] + ";NULL");
  }
  CHECK(readBack(fmt, run.data, 2) == expected);
}

TEST_CASE("pg COPY csv: quoting rules", "[postgres][masking]") {
  const std::vector<std::string> msgs = {
      "ab\"c,d\"e,f\n",          // a quote may open mid-field
      "\"x\r\ny\",\"\"\"\"\r\n",  // quoted CRLF is data; "\r\n" ends the row
      "\"\",,\"a\"\"\"\n",        // quoted empty, NULL, a"
      "\"\\.\"\n",                // quoted \. is data
      "\\.\n",                    // the end marker passes through
  };
  auto run = runEverySplit(csv(), {1, 1, 1}, ScriptedMasker{}, msgs);
  REQUIRE(run.ok);
  CHECK(run.calls == Calls{{0, "abc,de"}, {1, "f"}, {0, "x\r\ny"}, {1, "\""}, {0, ""},
                           {2, "a\""}, {0, "\\."}});
  ScriptedMasker m;
  m.replace(0, "Q").nulls(1);
  auto masked = runEverySplit(csv(), {1, 1, 1}, m, msgs);
  REQUIRE(masked.ok);
  CHECK(masked.data == "\"Q\",\n\"Q\",\r\n\"Q\",,\"a\"\"\"\n\"Q\"\n\\.\n");
}

TEST_CASE("pg COPY csv: escape different from quote", "[postgres][masking]") {
  CopyFormat fmt = csv();
  fmt.escape = '\\';
  // Inside quotes \" is a quote and \\ a backslash; elsewhere a backslash is plain data, and
  // "\\" followed by a quote closes the field; outside quotes a backslash does not protect a
  // quote (the quote opens a quoted newline).
  const std::vector<std::string> msgs = {"\"a\\\"b\\\\\",c\\d\n", "\"e\\\\\"\n",
                                         "x\\\"y\nz\"\n"};
  auto run = runEverySplit(fmt, {1, 1}, ScriptedMasker{}, msgs);
  REQUIRE(run.ok);
  CHECK(run.calls == Calls{{0, "a\"b\\"}, {1, "c\\d"}, {0, "e\\"}, {0, "x\\y\nz"}});
  ScriptedMasker m;
  m.replace(0, "\"\\");
  auto masked = runEverySplit(fmt, {1}, m, msgs);
  REQUIRE(masked.ok);
  CHECK(masked.data == "\"\\\"\\\\\",c\\d\n\"\\\"\\\\\"\n\"\\\"\\\\\"\n");
  CHECK(readBack(fmt, masked.data, 2) ==
        Calls{{0, "\"\\"}, {1, "c\\d"}, {0, "\"\\"}, {0, "\"\\"}});
}

TEST_CASE("pg COPY csv: header with a quoted newline passes whole", "[postgres][masking]") {
  CopyFormat fmt = csv();
  fmt.header = true;
  ScriptedMasker m;
  m.replace(0, "R");
  auto run = runEverySplit(fmt, {1}, m, {"\"a\nb\"\n", "v\n"});
  REQUIRE(run.ok);
  CHECK(run.data == "\"a\nb\"\n\"R\"\n");
  CHECK(run.calls == Calls{{0, "v"}});
}

// ---------------------------------------------------------------------------- binary

TEST_CASE("pg COPY binary: keeping everything reproduces the stream", "[postgres][masking]") {
  auto run = runEverySplit(binary(), {1, 1, 1}, ScriptedMasker{}, messagesOf(kBinaryT));
  REQUIRE(run.ok);
  CHECK(run.data == join(kBinaryT));
  CHECK(run.calls == Calls{{0, std::string("\0\0\0\1", 4)}, {1, "alice"}, {2, "a\\tb"},
                           {0, std::string("\0\0\0\2", 4)}, {2, "line1\nline2\\x"},
                           {0, std::string("\0\0\0\3", 4)}, {1, ""}, {2, "q\"uote,comma"}});
  auto mixed = runEverySplit(binary(), {1, 1, 1, 1}, ScriptedMasker{}, messagesOf(kBinaryMixed));
  REQUIRE(mixed.ok);
  CHECK(mixed.data == join(kBinaryMixed));
  CHECK(mixed.calls == Calls{{0, std::string("\0\0\0\1", 4)}, {2, "x"}, {3, "\1"}});
}

TEST_CASE("pg COPY binary: replace and null", "[postgres][masking]") {
  ScriptedMasker m;
  m.replace(1, "R!").nulls(2);
  auto run = runEverySplit(binary(), {0, 1, 1}, m, messagesOf(kBinaryT));
  REQUIRE(run.ok);
  CHECK(toHex(asBytes(run.data)) ==
        toHex(hex("5047434f50590aff0d0a00 00000000 00000000"
                  "0003 00000004 00000001 00000002 5221 ffffffff"
                  "0003 00000004 00000002 ffffffff ffffffff"
                  "0003 00000004 00000003 00000002 5221 ffffffff"
                  "ffff")));
}

TEST_CASE("pg COPY binary: header extension and OID fields", "[postgres][masking]") {
  // Flags bit 16: every tuple starts with an OID field that the field count leaves out.
  const std::string stream = str(hex(
      "5047434f50590aff0d0a00 00010000 00000003 abcdef"
      "0002 00000004 00004000 00000001 61 ffffffff"
      "0000 00000004 00004001"
      "ffff"));
  ScriptedMasker m;
  m.replace(0, "zz").replace(1, "never");
  auto run = runEverySplit(binary(), {1, 1}, m, {stream});
  REQUIRE(run.ok);
  CHECK(run.calls == Calls{{0, "a"}});
  CHECK(toHex(asBytes(run.data)) ==
        toHex(hex("5047434f50590aff0d0a00 00010000 00000003 abcdef"
                  "0002 00000004 00004000 00000002 7a7a ffffffff"
                  "0000 00000004 00004001"
                  "ffff")));
}

TEST_CASE("pg COPY binary: malformed streams", "[postgres][masking]") {
  const std::string header = str(hex("5047434f50590aff0d0a00 00000000 00000000"));
  auto fails = [&](const std::string& stream, const char* why) {
    INFO(why);
    auto run = runCopy(binary(), {1}, ScriptedMasker{}, {stream});
    CHECK(!run.ok);
    return run.error;
  };
  fails(str(hex("5047434f50590aff0d0a01 00000000 00000000 ffff")), "bad signature");
  fails(str(hex("5047434f50590aff0d0a00 00000001 00000000 ffff")), "critical flag");
  fails(str(hex("5047434f50590aff0d0a00 00000000 ffffffff ffff")), "negative extension");
  fails(header + str(hex("fffe")), "count below -1");
  fails(header + str(hex("0001 fffffffe ffff")), "length below -1");
  fails(header + str(hex("ffff 00")), "data after the trailer");
  fails(header + str(hex("0001 00000001")), "tuple cut short");
  fails(header + str(hex("0001 00000001 61")), "no trailer");
  fails(header, "no trailer, no tuple");
  fails(header.substr(0, 12), "header cut short");
  fails(header + str(hex("0681 ffff")), "more than 1664 fields");
  {
    // The error comes with the data after the trailer, not only at CopyDone.
    ScriptedMasker m;
    CopyOutRewriter rw(binary(), {1}, m);
    Bytes out;
    REQUIRE(rw.feed(asBytes(header + "\xff\xff"), out).ok());
    CHECK(payloads(out) == header + "\xff\xff");
    CHECK(!rw.feed(asBytes(std::string_view("\0", 1)), out).ok());
  }
  CopyFormat with_header = binary();
  with_header.header = true;
  CHECK(!runCopy(with_header, {1}, ScriptedMasker{}, {header + "\xff\xff"}).ok);
  // High flag bits are ignored, as the format says.
  CHECK(runCopy(binary(), {1}, ScriptedMasker{},
                {str(hex("5047434f50590aff0d0a00 80000000 00000000 ffff"))})
            .ok);
}

// ---------------------------------------------------------------------------- limits, errors

TEST_CASE("pg COPY: oversize rows are errors", "[postgres][masking]") {
  // 16 bytes is allowed, 17 is not — whole or split.
  const std::string ok16 = "0123456789abcde\n";
  const std::string bad17 = "0123456789abcdef\n";
  for (const CopyFormat& fmt : {CopyFormat{}, csv()}) {
    auto ok = runEverySplit(fmt, {1}, ScriptedMasker{}, {ok16, ok16}, 16);
    CHECK(ok.ok);
    auto bad = runEverySplit(fmt, {1}, ScriptedMasker{}, {ok16, bad17}, 16);
    CHECK(!bad.ok);
    CHECK(bad.error.find("longer than 16") != std::string::npos);
    // Without a newline the row never ends: the buffer stops at the limit.
    CHECK(!runCopy(fmt, {1}, ScriptedMasker{}, {std::string(17, 'a')}, 16).ok);
  }
  const std::string header = str(hex("5047434f50590aff0d0a00 00000000 00000000"));
  // Header of 19 bytes; a tuple of 2 + 4 + 10 = 16 bytes.
  const std::string tuple = str(hex("0001 0000000a 30313233343536373839"));
  CHECK(runCopy(binary(), {1}, ScriptedMasker{}, {header + tuple + "\xff\xff"}, 19).ok);
  CHECK(!runCopy(binary(), {1}, ScriptedMasker{}, {header + tuple + "\xff\xff"}, 18).ok);
  // A field longer than the limit is refused from its length word alone.
  CHECK(!runCopy(binary(), {1}, ScriptedMasker{}, {header + str(hex("0001 7fffffff"))}, 1024).ok);
}

TEST_CASE("pg COPY: a partial row at CopyDone is an error", "[postgres][masking]") {
  CHECK(!runCopy({}, {1}, ScriptedMasker{}, {"a\nb"}).ok);
  CHECK(!runCopy({}, {1}, ScriptedMasker{}, {"a\\"}).ok);
  CHECK(!runCopy({}, {1}, ScriptedMasker{}, {"a\\\n"}).ok);  // the newline is escaped
  CHECK(!runCopy(csv(), {1}, ScriptedMasker{}, {"\"a\n"}).ok);
  CHECK(!runCopy(csv(), {1}, ScriptedMasker{}, {"a\r"}).ok);
  CHECK(runCopy({}, {1}, ScriptedMasker{}, {"a\n"}).ok);
  CHECK(runCopy(csv(), {1}, ScriptedMasker{}, {}).ok);
  CHECK(runCopy({}, {1}, ScriptedMasker{}, {"", ""}).ok);
}

TEST_CASE("pg COPY: after an error nothing more is accepted", "[postgres][masking]") {
  ScriptedMasker m;
  CopyOutRewriter rw({}, {1}, m, 8);
  Bytes out = {1, 2, 3};
  REQUIRE(rw.feed(asBytes(std::string_view("ok\n")), out).ok());
  const Bytes before = out;
  // The good row in the same payload is not emitted either: out is restored.
  CHECK(!rw.feed(asBytes(std::string_view("a\nbbbbbbbbbbbb\n")), out).ok());
  CHECK(out == before);
  CHECK(!rw.feed(asBytes(std::string_view("c\n")), out).ok());
  CHECK(!rw.finish(out).ok());
  CHECK(out == before);
}

TEST_CASE("pg COPY: invalid formats are refused", "[postgres][masking]") {
  auto refused = [](CopyFormat fmt) {
    return !runCopy(fmt, {1}, ScriptedMasker{}, {"a\n"}).ok;
  };
  CopyFormat f;
  CHECK(!refused(f));
  for (char d : {'\\', 'a', '5', '.', '\n', '\r'}) {
    f.delimiter = d;
    CHECK(refused(f));
  }
  f = {};
  f.null_string = "a\tb";  // contains the delimiter
  CHECK(refused(f));
  f.null_string = "a\nb";
  CHECK(refused(f));
  CopyFormat c = csv();
  CHECK(!refused(c));
  c.delimiter = '"';
  CHECK(refused(c));
  c = csv();
  c.null_string = "\"";
  CHECK(refused(c));
  c = csv();
  c.quote = '\n';
  CHECK(refused(c));
}

// ---------------------------------------------------------------------------- random streams

//! Test-side encoders of rows of values, independent of the code under test.
std::string encodeText(const std::vector<std::optional<std::string>>& row) {
  std::string s;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) s += '\t';
    if (!row[i]) {
      s += "\\N";
      continue;
    }
    for (char c : *row[i]) {
      switch (c) {
        case '\n': s += "\\n"; break;
        case '\r': s += "\\r"; break;
        case '\t': s += "\\t"; break;
        case '\\': s += "\\\\"; break;
        default: s += c;
      }
    }
  }
  return s + "\n";
}

std::string encodeCsv(const std::vector<std::optional<std::string>>& row) {
  std::string s;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) s += ',';
    if (!row[i]) continue;
    s += '"';
    for (char c : *row[i]) s += c == '"' ? std::string("\"\"") : std::string(1, c);
    s += '"';
  }
  return s + "\n";
}

std::string encodeBinary(const std::vector<std::vector<std::optional<std::string>>>& rows) {
  Bytes b = hex("5047434f50590aff0d0a00 00000000 00000000");
  for (const auto& row : rows) {
    appendBe16(b, uint16_t(row.size()));
    for (const auto& v : row) {
      appendBe32(b, v ? uint32_t(v->size()) : 0xffffffffu);
      if (v) appendBytes(b, *v);
    }
  }
  appendBe16(b, 0xffff);
  return str(b);
}

TEST_CASE("pg COPY: random rows, random splits, read back", "[postgres][masking]") {
  std::mt19937 rng(7);
  auto pick = [&](size_t n) { return size_t(rng() % n); };
  const std::string alphabet = "ab\t\n\r\\\",|N.\x01\xc3\xa9";
  auto randomValue = [&] {
    std::string v(pick(6), 'a');
    for (char& c : v) c = alphabet[pick(alphabet.size())];
    return v;
  };
  for (int iter = 0; iter < 300; ++iter) {
    const Kind kind = Kind(pick(3));
    const size_t columns = 1 + pick(4);
    std::vector<std::vector<std::optional<std::string>>> rows(pick(5));
    for (auto& row : rows) {
      row.resize(columns);
      for (auto& v : row) {
        // Text: an empty single column would be an empty line — fine, it is "".
        if (pick(4) != 0) v = randomValue();
      }
    }
    std::string stream;
    if (kind == Kind::Binary) {
      stream = encodeBinary(rows);
    } else {
      for (const auto& row : rows) stream += kind == Kind::Text ? encodeText(row) : encodeCsv(row);
    }
    CopyFormat fmt = kind == Kind::Text ? CopyFormat{} : kind == Kind::Csv ? csv() : binary();
    std::vector<uint8_t> sel(columns);
    for (auto& s : sel) s = uint8_t(pick(2));
    ScriptedMasker m;
    std::vector<int> action(columns);
    for (size_t c = 0; c < columns; ++c) {
      action[c] = int(pick(3));
      if (action[c] == 1) m.nulls(c);
      if (action[c] == 2) {
        m.transform(c, [](std::string_view v) { return "<\t\"\n" + std::string(v) + "\\>"; });
      }
    }
    // Random cuts.
    std::vector<std::string_view> pieces;
    for (size_t p = 0; p < stream.size();) {
      const size_t n = std::min(stream.size() - p, 1 + pick(9));
      pieces.push_back(std::string_view(stream).substr(p, n));
      p += n;
    }
    auto run = runCopy(fmt, sel, m, pieces);
    INFO("iteration " << iter << " stream " << toHex(asBytes(stream)));
    REQUIRE(run.ok);
    Calls offered, expected;
    for (const auto& row : rows) {
      for (size_t c = 0; c < columns; ++c) {
        if (row[c] && sel[c]) offered.emplace_back(c, *row[c]);
        std::optional<std::string> v = row[c];
        if (v && sel[c] && action[c] == 1) v.reset();
        if (v && sel[c] && action[c] == 2) v = "<\t\"\n" + *v + "\\>";
        if (v) expected.emplace_back(c, *v);
      }
    }
    CHECK(run.calls == offered);
    CHECK(readBack(fmt, run.data, columns) == expected);
    const bool keeps = std::all_of(action.begin(), action.end(), [](int a) { return a == 0; });
    if (offered.empty() || keeps) {
      CHECK(run.data == stream);
    }
  }
}

}  // namespace
}  // namespace warden::dialect::postgres
