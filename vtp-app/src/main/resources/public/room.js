// A course's live room over a WebSocket through nginx (/ws/rooms/{courseId}), authenticated by the session cookie
// on the upgrade. Every event names the instance that relayed it into Redis; the welcome names the instance this
// socket is on. When that instance dies the socket drops and the room reconnects by itself, to any instance.
import { el, instanceBadge } from './api.js';

const POLICY_VIOLATION = 1008;

export class Room {
  constructor({ status, members, messages, onState }) {
    this.ui = { status, members, messages };
    this.onState = onState || (() => {});
    this.ws = null;
    this.courseId = null;
    this.wanted = false;
    this.attempt = 0;
    this.instance = null;
    this.userId = null;
    this.people = new Map(); // userId -> {name, instance}
    this.timer = null;
  }

  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.instance !== null;
  }

  join(courseId, title) {
    this.leave(false);
    this.courseId = courseId;
    this.title = title;
    this.wanted = true;
    this.attempt = 0;
    this.ui.messages.replaceChildren();
    this.connect();
  }

  /** Leaves the room (sign-out, another room): closes the socket and does not come back. */
  leave(report = true) {
    this.wanted = false;
    clearTimeout(this.timer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, 'left');
    }
    this.instance = null;
    this.people.clear();
    this.renderMembers();
    if (report) {
      this.setStatus('Not connected. Open a course and join its room.', 'idle');
    }
    this.onState(this);
  }

  send(text) {
    if (!this.connected) {
      return false;
    }
    this.ws.send(JSON.stringify({ type: 'message', data: { text } }));
    return true;
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws/rooms/${this.courseId}`);
    this.ws = ws;
    this.setStatus(this.attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${this.attempt})…`, 'pending');
    ws.addEventListener('message', (m) => {
      if (ws === this.ws) {
        this.handle(JSON.parse(m.data));
      }
    });
    ws.addEventListener('close', (c) => {
      if (ws === this.ws) {
        this.closed(c);
      }
    });
  }

  closed(c) {
    const lost = this.instance;
    this.ws = null;
    this.instance = null;
    this.onState(this);
    if (!this.wanted) {
      return;
    }
    if (c.code === POLICY_VIOLATION) {
      this.wanted = false;
      this.people.clear();
      this.renderMembers();
      this.setStatus('Closed by the server: ' + (c.reason || 'not allowed') + '.', 'error');
      return;
    }
    this.attempt += 1;
    const delay = Math.min(2000, 250 * 2 ** Math.min(this.attempt - 1, 3));
    if (lost) {
      this.system(`Connection to ${lost} lost (code ${c.code}); reconnecting to any instance…`);
    }
    this.setStatus(`Connection lost (code ${c.code}); reconnecting in ${delay} ms…`, 'pending');
    this.timer = setTimeout(() => this.connect(), delay);
  }

  handle(e) {
    switch (e.type) {
      case 'welcome': {
        const again = this.attempt > 0;
        this.instance = e.instance;
        this.userId = e.userId;
        this.attempt = 0;
        this.people.clear();
        this.status(again);
        if (again) {
          this.system(`Reconnected through ${e.instance}.`);
        }
        // Ask who is here: each member answers with a signal addressed to us.
        this.ws.send(JSON.stringify({ type: 'signal', data: { kind: 'hello' } }));
        this.onState(this);
        break;
      }
      case 'join':
        this.member(e);
        if (e.from.userId !== this.userId) {
          this.ws.send(JSON.stringify({ type: 'signal', to: e.from.userId, data: { kind: 'here' } }));
        }
        break;
      case 'leave':
        this.people.delete(e.from.userId);
        this.renderMembers();
        break;
      case 'signal':
        this.member(e);
        if (e.data && e.data.kind === 'hello' && e.from.userId !== this.userId) {
          this.ws.send(JSON.stringify({ type: 'signal', to: e.from.userId, data: { kind: 'here' } }));
        }
        break;
      case 'message':
        this.message(e);
        break;
      case 'error':
        this.system('Server: ' + e.error);
        break;
      default:
        break;
    }
  }

  status(again) {
    const s = this.ui.status;
    s.replaceChildren(again ? 'Reconnected: your socket is on ' : 'Connected: your socket is on ');
    const badge = instanceBadge(this.instance);
    badge.id = 'room-instance';
    s.append(badge, '.');
    s.dataset.state = 'connected';
  }

  member(e) {
    this.people.set(e.from.userId, { name: e.from.name, instance: e.instance });
    this.renderMembers();
  }

  renderMembers() {
    const list = this.ui.members;
    list.replaceChildren();
    for (const [id, p] of [...this.people.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name))) {
      const li = el('li', null, p.name + (id === this.userId ? ' (you)' : '') + ' on ');
      li.dataset.userId = String(id);
      li.append(instanceBadge(p.instance));
      list.append(li);
    }
  }

  message(e) {
    const li = el('li', 'message');
    li.dataset.relayedBy = e.instance;
    li.dataset.deliveredBy = this.instance || '';
    const who = el('strong', null, e.from.name + (e.from.userId === this.userId ? ' (you)' : ''));
    const text = el('span', 'text', ' ' + ((e.data && e.data.text) || ''));
    const meta = el('span', 'meta small', ' relayed by ');
    meta.append(instanceBadge(e.instance), ' delivered to you by ', instanceBadge(this.instance));
    li.append(who, text, meta);
    this.append(li);
  }

  system(text) {
    this.append(el('li', 'system small', text));
  }

  append(li) {
    const list = this.ui.messages;
    list.append(li);
    while (list.children.length > 50) {
      list.firstElementChild.remove();
    }
    list.scrollTop = list.scrollHeight;
  }

  setStatus(text, state) {
    this.ui.status.textContent = text;
    this.ui.status.dataset.state = state;
  }
}
