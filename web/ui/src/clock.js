// Contest time: the server's clock decides when a contest starts and ends,
// so countdowns read this browser's clock corrected by the server's `now`.
import { h } from './dom.js';

// serverClock returns a function giving the server's time in milliseconds,
// from the server's `now` (an ISO time) answered to a request sent at
// sentAt and answered at receivedAt (this browser's Date.now()): the
// server read its clock about half way between the two.
export function serverClock(serverNow, sentAt, receivedAt) {
  const at = Date.parse(serverNow);
  if (Number.isNaN(at)) return () => Date.now();
  const offset = at - (sentAt + receivedAt) / 2;
  return () => Date.now() + offset;
}

// phaseAt is a contest's phase at t (milliseconds): upcoming, running or
// over, as the server's Contest.Phase says.
export function phaseAt(contest, t) {
  if (t < Date.parse(contest.start)) return 'upcoming';
  if (t < Date.parse(contest.end)) return 'running';
  return 'over';
}

const pad = (n) => String(n).padStart(2, '0');

// countdown writes a duration as a clock: "4:05:09", "0:00:59", or
// "2 d 04:05:09" beyond a day. Seconds are rounded up: a countdown reads
// 0:00:00 only once the time has come.
export function countdown(ms) {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = Math.floor(s / 3600);
  s -= hh * 3600;
  const mm = Math.floor(s / 60);
  s -= mm * 60;
  return d ? `${d} d ${pad(hh)}:${pad(mm)}:${pad(s)}` : `${hh}:${pad(mm)}:${pad(s)}`;
}

// spoken says a duration in words, to the minute: "2 hours 5 minutes",
// "less than a minute".
export function spoken(ms) {
  let m = Math.floor(Math.max(0, ms) / 60000);
  if (m < 1) return 'less than a minute';
  const parts = [];
  for (const [unit, n] of [['day', 1440], ['hour', 60], ['minute', 1]]) {
    const k = Math.floor(m / n);
    m -= k * n;
    if (k) parts.push(`${k} ${unit}${k === 1 ? '' : 's'}`);
  }
  return parts.join(' ');
}

const whenFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

// when writes an ISO time for people, in this browser's time zone.
export function when(iso) {
  return whenFormat.format(new Date(iso));
}

// span writes a contest's window: "7 Dec 2026, 18:00 – 20:00", the date
// once when both ends are on the same day.
export function span(start, end) {
  const a = new Date(start);
  const b = new Date(end);
  const same = a.toDateString() === b.toDateString();
  return [h('time', { datetime: start }, whenFormat.format(a)), ' – ',
    h('time', { datetime: end }, same ? timeFormat.format(b) : whenFormat.format(b))];
}

// ticker calls f every second, just after each second of clock (the
// server's, so that a countdown changes as its seconds pass), until the
// returned function is called.
export function ticker(f, clock = Date.now) {
  let timer = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    f();
    timer = setTimeout(tick, 1000 - (((clock() % 1000) + 1000) % 1000) + 5);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
