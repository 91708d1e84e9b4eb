// Read reference files with citation-js, as a researcher's tools built on it would, and print
// what it read of each, with its APA reference, as JSON.
//
//   node tests/audit/cite.mjs STYLE.csl FILE...
//
// FILE is a .bib (BibLaTeX), .ris or .json (CSL-JSON); citation-js tells them apart itself.
// STYLE.csl is the APA style to render with (Debian's copy of the official one), so that
// citation-js and Pandoc format with the same style. One process for every file: starting
// node and loading citeproc costs more than reading them.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Cite, plugins } = require("@citation-js/core");
require("@citation-js/plugin-bibtex");
require("@citation-js/plugin-ris");
require("@citation-js/plugin-csl");

const [style, ...files] = process.argv.slice(2);
plugins.config.get("@csl").styles.add("apa-official", readFileSync(style, "utf8"));

const FIELDS = ["type", "issued", "container-title", "publisher", "DOI", "URL", "number",
                "collection-title", "collection-number", "genre"];
const results = {};
for (const file of files) {
  const cite = await Cite.async(readFileSync(file, "utf8"));
  const [item] = cite.data;
  results[file] = {
    count: cite.data.length,
    read: Object.fromEntries(FIELDS.filter((f) => item[f] !== undefined)
      .map((f) => [f, item[f]])),
    apa: cite.format("bibliography", { format: "text", template: "apa-official",
                                       lang: "en-US" }).trim(),
  };
}
process.stdout.write(JSON.stringify(results));
