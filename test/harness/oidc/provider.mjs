// A real OpenID provider (npm oidc-provider 9.x) for Warden's e2e OIDC tests. Test-only.
//
//   node provider.mjs CONFIG.json [--port N]        (or OIDC_PORT=N)
//
// CONFIG.json:
//   {"port": 9000,                                   // 127.0.0.1 only; --port / OIDC_PORT win
//    "issuer": "http://127.0.0.1:9000",             // default: http://127.0.0.1:<port>
//    "jwks_file": "keys.json",                      // private JWKS {"keys":[...]} (kid + alg set)
//    "access_token_ttl": 300,                       // seconds
//    "resources": {"urn:warden:db": {"audience": "warden"}, ...},
//    "default_resource": "urn:warden:db",           // used when a request names no resource
//    "clients": [{"client_id": "svc-rs", "client_secret": "s", "alg": "RS256",
//                 "claims": {"groups": ["dba"], "warden_kind": "service"}}]}
//
// Clients use the client_credentials grant (client_secret_basic or client_secret_post) at
// POST /token; with a resource indicator (or the default resource) the access token is a JWT
// (typ at+jwt) signed with the client's alg by the provider key of that type, aud = the
// resource's audience, sub = client_id, plus the client's extra claims. Keys at GET /jwks.
// One JSON line per HTTP request goes to stdout: {"event":"request","method","path","status"};
// {"event":"listening","issuer":...} once the port accepts connections.
import * as fs from 'node:fs';
import Provider from 'oidc-provider';

function log(obj) {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...obj })}\n`);
}

const args = process.argv.slice(2);
if (args.length < 1) {
  process.stderr.write('usage: node provider.mjs CONFIG.json [--port N]\n');
  process.exit(2);
}
const cfg = JSON.parse(fs.readFileSync(args[0], 'utf8'));
const portArg = args.indexOf('--port');
const port = Number(portArg >= 0 ? args[portArg + 1] : (process.env.OIDC_PORT || cfg.port));
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`provider.mjs: bad port ${port}\n`);
  process.exit(2);
}
const issuer = cfg.issuer || `http://127.0.0.1:${port}`;
const jwks = JSON.parse(fs.readFileSync(cfg.jwks_file, 'utf8'));
const ttl = cfg.access_token_ttl || 300;
const resources = cfg.resources || { 'urn:warden:db': { audience: 'warden' } };
const defaultResource = cfg.default_resource || Object.keys(resources)[0];

const byClient = new Map();
const clients = (cfg.clients || []).map((c) => {
  const { alg = 'RS256', claims = {}, ...rest } = c;
  byClient.set(c.client_id, { alg, claims });
  return {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    ...rest,
  };
});

const provider = new Provider(issuer, {
  clients,
  jwks,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf || defaultResource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator, client) => {
        const rs = resources[indicator];
        if (!rs) throw new Provider.errors.InvalidTarget(`unknown resource ${indicator}`);
        const info = byClient.get(client.clientId) || { alg: 'RS256' };
        return {
          scope: rs.scope || 'db',
          audience: rs.audience,
          accessTokenTTL: rs.ttl || ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: info.alg } },
        };
      },
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    const info = byClient.get(token.clientId);
    return info ? { ...info.claims } : undefined;
  },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  try {
    await next();
  } finally {
    log({ event: 'request', method: ctx.method, path: ctx.path, status: ctx.status });
  }
});
provider.on('server_error', (_ctx, err) => log({ event: 'server_error', error: String(err && err.stack) }));
provider.on('grant.error', (_ctx, err) => log({ event: 'grant_error', error: String(err && err.message), detail: err && err.error_description }));

const server = provider.listen(port, '127.0.0.1', () => log({ event: 'listening', issuer, port }));
server.on('error', (e) => {
  process.stderr.write(`provider.mjs: ${e.code || ''} ${e.message}\n`);
  process.exit(3);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
