// core/include/warden/masking/json_mask.h
//! Masking inside JSON documents: whole-row output such as row_to_json(u), to_jsonb(u),
//! json_agg(u) carries masked columns as object members. The document is parsed, members whose
//! key the caller marks are masked (strings through maskText, numbers/booleans/objects/arrays
//! become null, or the document-level string for Method::Null members becomes null), and the
//! document is written back as compact JSON. Part of warden_base; pure.
#pragma once

#include <string>
#include <string_view>

#include "warden/masking/value.h"

namespace warden::masking {

class DetectorSet;

//! Decides per object member (any depth) whether its value is masked, and how.
class JsonKeyPolicy {
 public:
  virtual ~JsonKeyPolicy() = default;
  //! True when members named `key` are masked; `method` is set to the method to use.
  virtual bool masked(std::string_view key, Method& method) const = 0;
};

enum class JsonOutcome : uint8_t { Keep, Replace, Null };

//! Masks `json` (a complete JSON text). Members selected by `keys` are masked at every depth;
//! when `detectors` is non-null, every other string value is also scanned and the findings are
//! masked with `detector_method`. Keep: nothing masked (out untouched). Replace: out = the new
//! compact JSON. Null: the text is not valid JSON (or nests deeper than 64 levels) — the caller
//! masks the whole value (fail closed).
//! The rewrite streams (json_mask.cc): member order, duplicate keys and number spellings are
//! kept (1.10 stays 1.10; integers beyond 64 bits are not rounded), whitespace is dropped. A
//! number that overflows a double (1e400) makes the document Null. A string with 256 or more
//! detector findings becomes null (the scan reports at most 256).
JsonOutcome maskJson(std::string_view json, const JsonKeyPolicy& keys, const HashKey& key,
                     const DetectorSet* detectors, Method detector_method, std::string& out);

}  // namespace warden::masking
