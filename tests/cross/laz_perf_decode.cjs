// Decodes a LAZ file with laz-perf (an independent LASzip implementation,
// npm package "laz-perf", WebAssembly) into its raw point records.
// Usage: node laz_perf_decode.cjs LAZPERF_MODULE_DIR IN.laz [OUT.records]
// Prints {"points", "record_length", "format", "seconds"} as JSON.
const fs = require('fs');
const path = require('path');

(async () => {
  const [moduleDir, input, output] = process.argv.slice(2);
  const { createLazPerf } = require(path.join(moduleDir, 'lib', 'node', 'index.js'));
  const lp = await createLazPerf();
  const file = fs.readFileSync(input);
  const filePtr = lp._malloc(file.length);
  lp.HEAPU8.set(file, filePtr);
  const laszip = new lp.LASZip();
  laszip.open(filePtr, file.length);
  const n = laszip.getCount();
  const len = laszip.getPointLength();
  const ptr = lp._malloc(len);
  const out = output ? Buffer.alloc(n * len) : null;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; ++i) {
    laszip.getPoint(ptr);
    if (out) out.set(lp.HEAPU8.subarray(ptr, ptr + len), i * len);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (out) fs.writeFileSync(output, out);
  console.log(JSON.stringify({ points: n, record_length: len, format: laszip.getPointFormat(), seconds }));
  laszip.delete();
})().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
