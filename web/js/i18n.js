// i18n.js — the message catalogues (web/i18n/zh.js, web/i18n/en.js), the current
// language and the server's bilingual messages ("中文 / English").
let cat = {};
let lang = 'zh';
const KEY = 'wg_lang';

export function storedLang() {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'en' || v === 'zh' ? v : null;
  } catch (e) {
    return null;
  }
}

export function storeLang(l) {
  try {
    window.localStorage.setItem(KEY, l);
  } catch (e) {
    /* private mode: the choice lasts this page only */
  }
}

export async function loadLang(l) {
  const m = l === 'en' ? await import('../i18n/en.js') : await import('../i18n/zh.js');
  cat = m.default;
  lang = l === 'en' ? 'en' : 'zh';
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}

export function getLang() {
  return lang;
}

// t('key', {n: 3}) — the catalogue's text with {n} filled in; the key itself if missing.
export function t(key, params) {
  let s = Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined || params[k] === null ? m : String(params[k])));
  return s;
}

// The label of an enumerated value (t('kind.building')), else the value itself.
export function tv(group, value) {
  if (value === null || value === undefined || value === '') return '';
  const key = group + '.' + value;
  return Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : String(value);
}

// The server writes most messages as "中文 / English": show the half for the language.
// full: in Chinese add the detail the English half names and the Chinese half leaves out — a
// value or a code ("未知标签 / unknown flag: 飞行员" → 未知标签：飞行员), never its English words
// (the whole text was kept: an import's error rows read "校验位错误 / check digit is wrong").
// The separator is " / ", or "/ " right after a closing full-width bracket or stop
// ("已经登记过（交付#1）/ receipt …"), as some of the server's messages write it.
export function serverText(msg, full) {
  if (!msg) return '';
  const m = /(?: |(?<=[）。」]))\/ /.exec(msg);
  if (!m) return /[\u3400-\u9fff]/.test(msg) ? zhPunct(msg) : msg;
  const i = m.index;
  const left = msg.slice(0, i);
  if (!/[\u3400-\u9fff]/.test(left)) return msg;
  if (lang === 'en') return msg.slice(i + m[0].length);
  if (!full) return zhPunct(left);
  const extra = msg.slice(i + m[0].length).split(/[\s,;:()]+/)
    .filter((w) => (/[\u3400-\u9fff]/.test(w) || (w.length >= 4 && /\d/.test(w)) || /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(w)) &&
      !left.includes(w));
  return zhPunct(left.trim()) + (extra.length ? '：' + extra.join(' ') : '');
}

// Chinese text with full-width punctuation: a half-width , : ; ? ! right after a Chinese
// character (some of the server's messages, names joined in code) reads as Chinese.
const FULL = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！' };
export function zhPunct(s) {
  return String(s).replace(/([\u3400-\u9fff])\s*([,:;?!])\s*/g, (m, c, p) => c + FULL[p]);
}
