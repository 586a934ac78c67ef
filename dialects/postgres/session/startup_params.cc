// dialects/postgres/session/startup_params.cc
#include "session/startup_params.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace warden::dialect::postgres {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Not here on purpose: standard_conforming_strings (changes how backslashes lex inside '...'),
// anything touching roles, read-only mode, replication or logging.
constexpr std::array<std::string_view, 15> kForwardable = {
    "application_name", "client_encoding",  "datestyle",          "timezone",
    "intervalstyle",    "extra_float_digits", "bytea_output",     "search_path",
    "statement_timeout", "lock_timeout",    "idle_in_transaction_session_timeout",
    "lc_messages", "lc_monetary", "lc_numeric", "lc_time",
};

// Client-only encodings in which 0x5c ('\\') can be the second byte of a character: the server
// would lex a statement differently from a UTF-8 reader of the same bytes, so analysis and
// policy could be bypassed (CVE-2006-2313 class). Names are compared the way the server's
// clean_encoding_name does: lower case, non-alphanumerics dropped.
constexpr std::array<std::string_view, 20> kUnsafeEncodings = {
    "sjis",       "shiftjis",   "shiftjis2004", "mskanji",    "big5",
    "gbk",        "uhc",        "gb18030",      "johab",      "win932",
    "win936",     "win949",     "win950",       "windows932", "windows936",
    "windows949", "windows950", "cp932",        "cp936",      "cp949",
};

std::string cleanEncodingName(std::string_view value) {
  std::string out;
  for (unsigned char c : value)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

bool unsafeEncoding(std::string_view value) {
  std::string v = cleanEncodingName(value);
  return v == "cp950" ||
         std::find(kUnsafeEncodings.begin(), kUnsafeEncodings.end(), v) != kUnsafeEncodings.end();
}

}  // namespace

bool isForwardableStartupSetting(std::string_view name) {
  std::string n = lower(name);
  return std::find(kForwardable.begin(), kForwardable.end(), n) != kForwardable.end();
}

Result<std::vector<std::pair<std::string, std::string>>> parseStartupOptions(std::string_view options) {
  // Tokenize like the server's pg_split_opts: whitespace separates, backslash escapes.
  std::vector<std::string> tokens;
  std::string cur;
  bool have = false;
  for (size_t i = 0; i < options.size(); ++i) {
    char c = options[i];
    if (c == '\\' && i + 1 < options.size()) {
      cur += options[++i];
      have = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (have) tokens.push_back(std::move(cur));
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) tokens.push_back(std::move(cur));

  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string setting;
    if (tokens[i] == "-c") {
      if (i + 1 >= tokens.size()) return makeError("option -c without a setting");
      setting = tokens[++i];
    } else if (tokens[i].rfind("-c", 0) == 0) {
      setting = tokens[i].substr(2);
    } else if (tokens[i].rfind("--", 0) == 0) {
      setting = tokens[i].substr(2);
    } else {
      return makeError(fmt::format("option \"{}\" is not supported (only -c name=value)", tokens[i]));
    }
    auto eq = setting.find('=');
    if (eq == std::string::npos || eq == 0)
      return makeError(fmt::format("option \"{}\" is not of the form name=value", setting));
    std::string name = setting.substr(0, eq);
    std::replace(name.begin(), name.end(), '-', '_');
    out.emplace_back(std::move(name), setting.substr(eq + 1));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> backendStartupParams(
    const std::vector<std::pair<std::string, std::string>>& client_params) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : client_params) {
    if (k == "user" || k == "database" || k == "replication") continue;
    if (k == "options") {
      auto opts = parseStartupOptions(v);
      if (!opts) return opts.error();
      std::string rebuilt;
      for (const auto& [name, value] : opts.value()) {
        if (lower(name) == "client_encoding" && unsafeEncoding(value))
          return makeError(fmt::format("client_encoding \"{}\" is not supported through the "
                                       "gateway (use UTF8)", value));
        if (!isForwardableStartupSetting(name))
          return makeError(fmt::format(
              "setting \"{}\" cannot be passed at connection start through the gateway; use SET "
              "in SQL (policy applies)", name));
        std::string escaped;
        for (char c : value) {
          if (c == ' ' || c == '\\') escaped += '\\';
          escaped += c;
        }
        rebuilt += (rebuilt.empty() ? "" : " ") + std::string("-c ") + name + "=" + escaped;
      }
      if (!rebuilt.empty()) out.emplace_back("options", std::move(rebuilt));
      continue;
    }
    if (lower(k) == "client_encoding" && unsafeEncoding(v))
      return makeError(fmt::format("client_encoding \"{}\" is not supported through the gateway "
                                   "(use UTF8)", v));
    if (!isForwardableStartupSetting(k))
      return makeError(fmt::format(
          "startup parameter \"{}\" cannot be passed through the gateway; use SET in SQL (policy "
          "applies)", k));
    out.emplace_back(k, v);
  }
  return out;
}

}  // namespace warden::dialect::postgres
