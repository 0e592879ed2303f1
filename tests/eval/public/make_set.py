"""Build the public paraphrase retrieval set from KLUE STS (and optionally KorSTS).

    python3 make_set.py KLUE_STS_DEV_JSON [--korsts KORSTS_DEV_TSV] [--out DIR]

KLUE_STS_DEV_JSON is klue_benchmark/klue-sts-v1.1/klue-sts-v1.1_dev.json from
KLUE-benchmark/KLUE; KORSTS_DEV_TSV is KorSTS/sts-dev.tsv from
kakaobrain/KorNLUDatasets. Both are CC BY-SA 4.0 (see LICENSE-DATA.md).
Writes DIR/content/*.md, DIR/queries.jsonl and DIR/provenance.tsv (DIR defaults to
this script's folder) and prints the counts. The output is deterministic.

Rule (README.md says it in words):
  * corpus  = every sentence1 of the split, deduplicated by doumi's own
    "same question" key (alphanumerics, lowercased; src/content/check.rs), so
    the corpus has no repeated question and no two headings share an anchor;
  * queries = sentence2 of the pairs scored >= 4.0 (KLUE `labels.label`, KorSTS
    `score`, both 0..5), expected = the entry of that pair's sentence1;
    a query whose key equals the key of any corpus entry (its own: the pair
    differs only in spacing or punctuation; another: ambiguous) is dropped;
    queries with the same key are merged (union of expected);
  * corpus entries linked by a pair scored >= 4.0 (its sentence2 is itself a
    corpus sentence1) are paraphrases by the data's own label: a query for
    one of them also accepts the others (expected lists its own entry first);
  * sentence1s of lower-scored pairs stay in the corpus as distractors;
  * the answer under each heading is the heading restated: the datasets give
    single sentences with no surrounding context.
"""
import argparse
import collections
import csv
import json
import pathlib
import re
import shutil

THRESHOLD = 4.0
PER_FILE = 50
# Markdown-significant ASCII characters, backslash-escaped so that pulldown-cmark
# gives back the sentence unchanged (CommonMark: any ASCII punctuation may be escaped).
ESCAPE = set("\\`*_[]<>#~&|{}")


def norm(s):
    """Whitespace collapsed as doumi's markdown.rs collapse_spaces does."""
    return " ".join(s.split())


def key(s):
    """check.rs repeated_questions: alphanumerics only, lowercased."""
    return "".join(c.lower() for c in s if c.isalnum())


def slugify(heading):
    """src/content/slug.rs, char by char."""
    out, pending = [], False
    for c in heading:
        if c.isalnum():
            if pending and out:
                out.append("-")
            pending = False
            out.append(c.lower())
        else:
            pending = True
    return "".join(out) or "section"


def resolve_anchors(headings):
    """article.rs resolve_anchors: slug, then -2, -3... for repeats in one file."""
    used, out = set(), []
    for h in headings:
        base = slugify(h)
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        out.append(anchor)
    return out


def md_escape(s, block_start=False):
    t = "".join("\\" + c if c in ESCAPE else c for c in s)
    if block_start:
        # A paragraph line must not open a list item or a thematic break.
        m = re.match(r"[-+=]|\d{1,9}[.)]", t)
        if m:
            t = t[:m.end() - 1] + "\\" + t[m.end() - 1:]
    return t


def load_klue(path):
    for x in json.load(open(path, encoding="utf-8")):
        yield {
            "dataset": "klue-sts",
            "source_id": x["guid"],
            "source": x["source"],
            "category": x["source"].split("-")[0].lower(),  # airbnb / policy / parakqc
            "score": float(x["labels"]["label"]),
            "s1": x["sentence1"],
            "s2": x["sentence2"],
        }


def load_korsts(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    head, rows = rows[0], rows[1:]
    assert head == ["genre", "filename", "year", "id", "score", "sentence1", "sentence2"], head
    for r in rows:
        yield {
            "dataset": "korsts",
            "source_id": f"{r[1]}/{r[2]}/{r[3]}",
            "source": r[0],
            "category": r[0].split("-", 1)[-1],  # captions / news / forums
            "score": float(r[4]),
            "s1": r[5],
            "s2": r[6],
        }


TITLES = {"klue-sts": "KLUE STS 문장", "korsts": "KorSTS 문장"}


def build(pairs):
    # Corpus: sentence1s in file order, one entry per key.
    entries = {}  # key -> entry dict
    for p in pairs:
        s1 = norm(p["s1"])
        k = key(s1)
        assert k, p
        if k not in entries:
            entries[k] = {"text": s1, "dataset": p["dataset"], "category": p["category"]}
        p["entry_key"] = k

    # Files: per dataset, per category (first-seen order), near-equal chunks of <= PER_FILE.
    groups = collections.OrderedDict()
    for k, e in entries.items():
        groups.setdefault((e["dataset"], e["category"]), []).append(k)
    files, numbering = [], collections.Counter()
    for (dataset, category), keys in groups.items():
        n_files = -(-len(keys) // PER_FILE)
        size = -(-len(keys) // n_files)
        for i in range(0, len(keys), size):
            numbering[dataset] += 1
            stem = f"{dataset}-{numbering[dataset]:02d}"
            chunk = keys[i:i + size]
            anchors = resolve_anchors([entries[k]["text"] for k in chunk])
            for k, a in zip(chunk, anchors):
                entries[k]["id"] = f"{stem}#{a}"
            files.append({"stem": stem, "title": f"{TITLES[dataset]} {numbering[dataset]:02d}",
                          "category": category, "keys": chunk})

    # Entries the data itself says are paraphrases of each other: a pair scored
    # >= THRESHOLD whose sentence2 is also some corpus sentence1. A query for one
    # of them accepts all of them (union-find over those links).
    parent = {k: k for k in entries}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for p in pairs:
        k2 = key(norm(p["s2"]))
        if p["score"] >= THRESHOLD and k2 in entries:
            parent[find(k2)] = find(p["entry_key"])
    same = collections.defaultdict(list)
    for k in entries:  # corpus order
        same[find(k)].append(entries[k]["id"])

    # Queries.
    queries = collections.OrderedDict()  # key -> query
    dropped = collections.Counter()
    for p in pairs:
        if p["score"] < THRESHOLD:
            continue
        q = norm(p["s2"])
        qk = key(q)
        if qk == p["entry_key"]:
            dropped["same as its own sentence1 (spacing/punctuation only)"] += 1
            continue
        if qk in entries:
            dropped["same as another corpus sentence (ambiguous)"] += 1
            continue
        own = entries[p["entry_key"]]["id"]
        expected = [own] + [i for i in same[find(p["entry_key"])] if i != own]
        if qk in queries:
            dropped["merged into an earlier identical query"] += 1
            queries[qk]["expected"] += [i for i in expected if i not in queries[qk]["expected"]]
            queries[qk]["prov"].append(p)
            continue
        queries[qk] = {"query": q, "expected": expected, "prov": [p]}
    return entries, files, list(queries.values()), dropped


def write(out, entries, files, queries):
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    for f in files:
        lines = ["---", f"title: {f['title']}", "type: faq", f"category: {f['category']}", "---", ""]
        for k in f["keys"]:
            t = entries[k]["text"]
            lines += [f"## {md_escape(t)}", "", md_escape(t, block_start=True), ""]
        (content / f"{f['stem']}.md").write_text("\n".join(lines), encoding="utf-8")
    with open(out / "queries.jsonl", "w", encoding="utf-8") as fq:
        for q in queries:
            fq.write(json.dumps({"query": q["query"], "expected": q["expected"], "class": "paraphrase"},
                                ensure_ascii=False) + "\n")
    with open(out / "provenance.tsv", "w", encoding="utf-8") as fp:
        fp.write("line\tdataset\tsource_id\tsource\tscore\n")
        for i, q in enumerate(queries, 1):
            for p in q["prov"]:
                fp.write(f"{i}\t{p['dataset']}\t{p['source_id']}\t{p['source']}\t{p['score']:g}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("klue", help="klue-sts-v1.1_dev.json")
    ap.add_argument("--korsts", help="KorSTS sts-dev.tsv (optional second source)")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).parent))
    a = ap.parse_args()
    pairs = list(load_klue(a.klue))
    if a.korsts:
        pairs += list(load_korsts(a.korsts))
    entries, files, queries, dropped = build(pairs)
    write(pathlib.Path(a.out), entries, files, queries)

    targeted = {e for q in queries for e in q["expected"]}
    print(f"pairs: {len(pairs)} ({collections.Counter(p['dataset'] for p in pairs)})")
    print(f"pairs scored >= {THRESHOLD}: {sum(p['score'] >= THRESHOLD for p in pairs)}")
    print(f"entries: {len(entries)} in {len(files)} files; targeted by a query: {len(targeted)}; "
          f"distractors: {len(entries) - len(targeted)}")
    print(f"entries per dataset: {dict(collections.Counter(e['dataset'] for e in entries.values()))}")
    print(f"queries: {len(queries)}; per dataset: "
          f"{dict(collections.Counter(q['prov'][0]['dataset'] for q in queries))}; "
          f"5+ whitespace words: {sum(len(q['query'].split()) >= 5 for q in queries)}; "
          f"with 2+ expected: {sum(len(q['expected']) > 1 for q in queries)}")
    print(f"queries per source: {dict(sorted(collections.Counter(q['prov'][0]['source'] for q in queries).items()))}")
    print(f"dropped: {dict(dropped)}")


if __name__ == "__main__":
    main()
