// core/src/masking/json_mask.cc
//! maskJson (warden/masking/json_mask.h): one streaming pass over nlohmann-json's SAX events that
//! writes the document back as compact JSON while it is parsed. Streaming rather than a DOM
//! round trip keeps what the caller did not ask to change: member order and duplicate keys
//! (nlohmann::json sorts and de-duplicates object keys), and number spellings (a DOM turns
//! 1.10 into 1.1 and integers beyond 64 bits into rounded doubles). Integers within 64 bits are
//! printed back exactly; "-0" becomes "0". A number that overflows a double (1e400) is a parse
//! error in nlohmann-json, so such a document is masked whole (Null).
#include "utf8.h"
#include "warden/masking/json_mask.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "warden/masking/detectors.h"

namespace warden::masking {

namespace {

constexpr size_t kMaxDepth = 64;
//! A string with this many detector findings may hold more that scan() did not report: it is
//! nulled rather than partly masked.
constexpr size_t kMaxFindings = 256;

//! Nesting depth of objects/arrays, counted outside strings; stops early past `limit`. Invalid
//! JSON may miscount, but then the parser rejects it anyway.
bool deeperThan(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return false;
}

using detail::utf8SequenceLength;

//! A JSON string literal; bytes that are not valid UTF-8 become U+FFFD (as nlohmann-json's
//! error_handler_t::replace does), so the output always parses.
void appendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8SequenceLength(s, i);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0x0F]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

using Json = nlohmann::json;

class MaskingWriter final : public nlohmann::json_sax<Json> {
 public:
  MaskingWriter(const JsonKeyPolicy& keys, const HashKey& key, const DetectorSet* detectors,
                Method detector_method, std::string& out)
      : keys_(keys),
        key_(key),
        detectors_(detectors),
        detector_method_(detector_method),
        out_(out) {}

  bool changed() const { return changed_; }

  bool null() override {
    if (skip_ > 0) return true;
    beginValue();
    pending_ = false;
    out_.append("null");
    return true;
  }
  bool boolean(bool val) override { return scalar(val ? "true" : "false"); }
  bool number_integer(number_integer_t val) override { return scalar(std::to_string(val)); }
  bool number_unsigned(number_unsigned_t val) override { return scalar(std::to_string(val)); }
  bool number_float(number_float_t, const string_t& lexeme) override { return scalar(lexeme); }
  bool binary(binary_t&) override { return false; }  // not produced by the JSON parser

  bool string(string_t& val) override {
    if (skip_ > 0) return true;
    beginValue();
    if (pending_) {
      pending_ = false;
      masked_.clear();
      if (!maskText(pending_method_, val, key_, masked_)) return writeNull();
      return writeString(val, masked_);
    }
    if (detectors_ != nullptr) {
      findings_.clear();
      const size_t n = detectors_->scan(val, findings_, kMaxFindings);
      if (n > 0) {
        if (detector_method_ == Method::Null || n >= kMaxFindings) return writeNull();
        masked_.clear();
        if (!applyFindings(val, findings_, detector_method_, key_, masked_)) return writeNull();
        return writeString(val, masked_);
      }
    }
    appendJsonString(val, out_);
    return true;
  }

  bool start_object(std::size_t) override { return open('{', true); }
  bool end_object() override { return close('}'); }
  bool start_array(std::size_t) override { return open('[', false); }
  bool end_array() override { return close(']'); }

  bool key(string_t& val) override {
    if (skip_ > 0) return true;
    Frame& f = frames_.back();
    if (!f.first) out_.push_back(',');
    f.first = false;
    appendJsonString(val, out_);
    out_.push_back(':');
    pending_ = keys_.masked(val, pending_method_);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool object = false;
    bool first = true;
  };

  //! Separator before an array element (object members get theirs in key()).
  void beginValue() {
    if (frames_.empty() || frames_.back().object) return;
    if (!frames_.back().first) out_.push_back(',');
    frames_.back().first = false;
  }

  bool scalar(std::string_view text) {
    if (skip_ > 0) return true;
    beginValue();
    if (pending_) {  // numbers and booleans have no masked form inside JSON
      pending_ = false;
      return writeNull();
    }
    out_.append(text);
    return true;
  }

  bool writeNull() {
    out_.append("null");
    changed_ = true;
    return true;
  }

  bool writeString(std::string_view original, std::string_view masked) {
    appendJsonString(masked, out_);
    changed_ = changed_ || masked != original;
    return true;
  }

  bool open(char bracket, bool object) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    beginValue();
    if (pending_) {  // a masked member's object/array: null, and its contents are skipped
      pending_ = false;
      skip_ = 1;
      return writeNull();
    }
    frames_.push_back(Frame{object, true});
    out_.push_back(bracket);
    return true;
  }

  bool close(char bracket) {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    frames_.pop_back();
    out_.push_back(bracket);
    return true;
  }

  const JsonKeyPolicy& keys_;
  const HashKey& key_;
  const DetectorSet* detectors_;
  const Method detector_method_;
  std::string& out_;
  std::vector<Frame> frames_;
  std::vector<Finding> findings_;
  std::string masked_;
  size_t skip_ = 0;       // > 0: inside a masked member's object/array (its depth there)
  bool pending_ = false;  // the next value belongs to a masked member
  Method pending_method_ = Method::Null;
  bool changed_ = false;
};

}  // namespace

JsonOutcome maskJson(std::string_view json, const JsonKeyPolicy& keys, const HashKey& key,
                     const DetectorSet* detectors, Method detector_method, std::string& out) {
  if (deeperThan(json, kMaxDepth)) return JsonOutcome::Null;
  std::string body;
  body.reserve(json.size());
  MaskingWriter writer(keys, key, detectors, detector_method, body);
  bool ok = false;
  try {
    ok = Json::sax_parse(json.data(), json.data() + json.size(), &writer,
                         nlohmann::json::input_format_t::json, /*strict=*/true);
  } catch (const std::exception&) {  // allocation failure or an unexpected library throw
    return JsonOutcome::Null;
  }
  if (!ok) return JsonOutcome::Null;
  if (!writer.changed()) return JsonOutcome::Keep;
  out = std::move(body);
  return JsonOutcome::Replace;
}

}  // namespace warden::masking
