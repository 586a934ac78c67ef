// core/src/config/server_sections.cc
//! Process-wide settings: workers, plugin_dir, log_level, admin, tls, audit, approvals, state,
//! and the `limits` extension.
#include <filesystem>
#include <thread>

#include "sections.h"
#include "values.h"

namespace warden::config::detail {
namespace {

constexpr int64_t kMaxWorkers = 1024;
constexpr int64_t kMinMessageBytes = 1024;
constexpr int64_t kMaxMessageBytes = int64_t{1} << 30;  // PostgreSQL's own cap on a message

std::string binaryDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::filesystem::current_path(ec).string();
  return exe.parent_path().string();
}

void readAdminTokens(Reader& r, const Field& f, std::vector<AdminToken>& tokens) {
  for (const Field& item : readSequence(r, f)) {
    MapView m(r, item.value, item.path, item.value_mark,
              {"token", "token_env", "token_file", "user", "groups"});
    if (!m.valid()) continue;
    AdminToken token;
    bool failed = false;
    auto secret = readSecret(r, m, "token", "token_env", "token_file", &failed);
    if (secret) {
      if (secret->empty()) {
        r.error(m.mark(), item.path + ": the admin token must not be empty");
      }
      token.token = *secret;
    } else if (!failed) {
      r.error(m.mark(), item.path + ": missing 'token' or 'token_env'");
    }
    if (const Field* user = m.require("user")) {
      if (auto v = readString(r, *user, false)) token.user = *v;
    }
    if (const Field* groups = m.get("groups")) {
      if (auto v = readStringList(r, *groups)) token.groups = *v;
    }
    tokens.push_back(std::move(token));
  }
}

void readAdmin(Reader& r, const Field& f, AdminConfig& admin) {
  MapView m(r, f.value, f.path, f.value_mark, {"listen", "tokens"});
  if (const Field* listen = m.get("listen")) {
    if (auto v = readString(r, *listen, false)) {
      std::string why;
      if (parseListen(*v, &why)) {
        admin.listen = *v;
      } else {
        r.error(listen->value_mark, listen->path + ": " + why);
      }
    }
  }
  if (const Field* tokens = m.get("tokens")) readAdminTokens(r, *tokens, admin.tokens);
}

void readTls(Reader& r, const Field& f, TlsConfig& tls) {
  MapView m(r, f.value, f.path, f.value_mark,
            {"cert_file", "key_file", "client_ca_file", "client_cert_user"});
  if (const Field* ca = m.get("client_ca_file")) {
    if (auto v = readPath(r, *ca, true)) tls.client_ca_file = *v;
    if (m.get("cert_file") == nullptr)
      r.error(ca->key_mark, f.path + ": client_ca_file needs cert_file and key_file");
  }
  if (const Field* cu = m.get("client_cert_user")) {
    if (auto v = readEnum<CertUser>(r, *cu, {{"cn", CertUser::CommonName}, {"email", CertUser::Email}}))
      tls.client_cert_user = *v;
  }
  const Field* cert = m.get("cert_file");
  const Field* key = m.get("key_file");
  if ((cert == nullptr) != (key == nullptr)) {
    const Field* given = cert ? cert : key;
    r.error(given->key_mark, f.path + ": cert_file and key_file must be given together");
    return;
  }
  if (cert == nullptr) return;
  auto cert_path = readPath(r, *cert, true);
  auto key_path = readPath(r, *key, true);
  if (cert_path && key_path) {
    tls.cert_file = *cert_path;
    tls.key_file = *key_path;
  }
}

//! A YAML subtree as JSON (scalars as strings, except true/false/integers).
void yamlToJson(const YAML::Node& n, std::string& out) {
  auto quote = [&out](const std::string& s) {
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') { out += '\\'; out += c; }
      else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); out += b; }
      else out += c;
    }
    out += '"';
  };
  if (n.IsMap()) {
    out += '{';
    bool first = true;
    for (const auto& kv : n) {
      if (!first) out += ',';
      first = false;
      quote(kv.first.Scalar());
      out += ':';
      yamlToJson(kv.second, out);
    }
    out += '}';
  } else if (n.IsSequence()) {
    out += '[';
    for (size_t i = 0; i < n.size(); ++i) {
      if (i) out += ',';
      yamlToJson(n[i], out);
    }
    out += ']';
  } else if (n.IsNull()) {
    out += "null";
  } else {
    const std::string& s = n.Scalar();
    bool integer = !s.empty() && s.size() < 18 && n.Tag() != "!" &&
                   s.find_first_not_of("0123456789", s[0] == '-' ? 1 : 0) == std::string::npos &&
                   s != "-";
    if (n.Tag() != "!" && (s == "true" || s == "false" || integer)) out += s;
    else quote(s);
  }
}

void readAuditSinks(Reader& r, const Field& f, std::vector<AuditSinkConfig>& sinks) {
  for (const Field& item : readSequence(r, f)) {
    if (!item.value.IsMap()) {
      r.error(item.value_mark, item.path + ": expected a mapping with 'type'");
      continue;
    }
    AuditSinkConfig sink;
    bool ok = true;
    for (const auto& kv : item.value) {
      std::string key = kv.first.Scalar();
      if (key == "type") {
        sink.type = kv.second.IsScalar() ? kv.second.Scalar() : std::string();
        if (sink.type.empty() || sink.type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
          r.error(item.value_mark, item.path + ".type: expected a sink plugin name ([a-z0-9_]+)");
          ok = false;
        }
      } else if (key == "required") {
        std::string v = kv.second.IsScalar() ? kv.second.Scalar() : std::string();
        if (v == "true") sink.required = true;
        else if (v == "false") sink.required = false;
        else {
          r.error(item.value_mark, item.path + ".required: expected true or false");
          ok = false;
        }
      }
    }
    if (sink.type.empty() && ok) {
      r.error(item.value_mark, item.path + ": missing required key 'type'");
      ok = false;
    }
    yamlToJson(item.value, sink.options_json);
    if (ok) sinks.push_back(std::move(sink));
  }
}

void readAudit(Reader& r, const Field& f, AuditConfig& audit) {
  MapView m(r, f.value, f.path, f.value_mark,
            {"dir", "redact_literals", "signing_key_file", "rotate_bytes", "rotate_interval",
             "checkpoint_records", "checkpoint_interval", "fsync", "queue_records", "sinks"});
  if (const Field* dir = m.get("dir")) {
    if (auto v = readPath(r, *dir, false)) audit.dir = *v;
  }
  if (const Field* redact = m.get("redact_literals")) {
    if (auto v = readBool(r, *redact)) audit.redact_literals = *v;
  }
  if (const Field* key = m.get("signing_key_file")) {
    if (auto v = readPath(r, *key, false)) audit.signing_key_file = *v;
  }
  if (const Field* v = m.get("rotate_bytes")) {
    if (auto n = readInt(r, *v, 4096, int64_t{1} << 40, "a size in bytes (4096 or more)"))
      audit.rotate_bytes = uint64_t(*n);
  }
  if (const Field* v = m.get("rotate_interval")) {
    if (auto d = readDuration(r, *v, false)) audit.rotate_interval = *d;
  }
  if (const Field* v = m.get("checkpoint_records")) {
    if (auto n = readInt(r, *v, 1, 100000000, "a record count (1 or more)"))
      audit.checkpoint_records = uint64_t(*n);
  }
  if (const Field* v = m.get("checkpoint_interval")) {
    if (auto d = readDuration(r, *v, false)) audit.checkpoint_interval = *d;
  }
  if (const Field* v = m.get("fsync")) {
    if (auto e = readEnum<bool>(r, *v, {{"batch", true}, {"write", false}})) audit.fsync = *e;
  }
  if (const Field* v = m.get("queue_records")) {
    if (auto n = readInt(r, *v, 16, 100000000, "a record count (16 or more)"))
      audit.queue_records = uint64_t(*n);
  }
  if (const Field* v = m.get("sinks")) readAuditSinks(r, *v, audit.sinks);
}

void readApprovals(Reader& r, const Field& f, ApprovalsConfig& approvals) {
  MapView m(r, f.value, f.path, f.value_mark, {"webhook_url"});
  if (const Field* url = m.get("webhook_url")) {
    if (auto v = readString(r, *url, false)) {
      if (v->rfind("http://", 0) != 0 && v->rfind("https://", 0) != 0) {
        r.error(url->value_mark, url->path + ": expected an http:// or https:// URL");
      } else {
        approvals.webhook_url = *v;
      }
    }
  }
}

void readState(Reader& r, const Field& f, StateConfig& state) {
  MapView m(r, f.value, f.path, f.value_mark, {"backend", "dir"});
  if (const Field* backend = m.get("backend")) {
    if (auto v = readEnum<std::string_view>(r, *backend,
                                            {{"embedded", "embedded"}, {"postgres", "postgres"}})) {
      state.backend = std::string(*v);
    }
  }
  if (const Field* dir = m.get("dir")) {
    if (auto v = readPath(r, *dir, false)) state.dir = *v;
  }
}

void readLimits(Reader& r, const Field& f, LimitsConfig& limits) {
  MapView m(r, f.value, f.path, f.value_mark,
            {"max_message_bytes", "write_high_watermark", "write_low_watermark", "auth_timeout",
             "drain_timeout", "max_client_connections"});
  const std::string bytes_range =
      "an integer " + std::to_string(kMinMessageBytes) + ".." + std::to_string(kMaxMessageBytes);
  if (const Field* max = m.get("max_message_bytes")) {
    if (auto v = readInt(r, *max, kMinMessageBytes, kMaxMessageBytes, bytes_range)) {
      limits.max_message_bytes = static_cast<uint32_t>(*v);
    }
  }
  const Field* high = m.get("write_high_watermark");
  if (high) {
    if (auto v = readInt(r, *high, kMinMessageBytes, kMaxMessageBytes, bytes_range)) {
      limits.write_high_watermark = static_cast<uint32_t>(*v);
    }
  }
  const Field* low = m.get("write_low_watermark");
  if (low) {
    if (auto v = readInt(r, *low, 0, kMaxMessageBytes, "a non-negative integer")) {
      limits.write_low_watermark = static_cast<uint32_t>(*v);
    }
  }
  if (limits.write_low_watermark >= limits.write_high_watermark) {
    const Field* at = low ? low : high;
    r.error(at ? at->value_mark : m.mark(), "limits: write_low_watermark (" +
                                                std::to_string(limits.write_low_watermark) +
                                                ") must be below write_high_watermark (" +
                                                std::to_string(limits.write_high_watermark) + ")");
  }
  if (const Field* auth = m.get("auth_timeout")) {
    if (auto v = readDuration(r, *auth, false)) limits.auth_timeout = *v;
  }
  if (const Field* drain = m.get("drain_timeout")) {
    if (auto v = readDuration(r, *drain, true)) limits.drain_timeout = *v;
  }
  if (const Field* conns = m.get("max_client_connections")) {
    if (auto v = readInt(r, *conns, 1, 1000000, "an integer 1..1000000"))
      limits.max_client_connections = static_cast<uint32_t>(*v);
  }
}

}  // namespace

void readServerSections(Reader& r, const MapView& root, Config& cfg) {
  if (const Field* workers = root.get("workers")) {
    if (auto v = readInt(r, *workers, 1, kMaxWorkers, "a positive integer")) {
      cfg.workers = static_cast<int>(*v);
    }
  }
  if (cfg.workers <= 0) {
    cfg.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }

  if (const Field* dir = root.get("plugin_dir")) {
    if (auto v = readPath(r, *dir, false)) {
      std::error_code ec;
      if (!std::filesystem::is_directory(*v, ec)) {
        r.error(dir->value_mark, dir->path + ": '" + *v + "' is not a directory");
      }
      cfg.plugin_dir = *v;
    }
  } else {
    cfg.plugin_dir = binaryDir();
  }

  if (const Field* level = root.get("log_level")) {
    if (auto v = readEnum<std::string_view>(
            r, *level,
            {{"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}})) {
      cfg.log_level = std::string(*v);
    }
  }

  if (const Field* f = root.get("admin")) readAdmin(r, *f, cfg.admin);
  if (const Field* f = root.get("tls")) readTls(r, *f, cfg.tls);
  if (const Field* f = root.get("audit")) readAudit(r, *f, cfg.audit);
  if (const Field* f = root.get("approvals")) readApprovals(r, *f, cfg.approvals);
  if (const Field* f = root.get("state")) readState(r, *f, cfg.state);
  if (const Field* f = root.get("limits")) readLimits(r, *f, cfg.limits);
}

}  // namespace warden::config::detail
