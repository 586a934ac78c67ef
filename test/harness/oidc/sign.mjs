// Crafts keys and compact JWS tokens for Warden's OIDC tests (test-only; jose + node:crypto).
//
//   node sign.mjs genkeys [SUFFIX]
//       prints {"keys":[...]} with private JWKs: RSA (kid rsa-SUFFIX, alg RS256),
//       EC P-256 (kid ec-SUFFIX, alg ES256), Ed25519 (kid ed-SUFFIX, alg EdDSA)
//   node sign.mjs sign < SPEC.json
//       SPEC: {"mode": "sign" | "none" | "hs256-public-pem" | "hs256-public-jwk",
//              "jwk": <private JWK, or the public JWK for the hs256-* modes>,
//              "header": {...}, "payload": {...}}
//       prints the compact token:
//         sign              header.alg (default: the JWK's alg) signed with jwk
//         none              {"alg":"none", ...header}, empty signature ("h.p.")
//         hs256-public-pem  {"alg":"HS256", ...header}, HMAC-SHA256 keyed with the PEM
//                           (SPKI) text of the public key: the classic RS256 → HS256 confusion
//         hs256-public-jwk  same, keyed with the public JWK's JSON text
// Header fields given in SPEC.header are used verbatim (kid, typ, crit, ...); the payload is
// serialized with JSON.stringify exactly as given.
import * as crypto from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, importJWK } from 'jose';

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function privateJwk(alg, kid, options) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid, alg, use: 'sig' };
}

async function genkeys(suffix) {
  const keys = [
    await privateJwk('RS256', `rsa-${suffix}`, { modulusLength: 2048 }),
    await privateJwk('ES256', `ec-${suffix}`),
    await privateJwk('EdDSA', `ed-${suffix}`, { crv: 'Ed25519' }),
  ];
  return { keys };
}

function publicOnly(jwk) {
  const { d, p, q, dp, dq, qi, oth, ...pub } = jwk;
  return pub;
}

function hmacToken(header, payload, secret) {
  const h = b64url(JSON.stringify({ ...header, alg: 'HS256' }));
  const p = b64url(JSON.stringify(payload));
  const sig = crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest();
  return `${h}.${p}.${b64url(sig)}`;
}

async function sign(spec) {
  const { mode = 'sign', jwk, header = {}, payload = {} } = spec;
  switch (mode) {
    case 'sign': {
      const alg = header.alg || jwk.alg;
      const key = await importJWK({ ...jwk, alg }, alg);
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ ...header, alg })
        .sign(key);
    }
    case 'none': {
      const h = b64url(JSON.stringify({ ...header, alg: 'none' }));
      return `${h}.${b64url(JSON.stringify(payload))}.`;
    }
    case 'hs256-public-pem': {
      const pem = crypto.createPublicKey({ key: publicOnly(jwk), format: 'jwk' })
        .export({ type: 'spki', format: 'pem' });
      return hmacToken(header, payload, Buffer.from(pem));
    }
    case 'hs256-public-jwk':
      return hmacToken(header, payload, Buffer.from(JSON.stringify(publicOnly(jwk))));
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

const [cmd, arg] = process.argv.slice(2);
try {
  if (cmd === 'genkeys') {
    process.stdout.write(`${JSON.stringify(await genkeys(arg || crypto.randomBytes(4).toString('hex')))}\n`);
  } else if (cmd === 'sign') {
    process.stdout.write(`${await sign(JSON.parse(await readStdin()))}\n`);
  } else {
    process.stderr.write('usage: node sign.mjs genkeys [SUFFIX] | node sign.mjs sign < SPEC.json\n');
    process.exit(2);
  }
} catch (e) {
  process.stderr.write(`sign.mjs: ${e.stack || e}\n`);
  process.exit(1);
}
