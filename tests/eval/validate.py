"""Check queries.jsonl (next to this script) against the ids of the help center in content/.

Run from the repository root: python3 tests/eval/validate.py  (exit status 1 if anything is wrong)

Ids are computed from the Markdown, the same way doumi names entries:
  - article id = file stem;
  - each `## ` heading is `article#anchor`, where anchor is the `{#anchor}` at the end of the heading
    if present, else the heading's slug (lowercase runs of letters/digits joined by "-");
  - a `type: guide` article (the default when `type` is missing) is also an entry of its own: `article`.
In `expected`, a bare article id of any article is accepted: it means "any entry of this article"
(used for broad one-word queries).
"""
import collections, json, pathlib, re, sys

HERE = pathlib.Path(__file__).resolve().parent
CONTENT = HERE.parent.parent / "content"
QUERIES = HERE / "queries.jsonl"
CLASSES = ("exact", "paraphrase", "colloquial", "spacing", "typo", "chosung", "partial",
           "mistype", "mixed", "unanswerable")
ANCHOR = re.compile(r"\{#([^}\s]+)\}\s*$")


def slug(heading):
    return "-".join(re.findall(r"[^\W_]+", heading)).lower()


def content_ids(root=CONTENT):
    """Entry ids and article ids of every Markdown file under root."""
    entries, articles = set(), set()
    files = sorted(root.rglob("*.md"))
    if not files:
        sys.exit(f"no Markdown files under {root}")
    for path in files:
        article = path.stem
        lines = path.read_text(encoding="utf-8").splitlines()
        doc_type, start = "guide", 0
        if lines and lines[0].strip() == "---":
            for i in range(1, len(lines)):
                if lines[i].strip() == "---":
                    start = i + 1
                    break
                m = re.match(r"type:\s*(.*?)\s*$", lines[i])
                if m:
                    doc_type = m.group(1).strip("'\"") or "guide"
        if article in articles:
            sys.exit(f"two articles named {article}")
        articles.add(article)
        if doc_type == "guide":
            entries.add(article)
        fenced = False
        for line in lines[start:]:
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if fenced or not line.startswith("## "):
                continue
            heading = line[3:].strip()
            m = ANCHOR.search(heading)
            entries.add(f"{article}#{m.group(1) if m else slug(heading)}")
    return entries, articles


def main():
    entries, articles = content_ids()
    valid = entries | articles
    errors = []
    counts, per_article, used = collections.Counter(), collections.Counter(), set()
    seen = {}
    for n, line in enumerate(QUERIES.open(encoding="utf-8"), 1):
        try:
            o = json.loads(line)
        except ValueError as e:
            errors.append(f"line {n}: not JSON ({e})")
            continue
        if not isinstance(o, dict) or set(o) != {"query", "expected", "class"}:
            errors.append(f"line {n}: keys must be query, expected, class")
            continue
        q, exp, c = o["query"], o["expected"], o["class"]
        if not isinstance(q, str) or not q.strip():
            errors.append(f"line {n}: empty or non-string query")
            continue
        if not isinstance(exp, list) or not all(isinstance(e, str) for e in exp):
            errors.append(f"line {n}: expected must be a list of ids")
            continue
        if c not in CLASSES:
            errors.append(f"line {n}: unknown class {c!r}")
        counts[c] += 1
        if (c == "unanswerable") != (exp == []):
            errors.append(f"line {n}: class {c} with expected {exp} (unanswerable <=> expected == [])")
        if len(exp) > 3:
            errors.append(f"line {n}: more than 3 expected ids")
        if len(set(exp)) != len(exp):
            errors.append(f"line {n}: repeated id in expected")
        for e in exp:
            if e not in valid:
                errors.append(f"line {n}: unknown id {e}")
        used.update(exp)
        for a in {e.split("#")[0] for e in exp}:
            per_article[a] += 1
        if c == "chosung" and not re.fullmatch(r"[ㄱ-ㅎ ]+", q):
            errors.append(f"line {n}: chosung query is not initials only: {q}")
        if c == "mistype" and not re.fullmatch(r"[\x20-\x7e]+", q):
            errors.append(f"line {n}: mistype query is not English-keyboard text: {q}")
        key = re.sub(r"\s+", "", q).lower()
        if key in seen:
            errors.append(f"line {n}: duplicate of line {seen[key]}: {q}")
        else:
            seen[key] = n
    missing = [c for c in CLASSES if counts[c] == 0]
    if missing:
        errors.append(f"classes without queries: {missing}")

    print(f"content: {len(articles)} articles, {len(entries)} entry ids")
    print(f"queries: {sum(counts.values())}")
    for c in CLASSES:
        print(f"  {c:13} {counts[c]}")
    print("queries per article:")
    for a in sorted(articles):
        print(f"  {a:24} {per_article[a]}")
    never = sorted(entries - used)
    print(f"entry ids never expected: {len(never)}" + ("".join(f"\n  {i}" for i in never)))
    if errors:
        print(f"ERRORS ({len(errors)}):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("OK: no errors")


if __name__ == "__main__":
    main()
