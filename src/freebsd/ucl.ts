/**
 * A reader for the part of UCL that package manifests use: `key: value` or `key = value`, objects
 * in braces, arrays in brackets, quoted strings with escapes, `<<EOD` heredocs, numbers, booleans and
 * bare words; `#` comments; `,` `;` and newlines as separators. JSON is a subset, so this reads the
 * compact manifests pkg writes as well.
 */
import { FormatError } from "../errors.js";

export type UclValue = string | number | boolean | null | UclValue[] | { [k: string]: UclValue };

export function parseUcl(text: string, subject?: string): Record<string, UclValue> {
  let i = 0;
  const err = (msg: string): never => {
    const line = text.slice(0, i).split("\n").length;
    throw new FormatError(`UCL: ${msg} (line ${line})`, subject);
  };
  const ws = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text[i] === "#") {
        while (i < text.length && text[i] !== "\n") i++;
        continue;
      }
      if (text.startsWith("//", i)) {
        while (i < text.length && text[i] !== "\n") i++;
        continue;
      }
      if (text.startsWith("/*", i)) {
        const e = text.indexOf("*/", i + 2);
        i = e < 0 ? text.length : e + 2;
        continue;
      }
      break;
    }
  };
  const seps = () => {
    for (;;) {
      ws();
      if (text[i] === "," || text[i] === ";") i++;
      else break;
    }
  };
  const quoted = (): string => {
    const q = text[i]!;
    i++;
    let s = "";
    while (i < text.length && text[i] !== q) {
      if (text[i] === "\\" && q === '"') {
        const c = text[i + 1];
        i += 2;
        if (c === "n") s += "\n";
        else if (c === "t") s += "\t";
        else if (c === "r") s += "\r";
        else if (c === "b") s += "\b";
        else if (c === "f") s += "\f";
        else if (c === "u") {
          s += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
          i += 4;
        } else if (c !== undefined) s += c;
      } else s += text[i++];
    }
    if (text[i] !== q) err("unterminated string");
    i++;
    return s;
  };
  const key = (): string => {
    ws();
    if (text[i] === '"' || text[i] === "'") return quoted();
    const m = /^[A-Za-z0-9_\-./@+$]+/.exec(text.slice(i));
    if (!m) return err(`expected a key, found "${text[i] ?? "end of input"}"`);
    i += m[0].length;
    return m[0];
  };
  const value = (): UclValue => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      return object("}");
    }
    if (c === "[") {
      i++;
      const arr: UclValue[] = [];
      for (;;) {
        seps();
        if (text[i] === "]") {
          i++;
          return arr;
        }
        if (i >= text.length) err("unterminated array");
        arr.push(value());
      }
    }
    if (c === '"' || c === "'") return quoted();
    if (text.startsWith("<<", i)) {
      const m = /^<<([A-Z0-9_]+)\n/.exec(text.slice(i));
      if (!m) err("bad heredoc");
      i += m![0].length;
      const end = text.indexOf(`\n${m![1]}`, i - 1);
      if (end < 0) err("unterminated heredoc");
      const s = text.slice(i, end);
      i = end + 1 + m![1]!.length;
      return s;
    }
    const m = /^[^\s,;\]}#]+/.exec(text.slice(i));
    if (!m) return err("expected a value");
    i += m[0].length;
    const w = m[0];
    if (/^-?\d+$/.test(w)) return Number(w);
    if (/^-?\d+\.\d+$/.test(w)) return Number(w);
    if (/^(true|yes|on)$/i.test(w)) return true;
    if (/^(false|no|off)$/i.test(w)) return false;
    if (w === "null") return null;
    return w;
  };
  const object = (close: string | null): Record<string, UclValue> => {
    // No prototype: a key named "__proto__" is an ordinary key.
    const o: Record<string, UclValue> = Object.create(null) as Record<string, UclValue>;
    for (;;) {
      seps();
      if (close && text[i] === close) {
        i++;
        return o;
      }
      if (i >= text.length) {
        if (close) err("unterminated object");
        return o;
      }
      const k = key();
      ws();
      if (text[i] === ":" || text[i] === "=") i++;
      // A key given twice is refused: libucl keeps both values (an implicit array) and pkg reads the
      // first or all of them depending on the key, where a plain object would keep the last.
      if (Object.prototype.hasOwnProperty.call(o, k)) err(`key "${k.slice(0, 100)}" appears twice`);
      o[k] = value();
    }
  };
  ws();
  if (text[i] === "{") {
    i++;
    const o = object("}");
    ws();
    if (i < text.length) err("text after the closing brace");
    return o;
  }
  return object(null);
}
