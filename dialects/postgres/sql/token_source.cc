// dialects/postgres/sql/token_source.cc
#include "token_source.h"

#include <cstring>
#include <vector>

namespace warden::pg::sql {

namespace {

using L = pggrammar::PostgresLexer;

std::vector<size_t> codePoints(const std::string& s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t cp = c;
    size_t n = 1;
    if (c >= 0xF0) { cp = c & 0x07; n = 4; }
    else if (c >= 0xE0) { cp = c & 0x0F; n = 3; }
    else if (c >= 0xC0) { cp = c & 0x1F; n = 2; }
    for (size_t j = 1; j < n && i + j < s.size(); ++j)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

size_t typeOfOperator(const std::string& op) {
  if (op.size() == 1) {
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
  if (op == "<=") return L::LESS_EQUALS;
  if (op == ">=") return L::GREATER_EQUALS;
  if (op == "<>" || op == "!=") return L::NOT_EQUALS;
  if (op == "=>") return L::EQUALS_GREATER;
  return L::OPERATOR;
}

bool isStringType(size_t t) {
  return t == L::STRING || t == L::ESCAPE_STRING || t == L::UNICODE_STRING ||
         t == L::BIT_STRING || t == L::HEX_STRING || t == L::NATIONAL_STRING;
}

}  // namespace

std::unique_ptr<antlr4::Token> PgTokenSource::nextToken() {
  std::unique_ptr<antlr4::Token> t = lexer_.nextToken();
  auto* tok = dynamic_cast<antlr4::CommonToken*>(t.get());
  if (tok == nullptr) return t;
  size_t type = tok->getType();
  if (type == L::OPERATOR) {
    trimOperator(*tok);
  } else if (type == L::DOLLAR_QUOTE_OPEN) {
    closeDollarQuote(*tok);
  } else if (isStringType(type)) {
    extendStringContinuation(*tok);
  }
  return t;
}

void PgTokenSource::resumeAt(size_t index, size_t tokenLine, size_t tokenColumn,
                             const std::string& consumed) {
  lexer_.getInputStream()->seek(index);
  lexer_.hitEOF = false;  // the cut token may have reached EOF; what follows it has not
  size_t line = tokenLine;
  size_t col = tokenColumn;
  for (size_t i = 0; i < consumed.size(); ++i) {
    auto c = static_cast<unsigned char>(consumed[i]);
    if (c == '\n') {
      ++line;
      col = 0;
    } else if ((c & 0xC0) != 0x80) {
      ++col;
    }
  }
  lexer_.setLine(line);
  lexer_.setCharPositionInLine(col);
}

// PostgreSQL's scanner (scan.l, {operator}): cut before `/*` or `--`; a multi-character
// operator ending in + or - keeps it only if it contains one of ~ ! @ # % ^ & | ` ?.
void PgTokenSource::trimOperator(antlr4::CommonToken& tok) {
  std::string text = tok.getText();  // operator characters are ASCII: bytes == code points
  size_t n = text.size();
  size_t cut = std::min(text.find("/*"), text.find("--"));
  if (cut != std::string::npos) n = cut;
  if (n == 0) {
    // Only an unterminated block comment gets here: a token no rule accepts.
    tok.setType(L::ERRCHAR);
    return;
  }
  if (n > 1 && (text[n - 1] == '+' || text[n - 1] == '-')) {
    bool special = false;
    for (size_t i = 0; i + 1 < n; ++i) {
      if (std::strchr("~!@#^&|`?%", text[i]) != nullptr) special = true;
    }
    if (!special) {
      do {
        --n;
      } while (n > 1 && (text[n - 1] == '+' || text[n - 1] == '-'));
    }
  }
  if (n < text.size()) {
    std::string kept = text.substr(0, n);
    tok.setStopIndex(tok.getStartIndex() + n - 1);
    resumeAt(tok.getStartIndex() + n, tok.getLine(), tok.getCharPositionInLine(), kept);
    text = kept;
  }
  tok.setType(typeOfOperator(text));
}

// `$tag$` ... `$tag$`: the first occurrence of the opening tag closes the string.
void PgTokenSource::closeDollarQuote(antlr4::CommonToken& tok) {
  antlr4::CharStream* in = lexer_.getInputStream();
  std::vector<size_t> tag = codePoints(tok.getText());
  size_t base = in->index();  // first code point after the opening tag
  size_t size = in->size();
  for (size_t i = base; i + tag.size() <= size; ++i) {
    if (in->LA(static_cast<ssize_t>(i - base + 1)) != tag[0]) continue;
    bool match = true;
    for (size_t j = 1; j < tag.size(); ++j) {
      if (in->LA(static_cast<ssize_t>(i - base + 1 + j)) != tag[j]) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    size_t stop = i + tag.size() - 1;
    tok.setStopIndex(stop);
    tok.setType(L::DOLLAR_STRING);
    resumeAt(stop + 1, tok.getLine(), tok.getCharPositionInLine(), tok.getText());
    return;
  }
  // Unterminated: PostgreSQL reports an error; so does the parser on this token.
  tok.setType(L::ERRCHAR);
}

// 'a' <whitespace containing a newline, -- comments allowed> 'b' continues the literal (with
// the same escape rules: backslashes in E'' strings).
void PgTokenSource::extendStringContinuation(antlr4::CommonToken& tok) {
  antlr4::CharStream* in = lexer_.getInputStream();
  bool backslashes = tok.getType() == L::ESCAPE_STRING;
  bool extended = false;
  for (;;) {
    size_t base = in->index();
    auto la = [&](size_t k) { return in->LA(static_cast<ssize_t>(k)); };
    size_t k = 1;
    bool newline = false;
    for (;;) {
      size_t c = la(k);
      if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
        ++k;
      } else if (c == '\n' || c == '\r') {
        newline = true;
        ++k;
      } else if (c == '-' && la(k + 1) == '-') {
        k += 2;
        while (la(k) != '\n' && la(k) != '\r' && la(k) != antlr4::IntStream::EOF) ++k;
      } else {
        break;
      }
    }
    if (!newline || la(k) != '\'') break;
    ++k;
    bool closed = false;
    for (;;) {
      size_t c = la(k);
      if (c == antlr4::IntStream::EOF) break;
      if (backslashes && c == '\\') {
        if (la(k + 1) == antlr4::IntStream::EOF) break;
        k += 2;
        continue;
      }
      if (c == '\'') {
        if (la(k + 1) == '\'') {
          k += 2;
          continue;
        }
        closed = true;
        break;
      }
      ++k;
    }
    if (!closed) {
      tok.setType(L::ERRCHAR);
      tok.setStopIndex(in->size() - 1);
      in->seek(in->size());
      return;
    }
    tok.setStopIndex(base + k - 1);
    in->seek(base + k);
    extended = true;
  }
  if (extended) {
    resumeAt(tok.getStopIndex() + 1, tok.getLine(), tok.getCharPositionInLine(), tok.getText());
  }
}

}  // namespace warden::pg::sql
