// test/unit/postgres/copy_out_test_support.h
//! Fixtures (PostgreSQL 15 COPY output) and helpers shared by the COPY rewriter tests.
#pragma once

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
[[maybe_unused]] CopyFormat binary() {
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
[[maybe_unused]] Calls callsForU(bool with_id) {
  Calls calls;
  for (size_t i = 0; i < kValuesU.size(); ++i) {
    if (with_id) calls.emplace_back(0, std::to_string(i + 1));
    if (kValuesU[i]) calls.emplace_back(1, *kValuesU[i]);
  }
  return calls;
}

}  // namespace
}  // namespace warden::dialect::postgres
