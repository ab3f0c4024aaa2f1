// tests/web/check-servertext.mjs — every bilingual message the server writes ("中文 / English",
// in a string literal of src/**/*.c) is split by the web app's serverText(): in Chinese the
// Chinese half alone is shown, in English the English half.  A message written
// "…（交付#1）/ receipt …" (no space before the slash) was shown whole, English and all, on a
// Chinese screen (the supplier handover's receipt_used; a duplicate ID number's …).
//   node tests/web/check-servertext.mjs   — exits 1 on a problem.  run.mjs runs it too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CJK = /[\u3400-\u9fff]/;

export async function checkServerText(root) {
  const { serverText } = await import(path.join(root, 'web/js/i18n.js'));
  const problems = [];
  const walk = (d) => fs.readdirSync(d).flatMap((f) => {
    const p = path.join(d, f);
    return fs.statSync(p).isDirectory() ? walk(p) : p.endsWith('.c') ? [p] : [];
  });
  let n = 0;
  for (const f of walk(path.join(root, 'src'))) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/fprintf|fputs|printf\(/.test(line)) return; // the command line's own messages, not the API's
      for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
        const s = m[1];
        // a message's Chinese half, then a slash, then its English half
        if (!CJK.test(s) || !/\/ [A-Za-z%(]/.test(s)) continue;
        const k = s.search(/\/ [A-Za-z%(]/);
        if (!CJK.test(s.slice(0, k))) continue;
        n += 1;
        const zh = serverText(s);
        if (zh === s || /\/ [A-Za-z%(]/.test(zh)) problems.push(path.relative(root, f) + ':' + (i + 1) + ': not split: ' + s.slice(0, 80));
      }
    });
  }
  if (n < 50) problems.push('only ' + n + ' bilingual messages found in src/: the scan is broken');
  // and the split itself
  const cases = [
    ['缺少必填字段 / phone is required', '缺少必填字段'],
    ['丽园蔬菜配送的收据R001已经登记过（交付#1）/ receipt R001 of 丽园蔬菜配送 is recorded already (handover #1)', '丽园蔬菜配送的收据R001已经登记过（交付#1）'],
    ['not Chinese / at all', 'not Chinese / at all'],
  ];
  for (const [msg, want] of cases) if (serverText(msg) !== want) problems.push('serverText(' + JSON.stringify(msg) + ') = ' + JSON.stringify(serverText(msg)));
  // full (an import's error rows): the Chinese half and the detail only the English half names,
  // no English words on a Chinese screen
  const full = [
    ['未知标签 / unknown flag: 没网', '未知标签：没网'],
    ['没有这个楼栋或单元 / no building or entrance 420107003008-B99', '没有这个楼栋或单元：420107003008-B99'],
    ['没有这个楼栋或单元 / no building or entrance NOPE-UNIT', '没有这个楼栋或单元：NOPE-UNIT'],
    ['校验位错误 / check digit is wrong', '校验位错误'],
    ['出生日期格式应为 YYYY-MM-DD 且不晚于今天 / birth_date: YYYY-MM-DD, not in the future', '出生日期格式应为 YYYY-MM-DD 且不晚于今天'],
    ['姓名 1–50 字 / name: 1–50 characters', '姓名 1–50 字'],
  ];
  for (const [msg, want] of full) if (serverText(msg, true) !== want) problems.push('serverText(' + JSON.stringify(msg) + ', true) = ' + JSON.stringify(serverText(msg, true)));
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const problems = await checkServerText(root);
  for (const p of problems) console.log(p);
  console.log(problems.length ? problems.length + ' problems' : 'server texts ok');
  process.exit(problems.length ? 1 : 0);
}
