// dialects/postgres/sql/normalizer.cc
#include "sql/normalizer.h"

namespace warden::pg::sql {
namespace {

bool identStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool identChar(unsigned char c) { return identStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

class Scanner {
 public:
  Scanner(std::string_view t, warden::sql::Normalized& o) : t_(t), out_(o) {}

  void run(NormalizeInfo* info) {
    int depth = 0, max_depth = 0;
    size_t i = 0;
    const size_t n = t_.size();
    while (i < n && out_.ok) {
      unsigned char c = static_cast<unsigned char>(t_[i]);
      if (space(c)) { gap(); ++i; continue; }
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
    if (!out_.text.empty() && out_.text.back() == ' ') out_.text.pop_back();
    if (info) info->max_depth = max_depth;
  }

 private:
  void gap() { pending_space_ = !out_.text.empty(); }
  //! A literal's '?' is never adjacent to another '?' (literal or doubled operator '?'): a run
  //! of '?' of odd length is a literal, even length an operator — the text stays decodable.
  void emitChar(std::string_view s) {
    if (pending_space_ || (last_literal_ && s[0] == '?')) out_.text.push_back(' ');
    pending_space_ = false;
    last_literal_ = false;
    out_.text.append(s);
  }
  void literal(size_t from, size_t to) {
    if (pending_space_ || (!out_.text.empty() && out_.text.back() == '?')) out_.text.push_back(' ');
    pending_space_ = false;
    out_.text.push_back('?');
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
  bool pending_space_ = false;
  bool last_literal_ = false;
};

}  // namespace

void normalize(std::string_view text, warden::sql::Normalized& out, NormalizeInfo* info) {
  out.clear();
  out.text.reserve(text.size());
  Scanner(text, out).run(info);
}

}  // namespace warden::pg::sql
