// dialects/postgres/sql/visit_context.cc
//! Names: identifiers as PostgreSQL sees them, relation names, object list merging.
#include "sql/visit_context.h"

#include <cstdint>

#include "sql/visit_internal.h"

namespace warden::pg::sql {

namespace {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PostgreSQL truncates identifiers to NAMEDATALEN-1 (63) bytes, on a character boundary.
std::string truncateIdentifier(std::string s) {
  if (s.size() <= 63) return s;
  size_t n = 63;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

}  // namespace

namespace detail {

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string undouble(std::string_view body, char quote) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    out.push_back(body[i]);
    if (body[i] == quote && i + 1 < body.size() && body[i + 1] == quote) ++i;
  }
  return out;
}

std::string decodeUnicodeEscapes(std::string_view s, char esc) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != esc) {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == esc) {
      out.push_back(esc);
      ++i;
      continue;
    }
    size_t digits = 4;
    size_t start = i + 1;
    if (start < s.size() && s[start] == '+') {
      digits = 6;
      ++start;
    }
    uint32_t cp = 0;
    bool ok = start + digits <= s.size();
    for (size_t j = 0; ok && j < digits; ++j) {
      int v = hexValue(s[start + j]);
      if (v < 0) ok = false;
      else cp = cp * 16 + static_cast<uint32_t>(v);
    }
    if (!ok || cp > 0x10FFFF) {  // invalid escape: PostgreSQL errors; keep the text
      out.push_back(s[i]);
      continue;
    }
    appendUtf8(out, cp);
    i = start + digits - 1;
  }
  return out;
}

std::string identifierTokenText(antlr4::Token* tok, P::IdentifierContext* ident) {
  std::string text = tok->getText();
  switch (tok->getType()) {
    case pggrammar::PostgresParser::IDENT:
      return truncateIdentifier(lowerAscii(text));
    case pggrammar::PostgresParser::QUOTED_IDENT:
      return truncateIdentifier(undouble(std::string_view(text).substr(1, text.size() - 2), '"'));
    case pggrammar::PostgresParser::UNICODE_QUOTED_IDENT: {
      std::string body = undouble(std::string_view(text).substr(3, text.size() - 4), '"');
      char esc = '\\';
      if (ident != nullptr && ident->STRING() != nullptr) {
        std::string e = ident->STRING()->getText();
        if (e.size() == 3) esc = e[1];
      }
      return truncateIdentifier(decodeUnicodeEscapes(body, esc));
    }
    default:
      return lowerAscii(text);
  }
}

}  // namespace detail

std::string identifierText(antlr4::ParserRuleContext* ctx) {
  if (ctx == nullptr) return {};
  // colId / colLabel / typeFunctionName / name ...: an identifier or a keyword (possibly via
  // one level of nesting such as name -> colId -> identifier).
  antlr4::ParserRuleContext* cur = ctx;
  for (int guard = 0; guard < 8 && cur != nullptr; ++guard) {
    if (cur->getRuleIndex() == P::RuleIdentifier) {
      return detail::identifierTokenText(cur->getStart(), static_cast<P::IdentifierContext*>(cur));
    }
    if (cur->children.size() != 1) break;
    auto* child = nonEmptyRule(cur->children[0]);
    if (child == nullptr) {
      // A keyword used as a name (or a bare token).
      return detail::lowerAscii(cur->children[0]->getText());
    }
    cur = child;
  }
  return detail::lowerAscii(ctx->getText());
}

ws::ObjectRef objectFromName(P::QualifiedNameContext* ctx, ws::ObjectType type,
                             ws::Access access) {
  ws::ObjectRef ref;
  ref.type = type;
  ref.access = access;
  if (ctx == nullptr) return ref;
  std::vector<std::string> parts;
  parts.push_back(identifierText(ctx->colId()));
  for (auto* l : ctx->colLabel()) parts.push_back(identifierText(l));
  if (parts.size() == 1) {
    ref.name = parts[0];
  } else if (parts.size() == 2) {
    ref.schema = parts[0];
    ref.name = parts[1];
  } else {
    ref.catalog = parts[0];
    ref.schema = parts[1];
    ref.name = parts[2];
  }
  return ref;
}

void addObject(ws::Statement& s, ws::ObjectRef ref) {
  auto rank = [](ws::Access a) {
    switch (a) {
      case ws::Access::Ddl: return 2;
      case ws::Access::Write: return 1;
      default: return 0;
    }
  };
  for (auto& o : s.objects) {
    if (o.type == ref.type && o.name == ref.name && o.schema == ref.schema &&
        o.catalog == ref.catalog) {
      if (rank(ref.access) > rank(o.access)) o.access = ref.access;
      return;
    }
  }
  s.objects.push_back(std::move(ref));
}

}  // namespace warden::pg::sql
