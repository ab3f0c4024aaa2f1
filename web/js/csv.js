// csv.js — RFC 4180 CSV read the way the server reads it (src/core/csv.c), so that the
// line numbers of an import report find their rows in the file the browser sent: a BOM
// skipped, quoted fields holding commas, doubled quotes and line breaks, LF, CRLF or a
// lone CR ending a line, blanks around fields trimmed, blank lines skipped, and the same
// resynchronisation after a malformed record.  And the writer for sending rows back.
// Loaded by the import page only.

// The text of a UTF-8 file (BOM removed), or null when the bytes are not UTF-8 (the
// server converts GBK; the browser does not try).
export function decodeUtf8(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops one BOM
  } catch (e) {
    return null;
  }
}

// Line breaks in s (LF, CRLF, a lone CR), as the server counts them.
export function countBreaks(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

const isBlank = (c) => c === ' ' || c === '\t';
const isSpecial = (c) => c === ',' || c === '"' || c === '\r' || c === '\n';

// Every record of text: [{line, fields, bad}], header first.  line is the physical line
// where the record starts (1-based).  A malformed record (unterminated quote, stray quote)
// comes back with bad: true and its raw text split at commas, so that it can still be
// edited; parsing then resumes where the server resumes.
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.length;
  const out = [];
  let pos = 0;
  let line = 1;

  // to the byte after the next line break at or after p (or the end)
  const skipLine = (p) => {
    while (p < end && text[p] !== '\n' && text[p] !== '\r') p++;
    const stop = p;
    if (p < end) {
      if (text[p] === '\r' && text[p + 1] === '\n') p++;
      p++;
      line++;
    }
    return [stop, p];
  };
  const malformed = (startLine, startPos, errPos, unterminated) => {
    let stop;
    if (unterminated) {
      line = startLine;
      [stop, pos] = skipLine(startPos);
    } else {
      [stop, pos] = skipLine(errPos);
    }
    const raw = text.slice(startPos, stop);
    out.push({ line: startLine, fields: raw.split(',').map((f) => f.trim()), bad: true });
  };

  outer:
  while (pos < end) {
    const startLine = line;
    const startPos = pos;
    const fields = [];
    let anyQuoted = false;
    let p = pos;
    for (;;) {
      let q = p;
      while (q < end && isBlank(text[q])) q++;
      if (q < end && text[q] === '"') {
        anyQuoted = true;
        p = q + 1;
        let val = '';
        for (;;) {
          const qq = text.indexOf('"', p);
          if (qq < 0) {
            malformed(startLine, startPos, end, true);
            continue outer;
          }
          const chunk = text.slice(p, qq);
          // a CR just before the closing quote is a line of its own (the next byte is '"')
          line += countBreaks(chunk);
          val += chunk;
          p = qq + 1;
          if (text[p] === '"') {
            val += '"';
            p++;
            continue;
          }
          break;
        }
        while (p < end && isBlank(text[p])) p++;
        if (p < end && (text[p] === '"' || !isSpecial(text[p]))) {
          malformed(startLine, startPos, p, false);
          continue outer;
        }
        fields.push(val);
      } else {
        const s = q;
        p = q;
        while (p < end && !isSpecial(text[p])) p++;
        if (p < end && text[p] === '"') {
          malformed(startLine, startPos, p, false);
          continue outer;
        }
        let e = p;
        while (e > s && isBlank(text[e - 1])) e--;
        fields.push(text.slice(s, e));
      }
      if (p < end && text[p] === ',') {
        p++;
        continue;
      }
      if (p < end) { // a line break
        if (text[p] === '\r' && text[p + 1] === '\n') p++;
        p++;
        line++;
      }
      break;
    }
    pos = p;
    if (fields.length === 1 && !anyQuoted && fields[0] === '') continue; // a blank line
    out.push({ line: startLine, fields, bad: false });
  }
  return out;
}

// One field for output: quoted when it holds a comma, a quote or a line break (quotes
// doubled).  Blanks around an unquoted field are left for the server to trim.
export function quoteField(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// A CSV file of records (arrays of fields), LF line ends; lines[i] is the physical line on
// which records[i] starts (the header, if records[0] is one, is line 1).
export function writeCsv(records) {
  let text = '';
  let line = 1;
  const lines = [];
  for (const r of records) {
    const rec = r.map(quoteField).join(',');
    lines.push(line);
    text += rec + '\n';
    line += countBreaks(rec) + 1;
  }
  return { text, lines };
}
