// Makes the copy of ODK Web Forms' dist that the site serves: the package's own files,
// minified and without the fonts no page of ours draws. Not a bundler of our code: the files
// keep their names, imports and exports (the import map and the service worker name them as
// before); only their bytes shrink.
//
//   node scripts/build-assets.mjs        (run by quickstart, run-tests, CI and the Dockerfile)
//
// Why: the household form's first load was 1.1 MB over the network, almost all of it Web Forms
// 0.22. Its index.js injects CSS holding 27 Roboto faces inlined as base64, each as woff2 AND a
// woff fallback, in 9 unicode subsets (Cyrillic, Greek, math, symbols, …) × 3 weights; and its
// index-*.js is shipped unminified. Vietnamese text needs two subsets: latin (ASCII and Latin-1:
// à á â ã è é ê ì í ò ó ô õ ù ú ý) and vietnamese (ă đ ĩ ũ ơ ư, U+1EA0–1EF9 ạ…ỹ, the combining
// tone marks, ₫); latin-ext adds nothing a Vietnamese text uses, and a character outside the two
// is still drawn, in the fallback sans-serif. Every browser the volunteers use reads woff2. Output: build/static/ (generated, not committed),
// which backend/web/finders.py serves in place of the package's files of the same name.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = join(ROOT, "node_modules", "@getodk", "web-forms", "dist");
const TARGET = join(ROOT, "build", "static", "@getodk", "web-forms", "dist");

// Google Fonts' subsets, known by the first range of their unicode-range (the rule's order of
// ranges is the one Google Fonts and fontsource write).
const KEPT_SUBSETS = {
  "U+0000-00FF": "latin",
  "U+0102-0103": "vietnamese",
};

const FONT_FACE = /@font-face\{[^}]*\}/g;
// `, url(data:font/woff;base64,…) format("woff")`: the fallback after each woff2 source.
const WOFF_FALLBACK = /,\s*url\(data:font\/woff;base64,[A-Za-z0-9+/=]+\)\s*format\(["']woff["']\)/g;

function stripFonts(code) {
  const kept = [];
  const dropped = [];
  const out = code.replace(FONT_FACE, (face) => {
    const range = /unicode-range:\s*([^;}]+)/.exec(face);
    const first = range ? range[1].split(",")[0].trim() : "";
    const subset = KEPT_SUBSETS[first];
    if (!subset) {
      dropped.push(first || "(no range)");
      return "";
    }
    const woff2Only = face.replace(WOFF_FALLBACK, "");
    if (!woff2Only.includes("font/woff2")) throw new Error(`a kept ${subset} face has no woff2 source`);
    kept.push(subset);
    return woff2Only;
  });
  return { out, kept, dropped };
}

function build() {
  const names = readdirSync(SOURCE);
  rmSync(TARGET, { recursive: true, force: true });
  mkdirSync(TARGET, { recursive: true });
  let fonts = null;
  for (const name of names) {
    const from = join(SOURCE, name);
    const to = join(TARGET, name);
    if (!name.endsWith(".js")) {
      copyFileSync(from, to);
      continue;
    }
    let code = readFileSync(from, "utf8");
    if (code.includes("@font-face{")) {
      fonts = stripFonts(code);
      code = fonts.out;
    }
    // One file at a time, as an entry of its own: its imports (vue, the sibling chunks) stay
    // imports, its exports keep their names, so the chunks still fit together. Built rather
    // than transformed so that module-level names are shortened too (a transform keeps them).
    // The syntax is left as the package wrote it (no lowering); licence comments go to the end.
    const result = buildSync({
      stdin: { contents: code, resolveDir: SOURCE, sourcefile: name, loader: "js" },
      bundle: true,
      external: ["vue", "./*"],
      format: "esm",
      minify: true,
      legalComments: "eof",
      charset: "utf8",
      write: false,
      logLevel: "warning",
    });
    writeFileSync(to, result.outputFiles[0].contents);
    const before = Buffer.byteLength(readFileSync(from));
    console.log(`${name}: ${before} → ${result.outputFiles[0].contents.length} bytes`);
  }
  // A new Web Forms version that moves its fonts elsewhere must not pass unnoticed.
  if (!fonts || fonts.kept.length === 0) throw new Error("no Roboto @font-face found in Web Forms' dist: check scripts/build-assets.mjs");
  console.log(`fonts kept: ${fonts.kept.length} faces (${[...new Set(fonts.kept)].join(", ")}, woff2 only); dropped ${fonts.dropped.length}`);
}

build();
