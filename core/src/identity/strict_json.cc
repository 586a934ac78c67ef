// core/src/identity/strict_json.cc
//! Two passes: a SAX pass that only checks (unique member names, depth, well-formedness), then
//! nlohmann's own DOM parse of text known to be well-formed and shallow.
#include "strict_json.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace warden::identity {
namespace {

using json = nlohmann::json;

class Checker : public nlohmann::json_sax<json> {
 public:
  explicit Checker(size_t max_depth) : max_depth_(max_depth) {}

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }
  bool start_object(std::size_t) override { return open(true); }
  bool key(string_t& name) override {
    if (frames_.empty() || !frames_.back().is_object) return fail("member name outside object");
    if (!frames_.back().names.insert(name).second) return fail("duplicate member name");
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return fail("not valid JSON");
  }

  const std::string& why() const { return why_; }

 private:
  struct Frame {
    bool is_object;
    std::unordered_set<std::string> names;
  };

  bool value() {
    if (frames_.empty()) return fail("not a JSON object");  // a top-level scalar
    return true;
  }
  bool open(bool is_object) {
    if (frames_.empty() && (!is_object || seen_root_)) return fail("not a JSON object");
    seen_root_ = true;
    if (frames_.size() >= max_depth_) return fail("JSON nested too deeply");
    frames_.push_back(Frame{is_object, {}});
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  bool fail(const char* why) {
    if (why_.empty()) why_ = why;
    return false;
  }

  size_t max_depth_;
  std::vector<Frame> frames_;
  bool seen_root_ = false;
  std::string why_;
};

}  // namespace

std::optional<json> parseStrictObject(std::string_view text, size_t max_depth, std::string* why) {
  try {
    Checker checker(max_depth);
    if (!json::sax_parse(text.begin(), text.end(), &checker) || !checker.why().empty()) {
      if (why) *why = checker.why().empty() ? "not valid JSON" : checker.why();
      return std::nullopt;
    }
    json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!value.is_object()) {
      if (why) *why = "not a JSON object";
      return std::nullopt;
    }
    return value;
  } catch (const std::exception&) {  // allocation failure or a library surprise: fail closed
    if (why) *why = "not valid JSON";
    return std::nullopt;
  }
}

bool hasControlChars(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (c == 0xc2 && i + 1 < s.size()) {
      auto n = static_cast<unsigned char>(s[i + 1]);
      if (n >= 0x80 && n <= 0x9f) return true;
    }
  }
  return false;
}

std::string sanitizeForMessage(std::string_view s, size_t max) {
  std::string out;
  bool cut = s.size() > max;
  if (cut) s = s.substr(0, max);
  out.reserve(s.size() + 3);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    out += (c < 0x20 || c == 0x7f || c >= 0x80) ? '?' : ch;
  }
  if (cut) out += "...";
  return out;
}

}  // namespace warden::identity
