// tests/web/check-i18n.mjs — both catalogues have the same keys, and every t('key') in
// web/js exists (a key written as a prefix, t('today.tab_' + name), must start some key).
// node tests/web/check-i18n.mjs [web]   — exits 1 on a problem.  run.mjs runs it too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export async function checkI18n(web) {
  const zh = (await import(path.join(web, 'i18n/zh.js'))).default;
  const en = (await import(path.join(web, 'i18n/en.js'))).default;
  const problems = [];
  for (const k in zh) if (!(k in en)) problems.push('missing in en: ' + k);
  for (const k in en) if (!(k in zh)) problems.push('missing in zh: ' + k);
  const walk = (d) => fs.readdirSync(d).flatMap((f) => {
    const p = path.join(d, f);
    return fs.statSync(p).isDirectory() ? walk(p) : p.endsWith('.js') ? [p] : [];
  });
  const keys = Object.keys(zh);
  for (const f of walk(path.join(web, 'js'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-z_0-9]+\.[a-z_0-9.]*)'/g)) {
      const k = m[1];
      const ok = k.endsWith('_') || k.endsWith('.') ? keys.some((x) => x.startsWith(k)) : k in zh;
      if (!ok) problems.push(path.relative(web, f) + ': unknown key ' + k);
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const web = path.resolve(process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web'));
  const problems = await checkI18n(web);
  for (const p of problems) console.log(p);
  console.log(problems.length ? problems.length + ' problems' : 'i18n ok');
  process.exit(problems.length ? 1 : 0);
}
