// core/src/cli/audit_search.cc
//! `warden audit search DIR [--user U] [--target T] [--action A] [--kind K] [--event E]
//! [--session S] [--since RFC3339] [--until RFC3339] [--text S] [--limit N] [--json]`
//! (SPEC.md "Command line"; warden/audit/search.h): matching records newest first, streamed
//! (memory does not grow with the number of matches). Human form: one line per record
//! `ts event user target action kind text` ("-" for absent members); --json: the records'
//! lines as stored (JSON Lines). Exit 0 (also when nothing matches), 1 on usage errors or an
//! unreadable DIR.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "warden/audit/search.h"

namespace warden::cli {

int cmdAuditSearch(std::vector<std::string> args);

namespace {

constexpr const char* kUsage =
    "usage: warden audit search DIR [--user U] [--target T] [--action A] [--kind K]\n"
    "         [--event E] [--session S] [--since RFC3339] [--until RFC3339] [--text S]\n"
    "         [--limit N] [--json]\n"
    "  filters combine with AND; --kind accepts a trailing '*' (drop_*); --text is a\n"
    "  case-insensitive substring of statement.text; since <= ts < until\n";

int usage(const std::string& why) {
  fprintf(stderr, "warden audit search: %s\n%s", why.c_str(), kUsage);
  return 1;
}

const std::string* str(const nlohmann::json& j, const char* outer, const char* key = nullptr) {
  auto it = j.find(outer);
  if (it == j.end()) return nullptr;
  if (key != nullptr) {
    if (!it->is_object()) return nullptr;
    auto in = it->find(key);
    return in != it->end() && in->is_string() ? in->get_ptr<const std::string*>() : nullptr;
  }
  return it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// A field for the one-line form: "-" when absent, control characters shown as escapes.
std::string field(const std::string* s) {
  if (s == nullptr || s->empty()) return "-";
  std::string out;
  for (char c : *s) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (static_cast<unsigned char>(c) < 0x20) out += '?';
    else out += c;
  }
  return out;
}

void printHuman(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, false);  // already parsed once: it is valid
  std::string out = field(str(j, "ts"));
  for (const std::string* s :
       {str(j, "event"), str(j, "identity", "user"), str(j, "target"), str(j, "decision", "action"),
        str(j, "statement", "kind"), str(j, "statement", "text")}) {
    out += ' ';
    out += field(s);
  }
  out += '\n';
  fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

int cmdAuditSearch(std::vector<std::string> args) {
  audit::SearchQuery q;
  std::string dir;
  bool json = false, have_dir = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      fprintf(stdout, "%s", kUsage);
      return 0;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string name = a, value;
      bool inline_value = false;
      if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
      std::optional<std::string>* target = nullptr;
      if (name == "--user") target = &q.user;
      else if (name == "--target") target = &q.target;
      else if (name == "--action") target = &q.action;
      else if (name == "--kind") target = &q.kind;
      else if (name == "--event") target = &q.event;
      else if (name == "--session") target = &q.session;
      else if (name == "--text") target = &q.text;
      else if (name != "--since" && name != "--until" && name != "--limit")
        return usage("unknown option " + name);
      if (!inline_value) {
        if (i + 1 >= args.size()) return usage(name + " needs a value");
        value = args[++i];
      }
      if (target != nullptr) {
        *target = value;
      } else if (name == "--limit") {
        char* end = nullptr;
        errno = 0;
        unsigned long long n = value.empty() || value[0] == '-' ? 0 : strtoull(value.c_str(), &end, 10);
        if (value.empty() || value[0] == '-' || end == nullptr || *end != '\0' || errno != 0)
          return usage("--limit must be a non-negative integer, not '" + value + "'");
        q.limit = static_cast<size_t>(n);
      } else {
        auto t = audit::parseRfc3339(value);
        if (!t) return usage(name + ": " + t.error().message);
        (name == "--since" ? q.since : q.until) = *t;
      }
      continue;
    }
    if (have_dir) return usage("more than one DIR ('" + dir + "' and '" + a + "')");
    dir = a;
    have_dir = true;
  }
  if (!have_dir || dir.empty()) return usage("no DIR given");

  size_t printed = 0;
  bool more = false;
  auto st = audit::searchDir(dir, q, [&](std::string_view line) {
    if (q.limit != 0 && printed == q.limit) {
      more = true;
      return false;
    }
    ++printed;
    if (json) {
      fwrite(line.data(), 1, line.size(), stdout);
      fputc('\n', stdout);
    } else {
      printHuman(line);
    }
    return true;
  });
  if (!st) {
    fprintf(stderr, "warden audit search: %s\n", st.error().message.c_str());
    return 1;
  }
  fflush(stdout);
  if (more) fprintf(stderr, "warden audit search: more records match (raise --limit)\n");
  if (st->skipped > 0)
    fprintf(stderr, "warden audit search: %llu unreadable line(s) skipped\n",
            static_cast<unsigned long long>(st->skipped));
  return 0;
}

}  // namespace warden::cli
