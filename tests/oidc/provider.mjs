// A real OpenID Provider for the jwt-ext tests: panva's oidc-provider with
// one client-credentials client whose access tokens are JWTs (RFC 9068),
// plus a small admin surface under /__test/ that lets a test rotate the
// signing key, count JWKS fetches and serve a doctored JWKS.
//
// Usage: node provider.mjs <port, 0 = any> [audience]
//   OIDC_ALG   signing algorithm of the first key: RS256 (default) or ES256
//   OIDC_KEYS  a private JWKS to sign with instead of fresh keys, so that a
//              restarted provider keeps the keys it had (GET /__test/keys)
// Prints `READY http://127.0.0.1:<port>` (the issuer) once it answers.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const CLIENT_ID = 'jwt-ext-tests';
const CLIENT_SECRET = 'jwt-ext-tests-secret';
const JWKS_PATH = '/jwks';

const port = Number(process.argv[2] ?? 0);
const audience = process.argv[3] ?? 'https://api.example.test';

// Newest key first: oidc-provider signs with the first key that fits the
// algorithm, so the head of this list is the current signing key.
let keys = process.env.OIDC_KEYS
  ? JSON.parse(process.env.OIDC_KEYS).keys
  : [newKey(process.env.OIDC_ALG ?? 'RS256')];
const COOKIE_KEYS = [randomUUID()];
let handle;
let jwksHits = 0;
let jwksOverride = null;

function newKey(alg) {
  const [type, options] = {
    RS256: ['rsa', { modulusLength: 2048 }],
    ES256: ['ec', { namedCurve: 'P-256' }],
  }[alg] ?? fail(`unsupported algorithm ${alg}`);
  const { privateKey } = generateKeyPairSync(type, options);
  const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

function fail(message) {
  throw new Error(message);
}

// The key set is fixed when a Provider is built, so a rotation builds a new
// one; clients and tokens live in config and in the JWTs themselves, so
// nothing a test relies on is lost.
function serveWithCurrentKeys(issuer) {
  const alg = keys[0].alg;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      // Checked against the signing keys even though no ID token is issued.
      id_token_signed_response_alg: alg,
    }],
    jwks: { keys },
    features: {
      clientCredentials: { enabled: true },
      // Without a login UI the default dev interactions only warn.
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        // Any https resource is an API of this provider (a test may ask
        // for a token for the wrong audience), and each grants whatever
        // scopes are asked for: tests choose the scopes a token carries.
        getResourceServerInfo(ctx, resource) {
          const ttl = Number(ctx.oidc.body?.ttl);
          if (!resource.startsWith('https://')) throw new errors.InvalidTarget();
          return {
            scope: ctx.oidc.params.scope ?? '',
            audience: resource,
            accessTokenFormat: 'jwt',
            // `ttl` is not a standard parameter: it lets a test mint a token
            // that expires in a second or two.
            accessTokenTTL: ttl > 0 ? ttl : 600,
            jwt: { sign: { alg } },
          };
        },
      },
    },
    ttl: {
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
    },
    // Unused (no login UI), but without them every build warns.
    cookies: { keys: COOKIE_KEYS },
  });
  handle = provider.callback();
}

const isLoopback = (address) => ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address);

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function admin(req, res, issuer) {
  if (!isLoopback(req.socket.remoteAddress)) return send(res, 403, { error: 'loopback only' });
  const route = `${req.method} ${req.url}`;
  const body = await readBody(req);
  switch (route) {
    case 'POST /__test/rotate': {
      const { drop_old: dropOld = false, alg = keys[0].alg } = body ? JSON.parse(body) : {};
      keys = [newKey(alg), ...(dropOld ? [] : keys)];
      serveWithCurrentKeys(issuer);
      return send(res, 200, { kid: keys[0].kid, kids: keys.map((key) => key.kid) });
    }
    case 'GET /__test/jwks-hits':
      return send(res, 200, { hits: jwksHits });
    case 'GET /__test/keys':
      return send(res, 200, { keys });
    // Stored as text, not parsed, so a test can serve a JWKS that is not
    // even JSON.
    case 'POST /__test/jwks-override':
      jwksOverride = body;
      return send(res, 200, { override: true });
    case 'DELETE /__test/jwks-override':
      jwksOverride = null;
      return send(res, 200, { override: false });
    default:
      return send(res, 404, { error: `no admin route ${route}` });
  }
}

const server = http.createServer((req, res) => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const path = req.url.split('?')[0];
  if (path.startsWith('/__test/')) {
    admin(req, res, issuer).catch((err) => send(res, 400, { error: String(err) }));
    return;
  }
  if (path === JWKS_PATH) {
    jwksHits += 1;
    if (jwksOverride !== null) {
      // The content type of the real JWKS, so only the document differs.
      send(res, 200, jwksOverride, 'application/jwk-set+json; charset=utf-8');
      return;
    }
  }
  handle(req, res);
});

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  serveWithCurrentKeys(issuer);
  console.log(`READY ${issuer}`);
});
