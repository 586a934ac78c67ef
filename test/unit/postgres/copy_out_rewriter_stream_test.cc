// test/unit/postgres/copy_out_rewriter_stream_test.cc
//! CopyOutRewriter (protocol/copy_out_rewriter.h): binary format, limits and errors, random
//! streams split at random points and read back.
#include "copy_out_test_support.h"

namespace warden::dialect::postgres {
namespace {

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
