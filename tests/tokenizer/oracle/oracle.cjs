// Reference token ids from the npm package `tiktoken` (OpenAI's tiktoken compiled to WASM), for
// TokenLedger's differential tokenizer tests and its tokenizer benchmark.
//
//   node oracle.cjs encode IN.jsonl OUT.jsonl
//       IN: one case a line: {"enc":"o200k_base","b64":"<UTF-8 bytes>"} or {"enc":..,"u16":[code units]},
//           optional "special":"all" to encode with every special token allowed.
//       OUT: one line per case: {"ids":[...]}. Bytes are decoded with TextDecoder (invalid UTF-8 ->
//           U+FFFD per maximal subpart), as any JavaScript caller of tiktoken would.
//   node oracle.cjs bench ENC FILE SECONDS
//       Counts FILE's tokens (encode_ordinary(text).length) repeatedly for about SECONDS and prints
//       {"encoding":..,"bytes":..,"tokens":..,"runs":..,"median_ms":..,"mb_per_s":..} (median run).
"use strict";
const fs = require("fs");
const { get_encoding } = require("tiktoken");

const encoders = {};
function encoder(name) {
  if (!encoders[name]) encoders[name] = get_encoding(name);
  return encoders[name];
}

function textOf(c) {
  if (c.u16) return String.fromCharCode(...c.u16);
  return new TextDecoder("utf-8").decode(Buffer.from(c.b64, "base64"));
}

function encodeCmd(inPath, outPath) {
  const lines = fs.readFileSync(inPath, "utf8").split("\n").filter((l) => l.length > 0);
  const out = fs.openSync(outPath, "w");
  for (const line of lines) {
    const c = JSON.parse(line);
    const e = encoder(c.enc);
    const text = c.u16 && c.u16.length > 50000 ? decodeLong(c.u16) : textOf(c);
    const ids = c.special === "all" ? e.encode(text, "all", []) : e.encode_ordinary(text);
    fs.writeSync(out, JSON.stringify({ ids: Array.from(ids) }) + "\n");
  }
  fs.closeSync(out);
  for (const e of Object.values(encoders)) e.free();
}

function decodeLong(u16) {
  let s = "";
  for (let i = 0; i < u16.length; i += 8192) s += String.fromCharCode(...u16.slice(i, i + 8192));
  return s;
}

function benchCmd(enc, file, seconds) {
  const e = encoder(enc);
  const bytes = fs.readFileSync(file);
  const text = new TextDecoder("utf-8").decode(bytes);
  const times = [];
  let tokens = 0;
  const deadline = Date.now() + seconds * 1000;
  do {
    const t0 = process.hrtime.bigint();
    tokens = e.encode_ordinary(text).length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  } while (Date.now() < deadline || times.length < 3);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ encoding: enc, bytes: bytes.length, tokens, runs: times.length, median_ms: median,
                               mb_per_s: bytes.length / 1e6 / (median / 1000) }));
  e.free();
}

const [cmd, a, b, c] = process.argv.slice(2);
if (cmd === "encode") encodeCmd(a, b);
else if (cmd === "bench") benchCmd(a, b, Number(c || 3));
else {
  console.error("usage: node oracle.cjs encode IN.jsonl OUT.jsonl | bench ENC FILE SECONDS");
  process.exit(2);
}
