// The index briefing_site/search.py wrote, against MiniSearch's own indexing of the same
// documents; prints the results of each query three ways, as JSON:
//
//   node tests/audit/search-index.mjs SITE DOCUMENTS.json QUERY...
//
// "native": MiniSearch indexes the documents itself (with search.js's options) and answers;
// "written": MiniSearch loads the written index whole (index.js and every shard's rows
// turned round into loadJSON's format) and answers; "client": search.js's own search over
// the shards, as the browser runs it. Each result is [id, score], best first.

import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const MiniSearch = require("minisearch");
const [site, documentsFile, ...queries] = process.argv.slice(2);
const here = new URL(".", import.meta.url);

// search.js, run without a document: only its search part, briefingSearchCore.
const sandbox = { console };
vm.createContext(sandbox);
vm.runInContext(readFileSync(new URL("../../templates/assets/search-ui.js", here), "utf8"), sandbox);
const core = sandbox.briefingSearchCore;

const loaded = { shards: new Map() };
sandbox.briefingSearch = {
  base(json) { loaded.base = JSON.parse(json); },
  shard(name, json) { loaded.shards.set(name, JSON.parse(json)); },
};
vm.runInContext(readFileSync(`${site}/search/index.js`, "utf8"), sandbox);
for (const name of readdirSync(`${site}/search`).filter((n) => n.endsWith(".js") && n !== "index.js")) {
  vm.runInContext(readFileSync(`${site}/search/${name}`, "utf8"), sandbox);
}

const native = new MiniSearch(core.OPTIONS);
native.addAll(JSON.parse(readFileSync(documentsFile, "utf8")));
const whole = { ...loaded.base, index: [...core.index([...loaded.shards.values()].flat())] };
delete whole.shards;
const written = MiniSearch.loadJSON(JSON.stringify(whole), core.OPTIONS);
const engines = new Map([...loaded.shards].map(([name, rows]) =>
  [name, core.engine(MiniSearch, loaded.base, rows)]));

const pairs = (results) => results.map((r) => [r.id, r.score]);
const report = {};
for (const query of queries) {
  report[query] = {
    native: pairs(native.search(query)),
    written: pairs(written.search(query)),
    client: pairs(core.search(engines, query)),
  };
}
const words = Object.fromEntries(queries.map((q) => [q, core.tokenize(q).map(core.processTerm)]));
console.log(JSON.stringify({ report, words }));
