// dialects/postgres/sql/fast_lexer.cc
//! Each scan below says which PostgresLexer rules compete at the first character and how the
//! longest match (ties: the rule defined first — WS, comments, punctuation, OPERATOR,
//! DOLLAR_QUOTE_OPEN, keywords, then PgLiterals in file order) comes out; then what
//! PgTokenSource does to that token. Scans work on UTF-8 bytes: every character the grammar
//! treats specially is ASCII, and every byte >= 0x80 belongs to a code point >= U+0080, which
//! the grammar only ever accepts as a letter (identifiers, dollar-quote tags) or as "any
//! character" (quoted text, comments, ERRCHAR).
#include "sql/fast_lexer.h"

#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "PostgresLexer.h"

namespace warden::pg::sql {
namespace {

using L = pggrammar::PostgresLexer;

enum : uint8_t { kWs = 1, kOp = 2, kIdentStart = 4, kIdentCont = 8, kDigit = 16, kTagCont = 32 };
constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = 0;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') k |= kWs;
    for (const char* o = "+-*/<>=~!@#%^&|`?"; *o != 0; ++o)
      if (c == *o) k |= kOp;
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    bool digit = c >= '0' && c <= '9';
    if (letter) k |= kIdentStart | kIdentCont | kTagCont;
    if (digit) k |= kDigit | kIdentCont | kTagCont;
    if (c == '$') k |= kIdentCont;  // IDENT_CONT has '$', DQ_CONT does not
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}();
inline bool is(unsigned char c, uint8_t k) { return (kClass[c] & k) != 0; }

//! Bytes of the (valid) UTF-8 sequence starting with `c`.
inline size_t sequenceLength(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

}  // namespace

// ------------------------------------------------------------------------------- keywords

//! Every K_<WORD> token of the generated lexer (PgKeywords.g4, from keywords.txt), looked up by
//! the lower-cased word: open addressing over a power-of-two index into a dense entry array,
//! built once. Words are compared as three zero-padded 64-bit words.
class PgKeywordTable {
 public:
  static constexpr size_t kMaxLength = 24;

  PgKeywordTable() {
    antlr4::ANTLRInputStream empty;
    L lexer(&empty);
    const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
    for (size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type) {
      std::string name = vocabulary.getSymbolicName(type);
      if (name.size() < 3 || name.compare(0, 2, "K_") != 0 || name.size() - 2 > kMaxLength)
        continue;
      Entry e{};
      uint32_t h = 0;
      e.length = static_cast<uint32_t>(name.size() - 2);
      fold(reinterpret_cast<const unsigned char*>(name.data()) + 2, e.length, e.word, h);
      e.type = static_cast<uint32_t>(type);
      size_t slot = h & (kSlots - 1);
      while (index_[slot] != 0) slot = (slot + 1) & (kSlots - 1);
      entries_.push_back(e);
      index_[slot] = static_cast<uint16_t>(entries_.size());
      longest_ = std::max(longest_, static_cast<size_t>(e.length));
    }
  }

  //! The keyword token type of the word `s[0..n)`, or 0.
  size_t find(const unsigned char* s, size_t n) const {
    if (n > longest_) return 0;
    uint64_t word[3];
    uint32_t h = 0;
    fold(s, n, word, h);
    for (size_t slot = h & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
      uint16_t i = index_[slot];
      if (i == 0) return 0;
      const Entry& e = entries_[i - 1];
      if (e.length == n && e.word[0] == word[0] && e.word[1] == word[1] && e.word[2] == word[2])
        return e.type;
    }
  }

 private:
  static constexpr size_t kSlots = 1024;  // > 2x the ~460 keywords
  struct Entry {
    uint64_t word[3];
    uint32_t length;
    uint32_t type;
  };
  //! ASCII-lower-cased copy (zero-padded, little-endian byte order; assembled in registers:
  //! byte stores read back as words stall store forwarding) and its FNV-1a hash.
  static void fold(const unsigned char* s, size_t n, uint64_t (&word)[3], uint32_t& h) {
    word[0] = word[1] = word[2] = 0;
    h = 2166136261u;
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = s[i];
      if (static_cast<unsigned char>(c - 'A') < 26) c |= 0x20;
      word[i >> 3] |= static_cast<uint64_t>(c) << ((i & 7) * 8);
      h = (h ^ c) * 16777619u;
    }
    h ^= h >> 15;
  }

  std::array<uint16_t, kSlots> index_{};
  std::vector<Entry> entries_;
  size_t longest_ = 0;
};

namespace {

const PgKeywordTable& keywords() {
  static const PgKeywordTable table;
  return table;
}

// ------------------------------------------------------------------------ scan helpers

struct Text {
  const unsigned char* s;
  size_t n;

  size_t digitsEnd(size_t i) const {
    while (i < n && is(s[i], kDigit)) ++i;
    return i;
  }
  //! EXPONENT: [eE] [+-]? DIGITS — all of it or nothing.
  size_t exponentEnd(size_t i) const {
    if (i < n && (s[i] | 0x20) == 'e') {
      size_t k = i + 1;
      if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
      if (k < n && is(s[k], kDigit)) return digitsEnd(k);
    }
    return i;
  }

  //! Longest match of  q ( ~q | q q )* q  (or with `+` instead of `*` when !allow_empty;
  //! with `'\\' .` as a third item when `backslashes`), the opening quote at `open`; 0 if no
  //! prefix matches. Inside, every run of quotes is pairs; a run of odd length k ends the
  //! literal after its k-th quote, a run of even length k may end it after its (k-1)-th quote
  //! (a shorter match, kept if nothing longer closes later).
  size_t quotedEnd(size_t open, unsigned char q, bool allow_empty, bool backslashes) const {
    size_t i = open + 1;
    size_t best = 0;
    bool empty = true;
    while (i < n) {
      unsigned char c = s[i];
      if (c == q) {
        size_t k = i;
        while (k < n && s[k] == q) ++k;
        size_t run = k - i;
        size_t last = (run & 1) ? run : run - 1;  // longest odd count: that quote closes
        if (allow_empty || !empty || last >= 3) best = i + last;
        if (run & 1) return best;
        i = k;
        empty = false;
        continue;
      }
      if (backslashes && c == '\\') {
        if (i + 1 >= n) return best;
        i += 2;  // a continuation byte after it is never a quote or backslash
        empty = false;
        continue;
      }
      ++i;
      empty = false;
    }
    return best;
  }

  //! [bB]'...' and [xX]'...': the first quote closes. 0 if none.
  size_t firstQuoteEnd(size_t open) const {
    const void* f = std::memchr(s + open + 1, '\'', n - open - 1);
    return f == nullptr ? 0 : static_cast<size_t>(static_cast<const unsigned char*>(f) - s) + 1;
  }

  //! BLOCK_COMMENT:  '/*' ( BLOCK_COMMENT | '/'+ ~[*/] | '*'+ ~[*/] | ~[*/] )* '*'+ '/'
  //! This grammar reads deterministically: a run of '*' followed by '/' closes one level, by
  //! anything else is text; a run of '/' followed by '*' opens a level if it is a single '/'
  //! (two or more slashes before '*' match no item: no comment at all), followed by anything
  //! else is text. End of the outermost level, or 0 when the text ends first (or dead end).
  size_t blockCommentEnd(size_t p) const {
    size_t depth = 1;
    size_t i = p + 2;
    while (i < n) {
      unsigned char c = s[i];
      if (c != '/' && c != '*') {
        ++i;
        continue;
      }
      size_t k = i;
      while (k < n && s[k] == c) ++k;
      if (k >= n) return 0;
      if (c == '*' && s[k] == '/') {
        if (--depth == 0) return k + 1;
      } else if (c == '/' && s[k] == '*') {
        if (k - i != 1) return 0;
        ++depth;
      }
      i = k + 1;
    }
    return 0;
  }
};

//! PgTokenSource's typeOfOperator: the fixed-token type for the operator's text.
size_t operatorType(const unsigned char* op, size_t n) {
  if (n == 1) {
    switch (op[0]) {
      case '+': return L::PLUS;
      case '-': return L::MINUS;
      case '*': return L::STAR;
      case '/': return L::SLASH;
      case '%': return L::PERCENT;
      case '^': return L::CARET;
      case '<': return L::LT;
      case '>': return L::GT;
      case '=': return L::EQUAL;
      default: return L::OPERATOR;
    }
  }
  if (n == 2) {
    if (op[1] == '=' && op[0] == '<') return L::LESS_EQUALS;
    if (op[1] == '=' && op[0] == '>') return L::GREATER_EQUALS;
    if (op[1] == '=' && op[0] == '!') return L::NOT_EQUALS;
    if (op[0] == '<' && op[1] == '>') return L::NOT_EQUALS;
    if (op[0] == '=' && op[1] == '>') return L::EQUALS_GREATER;
  }
  return L::OPERATOR;
}

bool isStringType(size_t t) {
  return t == L::STRING || t == L::ESCAPE_STRING || t == L::UNICODE_STRING ||
         t == L::BIT_STRING || t == L::HEX_STRING || t == L::NATIONAL_STRING;
}

//! Token types whose text may hold a newline (the others need no line counting).
bool mayHoldNewline(size_t t) {
  return t == L::WS || t == L::BLOCK_COMMENT || t == L::DOLLAR_STRING || t == L::ERRCHAR ||
         t == L::QUOTED_IDENT || t == L::UNICODE_QUOTED_IDENT || isStringType(t);
}

//! UTF-8 as libstdc++'s codecvt_utf8<char32_t> (under ANTLRInputStream::load) reads it: the end
//! of the convertible text, or throws. A lead byte with fewer bytes left than its sequence
//! needs ends the text there (whatever those bytes are: "partial", silently dropped); overlong
//! forms and code points above U+10FFFF throw, surrogates (ED A0..BF xx) pass.
//! `ascii` tells whether every byte before that end is < 0x80.
size_t validUtf8End(const unsigned char* s, size_t begin, size_t n, bool& ascii) {
  ascii = true;
  size_t i = begin;
  auto bad = [] { throw std::range_error("invalid UTF-8"); };
  auto continuation = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  while (i < n) {
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    while (i < n && s[i] < 0x80) ++i;
    if (i >= n) break;
    ascii = false;
    unsigned char c = s[i];
    if (c < 0xC2 || c > 0xF4) bad();
    size_t len = sequenceLength(c);
    if (len > n - i) return i;  // too few bytes left for the lead byte: "partial", dropped
    unsigned char c2 = s[i + 1];
    if (!continuation(c2)) bad();
    if ((c == 0xE0 && c2 < 0xA0) || (c == 0xF0 && c2 < 0x90) || (c == 0xF4 && c2 >= 0x90)) bad();
    for (size_t j = 2; j < len; ++j)
      if (!continuation(s[i + j])) bad();
    i += len;
  }
  return n;
}

}  // namespace

PgFastLexer::PgFastLexer() : keywords_(&keywords()) {}

PgFastLexer::~PgFastLexer() = default;

void PgFastLexer::load(std::string_view text) {
  if (text.size() >= std::numeric_limits<uint32_t>::max())
    throw std::length_error("statement too large for the lexer");
  buffer_.assign(text.data(), text.size());
  base_ = text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  end_ = validUtf8End(reinterpret_cast<const unsigned char*>(buffer_.data()), base_,
                      buffer_.size(), ascii_);
  pos_ = base_;
  cp_ = 0;
  line_ = 1;
  line_start_cp_ = 0;
  stale_eof_ = false;
  input_loaded_ = false;
}

antlr4::CharStream* PgFastLexer::getInputStream() {
  if (!input_) input_ = std::make_unique<antlr4::ANTLRInputStream>();
  if (!input_loaded_) {
    input_->load(buffer_);  // drops the BOM itself; cannot throw: load() validated the text
    input_loaded_ = true;
  }
  return input_.get();
}

void PgFastLexer::advance(size_t to) {
  const auto* s = reinterpret_cast<const unsigned char*>(buffer_.data());
  if (ascii_) {
    for (size_t i = pos_; i < to; ++i) {
      if (s[i] == '\n') {
        ++line_;
        line_start_cp_ = i + 1 - base_;
      }
    }
    cp_ = to - base_;
  } else {
    for (size_t i = pos_; i < to; ++i) {
      unsigned char c = s[i];
      cp_ += (c & 0xC0) != 0x80;  // a lead byte or ASCII: one more code point
      if (c == '\n') {
        ++line_;
        line_start_cp_ = cp_;
      }
    }
  }
  pos_ = to;
}

size_t PgFastTokenStream::fetch(size_t n) {
  if (_tokenSource != &lexer_) return CommonTokenStream::fetch(n);
  if (_fetchedEOF) return 0;
  for (size_t i = 0; i < n; ++i) {
    std::unique_ptr<PgFastToken> t = lexer_.next();
    t->setTokenIndex(_tokens.size());
    bool eof = t->getType() == antlr4::Token::EOF;
    _tokens.push_back(std::move(t));
    if (eof) {
      _fetchedEOF = true;
      return i + 1;
    }
  }
  return n;
}

std::unique_ptr<PgFastToken> PgFastLexer::next() {
  FastTokenSpan span;
  span.start = cp_;
  span.line = static_cast<uint32_t>(line_);
  span.column = static_cast<uint32_t>(cp_ - line_start_cp_);
  span.begin = static_cast<uint32_t>(pos_);
  if (pos_ >= end_) {
    // Lexer::emitEOF: start = index, stop = index - 1, the lexer's current line/column.
    span.type = antlr4::Token::EOF;
    span.channel = antlr4::Token::DEFAULT_CHANNEL;
    span.stop = cp_ - 1;
    span.end = span.begin;
    if (stale_eof_) {
      span.line = static_cast<uint32_t>(eof_line_);
      span.column = static_cast<uint32_t>(eof_column_);
    }
    return std::make_unique<PgFastToken>(this, span);
  }
  Match m = scan(pos_);
  if (isStringType(m.type)) {
    size_t first_end = m.end;
    m.end = continueString(m.type, m.end);
    if (m.type == L::ERRCHAR) {
      // PgTokenSource leaves the ANTLR lexer's line/column where the first literal ended when a
      // continuation is unterminated: the EOF token that follows reports that position.
      advance(first_end);
      stale_eof_ = true;
      eof_line_ = line_;
      eof_column_ = cp_ - line_start_cp_;
    }
  }
  span.type = m.type;
  span.channel = m.type == L::WS || m.type == L::LINE_COMMENT || m.type == L::BLOCK_COMMENT
                     ? antlr4::Token::HIDDEN_CHANNEL
                     : antlr4::Token::DEFAULT_CHANNEL;
  if (ascii_ && !mayHoldNewline(m.type)) {
    cp_ = m.end - base_;
    pos_ = m.end;
  } else {
    advance(m.end);
  }
  span.stop = cp_ - 1;
  span.end = static_cast<uint32_t>(m.end);
  return std::make_unique<PgFastToken>(this, span);
}

PgFastLexer::Match PgFastLexer::scan(size_t p) {
  const auto* s = reinterpret_cast<const unsigned char*>(buffer_.data());
  const size_t n = end_;
  const Text t{s, n};
  unsigned char c = s[p];
  switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': {
      size_t e = p + 1;
      while (e < n && is(s[e], kWs)) ++e;
      return {L::WS, e};
    }
    case ';': return {L::SEMI, p + 1};
    case ',': return {L::COMMA, p + 1};
    case '(': return {L::OPEN_PAREN, p + 1};
    case ')': return {L::CLOSE_PAREN, p + 1};
    case '[': return {L::OPEN_BRACKET, p + 1};
    case ']': return {L::CLOSE_BRACKET, p + 1};
    case ':':
      if (p + 1 < n && s[p + 1] == ':') return {L::TYPECAST, p + 2};
      if (p + 1 < n && s[p + 1] == '=') return {L::COLON_EQUALS, p + 2};
      return {L::COLON, p + 1};
    case '.':  // DOT, or NUMERIC '.' DIGITS EXPONENT?
      if (p + 1 < n && is(s[p + 1], kDigit)) return {L::NUMERIC, t.exponentEnd(t.digitsEnd(p + 1))};
      return {L::DOT, p + 1};
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
      // NUMERIC: DIGITS '.' DIGITS? EXPONENT? | DIGITS EXPONENT; else INTEGER.
      size_t d = t.digitsEnd(p + 1);
      if (d < n && s[d] == '.') return {L::NUMERIC, t.exponentEnd(t.digitsEnd(d + 1))};
      size_t x = t.exponentEnd(d);
      return {x > d ? L::NUMERIC : L::INTEGER, x};
    }
    case '\'': {
      size_t e = t.quotedEnd(p, '\'', true, false);
      return e != 0 ? Match{L::STRING, e} : Match{L::ERRCHAR, p + 1};
    }
    case '"': {  // QUOTED_IDENT needs at least one character
      size_t e = t.quotedEnd(p, '"', false, false);
      return e != 0 ? Match{L::QUOTED_IDENT, e} : Match{L::ERRCHAR, p + 1};
    }
    case '$':
      return scanDollar(p);
    case '-':  // LINE_COMMENT beats OPERATOR: it is at least as long, and defined first
      if (p + 1 < n && s[p + 1] == '-') {
        size_t e = p + 2;
        while (e < n && s[e] != '\n' && s[e] != '\r') ++e;
        return {L::LINE_COMMENT, e};
      }
      return scanOperator(p);
    default:
      if (is(c, kOp)) return scanOperator(p);
      if (is(c, kIdentStart)) return scanWord(p);
      return {L::ERRCHAR, p + sequenceLength(c)};  // ERRCHAR: . (one code point)
  }
}

// OPERATOR takes the whole run of operator characters; a fixed token (LT, LESS_EQUALS, ...)
// wins only at equal length, and PgTokenSource re-types a trimmed OPERATOR by its text anyway,
// so the run is trimmed and typed by its text. At "/*", BLOCK_COMMENT wins when at least as
// long as the run; otherwise PgTokenSource's cut before "/*" leaves nothing: ERRCHAR over the
// whole run (e.g. an unterminated comment, or "/**/+").
PgFastLexer::Match PgFastLexer::scanOperator(size_t p) {
  const auto* s = reinterpret_cast<const unsigned char*>(buffer_.data());
  const size_t n = end_;
  size_t e = p + 1;
  while (e < n && is(s[e], kOp)) ++e;
  if (s[p] == '/' && p + 1 < n && s[p + 1] == '*') {
    size_t b = Text{s, n}.blockCommentEnd(p);
    if (b != 0 && b >= e) return {L::BLOCK_COMMENT, b};
    return {L::ERRCHAR, e};
  }
  // PostgreSQL's scan.l {operator}: cut before "/*" or "--" ...
  size_t len = e - p;
  for (size_t i = p + 1; i + 1 < e; ++i) {
    if ((s[i] == '/' && s[i + 1] == '*') || (s[i] == '-' && s[i + 1] == '-')) {
      len = i - p;
      break;
    }
  }
  // ... and a multi-character operator ends in + or - only if it has one of ~!@#^&|`?%.
  if (len > 1 && (s[p + len - 1] == '+' || s[p + len - 1] == '-')) {
    bool special = false;
    for (size_t i = p; i + 1 < p + len; ++i) {
      switch (s[i]) {
        case '~': case '!': case '@': case '#': case '^':
        case '&': case '|': case '`': case '?': case '%':
          special = true;
          break;
        default:
          break;
      }
    }
    if (!special) {
      do {
        --len;
      } while (len > 1 && (s[p + len - 1] == '+' || s[p + len - 1] == '-'));
    }
  }
  return {operatorType(s + p, len), p + len};
}

// PARAM ('$' DIGITS) or DOLLAR_QUOTE_OPEN ('$' tag? '$', the tag not starting with a digit),
// else ERRCHAR '$'. PgTokenSource then looks for the first occurrence of the opening tag after
// it: DOLLAR_STRING up to there, or ERRCHAR over the opening tag alone (lexing goes on after
// it). The tag starts with '$', so a byte match is a code point match.
PgFastLexer::Match PgFastLexer::scanDollar(size_t p) {
  const auto* s = reinterpret_cast<const unsigned char*>(buffer_.data());
  const size_t n = end_;
  if (p + 1 < n && is(s[p + 1], kDigit)) return {L::PARAM, Text{s, n}.digitsEnd(p + 1)};
  size_t q = p + 1;
  if (q < n && is(s[q], kIdentStart)) {
    ++q;
    while (q < n && is(s[q], kTagCont)) ++q;
  }
  if (q >= n || s[q] != '$') return {L::ERRCHAR, p + 1};
  size_t tag_end = q + 1;
  std::string_view text(buffer_.data(), n);
  size_t close = text.find(text.substr(p, tag_end - p), tag_end);
  if (close == std::string_view::npos) return {L::ERRCHAR, tag_end};
  return {L::DOLLAR_STRING, close + (tag_end - p)};
}

// IDENT, a keyword (same length: defined first), or a prefixed literal (longer than the
// one-letter IDENT before its quote): U&'..' U&".." E'..' B'..' X'..' N'..'. A prefix whose
// literal does not close is the one-letter IDENT.
PgFastLexer::Match PgFastLexer::scanWord(size_t p) {
  const auto* s = reinterpret_cast<const unsigned char*>(buffer_.data());
  const size_t n = end_;
  const Text t{s, n};
  if (p + 1 < n && s[p] < 0x80) {
    unsigned char next = s[p + 1];
    size_t e = 0;
    size_t type = 0;
    switch (s[p] | 0x20) {
      case 'u':
        if (next == '&' && p + 2 < n && s[p + 2] == '\'') {
          e = t.quotedEnd(p + 2, '\'', true, false);
          type = L::UNICODE_STRING;
        } else if (next == '&' && p + 2 < n && s[p + 2] == '"') {
          e = t.quotedEnd(p + 2, '"', true, false);
          type = L::UNICODE_QUOTED_IDENT;
        }
        break;
      case 'e':
        if (next == '\'') e = t.quotedEnd(p + 1, '\'', true, true), type = L::ESCAPE_STRING;
        break;
      case 'b':
        if (next == '\'') e = t.firstQuoteEnd(p + 1), type = L::BIT_STRING;
        break;
      case 'x':
        if (next == '\'') e = t.firstQuoteEnd(p + 1), type = L::HEX_STRING;
        break;
      case 'n':
        if (next == '\'') e = t.quotedEnd(p + 1, '\'', true, false), type = L::NATIONAL_STRING;
        break;
      default:
        break;
    }
    if (e != 0) return {type, e};
  }
  size_t e = p + 1;
  while (e < n && is(s[e], kIdentCont)) ++e;
  size_t keyword = keywords_->find(s + p, e - p);
  return {keyword != 0 ? keyword : static_cast<size_t>(L::IDENT), e};
}

// PgTokenSource::extendStringContinuation: 'a' <whitespace with a newline, -- comments allowed>
// 'b' continues the literal; the continuation is read with '' as a quote (and backslash
// escapes in E'' strings) whatever the literal's type. Unterminated: ERRCHAR to the end.
size_t PgFastLexer::continueString(size_t& type, size_t end) {
  const auto* s = reinterpret_cast<const unsigned char*>(buffer_.data());
  const size_t n = end_;
  const bool backslashes = type == L::ESCAPE_STRING;
  for (;;) {
    size_t k = end;
    bool newline = false;
    while (k < n) {
      unsigned char c = s[k];
      if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
        ++k;
      } else if (c == '\n' || c == '\r') {
        newline = true;
        ++k;
      } else if (c == '-' && k + 1 < n && s[k + 1] == '-') {
        k += 2;
        while (k < n && s[k] != '\n' && s[k] != '\r') ++k;
      } else {
        break;
      }
    }
    if (!newline || k >= n || s[k] != '\'') return end;
    ++k;
    bool closed = false;
    while (k < n) {
      unsigned char c = s[k];
      if (backslashes && c == '\\') {
        if (k + 1 >= n) break;
        k += 2;
        continue;
      }
      if (c == '\'') {
        if (k + 1 < n && s[k + 1] == '\'') {
          k += 2;
          continue;
        }
        closed = true;
        break;
      }
      ++k;
    }
    if (!closed) {
      type = L::ERRCHAR;
      return n;
    }
    end = k + 1;
  }
}

}  // namespace warden::pg::sql
