// The fleet panel: GET /api/v1/fleet every 2 s (the instances' heartbeats in Redis, whichever instance answers),
// requests per instance over the last 10 s from the differences of their counters, a dead instance in red.
import { api, el, instanceBadge } from './api.js';

const POLL_MS = 2000;
const WINDOW_MS = 10000;

export function startFleet({ rows, error, onUpdate }) {
  const history = new Map(); // id -> [{at, requests}]
  let stopped = false;

  async function poll() {
    if (stopped) {
      return;
    }
    try {
      const { data, info } = await api('GET', '/api/v1/fleet', undefined, { quiet: true });
      render(data, info);
      error.textContent = '';
    } catch (e) {
      error.textContent = e.status === 429
        ? 'Fleet view paused: rate limited.'
        : 'Fleet view unavailable: ' + e.message;
    } finally {
      if (!stopped) {
        setTimeout(poll, POLL_MS);
      }
    }
  }

  function render(data, info) {
    const now = Date.now();
    const rates = new Map();
    for (const i of data.instances) {
      const h = history.get(i.id) || [];
      h.push({ at: now, requests: i.requests });
      while (h.length > 1 && now - h[0].at > WINDOW_MS) {
        h.shift();
      }
      history.set(i.id, h);
      rates.set(i.id, Math.max(0, i.requests - h[0].requests));
    }
    const max = Math.max(1, ...rates.values());
    rows.replaceChildren();
    for (const i of data.instances) {
      const tr = el('tr');
      tr.dataset.instance = i.id;
      tr.dataset.status = i.status;
      const name = el('th');
      name.scope = 'row';
      name.append(instanceBadge(i.id));
      if (i.id === info.instance) {
        name.append(el('span', 'answered', 'answered this poll'));
      }
      const status = el('td', 'state ' + i.status, i.status);
      if (i.status === 'down') {
        status.append(el('span', 'answered', `no heartbeat for ${Math.round(i.lastBeatMs / 1000)} s`));
      } else if (i.status === 'draining') {
        status.append(el('span', 'answered', 'leaving nginx, finishing its requests'));
      }
      const served = el('td');
      const meter = el('meter');
      meter.min = 0;
      meter.max = max;
      meter.value = rates.get(i.id);
      meter.textContent = String(rates.get(i.id));
      served.append(meter, el('span', 'count', ' ' + rates.get(i.id)));
      tr.append(name, status, served, el('td', null, i.sockets));
      rows.append(tr);
    }
    if (onUpdate) {
      onUpdate(data);
    }
  }

  poll();
  return { stop: () => { stopped = true; } };
}
