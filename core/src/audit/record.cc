// core/src/audit/record.cc
//! Canonical serialisation of an AuditRecord (record.h): written straight into one string, keys
//! in byte order, escaping exactly as nlohmann::json::dump() does (the verifier re-derives the
//! canonical form with nlohmann, so the two must agree byte for byte).
#include "warden/audit/record.h"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

namespace warden::audit {
namespace {

bool utf8Ok(std::string_view s) { return isValidUtf8(s); }

void appendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the current run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c > 0x1f && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// Writes `"key":` with the separating comma when needed.
struct ObjectWriter {
  std::string& out;
  bool first = true;
  explicit ObjectWriter(std::string& o) : out(o) { out.push_back('{'); }
  void key(std::string_view k) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out += k;  // keys are our own ASCII names
    out += "\":";
  }
  void str(std::string_view k, std::string_view v) { key(k); appendString(out, v); }
  void num(std::string_view k, uint64_t v) { key(k); fmt::format_to(std::back_inserter(out), "{}", v); }
  void list(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out.push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out.push_back(',');
      appendString(out, v[i]);
    }
    out.push_back(']');
  }
  void close() { out.push_back('}'); }
};

bool allUtf8(const std::vector<std::string>& v) {
  for (const auto& s : v)
    if (!utf8Ok(s)) return false;
  return true;
}

// Every string of the record, checked before anything is written.
bool recordUtf8(const AuditRecord& r, std::string_view hash) {
  auto opt = [](const std::optional<std::string>& s) { return !s || utf8Ok(*s); };
  if (!utf8Ok(r.ts) || !utf8Ok(r.instance) || !utf8Ok(r.event) || !utf8Ok(r.prev) ||
      !utf8Ok(hash) || !opt(r.session) || !opt(r.client) || !opt(r.target) ||
      !opt(r.environment) || !opt(r.dialect))
    return false;
  if (r.identity && (!utf8Ok(r.identity->user) || !allUtf8(r.identity->groups) ||
                     !utf8Ok(r.identity->kind) || !utf8Ok(r.identity->method)))
    return false;
  if (r.statement && (!utf8Ok(r.statement->text) || !utf8Ok(r.statement->fingerprint) ||
                      !utf8Ok(r.statement->kind) || !allUtf8(r.statement->tables)))
    return false;
  if (r.decision && (!utf8Ok(r.decision->action) || !utf8Ok(r.decision->rule) ||
                     !utf8Ok(r.decision->reason)))
    return false;
  if (r.masked && !allUtf8(*r.masked)) return false;
  if (r.result && !opt(r.result->error)) return false;
  if (r.approval && (!utf8Ok(r.approval->id) || !utf8Ok(r.approval->state) ||
                     !allUtf8(r.approval->by)))
    return false;
  if (r.checkpoint && (!utf8Ok(r.checkpoint->upto_hash) || !utf8Ok(r.checkpoint->sig) ||
                       !utf8Ok(r.checkpoint->key_id)))
    return false;
  return true;
}

}  // namespace

bool isValidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Result<void> appendCanonical(std::string& out, const AuditRecord& r, std::string_view hash,
                             size_t* hash_at) {
  const size_t start = out.size();
  if (!recordUtf8(r, hash)) return makeError("audit record: a string is not valid UTF-8");
  // Members in byte order of their names (std::map order, as nlohmann dumps them).
  ObjectWriter w(out);
  if (r.approval) {
    w.key("approval");
    ObjectWriter a(out);
    a.list("by", r.approval->by);
    a.str("id", r.approval->id);
    a.str("state", r.approval->state);
    a.close();
  }
  if (r.checkpoint) {
    w.key("checkpoint");
    ObjectWriter c(out);
    c.str("key_id", r.checkpoint->key_id);
    c.str("sig", r.checkpoint->sig);
    c.str("upto_hash", r.checkpoint->upto_hash);
    c.num("upto_seq", r.checkpoint->upto_seq);
    c.close();
  }
  if (r.client) w.str("client", *r.client);
  if (r.decision) {
    w.key("decision");
    ObjectWriter d(out);
    d.str("action", r.decision->action);
    d.str("reason", r.decision->reason);
    d.str("rule", r.decision->rule);
    d.close();
  }
  if (r.dialect) w.str("dialect", *r.dialect);
  if (r.environment) w.str("environment", *r.environment);
  w.str("event", r.event);
  if (hash_at) *hash_at = out.size() - start;  // where `,"hash":"..."` goes
  if (!hash.empty()) w.str("hash", hash);
  if (r.identity) {
    w.key("identity");
    ObjectWriter i(out);
    i.list("groups", r.identity->groups);
    i.str("kind", r.identity->kind);
    i.str("method", r.identity->method);
    i.str("user", r.identity->user);
    i.close();
  }
  w.str("instance", r.instance);
  if (r.masked) w.list("masked", *r.masked);
  w.str("prev", r.prev);
  if (r.result) {
    w.key("result");
    ObjectWriter res(out);
    if (r.result->duration_us) res.num("duration_us", *r.result->duration_us);
    if (r.result->error) res.str("error", *r.result->error);
    if (r.result->rows) res.num("rows", *r.result->rows);
    res.close();
  }
  w.num("seq", r.seq);
  if (r.session) w.str("session", *r.session);
  if (r.statement) {
    w.key("statement");
    ObjectWriter s(out);
    s.str("fingerprint", r.statement->fingerprint);
    if (r.statement->id) s.num("id", *r.statement->id);
    s.str("kind", r.statement->kind);
    s.list("tables", r.statement->tables);
    s.str("text", r.statement->text);
    s.close();
  }
  if (r.target) w.str("target", *r.target);
  w.str("ts", r.ts);
  w.close();
  return {};
}

std::string formatTimestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<time_t>(us / 1000000);
  auto frac = us % 1000000;
  if (frac < 0) frac += 1000000, --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::string auditFileName(std::chrono::system_clock::time_point t, unsigned n) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("audit-{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:06}.jsonl", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, n);
}

bool isAuditFileName(std::string_view name) {
  return name.size() > 12 && name.substr(0, 6) == "audit-" &&
         name.substr(name.size() - 6) == ".jsonl";
}

}  // namespace warden::audit
