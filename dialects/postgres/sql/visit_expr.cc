// dialects/postgres/sql/visit_expr.cc
//! Expressions: string literal values, constant folding for WHERE tautologies, flags raised by
//! function calls, collectExpr.
#include <cmath>
#include <cstdlib>

#include "sql/visit_context.h"
#include "sql/visit_internal.h"

namespace warden::pg::sql {

namespace detail {
namespace {

using T = pggrammar::PostgresParser;

// Reads the quoted segments of a string token starting at `pos` (at the first quote): 'a'
// [whitespace/comments with a newline] 'b' ... (the token source only merges such runs).
std::string readSegments(std::string_view text, size_t pos, bool backslashes) {
  std::string out;
  while (pos < text.size() && text[pos] == '\'') {
    ++pos;
    while (pos < text.size()) {
      char c = text[pos];
      if (backslashes && c == '\\' && pos + 1 < text.size()) {
        char n = text[pos + 1];
        pos += 2;
        switch (n) {
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case 'n': out.push_back('\n'); break;
          case 'r': out.push_back('\r'); break;
          case 't': out.push_back('\t'); break;
          case 'x': {
            int v = 0, digits = 0;
            while (digits < 2 && pos < text.size() && std::isxdigit(static_cast<unsigned char>(text[pos]))) {
              char h = text[pos++];
              v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
              ++digits;
            }
            out.push_back(static_cast<char>(v));
            break;
          }
          case 'u':
          case 'U': {
            // \uXXXX / \UXXXXXXXX: re-encode through the U& decoder.
            size_t len = n == 'u' ? 4 : 8;
            std::string esc = n == 'u' ? "\\" : "\\+";
            std::string hex(text.substr(pos, len));
            if (n == 'U' && hex.size() == 8) hex = hex.substr(2);
            out += decodeUnicodeEscapes(esc + hex, '\\');
            pos += len;
            break;
          }
          default:
            if (n >= '0' && n <= '7') {
              int v = n - '0', digits = 1;
              while (digits < 3 && pos < text.size() && text[pos] >= '0' && text[pos] <= '7') {
                v = v * 8 + (text[pos++] - '0');
                ++digits;
              }
              out.push_back(static_cast<char>(v & 0xFF));
            } else {
              out.push_back(n);
            }
        }
        continue;
      }
      if (c == '\'') {
        if (pos + 1 < text.size() && text[pos + 1] == '\'') {
          out.push_back('\'');
          pos += 2;
          continue;
        }
        ++pos;
        break;
      }
      out.push_back(c);
      ++pos;
    }
    // continuation: whitespace and -- comments, then another quote
    while (pos < text.size()) {
      char c = text[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++pos;
      } else if (c == '-' && pos + 1 < text.size() && text[pos + 1] == '-') {
        while (pos < text.size() && text[pos] != '\n' && text[pos] != '\r') ++pos;
      } else {
        break;
      }
    }
  }
  return out;
}

bool parseNumber(const std::string& s, long double* out) {
  std::string t;
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n') t.push_back(c);
  if (t.empty()) return false;
  char* end = nullptr;
  long double v = std::strtold(t.c_str(), &end);
  if (end == nullptr || *end != '\0') return false;
  *out = v;
  return true;
}

std::optional<bool> stringBool(const std::string& s) {
  std::string t = lowerAscii(s);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n')) t.pop_back();
  size_t b = t.find_first_not_of(" \t\n");
  t = b == std::string::npos ? std::string() : t.substr(b);
  if (t.empty()) return std::nullopt;
  for (const char* w : {"true", "yes", "on", "1"})
    if (std::string(w).rfind(t, 0) == 0 && (t.size() >= 2 || t == "t" || t == "y" || t == "1")) return true;
  for (const char* w : {"false", "no", "off", "0"})
    if (std::string(w).rfind(t, 0) == 0 && (t.size() >= 2 || t == "f" || t == "n" || t == "0")) {
      if (t == "o") return std::nullopt;
      return false;
    }
  return std::nullopt;
}

Value unknown() { return Value{}; }
Value null() { Value v; v.type = Value::Type::Null; return v; }
Value boolean(bool b) { Value v; v.type = Value::Type::Bool; v.b = b; return v; }
Value number(long double n) { Value v; v.type = Value::Type::Number; v.n = n; return v; }

bool known(const Value& v) { return v.type != Value::Type::Unknown; }

//! Three-valued truth: nullopt = unknown, otherwise true/false; NULL gives `null`.
struct Truth {
  bool known = false;
  bool isNull = false;
  bool value = false;
};

Truth truthOf(const Value& v) {
  Truth t;
  switch (v.type) {
    case Value::Type::Null: t.known = true; t.isNull = true; break;
    case Value::Type::Bool: t.known = true; t.value = v.b; break;
    case Value::Type::Number: t.known = true; t.value = v.n != 0; break;
    case Value::Type::String: {
      auto b = stringBool(v.s);
      if (b) { t.known = true; t.value = *b; }
      break;
    }
    default: break;
  }
  return t;
}

//! -1/0/1, or nullopt when not comparable.
std::optional<int> compare(const Value& a, const Value& b) {
  using VT = Value::Type;
  auto cmpNum = [](long double x, long double y) { return x < y ? -1 : (x > y ? 1 : 0); };
  if (a.type == VT::Number && b.type == VT::Number) return cmpNum(a.n, b.n);
  if (a.type == VT::String && b.type == VT::String) {
    int c = a.s.compare(b.s);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.type == VT::Number && b.type == VT::String) {
    long double y;
    if (!parseNumber(b.s, &y)) return std::nullopt;
    return cmpNum(a.n, y);
  }
  if (a.type == VT::String && b.type == VT::Number) {
    long double x;
    if (!parseNumber(a.s, &x)) return std::nullopt;
    return cmpNum(x, b.n);
  }
  Truth ta = truthOf(a), tb = truthOf(b);
  if ((a.type == VT::Bool || b.type == VT::Bool) && ta.known && tb.known && !ta.isNull &&
      !tb.isNull)
    return cmpNum(ta.value, tb.value);
  return std::nullopt;
}

bool likeMatch(std::string_view s, std::string_view p, bool ci) {
  // % any run, _ one character (bytes), backslash escapes.
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  auto eq = [&](char a, char b) {
    return ci ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star = ++pi;
      mark = si;
    } else if (pi < p.size() && p[pi] == '\\' && pi + 1 < p.size() && eq(p[pi + 1], s[si])) {
      pi += 2;
      ++si;
    } else if (pi < p.size() && (p[pi] == '_' || (p[pi] != '\\' && eq(p[pi], s[si])))) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

Value foldPrimary(P::PrimaryExprContext* p, bool* lit, int depth);

Value foldB(P::BExprContext* e, bool* lit, int depth) {
  if (e == nullptr || depth > 4000) return unknown();  // trees are <= kMaxTreeDepth
  if (auto* pr = dynamic_cast<P::BExprPrimaryContext*>(e)) return foldPrimary(pr->primaryExpr(), lit, depth + 1);
  if (auto* u = dynamic_cast<P::BExprUnaryContext*>(e)) {
    Value v = foldB(u->bExpr(), lit, depth + 1);
    if (v.type != Value::Type::Number) return unknown();
    if (u->MINUS() != nullptr) v.n = -v.n;
    return v;
  }
  if (auto* c = dynamic_cast<P::BExprTypecastContext*>(e)) return foldB(c->bExpr(), lit, depth + 1);
  return unknown();
}

Value foldPrimary(P::PrimaryExprContext* p, bool* lit, int depth) {
  if (p == nullptr) return unknown();
  if (auto* c = dynamic_cast<P::PrimConstContext*>(p)) {
    auto* k = c->constant();
    if (auto* n = dynamic_cast<P::ConstNumberContext*>(k)) {
      long double v;
      if (!parseNumber(n->getText(), &v)) return unknown();
      Value r = number(v);
      r.s = "#lit";
      return r;
    }
    if (auto* s = dynamic_cast<P::ConstStringContext*>(k)) {
      auto v = stringValue(s->stringConst());
      if (!v) return unknown();
      Value r;
      r.type = Value::Type::String;
      r.s = *v;
      return r;
    }
    if (auto* b = dynamic_cast<P::ConstBoolNullContext*>(k)) {
      auto* bn = b->booleanOrNull();
      if (bn->K_NULL() != nullptr) return null();
      return boolean(bn->K_TRUE() != nullptr);
    }
    if (auto* t = dynamic_cast<P::ConstTypedContext*>(k)) {
      auto v = stringValue(t->stringConst());
      if (!v) return unknown();
      Value r;
      r.type = Value::Type::String;
      r.s = *v;
      return r;
    }
    return unknown();
  }
  if (auto* par = dynamic_cast<P::PrimParenContext*>(p)) {
    if (par->indirection() != nullptr || par->exprList() != nullptr) return unknown();  // row
    return fold(par->expr(), lit, depth + 1);
  }
  return unknown();
}

// Literal leaves: numbers and strings (TRUE/FALSE/NULL are not parameterised by fingerprints).
bool fromLiteral(P::ExprContext* e) {
  bool any = false;
  std::vector<antlr4::tree::ParseTree*> stack{e};
  while (!stack.empty()) {
    auto* n = stack.back();
    stack.pop_back();
    auto* rule = nonEmptyRule(n);
    if (rule == nullptr) continue;
    if (rule->getRuleIndex() == P::RuleNumericConst || rule->getRuleIndex() == P::RuleStringConst) {
      any = true;
      break;
    }
    for (auto* c : rule->children) stack.push_back(c);
  }
  return any;
}

}  // namespace

std::optional<std::string> stringValue(P::StringConstContext* ctx) {
  if (ctx == nullptr) return std::nullopt;
  antlr4::Token* tok = ctx->getStart();
  std::string text = tok->getText();
  switch (tok->getType()) {
    case T::STRING:
      return readSegments(text, 0, false);
    case T::NATIONAL_STRING:
      return readSegments(text, 1, false);
    case T::ESCAPE_STRING:
      return readSegments(text, 1, true);
    case T::UNICODE_STRING: {
      char esc = '\\';
      if (ctx->STRING() != nullptr) {
        std::string e = ctx->STRING()->getText();
        if (e.size() == 3) esc = e[1];
      }
      return decodeUnicodeEscapes(readSegments(text, 2, false), esc);
    }
    case T::BIT_STRING:
    case T::HEX_STRING:
      return std::string(1, static_cast<char>(std::tolower(text[0]))) + ":" +
             readSegments(text, 1, false);
    case T::DOLLAR_STRING: {
      size_t second = text.find('$', 1);
      if (second == std::string::npos) return std::nullopt;
      size_t tag = second + 1;
      if (text.size() < 2 * tag) return std::nullopt;
      return text.substr(tag, text.size() - 2 * tag);
    }
    default:
      return std::nullopt;
  }
}

Value fold(P::ExprContext* e, bool* lit, int depth) {
  if (e == nullptr || depth > 4000) return unknown();  // trees are <= kMaxTreeDepth
  if (auto* p = dynamic_cast<P::ExprPrimaryContext*>(e)) return foldPrimary(p->primaryExpr(), lit, depth + 1);
  if (auto* c = dynamic_cast<P::ExprTypecastContext*>(e)) return fold(c->expr(), lit, depth + 1);
  if (auto* u = dynamic_cast<P::ExprUnaryContext*>(e)) {
    Value v = fold(u->expr(), lit, depth + 1);
    if (v.type != Value::Type::Number) return unknown();
    if (u->MINUS() != nullptr) v.n = -v.n;
    return v;
  }
  if (auto* a = dynamic_cast<P::ExprAddContext*>(e)) {
    Value x = fold(a->expr(0), lit, depth + 1), y = fold(a->expr(1), lit, depth + 1);
    if (x.type != Value::Type::Number || y.type != Value::Type::Number) return unknown();
    if (fromLiteral(e)) *lit = true;
    return number(a->PLUS() != nullptr ? x.n + y.n : x.n - y.n);
  }
  if (auto* m = dynamic_cast<P::ExprMulContext*>(e)) {
    Value x = fold(m->expr(0), lit, depth + 1), y = fold(m->expr(1), lit, depth + 1);
    if (x.type != Value::Type::Number || y.type != Value::Type::Number) return unknown();
    if (fromLiteral(e)) *lit = true;
    if (m->STAR() != nullptr) return number(x.n * y.n);
    if (y.n == 0) return unknown();
    if (m->SLASH() != nullptr) return number(x.n / y.n);
    return number(std::fmod(x.n, y.n));
  }
  if (auto* c = dynamic_cast<P::ExprCompareContext*>(e)) {
    // `id = id` (also <=, >=): true for every row where the column is not null, the classic
    // way to write a WHERE that bounds nothing.
    auto* op0 = c->compOp();
    if (op0->EQUAL() || op0->LESS_EQUALS() || op0->GREATER_EQUALS()) {
      auto column = [](P::ExprContext* x) -> P::PrimColumnContext* {
        auto* p = dynamic_cast<P::ExprPrimaryContext*>(x);
        return p ? dynamic_cast<P::PrimColumnContext*>(p->primaryExpr()) : nullptr;
      };
      auto *l = column(c->expr(0)), *r = column(c->expr(1));
      if (l != nullptr && r != nullptr) {
        std::string a = l->getText(), b = r->getText();
        if (a.find('"') == std::string::npos && b.find('"') == std::string::npos) {
          for (auto& ch : a) ch = char(std::tolower(static_cast<unsigned char>(ch)));
          for (auto& ch : b) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        }
        if (a == b) return boolean(true);
      }
    }
    Value x = fold(c->expr(0), lit, depth + 1), y = fold(c->expr(1), lit, depth + 1);
    if (!known(x) || !known(y)) return unknown();
    if (fromLiteral(e)) *lit = true;
    if (x.type == Value::Type::Null || y.type == Value::Type::Null) return null();
    auto r = compare(x, y);
    if (!r) return unknown();
    auto* op = c->compOp();
    if (op->EQUAL()) return boolean(*r == 0);
    if (op->NOT_EQUALS()) return boolean(*r != 0);
    if (op->LT()) return boolean(*r < 0);
    if (op->GT()) return boolean(*r > 0);
    if (op->LESS_EQUALS()) return boolean(*r <= 0);
    if (op->GREATER_EQUALS()) return boolean(*r >= 0);
    return unknown();
  }
  if (auto* n = dynamic_cast<P::ExprNotContext*>(e)) {
    Value v = fold(n->expr(), lit, depth + 1);
    Truth t = truthOf(v);
    if (!t.known) return unknown();
    if (fromLiteral(e)) *lit = true;
    if (t.isNull) return null();
    return boolean(!t.value);
  }
  if (auto* a = dynamic_cast<P::ExprAndContext*>(e)) {
    Truth x = truthOf(fold(a->expr(0), lit, depth + 1));
    Truth y = truthOf(fold(a->expr(1), lit, depth + 1));
    if ((x.known || y.known) && fromLiteral(e)) *lit = true;
    if ((x.known && !x.isNull && !x.value) || (y.known && !y.isNull && !y.value)) return boolean(false);
    if (!x.known || !y.known) return unknown();
    if (x.isNull || y.isNull) return null();
    return boolean(true);
  }
  if (auto* o = dynamic_cast<P::ExprOrContext*>(e)) {
    Truth x = truthOf(fold(o->expr(0), lit, depth + 1));
    Truth y = truthOf(fold(o->expr(1), lit, depth + 1));
    if ((x.known || y.known) && fromLiteral(e)) *lit = true;
    if ((x.known && !x.isNull && x.value) || (y.known && !y.isNull && y.value)) return boolean(true);
    if (!x.known || !y.known) return unknown();
    if (x.isNull || y.isNull) return null();
    return boolean(false);
  }
  if (auto* is = dynamic_cast<P::ExprIsContext*>(e)) {
    Value v = fold(is->expr(), lit, depth + 1);
    if (!known(v)) return unknown();
    if (fromLiteral(e)) *lit = true;
    bool neg = is->K_NOT() != nullptr;
    bool r;
    Truth t = truthOf(v);
    if (is->K_NULL() != nullptr) {
      r = v.type == Value::Type::Null;
    } else if (is->K_TRUE() != nullptr) {
      if (!t.known) return unknown();
      r = !t.isNull && t.value;
    } else if (is->K_FALSE() != nullptr) {
      if (!t.known) return unknown();
      r = !t.isNull && !t.value;
    } else if (is->K_UNKNOWN() != nullptr) {
      if (!t.known) return unknown();
      r = t.isNull;
    } else {
      return unknown();
    }
    return boolean(neg ? !r : r);
  }
  if (auto* nt = dynamic_cast<P::ExprNullTestContext*>(e)) {
    Value v = fold(nt->expr(), lit, depth + 1);
    if (!known(v)) return unknown();
    if (fromLiteral(e)) *lit = true;
    bool isNull = v.type == Value::Type::Null;
    return boolean(nt->K_ISNULL() != nullptr ? isNull : !isNull);
  }
  if (auto* d = dynamic_cast<P::ExprIsDistinctContext*>(e)) {
    Value x = fold(d->expr(0), lit, depth + 1), y = fold(d->expr(1), lit, depth + 1);
    if (!known(x) || !known(y)) return unknown();
    if (fromLiteral(e)) *lit = true;
    bool distinct;
    bool xn = x.type == Value::Type::Null, yn = y.type == Value::Type::Null;
    if (xn || yn) {
      distinct = xn != yn;
    } else {
      auto r = compare(x, y);
      if (!r) return unknown();
      distinct = *r != 0;
    }
    return boolean(d->K_NOT() != nullptr ? !distinct : distinct);
  }
  if (auto* b = dynamic_cast<P::ExprBetweenContext*>(e)) {
    Value x = fold(b->expr(0), lit, depth + 1);
    Value lo = foldB(b->bExpr(), lit, depth + 1);
    Value hi = fold(b->expr(1), lit, depth + 1);
    if (!known(x) || !known(lo) || !known(hi)) return unknown();
    if (fromLiteral(e)) *lit = true;
    if (x.type == Value::Type::Null || lo.type == Value::Type::Null || hi.type == Value::Type::Null)
      return null();
    auto c1 = compare(x, lo), c2 = compare(x, hi);
    if (!c1 || !c2) return unknown();
    bool in = *c1 >= 0 && *c2 <= 0;
    if (b->K_SYMMETRIC() != nullptr) {
      auto c3 = compare(x, hi), c4 = compare(x, lo);
      in = in || (*c3 >= 0 && *c4 <= 0);
    }
    return boolean(b->K_NOT() != nullptr ? !in : in);
  }
  if (auto* in = dynamic_cast<P::ExprInContext*>(e)) {
    auto* list = in->inList();
    if (list->exprList() == nullptr) return unknown();
    Value x = fold(in->expr(), lit, depth + 1);
    if (!known(x)) return unknown();
    bool found = false, sawNull = false;
    for (auto* item : list->exprList()->expr()) {
      Value v = fold(item, lit, depth + 1);
      if (!known(v)) return unknown();
      if (v.type == Value::Type::Null || x.type == Value::Type::Null) {
        sawNull = true;
        continue;
      }
      auto r = compare(x, v);
      if (!r) return unknown();
      if (*r == 0) found = true;
    }
    if (fromLiteral(e)) *lit = true;
    bool neg = in->K_NOT() != nullptr;
    if (found) return boolean(!neg);
    if (sawNull) return null();
    return boolean(neg);
  }
  if (auto* l = dynamic_cast<P::ExprLikeContext*>(e)) {
    if (l->K_ESCAPE() != nullptr) return unknown();
    Value x = fold(l->expr(0), lit, depth + 1), p = fold(l->expr(1), lit, depth + 1);
    if (!known(x) || !known(p)) return unknown();
    if (fromLiteral(e)) *lit = true;
    if (x.type == Value::Type::Null || p.type == Value::Type::Null) return null();
    if (x.type != Value::Type::String || p.type != Value::Type::String) return unknown();
    bool m = likeMatch(x.s, p.s, l->K_ILIKE() != nullptr);
    return boolean(l->K_NOT() != nullptr ? !m : m);
  }
  return unknown();
}

bool isTautology(P::ExprContext* e, bool* lit) {
  bool used = false;
  Value v = fold(e, &used, 0);
  Truth t = truthOf(v);
  if (t.known && fromLiteral(e)) used = true;
  if (used) *lit = true;
  return t.known && !t.isNull && t.value;
}

uint32_t functionFlags(const std::string& schema, const std::string& name) {
  if (!schema.empty() && schema != "pg_catalog" && schema != "public") {
    // dblink and friends live in whatever schema the extension was created in.
    if (name.rfind("dblink", 0) != 0 && name.rfind("lo_", 0) != 0) return 0;
  }
  uint32_t f = 0;
  // Functions that run SQL text (or read tables named only at run time) Warden never sees.
  static const char* const kDynamic[] = {"query_to_xml", "query_to_xml_and_xmlschema",
                                          "query_to_xmlschema", "cursor_to_xml",
                                          "cursor_to_xmlschema", "ts_stat", "ts_rewrite",
                                          "table_to_xml", "table_to_xmlschema",
                                          "table_to_xml_and_xmlschema", "schema_to_xml",
                                          "schema_to_xmlschema", "schema_to_xml_and_xmlschema",
                                          "database_to_xml", "database_to_xmlschema",
                                          "database_to_xml_and_xmlschema"};
  static const char* const kReads[] = {"pg_read_file", "pg_read_binary_file", "pg_ls_dir",
                                        "pg_stat_file", "lo_import", "pg_ls_logdir",
                                        "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir"};
  static const char* const kWrites[] = {"lo_export", "pg_file_write", "pg_file_rename",
                                         "pg_file_unlink"};
  static const char* const kAdmin[] = {"pg_terminate_backend", "pg_cancel_backend",
                                        "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
                                        "pg_switch_wal", "pg_create_restore_point",
                                        "pg_start_backup", "pg_stop_backup", "pg_backup_start",
                                        "pg_backup_stop", "pg_wal_replay_pause",
                                        "pg_wal_replay_resume", "pg_log_backend_memory_contexts"};
  for (const char* n : kDynamic)
    if (name == n) f |= ws::kExecutesDynamicSql;
  if (name.rfind("dblink", 0) == 0) f |= ws::kExecutesDynamicSql;  // dblink, dblink_exec, ...
  for (const char* n : kReads)
    if (name == n) f |= ws::kReadsFile;
  for (const char* n : kWrites)
    if (name == n) f |= ws::kWritesFile;
  for (const char* n : kAdmin)
    if (name == n) f |= ws::kCallsAdminFunction;
  if (name == "set_config") f |= ws::kChangesSession;
  return f;
}

}  // namespace detail

void collectExpr(P::ExprContext* ctx, VisitContext& vc, ws::Statement& out) {
  if (ctx == nullptr) return;
  try {
    detail::Walker w(vc, out);
    w.walk(ctx, nullptr);
  } catch (...) {
    out.kind = ws::Kind::Other;
  }
}

}  // namespace warden::pg::sql
