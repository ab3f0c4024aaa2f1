// tests/web/check-zh.mjs — Chinese that reads as Chinese: no English words inside the
// Chinese catalogue (web/i18n/zh.js) or on a Chinese screen, and full-width punctuation
// (，：；？！（）) in Chinese text, so that "已保存 3栋 1单元 102:4 人" cannot read as a ratio.
//   node tests/web/check-zh.mjs [web]   — the catalogue; exits 1 on a problem.
// run.mjs (tests/web/issue13.mjs) runs it too and applies zhTextProblems to the text of
// Chinese screens.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Latin words that belong in Chinese text: file formats and encodings, units, the language
// switch (English by design), the pinyin search example, a medical abbreviation, the build
// command in the no-charts notice.
export const ALLOWED = new Set(['CSV', 'Excel', 'XLSX', 'UTF', 'GBK', 'MB', 'KB', 'HTTP', 'English', 'lxq', 'CT',
  'npm', 'ci', 'run', 'build', 'QR']);
// Keys whose text is not Chinese on purpose (read by those who look for English).
const NOT_CHINESE = new Set(['lang.other', 'lang.switch_label']);

const CJK = /[\u3400-\u9fff]/;

function latinWords(s) {
  const out = [];
  // a word of letters only (codes with digits — gw02, 420107003008-G01 — are not words)
  for (const m of s.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z]{2,}(?![A-Za-z0-9_-])/g)) if (!ALLOWED.has(m[0])) out.push(m[0]);
  return out;
}

// Problems of one catalogue text (placeholders {x} are words of the sentence).
export function zhValueProblems(v) {
  const s = String(v);
  if (!CJK.test(s)) return [];
  const bare = s.replace(/\{\w+\}/g, '');
  const out = latinWords(bare).map((w) => `English word "${w}"`);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const prev = s[i - 1] || '';
    const next = s[i + 1] || '';
    if (c === ',' && /\d/.test(prev) && /\d/.test(next)) continue; // 1,000
    if (c === ':' && /\d/.test(prev) && /\d/.test(next) && /\d\d:\d\d/.test(s.slice(i - 2, i + 3))) continue; // 08:30
    if (',:;?!()'.includes(c)) out.push(`half-width "${c}" in "${s.slice(Math.max(0, i - 6), i + 6)}"`);
  }
  return out;
}

// Problems of the text of a Chinese screen: English words, and half-width , : ; ? ! ( )
// next to a Chinese character.
export function zhTextProblems(text) {
  const out = [];
  for (const line of String(text).split('\n')) {
    if (!CJK.test(line)) continue;
    for (const w of latinWords(line)) out.push(`English word "${w}" in "${line.trim().slice(0, 60)}"`);
    const m = /[\u3400-\u9fff] ?[,:;?!()]|[,:;?!()] ?[\u3400-\u9fff]/.exec(line);
    if (m) out.push(`half-width punctuation "${m[0]}" in "${line.trim().slice(0, 60)}"`);
  }
  return out;
}

export async function checkZh(web) {
  const zh = (await import(path.join(web, 'i18n/zh.js'))).default;
  const problems = [];
  for (const [k, v] of Object.entries(zh)) {
    if (NOT_CHINESE.has(k)) continue;
    for (const p of zhValueProblems(v)) problems.push(`zh.js ${k}: ${p}`);
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const web = path.resolve(process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web'));
  const problems = await checkZh(web);
  for (const p of problems) console.log(p);
  console.log(problems.length ? problems.length + ' problems' : 'zh ok');
  process.exit(problems.length ? 1 : 0);
}
