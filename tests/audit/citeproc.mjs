// citeproc-js, through citation-js: the reference the build's citations are compared with
// (tests/test_citeproc.py). Reads a list of documents as JSON on standard input, each
// {style, lang, items, clusters}: the style's CSL XML, a locale name (citation-js's own locale files), the
// CSL-JSON items and the citations in document order, each a list of cite items
// ({id, prefix, suffix, locator, label, mode}: mode "suppress-author" or "author-in-text").
// Writes for each {citations, bibliography}: each citation's text, and each entry's text with its id.
import { readFileSync } from "node:fs";
import { plugins } from "@citation-js/core";
import "@citation-js/plugin-csl";

const config = plugins.config.get("@csl");
const documents = JSON.parse(readFileSync(0, "utf8")).map((input, number) => {
  config.styles.add(`fixture${number}`, input.style);
  const engine = config.engine(input.items, `fixture${number}`, input.lang, "text");
  const citations = input.clusters.map((items, index) => {
    const composite = items.length === 1 && items[0].mode === "author-in-text";
    return {
      citationID: `c${index + 1}`,
      citationItems: items.map(({ id, prefix, suffix, locator, label, mode }) => ({
        id, prefix, suffix, locator, label, "suppress-author": mode === "suppress-author",
      })),
      properties: { noteIndex: index + 1, ...(composite ? { mode: "composite" } : {}) },
    };
  });
  const rendered = engine.rebuildProcessorState(citations, "text", []);
  const [meta, entries] = engine.makeBibliography();
  return {
    citations: rendered.map((row) => row[2]),
    bibliography: entries.map((text, index) => [meta.entry_ids[index][0], text.trim()]),
  };
});
process.stdout.write(JSON.stringify(documents));
