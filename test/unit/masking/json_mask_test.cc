// test/unit/masking/json_mask_test.cc
//! JSON document masking (warden/masking/json_mask.h): row_to_json / json_agg shaped documents,
//! nesting, the key policy per method, detectors on the other strings, compact output that
//! keeps member order and number spellings, fail-closed on invalid or too-deep documents.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "warden/masking/detectors.h"
#include "warden/masking/json_mask.h"

using namespace warden::masking;

namespace {

HashKey testKey() {
  HashKey k;
  for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(i);
  return k;
}

class MapPolicy final : public JsonKeyPolicy {
 public:
  MapPolicy() = default;
  MapPolicy(std::initializer_list<std::pair<const std::string, Method>> keys) : keys_(keys) {}
  bool masked(std::string_view key, Method& method) const override {
    auto it = keys_.find(key);
    if (it == keys_.end()) return false;
    method = it->second;
    return true;
  }

 private:
  std::map<std::string, Method, std::less<>> keys_;
};

struct MaskRun {
  JsonOutcome outcome;
  std::string out;
};

MaskRun run(std::string_view doc, const JsonKeyPolicy& keys, const DetectorSet* detectors = nullptr,
            Method detector_method = Method::Redact) {
  MaskRun r{JsonOutcome::Keep, "untouched"};
  r.outcome = maskJson(doc, keys, testKey(), detectors, detector_method, r.out);
  if (r.outcome == JsonOutcome::Replace) {
    INFO(r.out);
    CHECK(nlohmann::json::accept(r.out));
  } else {
    CHECK(r.out == "untouched");  // Keep and Null leave `out` alone
  }
  return r;
}

std::string hashed(std::string_view s) {
  std::string out;
  hashText(s, testKey(), out);
  return out;
}

std::string nested(size_t depth, std::string_view inner) {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

const DetectorSet kEmailDetector(1u << static_cast<unsigned>(Detector::Email));

}  // namespace

TEST_CASE("maskJson: row_to_json object, each method", "[masking]") {
  const std::string row = R"({"id":1,"email":"a@b.co","ssn":"123-45-6789"})";
  SECTION("partial") {
    auto r = run(row, MapPolicy{{"email", Method::Partial}, {"ssn", Method::Partial}});
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":1,"email":"***@b.co","ssn":"***-**-6789"})");
  }
  SECTION("redact") {
    auto r = run(row, MapPolicy{{"email", Method::Redact}, {"ssn", Method::Redact}});
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":1,"email":"****","ssn":"****"})");
  }
  SECTION("hash") {
    auto r = run(row, MapPolicy{{"email", Method::Hash}});
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":1,"email":")" + hashed("a@b.co") + R"(","ssn":"123-45-6789"})");
    CHECK(hashed("a@b.co").size() == 16);
  }
  SECTION("null") {
    auto r = run(row, MapPolicy{{"email", Method::Null}, {"ssn", Method::Null}});
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":1,"email":null,"ssn":null})");
  }
  SECTION("methods mixed per key") {
    auto r = run(row, MapPolicy{{"email", Method::Hash}, {"ssn", Method::Partial}});
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":1,"email":")" + hashed("a@b.co") + R"(","ssn":"***-**-6789"})");
  }
  SECTION("a masked number becomes null, whatever the method") {
    for (Method m : {Method::Redact, Method::Partial, Method::Hash, Method::Null}) {
      auto r = run(row, MapPolicy{{"id", m}});
      REQUIRE(r.outcome == JsonOutcome::Replace);
      CHECK(r.out == R"({"id":null,"email":"a@b.co","ssn":"123-45-6789"})");
    }
  }
  SECTION("jsonb output spacing is compacted") {
    auto r = run(R"({"id": 1, "email": "a@b.co", "ssn": "123-45-6789"})",
                 MapPolicy{{"ssn", Method::Redact}});
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":1,"email":"a@b.co","ssn":"****"})");
  }
}

TEST_CASE("maskJson: json_agg array of rows", "[masking]") {
  const std::string agg =
      R"([{"id":1,"email":"a@b.co","ssn":"123-45-6789"},)"
      R"({"id":2,"email":"john@example.com","ssn":null},)"
      "\n {\"id\": 3, \"email\": \"\\u0041lice@example.org\", \"ssn\": \"078-05-1120\"}]";
  auto r = run(agg, MapPolicy{{"email", Method::Partial}, {"ssn", Method::Redact}});
  REQUIRE(r.outcome == JsonOutcome::Replace);
  CHECK(r.out == R"([{"id":1,"email":"***@b.co","ssn":"****"},)"
                 R"({"id":2,"email":"j***@example.com","ssn":null},)"
                 R"({"id":3,"email":"A***@example.org","ssn":"****"}])");
  // Empty aggregates and arrays of scalars have nothing to mask.
  CHECK(run("[]", MapPolicy{{"email", Method::Redact}}).outcome == JsonOutcome::Keep);
  CHECK(run("[1,\"a@b.co\",null]", MapPolicy{{"email", Method::Redact}}).outcome ==
        JsonOutcome::Keep);
}

TEST_CASE("maskJson: members are masked at every depth", "[masking]") {
  auto r = run(R"({"user":{"profile":{"email":"john@example.com","age":30}},)"
               R"("list":[[{"email":"x@y.org"}]],"email":"top@level.net"})",
               MapPolicy{{"email", Method::Redact}});
  REQUIRE(r.outcome == JsonOutcome::Replace);
  CHECK(r.out == R"({"user":{"profile":{"email":"****","age":30}},)"
                 R"("list":[[{"email":"****"}]],"email":"****"})");
}

TEST_CASE("maskJson: a masked member's object, array or boolean becomes null", "[masking]") {
  auto r = run(R"({"ssn":{"a":"b","c":[1,2,{"d":[3]}]},"email":[1,"x",{}],"flag":true,)"
               R"("n":1.5,"big":-12,"keep":[{"z":1}],"after":"x"})",
               MapPolicy{{"ssn", Method::Partial},
                         {"email", Method::Hash},
                         {"flag", Method::Redact},
                         {"n", Method::Redact},
                         {"big", Method::Hash},
                         {"d", Method::Redact}});
  REQUIRE(r.outcome == JsonOutcome::Replace);
  CHECK(r.out == R"({"ssn":null,"email":null,"flag":null,"n":null,"big":null,)"
                 R"("keep":[{"z":1}],"after":"x"})");
}

TEST_CASE("maskJson: Keep when nothing is masked", "[masking]") {
  const MapPolicy keys{{"email", Method::Redact}};
  CHECK(run(R"({"id":1,"name":"x"})", keys).outcome == JsonOutcome::Keep);
  CHECK(run(R"({"email":null})", keys).outcome == JsonOutcome::Keep);    // already null
  CHECK(run(R"({"email":"****"})", keys).outcome == JsonOutcome::Keep);  // already masked
  CHECK(run("42", keys).outcome == JsonOutcome::Keep);
  CHECK(run("\"john@example.com\"", keys).outcome == JsonOutcome::Keep);  // no detectors
  CHECK(run(" null ", keys).outcome == JsonOutcome::Keep);
  // Keys themselves are never masked or scanned.
  CHECK(run(R"({"john@example.com":1})", keys, &kEmailDetector).outcome == JsonOutcome::Keep);
}

TEST_CASE("maskJson: unmasked content is written back unchanged", "[masking]") {
  // Member order and duplicate keys are kept; numbers keep their spelling, also beyond 64 bits.
  auto r =
      run("{\"z\":1.10,\"a\":12345678901234567890123,\"z\":1e5,\"m\":-9223372036854775808,"
          "\"u\":18446744073709551615,\"f\":-0.5E-3,\"t\":true,\"nil\":null,"
          "\"s\":\"\\u00e9\\n\\t\\\"q\\\"\\\\ \\u0001 \\ud83d\\ude00 /\",\"email\":\"a@b.co\"}",
          MapPolicy{{"email", Method::Redact}});
  REQUIRE(r.outcome == JsonOutcome::Replace);
  CHECK(r.out ==
        "{\"z\":1.10,\"a\":12345678901234567890123,\"z\":1e5,\"m\":-9223372036854775808,"
        "\"u\":18446744073709551615,\"f\":-0.5E-3,\"t\":true,\"nil\":null,"
        "\"s\":\"\xc3\xa9\\n\\t\\\"q\\\"\\\\ \\u0001 \xf0\x9f\x98\x80 /\",\"email\":\"****\"}");
}

TEST_CASE("maskJson: invalid JSON is Null (the caller masks the whole value)", "[masking]") {
  const MapPolicy keys{{"email", Method::Redact}};
  for (const char* bad : {"", " ", "{", "}", "{\"a\":}", "{\"a\":1} x", "{\"a\":1}{}", "[1,2,]",
                          "{'a':1}", "{\"a\" 1}", "[\"\xff\"]", "[\"\xc3\"]", "\"unterminated",
                          "NaN", "[1e400]" /* overflows a double: fail closed */, "01",
                          "{\"email\":\"a@b.co\"", "[\"\\x41\"]"}) {
    INFO(bad);
    CHECK(run(bad, keys).outcome == JsonOutcome::Null);
  }
}

TEST_CASE("maskJson: nesting deeper than 64 is Null", "[masking]") {
  const MapPolicy keys{{"email", Method::Redact}};
  CHECK(run(nested(64, "1"), keys).outcome == JsonOutcome::Keep);
  CHECK(run(nested(65, "1"), keys).outcome == JsonOutcome::Null);
  // The depth bomb is refused before parsing, whatever follows.
  CHECK(run(std::string(100000, '['), keys).outcome == JsonOutcome::Null);
  CHECK(run(nested(100000, ""), keys).outcome == JsonOutcome::Null);
  // 63 arrays + the object holding the member = 64: masked.
  auto r = run(nested(63, R"({"email":"john@example.com"})"), keys);
  REQUIRE(r.outcome == JsonOutcome::Replace);
  CHECK(r.out == nested(63, R"({"email":"****"})"));
  // Objects count like arrays.
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  CHECK(run(objects, keys).outcome == JsonOutcome::Null);
  // Brackets inside strings (escaped quotes included) are not nesting.
  const std::string text = R"({"a":"\")" + std::string(100, '[') + R"(","email":"a@b.co"})";
  r = run(text, keys);
  REQUIRE(r.outcome == JsonOutcome::Replace);
  CHECK(r.out == R"({"a":"\")" + std::string(100, '[') + R"(","email":"****"})");
}

TEST_CASE("maskJson: detectors scan the other strings", "[masking]") {
  const std::string doc = R"({"id":7,"note":"contact john@example.com today","email":"a@b.co",)"
                          R"("tags":["x@y.org","plain"]})";
  const MapPolicy keys{{"email", Method::Hash}};
  SECTION("redact findings") {
    auto r = run(doc, keys, &kEmailDetector, Method::Redact);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":7,"note":"contact **** today","email":")" + hashed("a@b.co") +
                       R"(","tags":["****","plain"]})");
  }
  SECTION("partial findings") {
    auto r = run(doc, MapPolicy{}, &kEmailDetector, Method::Partial);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":7,"note":"contact j***@example.com today","email":"***@b.co",)"
                   R"("tags":["***@y.org","plain"]})");
  }
  SECTION("null findings null the string") {
    auto r = run(doc, MapPolicy{}, &kEmailDetector, Method::Null);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"id":7,"note":null,"email":null,"tags":[null,"plain"]})");
  }
  SECTION("no detectors, no scan") {
    auto r = run(doc, keys, nullptr, Method::Redact);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out.find("john@example.com") != std::string::npos);
    CHECK(run(R"({"note":"contact john@example.com"})", MapPolicy{}, nullptr).outcome ==
          JsonOutcome::Keep);
    CHECK(run(R"({"note":"contact john@example.com"})", MapPolicy{}, &kEmailDetector).outcome ==
          JsonOutcome::Replace);
  }
  SECTION("a string with more findings than one scan reports is nulled, not partly masked") {
    std::string many;
    for (int i = 0; i < 300; ++i) many += "u" + std::to_string(i) + "@example.com ";
    auto r = run("{\"note\":\"" + many + "\",\"n\":\"john@example.com\"}", MapPolicy{},
                 &kEmailDetector, Method::Redact);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"note":null,"n":"****"})");
  }
  SECTION("a document that is one string") {
    auto r = run("\"john@example.com\"", MapPolicy{}, &kEmailDetector, Method::Redact);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == "\"****\"");
  }
  SECTION("escapes around a finding survive") {
    auto r = run(R"({"note":"say \"hi\"\n to john@example.com\t"})", MapPolicy{}, &kEmailDetector,
                 Method::Redact);
    REQUIRE(r.outcome == JsonOutcome::Replace);
    CHECK(r.out == R"({"note":"say \"hi\"\n to ****\t"})");
  }
}
