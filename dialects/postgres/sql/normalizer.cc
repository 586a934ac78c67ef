// dialects/postgres/sql/normalizer.cc
#include "sql/normalizer.h"

#include <array>
#include <cstring>
#include <cstdint>

namespace warden::pg::sql {
namespace {

// Character classes by table: the scan runs on every statement (the cache-hit path), and a
// lookup beats the chains of comparisons.
enum : uint8_t { kSpace = 1, kIdentStart = 2, kIdentChar = 4, kDigit = 8 };
constexpr std::array<uint8_t, 256> kClasses = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = 0;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') k |= kSpace;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80)
      k |= kIdentStart | kIdentChar;
    if (c >= '0' && c <= '9') k |= kDigit | kIdentChar;
    if (c == '$') k |= kIdentChar;
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}();
inline bool is(unsigned char c, uint8_t k) { return (kClasses[c] & k) != 0; }
inline bool identStart(unsigned char c) { return is(c, kIdentStart); }
inline bool identChar(unsigned char c) { return is(c, kIdentChar); }
inline bool digit(unsigned char c) { return is(c, kDigit); }
inline bool space(unsigned char c) { return is(c, kSpace); }

class Scanner {
 public:
  //! `buffer` holds at least 3 * t.size() + 1 bytes: an operator '?' yields at most three
  //! (a space, then "??"), a literal of k >= 1 bytes at most two (" ?"), any other token of k
  //! bytes at most k + 1, whitespace and comments nothing.
  Scanner(std::string_view t, warden::sql::Normalized& o, char* buffer)
      : t_(t), out_(o), begin_(buffer), w_(buffer) {}
  size_t written() const { return static_cast<size_t>(w_ - begin_); }

  void run(NormalizeInfo* info) {
    int depth = 0, max_depth = 0;
    size_t i = 0;
    const size_t n = t_.size();
    while (i < n && out_.ok) {
      unsigned char c = static_cast<unsigned char>(t_[i]);
      if (space(c)) {
        do ++i; while (i < n && space(static_cast<unsigned char>(t_[i])));
        gap();
        continue;
      }
      if (c == '-' && i + 1 < n && t_[i + 1] == '-') {
        while (i < n && t_[i] != '\n' && t_[i] != '\r') ++i;
        gap();
        continue;
      }
      if (c == '/' && i + 1 < n && t_[i + 1] == '*') { i = blockComment(i); gap(); continue; }
      if (c == '\'') { i = quoted(i, i + 1, false); continue; }
      if (c == '"') { i = quotedIdent(i, i + 1); continue; }
      if (c == '$') { i = dollar(i); continue; }
      if (digit(c) || (c == '.' && i + 1 < n && digit(static_cast<unsigned char>(t_[i + 1])))) {
        i = number(i);
        continue;
      }
      if (identStart(c)) { i = word(i); continue; }
      if (c == '(' || c == '[') max_depth = std::max(max_depth, ++depth);
      if ((c == ')' || c == ']') && depth > 0) --depth;
      emitChar(c == '?' ? "??" : std::string_view(&t_[i], 1));
      ++i;
    }
    if (w_ != begin_ && w_[-1] == ' ') --w_;
    if (info) info->max_depth = max_depth;
  }

 private:
  void gap() { pending_space_ = w_ != begin_; }
  //! A literal's '?' is never adjacent to another '?' (literal or doubled operator '?'): a run
  //! of '?' of odd length is a literal, even length an operator — the text stays decodable.
  void emitChar(std::string_view s) {
    if (pending_space_ || (last_literal_ && s[0] == '?')) *w_++ = ' ';
    pending_space_ = false;
    last_literal_ = false;
    std::memcpy(w_, s.data(), s.size());
    w_ += s.size();
  }
  void literal(size_t from, size_t to) {
    if (pending_space_ || (w_ != begin_ && w_[-1] == '?')) *w_++ = ' ';
    pending_space_ = false;
    *w_++ = '?';
    last_literal_ = true;
    out_.literals.emplace_back(t_.substr(from, to - from));
  }

  size_t blockComment(size_t i) {
    int depth = 0;
    const size_t n = t_.size();
    while (i < n) {
      if (t_[i] == '/' && i + 1 < n && t_[i + 1] == '*') { ++depth; i += 2; continue; }
      if (t_[i] == '*' && i + 1 < n && t_[i + 1] == '/') {
        i += 2;
        if (--depth == 0) return i;
        continue;
      }
      ++i;
    }
    out_.ok = false;
    return n;
  }

  //! '...' with '' doubling (not in B'..'/X'..' bodies: `doubling` false); `escapes`: backslash
  //! escapes the next byte (E'...'). Continuation segments accept '' (as the token source does).
  size_t quoted(size_t start, size_t i, bool escapes, bool doubling = true) {
    const size_t n = t_.size();
    while (i < n) {
      char c = t_[i];
      if (escapes && c == '\\') { i += 2; continue; }
      if (c == '\'') {
        if (doubling && i + 1 < n && t_[i + 1] == '\'') { i += 2; continue; }
        size_t next = continuation(i + 1);
        if (next != 0) { i = next; doubling = true; continue; }
        literal(start, i + 1);
        return i + 1;
      }
      ++i;
    }
    out_.ok = false;
    return n;
  }

  //! PostgreSQL joins 'a' <whitespace (and -- comments) containing a newline> 'b' into one
  //! string: the index just
  //! past the second opening quote, or 0.
  size_t continuation(size_t i) const {
    bool newline = false;
    const size_t n = t_.size();
    while (i < n) {
      char c = t_[i];
      if (c == '\n' || c == '\r') {
        newline = true;
        ++i;
      } else if (space(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '-' && i + 1 < n && t_[i + 1] == '-') {  // -- comments count as space
        while (i < n && t_[i] != '\n' && t_[i] != '\r') ++i;
      } else {
        break;
      }
    }
    return newline && i < n && t_[i] == '\'' ? i + 1 : 0;
  }

  size_t quotedIdent(size_t start, size_t i) {
    const size_t n = t_.size();
    while (i < n) {
      if (t_[i] == '"') {
        if (i + 1 < n && t_[i + 1] == '"') { i += 2; continue; }
        emitChar(t_.substr(start, i + 1 - start));
        return i + 1;
      }
      ++i;
    }
    out_.ok = false;
    return n;
  }

  size_t dollar(size_t i) {
    const size_t n = t_.size();
    size_t j = i + 1;
    if (j < n && digit(static_cast<unsigned char>(t_[j]))) {  // $1 parameter
      while (j < n && digit(static_cast<unsigned char>(t_[j]))) ++j;
      emitChar(t_.substr(i, j - i));
      return j;
    }
    if (j < n && identStart(static_cast<unsigned char>(t_[j]))) {
      while (j < n && identChar(static_cast<unsigned char>(t_[j])) && t_[j] != '$') ++j;
    }
    if (j < n && t_[j] == '$') {  // $tag$ ... $tag$
      std::string_view tag = t_.substr(i, j + 1 - i);
      size_t close = t_.find(tag, j + 1);
      if (close == std::string_view::npos) {
        out_.ok = false;
        return n;
      }
      literal(i, close + tag.size());
      return close + tag.size();
    }
    emitChar("$");  // a lone '$' is not valid SQL; the parser rejects it
    return i + 1;
  }

  size_t number(size_t i) {
    const size_t start = i, n = t_.size();
    while (i < n && digit(static_cast<unsigned char>(t_[i]))) ++i;
    if (i < n && t_[i] == '.') {
      ++i;
      while (i < n && digit(static_cast<unsigned char>(t_[i]))) ++i;
    }
    if (i < n && (t_[i] == 'e' || t_[i] == 'E')) {
      size_t j = i + 1;
      if (j < n && (t_[j] == '+' || t_[j] == '-')) ++j;
      if (j < n && digit(static_cast<unsigned char>(t_[j]))) {
        while (j < n && digit(static_cast<unsigned char>(t_[j]))) ++j;
        i = j;
      }
    }
    literal(start, i);
    return i;
  }

  size_t word(size_t i) {
    const size_t start = i, n = t_.size();
    // Prefixed literals and identifiers: E'..' B'..' X'..' N'..' U&'..' U&"..".
    unsigned char c = static_cast<unsigned char>(t_[i]) | 0x20;
    if (i + 1 < n && t_[i + 1] == '\'') {
      if (c == 'e') return quoted(start, i + 2, true);
      if (c == 'b' || c == 'x') return quoted(start, i + 2, false, false);
      if (c == 'n') return quoted(start, i + 2, false);
    }
    if (c == 'u' && i + 2 < n && t_[i + 1] == '&') {
      if (t_[i + 2] == '\'') return quoted(start, i + 3, false);
      if (t_[i + 2] == '"') return quotedIdent(start, i + 3);
    }
    while (i < n && identChar(static_cast<unsigned char>(t_[i]))) ++i;
    emitChar(t_.substr(start, i - start));
    return i;
  }

  std::string_view t_;
  warden::sql::Normalized& out_;
  char* begin_;
  char* w_;
  bool pending_space_ = false;
  bool last_literal_ = false;
};

}  // namespace

void normalize(std::string_view text, warden::sql::Normalized& out, NormalizeInfo* info) {
  out.clear();
  out.text.resize(3 * text.size() + 1);
  Scanner scanner(text, out, out.text.data());
  scanner.run(info);
  out.text.resize(scanner.written());
}

}  // namespace warden::pg::sql
