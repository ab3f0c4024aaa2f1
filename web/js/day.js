// day.js — the Beijing calendar: the one place the web app turns a clock into a day or a
// time of day.  China keeps UTC+8 all year (no daylight saving), so "Beijing wall time" is
// the UTC reading of the instant plus eight hours, whatever this device's own zone is.
import { getLang } from './i18n.js';

const BEIJING_MS = 8 * 3600 * 1000;

// "YYYY-MM-DDTHH:MM:SS.sssZ" holding Beijing's wall time of the instant ms.
function wall(ms) {
  return new Date((ms === undefined ? Date.now() : ms) + BEIJING_MS).toISOString();
}

// The Beijing day of an instant (default now): "2026-11-27".
export function beijingDay(ms) {
  return wall(ms).slice(0, 10);
}

// "2026-11-27 08:12" in Beijing time.
export function beijingTime(ms) {
  return wall(ms).slice(0, 16).replace('T', ' ');
}

// Minutes since Beijing midnight (0..1439).
export function beijingMinutes(ms) {
  const w = wall(ms);
  return Number(w.slice(11, 13)) * 60 + Number(w.slice(14, 16));
}

// "2026-11-27" minus n days.
export function dayMinus(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

// "11月27日 星期五" / "Fri 27 Nov"
export function dayTitle(day) {
  const d = new Date(day + 'T12:00:00+08:00');
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(getLang() === 'en' ? 'en-GB' : 'zh-CN',
    { month: 'short', day: 'numeric', weekday: 'short', timeZone: 'Asia/Shanghai' }).format(d);
}
