// test/unit/postgres/copy_out_rewriter_test.cc
//! CopyOutRewriter (protocol/copy_out_rewriter.h): text and CSV formats. Binary, limits and
//! random streams: copy_out_rewriter_stream_test.cc.
#include "copy_out_test_support.h"

namespace warden::dialect::postgres {
namespace {

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

}  // namespace
}  // namespace warden::dialect::postgres
