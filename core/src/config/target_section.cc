// core/src/config/target_section.cc
//! `targets`: one listener per target and the backend it fronts. Cross-checks: unique names,
//! listen addresses that do not collide (with each other or admin.listen), client TLS modes
//! that the `tls` section can honour.
#include <algorithm>
#include <cctype>

#include "sections.h"
#include "values.h"

namespace warden::config::detail {
namespace {

struct Listener {
  ListenAddress addr;
  std::string owner;  // "target 'pg'" or "admin.listen"
  Mark mark;
};

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

bool isDialectChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::string lineNote(const Mark& m) { return " (line " + std::to_string(m.line) + ")"; }

void readBackend(Reader& r, const Field& f, Backend& backend) {
  MapView m(r, f.value, f.path, f.value_mark,
            {"host", "port", "database", "user", "password", "password_env", "password_file", "tls",
             "ca_file", "server_name", "connect_timeout"});
  if (!m.valid()) return;
  if (const Field* host = m.get("host")) {
    if (auto v = readString(r, *host, false)) backend.host = *v;
  }
  if (const Field* port = m.require("port")) {
    if (auto v = readPort(r, *port)) backend.port = *v;
  }
  if (const Field* database = m.get("database")) {
    if (auto v = readString(r, *database)) backend.database = *v;
  }
  if (const Field* user = m.get("user")) {
    if (auto v = readString(r, *user)) backend.user = *v;
  }
  bool failed = false;
  if (auto secret = readSecret(r, m, "password", "password_env", "password_file", &failed)) {
    backend.password = *secret;
  }
  if (const Field* tls = m.get("tls")) {
    if (auto v = readEnum<BackendTls>(r, *tls,
                                      {{"disable", BackendTls::Disable},
                                       {"prefer", BackendTls::Prefer},
                                       {"require", BackendTls::Require},
                                       {"verify-full", BackendTls::VerifyFull}})) {
      backend.tls = *v;
    }
  }
  if (const Field* ca = m.get("ca_file")) {
    if (auto v = readPath(r, *ca, true)) backend.ca_file = *v;
  }
  if (const Field* name = m.get("server_name")) {
    if (auto v = readString(r, *name, false)) backend.server_name = *v;
  }
  if (const Field* timeout = m.get("connect_timeout")) {
    if (auto v = readDuration(r, *timeout, false)) backend.connect_timeout = *v;
  }
}

//! True when the `tls` section names a certificate, even if reading it failed (that failure is
//! already reported; do not add a second error on every target).
bool tlsDeclared(const MapView& root, const Config& cfg) {
  if (cfg.tls.enabled()) return true;
  const Field* tls = root.get("tls");
  if (tls == nullptr || !tls->value.IsMap()) return false;
  const YAML::Node& node = tls->value;
  return static_cast<bool>(node["cert_file"]);
}

void readListen(Reader& r, const Field& f, Target& target, std::vector<Listener>& listeners) {
  auto text = readString(r, f, false);
  if (!text) return;
  std::string why;
  auto addr = parseListen(*text, &why);
  if (!addr) {
    r.error(f.value_mark, f.path + ": " + why);
    return;
  }
  for (const Listener& other : listeners) {
    if (listenConflicts(*addr, other.addr)) {
      r.error(f.value_mark, f.path + ": listen address " + *text + " is already used by " +
                                other.owner + lineNote(other.mark));
      return;
    }
  }
  target.listen_host = addr->host;
  target.listen_port = addr->port;
  std::string owner =
      target.name.empty() ? std::string("another target") : "target '" + target.name + "'";
  listeners.push_back(Listener{*addr, owner, f.value_mark});
}

void readClientModes(Reader& r, const MapView& m, bool tls_declared, Target& target) {
  const Field* client_tls = m.get("client_tls");
  if (client_tls) {
    if (auto v = readEnum<ClientTls>(r, *client_tls,
                                     {{"disabled", ClientTls::Disabled},
                                      {"optional", ClientTls::Optional},
                                      {"required", ClientTls::Required}})) {
      target.client_tls = *v;
      if (*v == ClientTls::Required && !tls_declared) {
        r.error(client_tls->value_mark,
                client_tls->path +
                    ": 'required' needs a server certificate (set tls.cert_file and tls.key_file)");
      }
    }
  }
  // `optional` without a certificate simply offers no TLS.
  if (const Field* auth = m.get("client_auth")) {
    if (auto v = readEnum<ClientAuth>(
            r, *auth, {{"scram-sha-256", ClientAuth::Scram}, {"password", ClientAuth::Password}})) {
      target.client_auth = *v;
      // Cleartext passwords are only ever accepted over TLS: a listener that can never offer
      // TLS could never log anyone in.
      if (*v == ClientAuth::Password &&
          (target.client_tls == ClientTls::Disabled || !tls_declared)) {
        r.error(auth->value_mark, auth->path +
                                      ": 'password' sends cleartext passwords and needs client "
                                      "TLS (client_tls optional or required, and tls configured)");
      }
    }
  }
  if (const Field* proxy = m.get("proxy_protocol")) {
    if (auto v = readBool(r, *proxy)) target.proxy_protocol = *v;
  }
}

void readTarget(Reader& r, const Field& item, bool tls_declared, std::vector<Target>& targets,
                std::vector<Listener>& listeners) {
  MapView m(r, item.value, item.path, item.value_mark,
            {"name", "dialect", "listen", "environment", "client_tls", "client_auth",
             "proxy_protocol", "backend", "max_rows"});
  if (!m.valid()) return;
  Target target;
  target.mark = m.mark();
  bool duplicate = false;
  if (const Field* name = m.require("name")) {
    if (auto v = readString(r, *name, false)) {
      if (!std::all_of(v->begin(), v->end(), isNameChar)) {
        r.error(name->value_mark,
                name->path + ": target names may contain letters, digits, '-', '_' and '.'");
      }
      for (const Target& other : targets) {
        if (other.name == *v) {
          r.error(name->value_mark, name->path + ": duplicate target name '" + *v +
                                        "' (first at line " + std::to_string(other.mark.line) +
                                        ")");
          duplicate = true;
        }
      }
      target.name = *v;
    }
  }
  if (const Field* dialect = m.require("dialect")) {
    if (auto v = readString(r, *dialect, false)) {
      if (!std::all_of(v->begin(), v->end(), isDialectChar)) {
        r.error(dialect->value_mark,
                dialect->path + ": dialect names are lowercase letters, digits and '_'");
      }
      target.dialect = *v;
    }
  }
  if (const Field* listen = m.require("listen")) readListen(r, *listen, target, listeners);
  if (const Field* max = m.get("max_rows")) {
    if (auto v = readInt(r, *max, 0, int64_t(1) << 62, "a row count >= 0")) target.max_rows = uint64_t(*v);
  }
  if (const Field* env = m.get("environment")) {
    if (auto v = readString(r, *env, false)) target.environment = *v;
  }
  readClientModes(r, m, tls_declared, target);
  if (const Field* backend = m.require("backend")) readBackend(r, *backend, target.backend);
  if (!duplicate) targets.push_back(std::move(target));
}

}  // namespace

void readTargetsSection(Reader& r, const MapView& root, Config& cfg) {
  const Field* f = root.require("targets");
  if (f == nullptr) return;
  std::vector<Listener> listeners;
  if (!cfg.admin.listen.empty()) {
    std::string why;
    if (auto addr = parseListen(cfg.admin.listen, &why)) {
      Mark mark;
      if (const Field* admin = root.get("admin")) {
        const YAML::Node& node = admin->value;
        mark = r.mark(node["listen"], admin->key_mark);
      }
      listeners.push_back(Listener{*addr, "admin.listen", mark});
    }
  }
  bool tls_declared = tlsDeclared(root, cfg);
  auto items = readSequence(r, *f);
  for (const Field& item : items) readTarget(r, item, tls_declared, cfg.targets, listeners);
  if (items.empty() && (f->value.IsNull() || f->value.IsSequence())) {
    r.error(f->value_mark, "targets: at least one target is required");
  }
}

}  // namespace warden::config::detail
