"""Validate queries.jsonl against the ids generated from content/ (exit status 1 on any error).

Besides the format checks, the queries must be independent of the dev set and of this content's wording:
- no query equals (whitespace ignored) a query of the dev set, ../queries.jsonl, or one it ever had:
  the queries ../generate.py drops (its DROP table) and every version of ../queries.jsonl in git history;
- no query of a class other than exact is a heading's text (whitespace and punctuation ignored),
  nor its initials (chosung) or its English-layout keys (mistype);
- no query of any class is a tag or alias of the content, nor the initials or English-layout keys of one.
"""
import ast, json, collections, pathlib, re, subprocess, sys
from gen_ids import entries
from hangul import chosung, keyboard

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
    if re.sub(r"\s+", "", q["query"]) in seen: errors.append(f"line {n}: duplicate query {q['query']}")
    seen.add(re.sub(r"\s+", "", q["query"]))
    if (q["class"] == "unanswerable") != (q["expected"] == []): errors.append(f"line {n}: none/expected mismatch")
    for e in q["expected"]:
        if e not in ids and e not in articles: errors.append(f"line {n}: unknown id {e}")
    if q["class"] == "mistype" and not re.fullmatch(r"[A-Za-z ]+", q["query"]): errors.append(f"line {n}: keyboard not ascii")
    if q["class"] == "chosung" and not re.fullmatch(r"[ㄱ-ㅎ ]+", q["query"]): errors.append(f"line {n}: chosung not jamo")
    counts[q["class"]] += 1

# ---- independence from the dev set -------------------------------------------
def ws(s):
    return re.sub(r"\s+", "", s)

def dev_queries():
    """Every query the dev set has or ever had: ../queries.jsonl, the DROP table of ../generate.py
    and, when git is available, every version of ../queries.jsonl in history."""
    dev, past = HERE.parent / "queries.jsonl", set()
    if not dev.exists(): errors.append(f"missing {dev}"); return set(), set()
    current = {json.loads(l)["query"] for l in open(dev, encoding="utf-8") if l.strip()}
    gen = HERE.parent / "generate.py"
    if gen.exists():
        for node in ast.walk(ast.parse(gen.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(getattr(x, "id", None) == "DROP" for x in node.targets):
                past |= {q for qs in ast.literal_eval(node.value).values() for q in qs}
    try:
        log = subprocess.run(["git", "log", "-p", "--all", "--format=", "--", "queries.jsonl"], cwd=HERE.parent,
                             capture_output=True, text=True, check=True).stdout
        for l in log.splitlines():
            if l[:2] in ("+{", "-{", " {"):
                try: past.add(json.loads(l[1:])["query"])
                except (ValueError, KeyError, TypeError): pass
    except (OSError, subprocess.CalledProcessError):
        print("note: git history not read (no git or not a repository)")
    return current, past - current

dev_now, dev_past = dev_queries()
dev_key = {ws(q): f"dropped dev query {q!r}" for q in dev_past}
dev_key.update({ws(q): f"dev query {q!r}" for q in dev_now})

# ---- independence from the content's own wording --------------------------------
def bare(s):
    """Text without whitespace and punctuation, for comparing a query with a heading, tag or alias."""
    return re.sub(r"[\W_]+", "", s.lower())

def forms(text):
    return {bare(text): "text", bare(chosung(text)): "initials", ws(keyboard(text)): "English-layout keys"}

heading_form, label_form = {}, {}
for i, h in entries():
    if h:
        h = re.sub(r"\s*\{#[^}]*\}\s*$", "", h)
        for k, how in forms(h).items(): heading_form.setdefault(k, f"{how} of heading {h!r}")
for p in sorted((HERE / "content").rglob("*.md")):
    fm = p.read_text(encoding="utf-8").split("---", 2)[1]
    tags = re.search(r"^tags:\s*\[(.*)\]", fm, re.M)
    labels = [("tag", x.strip().strip("'\"")) for x in (tags.group(1).split(",") if tags else [])]
    al = re.search(r"^aliases:\s*\n((?:\s+-.*\n?)*)", fm, re.M)
    labels += [("alias", x.strip()[1:].strip().strip("'\"")) for x in (al.group(1).splitlines() if al else []) if x.strip()]
    for kind, x in labels:
        if x:
            for k, how in forms(x).items(): label_form.setdefault(k, f"{how} of {kind} {x!r} ({p.stem})")

overlap = []
for n, line in enumerate(open(HERE / "queries.jsonl", encoding="utf-8"), 1):
    try: q = json.loads(line)
    except ValueError: continue
    text, cls = q.get("query", ""), q.get("class")
    if ws(text) in dev_key:
        overlap.append(f"line {n}: {text!r} = {dev_key[ws(text)]}")
    b, k = bare(text), ws(text)
    if cls != "exact":
        for key in (b, k):
            if key in heading_form:
                errors.append(f"line {n}: {cls} query {text!r} is the {heading_form[key]}"); break
    for key in (b, k):
        if key in label_form:
            errors.append(f"line {n}: {cls} query {text!r} is the {label_form[key]}"); break
errors.extend(overlap)

# content checks
for p in sorted((HERE / "content").rglob("*.md")):
    t = p.read_text(encoding="utf-8")
    fm = t.split("---", 2)[1]
    if re.search(r"^id:", fm, re.M): errors.append(f"{p}: has id:")
    if not re.fullmatch(r"[a-z0-9-]+", p.stem): errors.append(f"{p}: bad filename")
    for k in ("title", "category", "tags", "aliases", "updated", "type"):
        if not re.search(rf"^{k}:", fm, re.M): errors.append(f"{p}: missing {k}")
print("errors:", "".join(f"\n  {e}" for e in errors) if errors else "none")
print("entries (ids):", len(ids), "| headings:", sum(1 for i, h in entries() if h))
print("queries:", sum(counts.values()), dict(sorted(counts.items())))
used = {e for l in open(HERE / "queries.jsonl", encoding="utf-8") for e in json.loads(l)["expected"]}
print("ids never targeted:", sorted(ids - used))
print(f"dev-set overlap: {len(overlap)} (checked against {len(dev_now)} dev queries and {len(dev_past)} dropped ones)")
sys.exit(1 if errors else 0)
