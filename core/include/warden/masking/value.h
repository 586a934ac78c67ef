// core/include/warden/masking/value.h
//! Masking of single column values, dialect-neutral. A dialect's row rewriter classifies each
//! result column (ValueType + wire Format) and calls maskValue() for the non-NULL values of the
//! columns a MaskPlan selects. Output keeps the protocol valid: the same type and format, or
//! SQL NULL (never text bytes in a binary int4 column).
//!
//! Part of warden_base (linked into the host and every plugin). Pure, no allocation beyond `out`,
//! thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden::masking {

//! How a column is masked (SPEC `masking[].method`, `detectors.method`).
enum class Method : uint8_t { Redact, Partial, Hash, Null };

//! What the value is, as far as masking cares (dialects map their type ids onto this).
enum class ValueType : uint8_t {
  Text,         //!< text, varchar, char/bpchar, name, citext, enum labels, xml, unknown
  Json,         //!< json (text), jsonb (binary format: version byte 1 + JSON text)
  Bool,
  Int2, Int4, Int8,
  Float4, Float8,
  Numeric,      //!< numeric / decimal
  Date, Time, Timestamp, TimestampTz,
  Uuid,
  Bytea,
  Other,        //!< anything else (arrays, composites, geometry, ...): masked to NULL
};

//! Wire format of a value: text (the type's output function) or binary (its send function).
enum class Format : uint8_t { Text, Binary };

//! Key of the `hash` method (HMAC-SHA-256). One per deployment, so joins on hashed values match
//! across sessions and restarts.
struct HashKey {
  std::array<uint8_t, 32> bytes{};
};

enum class Outcome : uint8_t {
  Keep,     //!< the value passes unchanged (`out` untouched)
  Replace,  //!< `out` holds the new value bytes (same type and format as the input)
  Null,     //!< the value becomes SQL NULL
};

//! True for types whose values are text in both formats (Text; Json handled by maskJson).
bool isTextLike(ValueType t);

//! Masks one non-NULL value. `out` is cleared first when the outcome is Replace.
//! Semantics (README "Masking methods"):
//! - null: always Null.
//! - redact: text → "****"; every other type → Null.
//! - partial: text keeps a recognisable shape (partialText); every other type → Null.
//! - hash: text → 16 lowercase hex chars of HMAC-SHA-256(key, value); int2/int4/int8 and
//!   numeric → an integer of the type's width derived from the HMAC (text: decimal, binary: the
//!   type's send encoding); uuid → a UUID made of HMAC bytes; bytea → the 32 HMAC bytes (text
//!   format: "\x" + hex); other types → Null. Equal inputs give equal outputs (joins still
//!   match); the hash of the text form and of the binary form of one value may differ.
//!   In detail (value.cc): the HMAC input is the value's canonical form, so in practice both
//!   formats of one value do hash alike — the decimal text for ints, numeric_out's text for
//!   numeric (binary converted), lowercase 8-4-4-4-12 for uuid, the raw bytes for bytea (text
//!   decoded from hex or escape format). int2/int4/int8 → the first 2/4/8 HMAC bytes with the
//!   sign bit cleared (non-negative); numeric → the first 8 HMAC bytes mod 10^15 (exact in a
//!   float64), binary with dscale 0; uuid → the first 16 HMAC bytes with version 4 / RFC 4122
//!   variant bits. An input that is not a valid value of its type and format → Null.
//! - Json: like Text for redact/partial/hash (whole document replaced by a JSON string, jsonb
//!   binary keeps its version byte), so the output is still valid JSON. Binary format is jsonb:
//!   a first byte other than 1 → Null. partial takes the shape of the document's string value
//!   (of its text when it is not a string); hash is over the JSON text.
Outcome maskValue(Method method, ValueType type, Format format, std::string_view in,
                  const HashKey& key, std::string& out);

//! Text helpers (append to `out`).
//! redact: "****".
void redactText(std::string_view in, std::string& out);
//! partial: e-mail "john@example.com" → "j***@example.com"; a value that is mostly digits with
//! separators (cards, SSNs, phones, IBAN-like) keeps its separators and last 4 digits:
//! "4242 4242 4242 4242" → "**** **** **** 4242", "123-45-6789" → "***-**-6789"; other text
//! of 5+ code points keeps the first and last code point: "Alice" → "A***e"; shorter → "****".
//! Never splits a UTF-8 sequence.
//! In detail: e-mail = one '@', a local part without spaces/quotes/brackets, a dotted host
//! name; a 1-character local part is hidden too ("j@x.org" → "***@x.org"). Digit shape = only
//! ASCII digits, letters and " -./()+", at least 7 digits and twice as many digits as letters;
//! letters become '*' ("DE89 3704 …" → "**** **** …"). Bytes that are not UTF-8 are never
//! copied (written as '*'), so the output is always valid UTF-8.
void partialText(std::string_view in, std::string& out);
//! hash: 16 lowercase hex chars of HMAC-SHA-256(key, in).
void hashText(std::string_view in, const HashKey& key, std::string& out);
//! The method applied to text (redact/partial/hash as above; null → false: the caller nulls).
bool maskText(Method method, std::string_view in, const HashKey& key, std::string& out);

}  // namespace warden::masking
