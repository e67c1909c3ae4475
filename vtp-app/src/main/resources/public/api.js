// Same-origin JSON calls to the API, and what every answer tells: the instance that served it (X-Instance-Id),
// the cache outcome (X-Cache), the rate limit (RateLimit, RateLimit-Policy, Retry-After).
// The session is the HttpOnly cookie the browser keeps: this script never sees it.

const RECENT = 20;
const recent = [];
const listeners = new Set();

/** An answer that was not 2xx: status, the problem body and what the headers said. */
export class ApiError extends Error {
  constructor(status, problem, info) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.info = info;
  }
}

/** Calls fn(info, recentInfos) after every answer. */
export function onResponse(fn) {
  listeners.add(fn);
}

/** The last answers, newest first. */
export function recentResponses() {
  return recent.slice();
}

/**
 * One request. body (optional) is sent as JSON. quiet: kept out of the visible request log (the fleet poll).
 * Resolves to {data, info}; rejects with ApiError for a non-2xx answer (status 0: no answer at all).
 */
export async function api(method, path, body, { quiet = false } = {}) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    const info = { method, path, status: 0, quiet, at: Date.now() };
    publish(info);
    throw new ApiError(0, { detail: 'no answer from the server (' + e.message + ')' }, info);
  }
  const info = {
    method,
    path,
    status: res.status,
    quiet,
    at: Date.now(),
    instance: res.headers.get('X-Instance-Id'),
    cache: res.headers.get('X-Cache'),
    limit: parseRateLimit(res.headers.get('RateLimit'), res.headers.get('RateLimit-Policy')),
    retryAfter: parseRetryAfter(res.headers.get('Retry-After')),
  };
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { detail: text.slice(0, 200) };
    }
  }
  publish(info);
  if (!res.ok) {
    throw new ApiError(res.status, data, info);
  }
  return { data, info };
}

function publish(info) {
  recent.unshift(info);
  recent.length = Math.min(recent.length, RECENT);
  for (const fn of listeners) {
    try {
      fn(info, recent);
    } catch (e) {
      console.warn('response listener failed', e);
    }
  }
}

/**
 * The binding (lowest remaining) policy of the IETF fields: RateLimit '"api";r=42;t=36' and RateLimit-Policy
 * '"api";q=100;w=60'. Returns {policy, remaining, resetSeconds, quota} or null when the answer had none.
 */
export function parseRateLimit(state, policy) {
  if (!state) {
    return null;
  }
  const quotas = new Map();
  for (const item of splitList(policy)) {
    quotas.set(item.name, Number(item.params.q));
  }
  let best = null;
  for (const item of splitList(state)) {
    const remaining = Number(item.params.r);
    if (Number.isNaN(remaining)) {
      continue;
    }
    if (best === null || remaining < best.remaining) {
      best = { policy: item.name, remaining, resetSeconds: Number(item.params.t) || 0, quota: quotas.get(item.name) };
    }
  }
  return best;
}

function splitList(field) {
  if (!field) {
    return [];
  }
  return field.split(',').map((member) => {
    const [name, ...params] = member.trim().split(';');
    const p = {};
    for (const kv of params) {
      const [k, v] = kv.split('=');
      p[k.trim()] = v;
    }
    return { name: name.replace(/"/g, ''), params: p };
  });
}

function parseRetryAfter(value) {
  if (!value) {
    return null;
  }
  const seconds = Number(value);
  if (!Number.isNaN(seconds)) {
    return Math.max(0, Math.round(seconds));
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** A small element: tag, class names, text. */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined && text !== null) {
    e.textContent = String(text);
  }
  return e;
}

/** A badge naming an instance, coloured per instance (the colour comes from the name, not from inline style). */
export function instanceBadge(id) {
  const b = el('span', 'badge instance', id || '?');
  b.dataset.tone = String(tone(id || '?'));
  return b;
}

/** A badge for X-Cache. */
export function cacheBadge(cache) {
  const b = el('span', 'badge cache', cache ? 'cache ' + cache : 'no cache');
  b.dataset.cache = cache || 'none';
  return b;
}

function tone(id) {
  const digits = id.match(/(\d+)$/);
  if (digits) {
    return (Number(digits[1]) - 1) % 6;
  }
  let h = 0;
  for (const c of id) {
    h = (h * 31 + c.charCodeAt(0)) >>> 0;
  }
  return h % 6;
}
