"""Validate queries.jsonl against the ids generated from content/."""
import json, collections, pathlib, re
from gen_ids import entries

HERE = pathlib.Path(__file__).parent
ids = {i for i, _ in entries()}
articles = {i.split("#")[0] for i in ids}
CLASSES = {"exact", "paraphrase", "colloquial", "typo", "chosung", "partial", "spacing", "mixed", "mistype", "unanswerable"}
counts, seen, errors = collections.Counter(), set(), []
for n, line in enumerate(open(HERE / "queries.jsonl", encoding="utf-8"), 1):
    try:
        q = json.loads(line)
    except Exception as e:
        errors.append(f"line {n}: bad json {e}"); continue
    if set(q) != {"query", "expected", "class"}: errors.append(f"line {n}: keys {set(q)}")
    if q["class"] not in CLASSES: errors.append(f"line {n}: class {q['class']}")
    if not q["query"].strip(): errors.append(f"line {n}: empty query")
    if q["query"] in seen: errors.append(f"line {n}: duplicate query {q['query']}")
    seen.add(q["query"])
    if (q["class"] == "unanswerable") != (q["expected"] == []): errors.append(f"line {n}: none/expected mismatch")
    for e in q["expected"]:
        if e not in ids and e not in articles: errors.append(f"line {n}: unknown id {e}")
    if q["class"] == "mistype" and not re.fullmatch(r"[A-Za-z ]+", q["query"]): errors.append(f"line {n}: keyboard not ascii")
    if q["class"] == "chosung" and not re.fullmatch(r"[ㄱ-ㅎ ]+", q["query"]): errors.append(f"line {n}: chosung not jamo")
    counts[q["class"]] += 1
# content checks
for p in sorted((HERE / "content").rglob("*.md")):
    t = p.read_text(encoding="utf-8")
    fm = t.split("---", 2)[1]
    if re.search(r"^id:", fm, re.M): errors.append(f"{p}: has id:")
    if not re.fullmatch(r"[a-z0-9-]+", p.stem): errors.append(f"{p}: bad filename")
    for k in ("title", "category", "tags", "aliases", "updated", "type"):
        if not re.search(rf"^{k}:", fm, re.M): errors.append(f"{p}: missing {k}")
print("errors:", errors or "none")
print("entries (ids):", len(ids), "| headings:", sum(1 for i, h in entries() if h))
print("queries:", sum(counts.values()), dict(sorted(counts.items())))
used = {e for l in open(HERE / "queries.jsonl", encoding="utf-8") for e in json.loads(l)["expected"]}
print("ids never targeted:", sorted(ids - used))
