// Bundles the learner's page into dist/: index.html, and assets/ whose names
// carry a hash of their content (served with a year-long cache). Run by
// `make` (npm ci, then node build.mjs); nothing is loaded from a CDN.
import * as esbuild from 'esbuild';
import { readFile, rm, mkdir, writeFile, cp } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const dist = 'dist';
const watch = process.argv.includes('--watch');

// KaTeX's stylesheet offers each font as woff2, woff and ttf. Every browser
// the page supports reads woff2: keep only those, a third of the weight.
const woff2Only = {
  name: 'katex-woff2-only',
  setup(build) {
    build.onLoad({ filter: /katex(\.min)?\.css$/ }, async (args) => {
      let css = await readFile(args.path, 'utf8');
      css = css.replace(/,\s*url\([^)]*\.woff\)\s*format\("woff"\)/g, '')
        .replace(/,\s*url\([^)]*\.ttf\)\s*format\("truetype"\)/g, '');
      return { contents: css, loader: 'css' };
    });
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });
await writeFile(path.join(dist, '.gitkeep'), '');
// public/ is copied as it is: favicon.ico (favicon.svg drawn at 16, 32 and
// 48 px, served at /favicon.ico, where browsers look for it).
await cp('public', dist, { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: !watch,
  sourcemap: watch ? 'linked' : false,
  format: 'esm',
  splitting: true,
  target: ['chrome110', 'firefox115', 'safari16'],
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff2': 'file' },
  metafile: true,
  legalComments: 'linked',
  plugins: [woff2Only],
  logLevel: 'warning',
});

let js, css;
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (out.entryPoint === 'src/main.js') js = path.basename(file);
  if (file.endsWith('.css') && out.inputs && Object.keys(out.inputs).length) css = path.basename(file);
}
if (!js || !css) throw new Error(`build: expected a script and a stylesheet, got ${Object.keys(result.metafile.outputs)}`);

const index = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>CodeMentor</title>
<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<div id="app"><noscript>CodeMentor needs JavaScript to show questions and run your code.</noscript></div>
</body>
</html>
`;
await writeFile(path.join(dist, 'index.html'), index);
// Scripts and styles are served gzipped to browsers that take it: compress
// them once here rather than on every request.
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
let total = 0;
let totalGz = 0;
for (const file of Object.keys(result.metafile.outputs)) {
  if (!/\.(js|css)$/.test(file)) continue;
  const body = await readFile(file);
  const gz = gzipSync(body, { level: 9 });
  await writeFile(file + '.gz', gz);
  total += body.length;
  totalGz += gz.length;
  if (!/woff2$/.test(file)) console.log(`  ${file}  ${kib(body.length)} (${kib(gz.length)} gzipped)`);
}
console.log(`  scripts and styles: ${kib(total)} (${kib(totalGz)} gzipped)`);
