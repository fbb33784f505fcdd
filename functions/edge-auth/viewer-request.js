// CloudFront Function (JavaScript runtime 2.0), viewer request. Runs before the cache for every read:
// rewrites client URLs to object keys and keeps private repositories private. Plain ES5-style code on
// purpose: CloudFront Functions accept only a subset of JavaScript. Keep it under 10 KB.
import cf from 'cloudfront';

var crypto = require('crypto');
var kvs = cf.kvs();

async function lookup(key) {
  try {
    return await kvs.get(key);
  } catch (e) {
    return null; // the store throws for a missing key
  }
}

function credentials(headers) {
  var out = [];
  var auth = headers.authorization && headers.authorization.value;
  if (auth) {
    auth = auth.trim();
    var sp = auth.indexOf(' ');
    var scheme = sp > 0 ? auth.slice(0, sp).toLowerCase() : '';
    var value = sp > 0 ? auth.slice(sp + 1).trim() : '';
    if (scheme === 'basic' && value) {
      var decoded = Buffer.from(value, 'base64').toString('utf8');
      var colon = decoded.indexOf(':');
      var user = colon >= 0 ? decoded.slice(0, colon) : decoded;
      var pass = colon >= 0 ? decoded.slice(colon + 1) : '';
      if (pass) out.push(pass);
      if (user) out.push(user);
    } else if ((scheme === 'bearer' || scheme === 'token') && value) {
      out.push(value);
    } else if (sp < 0) {
      out.push(auth);
    }
  }
  if (headers['x-nuget-apikey'] && headers['x-nuget-apikey'].value) out.push(headers['x-nuget-apikey'].value.trim());
  return out;
}

// A token entry is JSON: {"r": ["owner/repo", "owner/*"] or ["*"], "u": its user, "e": expiry in unix
// seconds (optional)}. A user also reads the repositories under their name (`o:<user>` marks registered
// users) and those they collaborate on (`c:<repo>#<user>`).
async function tokenOpens(entry, repo, owner) {
  var t;
  try {
    t = JSON.parse(entry);
  } catch (e) {
    return false;
  }
  if (t.e && t.e * 1000 <= Date.now()) return false;
  var r = t.r || [];
  if (r.indexOf('*') >= 0 || r.indexOf(repo) >= 0 || r.indexOf(owner + '/*') >= 0) return true;
  if (!t.u) return false;
  if (t.u === owner && (await lookup('o:' + t.u))) return true;
  return !!(await lookup('c:' + repo + '#' + t.u));
}

function fromBase64Url(s) {
  var b = s.replace(/-/g, '+').replace(/_/g, '/');
  while (b.length % 4) b += '=';
  return Buffer.from(b, 'base64').toString('utf8');
}

// A read token is `pky_<base64url JSON {r, i, p}>.<hex HMAC-SHA256>` signed with the key at `k:read`; it is
// valid for repository r unless it (i) or its master token (p) is listed as revoked (`x:<id>`).
async function readTokenOpens(token, repo) {
  var dot = token.lastIndexOf('.');
  if (dot < 0) return false;
  var key = await lookup('k:read');
  if (!key) return false;
  var body = token.slice(0, dot);
  if (crypto.createHmac('sha256', key).update(body).digest('hex') !== token.slice(dot + 1)) return false;
  var claims;
  try {
    claims = JSON.parse(fromBase64Url(body.slice(4)));
  } catch (e) {
    return false;
  }
  if (claims.r !== repo || !claims.i || !claims.p) return false;
  return !(await lookup('x:' + claims.i)) && !(await lookup('x:' + claims.p));
}

function unauthorized(repo, message) {
  return {
    statusCode: 401,
    statusDescription: 'Unauthorized',
    headers: {
      'www-authenticate': { value: 'Basic realm="' + repo + '"' },
      'content-type': { value: 'text/plain; charset=utf-8' },
      'cache-control': { value: 'no-store' },
    },
    body: { encoding: 'text', data: message + '\n' },
  };
}

// Language registries (`/{owner}/{repo}/npm/...`): writes and the few reads that cannot be static go to the
// API origin, which authenticates them itself; every other read is a static object.
var REGISTRY = /^(npm|pypi|maven|gems|cargo|helm|nuget)\//;
var DYNAMIC = /^(npm\/-\/|cargo\/index\/config\.json$|cargo\/api\/|nuget\/v3\/index\.json$|nuget\/v3\/search|helm\/api\/|gems\/api\/)/;
var STATIC_TAGS = /^npm\/-\/package\//;

function toApi(request) {
  cf.selectRequestOriginById('api');
  // Tells the local stand-in which origin CloudFront would use; the origin ignores it.
  request.headers['x-packyard-origin'] = { value: 'api' };
  return request;
}

function accepts(request, type) {
  var a = request.headers.accept && request.headers.accept.value;
  return !!a && a.indexOf(type) >= 0;
}

// Maps a registry URL to its object key: npm packuments (scoped names arrive as `@scope%2fname`) by the
// Accept header, PEP 503 names normalised, simple pages by content negotiation (PEP 691).
function registryKey(request, prefix, path) {
  var m = /^npm\/(@[^/%]+(?:%2[fF]|\/)[^/]+|[^@/][^/]*)$/.exec(path);
  if (m) {
    var abbrev = accepts(request, 'application/vnd.npm.install-v1+json') && !request.querystring.write;
    return prefix + 'npm/' + m[1].replace(/%2[fF]/, '/') + (abbrev ? '/index.abbrev.json' : '/index.json');
  }
  m = /^npm\/-\/package\/(.+)\/dist-tags$/.exec(path);
  if (m) return prefix + 'npm/' + m[1].replace(/%2[fF]/, '/') + '/dist-tags.json';
  m = /^pypi\/simple\/(?:([^/]+)\/)?$/.exec(path);
  if (m) {
    var page = accepts(request, 'application/vnd.pypi.simple.v1+json') ? 'index.json' : 'index.html';
    return prefix + 'pypi/simple/' + (m[1] ? m[1].replace(/[-_.]+/g, '-').toLowerCase() + '/' : '') + page;
  }
  if (path === 'gems/') return prefix + 'gems/versions';
  return prefix + path;
}

async function handler(event) {
  var request = event.request;
  delete request.headers['x-packyard-origin'];
  var m = /^\/([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)\/(.+)$/.exec(request.uri);
  if (!m) return request;
  var owner = m[1];
  var repo = owner + '/' + m[2];
  if (m[3] === 'gpgkey.asc') request.uri = '/' + repo + '/gpgkey';
  if (REGISTRY.test(m[3])) {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || (DYNAMIC.test(m[3]) && !STATIC_TAGS.test(m[3]))) return toApi(request);
    // PEP 503: a project URL without its trailing slash is redirected to it.
    if (/^pypi\/simple\/[^/]+$/.test(m[3])) {
      return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: request.uri + '/' } } };
    }
    request.uri = registryKey(request, '/' + repo + '/', m[3]);
  }

  if ((await lookup('r:' + repo)) !== 'private') return request;
  var creds = credentials(request.headers);
  if (creds.length === 0) return unauthorized(repo, 'authentication required');
  for (var i = 0; i < creds.length; i++) {
    if (creds[i].indexOf('pky_') !== 0) continue;
    var opens = creds[i].indexOf('.') > 0 ? await readTokenOpens(creds[i], repo) : false;
    if (!opens) {
      var entry = await lookup('t:' + crypto.createHash('sha256').update(creds[i]).digest('hex'));
      opens = !!entry && (await tokenOpens(entry, repo, owner));
    }
    if (opens) {
      // The origin never needs the credential; dropping it keeps it out of logs and cache keys.
      delete request.headers.authorization;
      return request;
    }
  }
  return unauthorized(repo, 'the token is invalid, revoked, or not valid for this repository');
}
