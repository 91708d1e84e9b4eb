// Site search: loaded by search.js (on every page, tiny) once the field is focused or typed
// in; this loads the engine (MiniSearch, vendored in minisearch/) and the index the build
// wrote (search/) in turn, by plain <script> elements, which work from disk where fetch
// does not.
//
// The first part is the search itself, shared with the tests (which run it in Node against
// MiniSearch's own indexing of the same documents); the second is the field and its results.

(function (scope) {
  "use strict";

  // Folded and split exactly as briefing_site/search.py folds and splits what it indexes:
  // the whole text in lower case, decomposed, its marks dropped (accents; Cyrillic й and ё
  // too), cut at anything but a letter or a digit.
  const SEPARATORS = /[^\p{L}\p{N}]+/u;
  const MARKS = /\p{M}/gu;
  const STOP_WORDS = new Set(["a", "an", "and", "are", "as", "at", "be", "but", "by", "for",
    "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this",
    "to", "was", "were", "will", "with"]);
  const tokenize = (text) => text.toLowerCase().normalize("NFD").replace(MARKS, "")
    .split(SEPARATORS).filter(Boolean);
  const processTerm = (word) => (STOP_WORDS.has(word) ? null : word);
  // A text's words as the index has them, stop words left out.
  const terms = (text) => tokenize(text).map(processTerm).filter(Boolean);
  const shardOf = (term) => {
    const first = term[0];
    if (first >= "a" && first <= "z") return first;
    if (first >= "0" && first <= "9") return "0";
    return "u" + (term.codePointAt(0) % 8);
  };
  const FIELDS = ["title", "names", "text"];
  // Prefixes of two letters or more match as the reader types (one letter would match a
  // twenty-sixth of the index); one typo is forgiven in words of five letters or more.
  const SEARCH_OPTIONS = {
    prefix: (term) => term.length >= 2,
    fuzzy: (term) => (term.length >= 5 ? 1 : false),
    boost: { title: 3, names: 2, text: 1 },
  };
  const OPTIONS = { fields: FIELDS, tokenize, processTerm, searchOptions: SEARCH_OPTIONS };

  // A shard's file lists each document's words (a row: the document's number, then for
  // each field its words and how many times each is in it, both space-separated): smaller
  // than MiniSearch's serialised index, which lists each word's documents, and no work for
  // the build to write. This turns the rows round into that index ([word, {field:
  // {document: times}}], ...): documents and fields in the order MiniSearch's own indexing
  // meets them, each field's words sorted.
  function index(rows) {
    const words = new Map();
    for (const row of rows) {
      const id = row[0];
      for (let field = 0; field < FIELDS.length; field++) {
        if (!row[1 + 2 * field]) continue;
        const terms = row[1 + 2 * field].split(" ");
        const times = row[2 + 2 * field].split(" ");
        if (times.length !== terms.length) throw new Error("a search file is damaged");
        for (let i = 0; i < terms.length; i++) {
          let entry = words.get(terms[i]);
          if (!entry) words.set(terms[i], (entry = {}));
          (entry[field] ||= {})[id] = Number(times[i]);
        }
      }
    }
    return words;
  }

  // One MiniSearch per shard loaded, each with every document but only its shard's words,
  // and none of what results show (base.storedFields, by id: made into a map once, not once
  // a shard). loadJS is what loadJSON runs once the text is parsed: the base is parsed once.
  function engine(MiniSearch, base, rows) {
    return MiniSearch.loadJS({ ...base, storedFields: {}, index: index(rows) }, OPTIONS);
  }

  // One word's results: from its shard, or, for a word long enough to forgive a typo that
  // its shard has nothing for, from every other shard loaded (the typo may be its first
  // letter: "Gokayev" is in t's shard).
  function lookup(engines, term) {
    const own = engines.get(shardOf(term));
    const found = own ? own.search(term) : [];
    if (found.length || term.length < 5) return found;
    return [...engines].filter(([name]) => name !== shardOf(term))
      .flatMap(([, other]) => other.search(term));
  }

  // Whether a word of the query that forgives a typo found nothing: the other shards may
  // have it.
  const unmatched = (results, query) => terms(query).some((term) => term.length >= 5 &&
    !results.some((result) => result.queryTerms.includes(term)));

  // A query's results, as MiniSearch's own search of the whole index would give them: each
  // word is looked up in its shard, and the scores are combined as MiniSearch combines them
  // (summed, then multiplied by how many of the query's words matched).
  function search(engines, query) {
    const found = new Map();
    for (const term of terms(query)) {
      for (const result of lookup(engines, term)) {
        const seen = found.get(result.id);
        if (!seen) {
          found.set(result.id, { ...result, queryTerms: [...result.queryTerms] });
          continue;
        }
        seen.score += result.score; // each alone: quality 1, the score as found
        seen.match = Object.assign(seen.match, result.match);
        for (const queried of result.queryTerms) {
          if (!seen.queryTerms.includes(queried)) seen.queryTerms.push(queried);
        }
      }
    }
    const results = [...found.values()];
    for (const result of results) {
      result.score *= result.queryTerms.length;
      result.terms = Object.keys(result.match);
    }
    return results.sort((a, b) => b.score - a.score);
  }

  // What a reader sees first: matches in a title or a term's names above matches in a text.
  function ranked(results) {
    const named = (result) => Object.values(result.match).some(
      (fields) => fields.includes("title") || fields.includes("names"));
    return [...results.filter(named), ...results.filter((result) => !named(result))];
  }

  scope.briefingSearchCore = {
    tokenize, processTerm, terms, shardOf, OPTIONS, index, engine, search, ranked,
    unmatched,
  };
})(typeof window === "undefined" ? globalThis : window);

(function () {
  "use strict";
  if (typeof document === "undefined") return;
  const box = document.querySelector("search.site-search");
  const script = document.currentScript;
  if (!box || !script) return;
  const core = window.briefingSearchCore;
  const root = new URL("..", script.src); // the site's root: this file is in assets/
  // The results' styles, loaded with this script: pages that are never searched skip them.
  document.head.append(Object.assign(document.createElement("link"), {
    rel: "stylesheet", href: new URL("search.css", script.src).href,
  }));
  const input = box.querySelector("input");
  const list = box.querySelector("ul");
  const status = box.querySelector("[role=status]");
  const SHOWN = 10;
  const SNIPPET_WORDS = 14; // words before the first match (twice as many after)

  // What the index's scripts hand over as they load.
  const loaded = { base: null, shards: new Map(), texts: new Map() };
  const engines = new Map();
  window.briefingSearch = {
    base(json) { loaded.base = JSON.parse(json); },
    shard(name, json) { loaded.shards.set(name, JSON.parse(json)); },
    text(slug, json) { loaded.texts.set(slug, JSON.parse(json)); },
  };
  const scripts = new Map();
  function load(path) {
    if (!scripts.has(path)) {
      scripts.set(path, new Promise((resolve, reject) => {
        const element = document.createElement("script");
        element.src = new URL(path, root).href;
        element.onload = resolve;
        element.onerror = () => { scripts.delete(path); reject(new Error(`${path} did not load`)); };
        document.head.append(element);
      }));
    }
    return scripts.get(path);
  }
  const ready = () => Promise.all([load("assets/minisearch/index.js"), load("search/index.js")]);

  async function enginesFor(query, every = false) {
    await ready();
    const wanted = new Set(every ? loaded.base.shards : core.terms(query).map(core.shardOf)
      .filter((shard) => loaded.base.shards.includes(shard)));
    await Promise.all([...wanted].map((shard) => load(`search/${shard}.js`)));
    for (const shard of wanted) {
      if (!engines.has(shard)) {
        engines.set(shard, core.engine(window.MiniSearch, loaded.base, loaded.shards.get(shard)));
      }
    }
    return engines;
  }

  // The words of a text, with those whose folded form matched marked.
  function marked(text, matched) {
    const fragment = document.createDocumentFragment();
    for (const part of text.split(/([^\p{L}\p{M}\p{N}]+)/u)) {
      if (part && core.terms(part).some((term) => matched.has(term))) {
        const mark = document.createElement("mark");
        mark.textContent = part;
        fragment.append(mark);
      } else if (part) {
        fragment.append(part);
      }
    }
    return fragment;
  }

  // The paragraph that has most of the words matched, cut to a few words around the first.
  function snippet(paragraphs, matched) {
    let best = null;
    let bestCount = 0;
    for (const [id, text] of paragraphs) {
      const words = new Set(core.terms(text).filter((term) => matched.has(term)));
      if (words.size > bestCount) [best, bestCount] = [[id, text], words.size];
    }
    if (!best) return null;
    const parts = best[1].split(/(\s+)/);
    const first = parts.findIndex((part) => core.terms(part).some((term) => matched.has(term)));
    const start = Math.max(0, first - SNIPPET_WORDS * 2); // (parts: words and spaces)
    const end = Math.min(parts.length, first + SNIPPET_WORDS * 4);
    const text = (start > 0 ? "… " : "") + parts.slice(start, end).join("") +
      (end < parts.length ? " …" : "");
    return { id: best[0], text };
  }

  function line(className, text) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  const KINDS = { b: "Briefing", t: "Term", e: "Event" };
  function option(result, number, matched) {
    const item = document.createElement("li");
    item.setAttribute("role", "none");
    const link = document.createElement("a");
    link.id = `search-result-${number}`;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    link.tabIndex = -1;
    link.href = new URL(result.u, root).href;
    link.append(line("result-kind", KINDS[result.k]), " ");
    const title = line("result-title", "");
    title.append(marked(result.t, matched));
    link.append(title);
    if (result.k === "t") {
      const names = [result.f, result.a, result.n].filter(Boolean).join(" · ");
      if (names) {
        const also = line("result-meta", "");
        also.append(marked(names, matched));
        link.append(" ", also);
      }
    } else {
      link.append(" ", line("result-meta", result.d));
    }
    item.append(link);
    return item;
  }

  let shown = [];
  let active = -1;
  let asked = 0;
  function select(number) {
    shown.forEach((link, at) => link.setAttribute("aria-selected", String(at === number)));
    active = number;
    if (number >= 0) {
      input.setAttribute("aria-activedescendant", shown[number].id);
      shown[number].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  // The field is the searchbox its type makes it, controlling the list of results and
  // pointing at the one selected (aria-activedescendant): the combobox pattern's keys and
  // what a screen reader hears of it, in HTML that ARIA in HTML allows (which gives
  // input type=search no combobox role, nor aria-expanded, without a list attribute).
  function open(isOpen) {
    list.hidden = !isOpen;
    if (!isOpen) select(-1);
  }

  async function update() {
    const query = input.value.trim();
    const turn = ++asked;
    if (!query) {
      list.replaceChildren();
      shown = [];
      status.textContent = "";
      open(false);
      return;
    }
    let results;
    try {
      results = core.search(await enginesFor(query), query);
      if (core.unmatched(results, query) && loaded.base.shards.some((s) => !engines.has(s))) {
        // A typo in a word's first letter, perhaps: the whole index, this once.
        results = core.search(await enginesFor(query, true), query);
      }
      results = core.ranked(results);
    } catch (error) {
      if (turn === asked) status.textContent = "Search is not available: " + error.message;
      return;
    }
    if (turn !== asked) return; // a later keystroke has asked since
    const top = results.slice(0, SHOWN)
      .map((result) => ({ ...result, ...loaded.base.storedFields[result.id] }));
    const items = top.map((result, number) => option(result, number, new Set(result.terms)));
    list.replaceChildren(...items);
    shown = items.map((item) => item.firstChild);
    status.textContent = results.length === 0 ? "No results" :
      results.length === 1 ? "1 result" : results.length > SHOWN ?
        `${results.length} results, the first ${SHOWN} shown` : `${results.length} results`;
    open(top.length > 0);
    select(-1);
    // Then the briefings' snippets, from each one's paragraphs.
    const briefings = top.map((result, number) => [result, shown[number]])
      .filter(([result]) => result.k === "b");
    await Promise.all(briefings.map(([result]) => load(`search/text/${result.s}.js`)
      .catch(() => null)));
    if (turn !== asked) return;
    for (const [result, link] of briefings) {
      const paragraphs = loaded.texts.get(result.s);
      const matched = new Set(result.terms);
      const cut = paragraphs && snippet(paragraphs, matched);
      if (!cut) continue;
      link.href = new URL(`${result.u}#${cut.id}`, root).href;
      const text = line("result-snippet", "");
      text.append(marked(cut.text, matched));
      link.append(" ", text);
    }
  }

  input.addEventListener("focus", () => {
    ready().catch(() => null);
    if (shown.length) open(true);
  });
  input.addEventListener("input", update);
  // What the reader did before this script was in: the field focused, a query typed.
  ready().catch(() => null);
  if (input.value.trim()) update();
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!shown.length) return;
      event.preventDefault();
      if (list.hidden) open(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      select((active + step + shown.length + (active < 0 && step < 0 ? 1 : 0)) % shown.length);
    } else if (event.key === "Enter") {
      const chosen = shown[active >= 0 ? active : 0];
      if (chosen && !list.hidden) {
        event.preventDefault();
        window.location.href = chosen.href;
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        open(false);
      }
    }
  });
  document.addEventListener("pointerdown", (event) => {
    if (!box.contains(event.target)) open(false);
  });
  box.addEventListener("focusout", (event) => {
    if (!box.contains(event.relatedTarget)) open(false);
  });
})();
