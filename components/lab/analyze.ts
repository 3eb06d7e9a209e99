/**
 * Which names a Lab cell defines and which it uses, found by a small lexer (no parser, so it
 * can run on the page before the compiler loads). A cell defines the names declared at its top
 * level (`const`/`let`/`var`, including simple destructuring, `function`, `class`); it uses
 * every other identifier that is not a property name after `.`. The notebook turns the used
 * names that another cell defines into the cell's inputs (the dependency graph by names).
 * Over-approximating uses is harmless (an extra edge); type names are ignored unless a cell
 * defines a value of that name.
 */

/** What `analyzeCell` found. */
export interface CellAnalysis {
  /** Names declared at the cell's top level, in order, without repeats. */
  defines: string[];
  /** Identifiers the cell reads that it does not define itself, without repeats. */
  uses: string[];
}

const KEYWORDS = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async of as from type readonly declare namespace keyof infer is unique abstract satisfies asserts undefined get set constructor any unknown never number string boolean bigint symbol object').split(' '),
);

interface Tok {
  t: 'id' | 'p' | 'nl';
  v: string;
}

/** Tokens of `src`: identifiers, punctuation and newlines; strings, comments and numbers dropped
 *  (code inside `${...}` of template literals is kept). Never throws. */
export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  const n = src.length;
  let i = 0;
  const tmplDepth: number[] = []; // brace depth at which each open `${` resumes its template
  let braces = 0;
  const template = () => {
    // i is just after a backtick or a closing `}` of `${`
    while (i < n) {
      const c = src[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { i++; return; }
      if (c === '$' && src[i + 1] === '{') { i += 2; tmplDepth.push(braces); braces++; out.push({ t: 'p', v: '(' }); return; }
      i++;
    }
  };
  while (i < n) {
    const c = src[i];
    if (c === '\n') { out.push({ t: 'nl', v: '\n' }); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') { const e = src.indexOf('*/', i + 2); const body = src.slice(i, e < 0 ? n : e); for (const ch of body) if (ch === '\n') out.push({ t: 'nl', v: '\n' }); i = e < 0 ? n : e + 2; continue; }
    if (c === '"' || c === "'") { i++; while (i < n && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1; i++; out.push({ t: 'p', v: 'str' }); continue; }
    if (c === '`') { i++; template(); out.push({ t: 'p', v: 'str' }); continue; }
    if (/[A-Za-z_$]/.test(c)) { let j = i + 1; while (j < n && /[\w$]/.test(src[j])) j++; out.push({ t: 'id', v: src.slice(i, j) }); i = j; continue; }
    if (/[0-9]/.test(c)) { let j = i + 1; while (j < n && /[\w.]/.test(src[j])) j++; i = j; out.push({ t: 'p', v: 'num' }); continue; }
    if (c === '.' && src[i + 1] === '.' && src[i + 2] === '.') { out.push({ t: 'p', v: '...' }); i += 3; continue; }
    if (c === '{') braces++;
    if (c === '}') {
      if (tmplDepth.length && tmplDepth[tmplDepth.length - 1] === braces - 1) { tmplDepth.pop(); braces--; out.push({ t: 'p', v: ')' }); i++; template(); continue; }
      braces--;
    }
    out.push({ t: 'p', v: c });
    i++;
  }
  return out;
}

/** The names `source` defines at top level and the names it uses. Never throws. */
export function analyzeCell(source: string): CellAnalysis {
  const toks = lex(source);
  const defines: string[] = [];
  const define = (v: string) => { if (!defines.includes(v)) defines.push(v); };
  let depth = 0;
  let inDecl = false; // inside a top-level const/let/var statement
  let declExpectName = false;
  for (let k = 0; k < toks.length; k++) {
    const tk = toks[k];
    const prev = toks[k - 1];
    if (tk.t === 'p') {
      if ('([{'.includes(tk.v)) {
        if (inDecl && declExpectName && depth === 0 && (tk.v === '{' || tk.v === '[')) {
          // destructuring pattern: names not followed by ':' are bound
          let d = 0;
          let m = k;
          for (; m < toks.length; m++) {
            const x = toks[m];
            if (x.t === 'p' && '([{'.includes(x.v)) d++;
            else if (x.t === 'p' && ')]}'.includes(x.v)) { d--; if (d === 0) break; }
            else if (x.t === 'id' && !KEYWORDS.has(x.v)) {
              const nx = toks[m + 1];
              const pv = toks[m - 1];
              const bindable = pv && pv.t === 'p' && ['{', ',', '[', ':', '...'].includes(pv.v);
              if (bindable && !(nx && nx.t === 'p' && (nx.v === ':' || nx.v === '('))) define(x.v);
            }
          }
          k = m;
          declExpectName = false;
          continue;
        }
        depth++;
      } else if (')]}'.includes(tk.v)) depth = Math.max(0, depth - 1);
      else if (depth === 0 && tk.v === ';') inDecl = false;
      else if (depth === 0 && inDecl && tk.v === ',') declExpectName = true;
      continue;
    }
    if (tk.t === 'nl') {
      if (depth === 0 && inDecl && prev && !(prev.t === 'p' && [',', '=', '+', '-', '*', '/', '?', ':', '&', '|', '('].includes(prev.v))) {
        // a declaration continues only if the next line starts with an operator
        const nx = toks[k + 1];
        if (!(nx && nx.t === 'p' && ['.', '?', ':', '+', '-', '*', '&', '|'].includes(nx.v))) inDecl = false;
      }
      continue;
    }
    if (depth !== 0) continue;
    const afterDot = prev && prev.t === 'p' && prev.v === '.';
    if (afterDot) continue;
    if (tk.v === 'const' || tk.v === 'let' || tk.v === 'var') { inDecl = true; declExpectName = true; continue; }
    if (tk.v === 'function' || tk.v === 'class') {
      let m = k + 1;
      if (toks[m]?.t === 'p' && toks[m].v === '*') m++;
      if (toks[m]?.t === 'id') define(toks[m].v);
      continue;
    }
    if (inDecl && declExpectName && !KEYWORDS.has(tk.v)) { define(tk.v); declExpectName = false; }
  }
  // uses: every identifier not after '.', not a keyword, not an import binding's source
  const uses: string[] = [];
  for (let k = 0; k < toks.length; k++) {
    const tk = toks[k];
    if (tk.t !== 'id' || KEYWORDS.has(tk.v)) continue;
    const prev = toks[k - 1];
    if (prev && prev.t === 'p' && (prev.v === '.' || prev.v === '?.')) continue;
    if (defines.includes(tk.v) || uses.includes(tk.v)) continue;
    uses.push(tk.v);
  }
  return { defines, uses };
}

/** Names imported by the cell's `import` statements (local to the cell). */
export function importedNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/^\s*import\s+(?:type\s+)?([^'"]*?)\s+from\s+['"][^'"]+['"]/gm)) {
    const clause = m[1];
    for (const part of clause.replace(/[{}]/g, ',').split(',')) {
      const p = part.trim();
      if (!p) continue;
      const as = /(?:\*\s+as\s+|\S+\s+as\s+)([\w$]+)$/.exec(p);
      names.push(as ? as[1] : p.replace(/^type\s+/, ''));
    }
  }
  return names;
}
