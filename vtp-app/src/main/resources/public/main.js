// The VTP Scale demo page: sign-in, courses, the fleet, a course's room and the rate limit, each answer showing the
// instance that served it. No framework, no build step; served by every instance (io.vtp.app.web.WebPage).
import { api, ApiError, cacheBadge, el, instanceBadge, onResponse } from './api.js';
import { startFleet } from './fleet.js';
import { Room } from './room.js';

const $ = (id) => document.getElementById(id);
const state = { user: null, courses: [], enrolled: new Set(), detail: null, reads: 0 };
let noticeTimer = null;

// ---------------------------------------------------------------- every answer

onResponse((info, recent) => {
  if (info.limit) {
    showQuota(info.limit);
  }
  if (info.status === 429) {
    // nginx's own edge limit answers without an instance; the app's limiter answers from one.
    tooMany(info.retryAfter, info.instance ? `the app's limit, answered by ${info.instance}` : "nginx's edge limit");
  }
  const mine = recent.filter((r) => r.instance);
  const counts = new Map();
  for (const r of mine) {
    counts.set(r.instance, (counts.get(r.instance) || 0) + 1);
  }
  $('mine-count').textContent = String(recent.length);
  const tally = $('mine');
  tally.replaceChildren();
  for (const [id, n] of [...counts.entries()].sort()) {
    tally.append(instanceBadge(id), ` ×${n} `);
  }
  if (mine.length < recent.length) {
    // nginx's own answers (its edge 429s) and requests that got no answer carry no X-Instance-Id.
    tally.append(`no instance ×${recent.length - mine.length}`);
  }
  if (!info.quiet) {
    logRequest(info);
  }
});

function logRequest(info) {
  const li = el('li');
  li.append(el('code', null, `${info.method} ${info.path}`), ' ');
  li.append(el('span', info.status >= 400 || info.status === 0 ? 'status bad' : 'status', info.status || 'failed'));
  if (info.instance) {
    li.append(' ', instanceBadge(info.instance));
  }
  if (info.cache) {
    li.append(' ', cacheBadge(info.cache));
  }
  const log = $('request-log');
  log.prepend(li);
  while (log.children.length > 12) {
    log.lastElementChild.remove();
  }
}

function showQuota(limit) {
  $('quota-remaining').textContent = String(limit.remaining);
  $('quota-limit').textContent = limit.quota ? String(limit.quota) : '?';
  $('quota-reset').textContent = `${limit.resetSeconds} s`;
  const meter = $('quota-meter');
  meter.max = limit.quota || Math.max(limit.remaining, 1);
  meter.value = limit.remaining;
  $('quota-text').textContent = `${limit.remaining}${limit.quota ? ' of ' + limit.quota : ''} left (policy '${limit.policy}')`;
}

/** The friendly 429: what happened and how long to wait, counting down. */
function tooMany(retryAfter, by) {
  let left = retryAfter ?? 60;
  const render = () => {
    $('notice-text').textContent = left > 0
      ? `Slow down: you sent more requests than the rate limit allows (${by}). You can continue in ${left} s.`
      : 'The rate limit has reset: you can continue.';
  };
  clearInterval(noticeTimer);
  render();
  $('notice').hidden = false;
  $('notice').dataset.kind = 'rate-limit';
  noticeTimer = setInterval(() => {
    left -= 1;
    render();
    if (left <= 0) {
      clearInterval(noticeTimer);
    }
  }, 1000);
}

function notice(text) {
  clearInterval(noticeTimer);
  $('notice-text').textContent = text;
  $('notice').dataset.kind = 'error';
  $('notice').hidden = false;
}

function problemText(e) {
  if (e instanceof ApiError) {
    if (e.status === 429) {
      return `Too many requests: try again in ${e.info.retryAfter ?? 60} s.`;
    }
    const fields = (e.problem.errors || []).map((x) => `${x.field} ${x.message}`).join('; ');
    return fields || e.message;
  }
  return String(e);
}

// ---------------------------------------------------------------- account

async function signIn(event) {
  event.preventDefault();
  $('signin-error').textContent = '';
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) {
    $('signin-error').textContent = 'Enter an email and a password.';
    return;
  }
  $('signin').disabled = true;
  try {
    const { data } = await api('POST', '/api/v1/auth/login', { email, password });
    $('password').value = '';
    await signedIn(data.user);
  } catch (e) {
    $('signin-error').textContent = e.status === 401 ? 'Wrong email or password.' : problemText(e);
  } finally {
    $('signin').disabled = false;
  }
}

async function signedIn(user) {
  state.user = user;
  $('who').textContent = user.fullName || user.email;
  $('role').textContent = user.role;
  $('signin-form').hidden = true;
  $('demo-accounts').hidden = true;
  $('signed-in').hidden = false;
  $('course-form').hidden = !(user.role === 'teacher' || user.role === 'admin');
  await Promise.all([loadSessions(), loadEnrolments()]);
  renderDetail();
}

async function signOut(everywhere) {
  room.leave();
  try {
    await api('POST', everywhere ? '/api/v1/auth/logout-all' : '/api/v1/auth/logout');
  } catch (e) {
    if (e.status !== 401) {
      notice('Sign-out failed: ' + problemText(e));
      return;
    }
  }
  signedOut();
}

function signedOut() {
  state.user = null;
  state.enrolled.clear();
  room.leave();
  $('signed-in').hidden = true;
  $('signin-form').hidden = false;
  $('demo-accounts').hidden = $('demo-list').children.length === 0;
  $('course-form').hidden = true;
  $('sessions').replaceChildren();
  renderDetail();
  $('email').focus();
}

async function loadSessions() {
  try {
    const { data } = await api('GET', '/api/v1/auth/sessions');
    const list = $('sessions');
    list.replaceChildren();
    for (const s of data.sessions) {
      list.append(el('li', null, `since ${time(s.createdAt)}, last seen ${time(s.lastSeenAt)}, `
        + `ends at the latest ${time(s.expiresAt, true)}`));
    }
  } catch (e) {
    if (e.status === 401) {
      signedOut();
    }
  }
}

async function loadEnrolments() {
  try {
    const { data } = await api('GET', '/api/v1/me/courses');
    state.enrolled = new Set(data.items.map((c) => c.id));
  } catch (e) {
    state.enrolled.clear();
  }
}

function time(value, withDate = false) {
  const d = new Date(typeof value === 'number' && value < 1e11 ? value * 1000 : value);
  if (Number.isNaN(d.getTime())) {
    return String(value);
  }
  return withDate ? d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : d.toLocaleTimeString();
}

function showDemoAccounts(accounts) {
  const list = $('demo-list');
  list.replaceChildren();
  for (const a of accounts) {
    const b = el('button', 'secondary', `Use ${a.email} (${a.role})`);
    b.type = 'button';
    b.dataset.email = a.email;
    b.addEventListener('click', () => {
      $('email').value = a.email;
      $('password').value = a.password;
      $('signin').focus();
    });
    const li = el('li');
    li.append(b);
    list.append(li);
    $('demo-password').textContent = a.password;
  }
  $('demo-accounts').hidden = accounts.length === 0 || state.user !== null;
}

// ---------------------------------------------------------------- courses

async function loadCourses() {
  $('courses-error').textContent = '';
  try {
    const { data, info } = await api('GET', '/api/v1/courses?pageSize=100');
    state.courses = data.items;
    const list = $('course-list');
    list.replaceChildren();
    for (const c of data.items) {
      const b = el('button', 'course', c.title);
      b.type = 'button';
      b.dataset.courseId = String(c.id);
      b.addEventListener('click', () => openCourse(c.id));
      const li = el('li');
      li.append(b);
      list.append(li);
    }
    const badges = $('courses-badges');
    badges.replaceChildren(`${data.total} courses, listed by `, instanceBadge(info.instance));
  } catch (e) {
    $('courses-error').textContent = 'Courses unavailable: ' + problemText(e);
  }
}

async function openCourse(id) {
  $('courses-error').textContent = '';
  try {
    const { data, info } = await api('GET', `/api/v1/courses/${id}`);
    state.detail = { course: data, info };
    state.reads += 1;
    $('course-detail').dataset.reads = String(state.reads);
    $('edit-form').hidden = true;
    renderDetail();
    $('detail-title').focus();
  } catch (e) {
    $('courses-error').textContent = problemText(e);
  }
}

function renderDetail() {
  const d = state.detail;
  $('course-detail').hidden = d === null;
  if (d === null) {
    return;
  }
  const c = d.course;
  $('detail-title').textContent = c.title;
  $('detail-title').tabIndex = -1;
  $('detail-description').textContent = c.description || '(no description)';
  $('detail-badges').replaceChildren(instanceBadge(d.info.instance), ' ', cacheBadge(d.info.cache));
  const u = state.user;
  const owner = u !== null && (u.role === 'admin' || c.instructorId === u.id);
  const member = owner || (u !== null && state.enrolled.has(c.id));
  $('detail-edit').hidden = !owner;
  $('detail-enrol').hidden = u === null || member;
  $('detail-join').hidden = !member;
}

async function createCourse(event) {
  event.preventDefault();
  const title = $('course-title').value.trim();
  if (!title) {
    $('courses-error').textContent = 'A course needs a title.';
    $('course-title').focus();
    return;
  }
  try {
    const { data } = await api('POST', '/api/v1/courses', { title, description: $('course-description').value });
    $('course-title').value = '';
    $('course-description').value = '';
    await loadCourses();
    await openCourse(data.id);
  } catch (e) {
    $('courses-error').textContent = 'Not created: ' + problemText(e);
  }
}

async function saveCourse(event) {
  event.preventDefault();
  const c = state.detail.course;
  try {
    await api('PUT', `/api/v1/courses/${c.id}`, { title: $('edit-title').value.trim(), description: $('edit-description').value });
    await loadCourses();
    await openCourse(c.id);
  } catch (e) {
    $('courses-error').textContent = 'Not saved: ' + problemText(e);
  }
}

async function enrol() {
  const c = state.detail.course;
  try {
    await api('POST', `/api/v1/courses/${c.id}/enrolment`, {});
    state.enrolled.add(c.id);
    renderDetail();
    $('detail-join').focus();
  } catch (e) {
    $('courses-error').textContent = 'Not enrolled: ' + problemText(e);
  }
}

// ---------------------------------------------------------------- room

const room = new Room({
  status: $('room-status'),
  members: $('members'),
  messages: $('messages'),
  onState: (r) => {
    $('message').disabled = !r.connected;
    $('send').disabled = !r.connected;
    $('leave-room').disabled = !r.wanted;
    $('room-name').textContent = r.wanted ? `“${r.title}”` : '';
  },
});

function sendMessage(event) {
  event.preventDefault();
  const text = $('message').value.trim();
  if (text && room.send(text)) {
    $('message').value = '';
  }
}

// ---------------------------------------------------------------- rate limit

async function burst() {
  const button = $('burst');
  button.disabled = true;
  const total = 120;
  const counts = { ok: 0, limited: 0, other: 0 };
  let retry = null;
  const refusedBy = new Set();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      try {
        await api('GET', '/api/v1/courses?pageSize=1', undefined, { quiet: true });
        counts.ok += 1;
      } catch (e) {
        if (e.status === 429) {
          counts.limited += 1;
          retry = e.info.retryAfter ?? retry;
          refusedBy.add(e.info.instance ? 'the app' : 'nginx');
        } else {
          counts.other += 1;
        }
      }
      $('burst-result').textContent = `${counts.ok + counts.limited + counts.other} of ${total} sent…`;
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  $('burst-result').textContent = `${total} requests: ${counts.ok} answered, ${counts.limited} refused with 429`
    + (refusedBy.size ? ` (by ${[...refusedBy].join(' and ')})` : '')
    + (counts.other ? `, ${counts.other} failed otherwise` : '')
    + (retry !== null ? `; the limit lets you in again in ${retry} s.` : '.');
  button.disabled = false;
}

// ---------------------------------------------------------------- start

async function start() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', () => signOut(false));
  $('signout-all').addEventListener('click', () => signOut(true));
  $('reload-courses').addEventListener('click', loadCourses);
  $('course-form').addEventListener('submit', createCourse);
  $('detail-reload').addEventListener('click', () => openCourse(state.detail.course.id));
  $('detail-enrol').addEventListener('click', enrol);
  $('detail-join').addEventListener('click', () => {
    room.join(state.detail.course.id, state.detail.course.title);
    $('message').focus();
  });
  $('detail-edit').addEventListener('click', () => {
    $('edit-title').value = state.detail.course.title;
    $('edit-description').value = state.detail.course.description || '';
    $('edit-form').hidden = false;
    $('edit-title').focus();
  });
  $('edit-form').addEventListener('submit', saveCourse);
  $('edit-cancel').addEventListener('click', () => { $('edit-form').hidden = true; });
  $('message-form').addEventListener('submit', sendMessage);
  $('leave-room').addEventListener('click', () => room.leave());
  $('burst').addEventListener('click', burst);
  $('notice-close').addEventListener('click', () => {
    clearInterval(noticeTimer);
    $('notice').hidden = true;
  });

  try {
    const { data } = await api('GET', '/api/v1/page');
    $('page-instance').replaceWith(Object.assign(instanceBadge(data.instance), { id: 'page-instance' }));
    showDemoAccounts(data.demoAccounts || []);
    if (data.user) {
      await signedIn(data.user);
    }
  } catch (e) {
    notice('The page could not start: ' + problemText(e));
  }
  startFleet({ rows: $('fleet-rows'), error: $('fleet-error') });
  await loadCourses();
  document.body.dataset.ready = 'true';
}

start();
