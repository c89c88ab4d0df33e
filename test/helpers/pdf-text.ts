/**
 * The text a PDF shows, read back the simple way: each content stream inflated, and the strings
 * of its TJ/Tj operators decoded (pdfkit writes them as hex in the WinAnsi encoding of its
 * built-in fonts). One entry per text operator, in drawing order.
 */
import { inflateSync } from 'node:zlib';

export function pdfTextRuns(pdf: Buffer): string[] {
  const runs: string[] = [];
  const raw = pdf.toString('latin1');
  const streams = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streams.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    const bytes = pdf.subarray(start, end);
    let content: string;
    try {
      content = inflateSync(bytes).toString('latin1');
    } catch {
      continue; // not a deflated stream (fonts, images)
    }
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hexes = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]) : [op[2]];
      runs.push(hexes.map((h) => Buffer.from(h, 'hex').toString('latin1')).join(''));
    }
    streams.lastIndex = end;
  }
  return runs;
}
