"""Check queries.jsonl against the entry ids re-derived from content/*.md.

    python3 validate.py            # exit status 1 on any error

Ids are derived the way doumi does (src/content/markdown.rs, slug.rs, article.rs):
article id = file stem; each `## ` line is a question; its text is the heading
with Markdown backslash escapes undone and whitespace collapsed; the anchor is
slug.rs's slugify (alphanumeric runs, lowercased, joined by `-`), with `-2`,
`-3`... for repeats within a file. If markdown-it-py happens to be importable,
the heading and answer texts are also checked against a CommonMark parser.
Standard library only otherwise.
"""
import collections
import json
import pathlib
import re
import sys
import unicodedata

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
from make_set import key, slugify  # noqa: E402  (one definition of the anchors)
errors = []




def unescape(s):
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s)


def collapse(s):
    return " ".join(s.split())


def articles():
    """[(stem, front matter dict, [(line, heading, answer)])]"""
    out = []
    for p in sorted((HERE / "content").glob("*.md")):
        lines = p.read_text(encoding="utf-8").split("\n")
        if lines[0] != "---" or "---" not in lines[1:]:
            errors.append(f"{p.name}: no front matter")
            continue
        end = lines.index("---", 1)
        fm = dict(l.split(":", 1) for l in lines[1:end])
        fm = {k.strip(): v.strip() for k, v in fm.items()}
        sections, i = [], end + 1
        while i < len(lines):
            if lines[i].startswith("## "):
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                answer = lines[j] if j < len(lines) and not lines[j].startswith("## ") else ""
                sections.append((i + 1, collapse(unescape(lines[i][3:])), collapse(unescape(answer))))
                i = j
            else:
                i += 1
        out.append((p.stem, fm, sections))
    return out


def rust_alnum_agrees(c):
    """Python's isalnum stands in for Rust's char::is_alphanumeric; they differ on
    combining marks and a few symbols with the Other_Alphabetic property."""
    cat = unicodedata.category(c)
    if cat.startswith("M"):
        return False
    if cat == "So" and (0x24B6 <= ord(c) <= 0x24E9 or 0x1F130 <= ord(c) <= 0x1F189):
        return False
    return True


ids, seen_keys, headings_by_key = set(), {}, {}
arts = articles()
for stem, fm, sections in arts:
    if not re.fullmatch(r"[a-z0-9-]+", stem):
        errors.append(f"{stem}.md: file name is not a valid plain article id")
    if fm.get("type") != "faq" or not fm.get("title") or not fm.get("category"):
        errors.append(f"{stem}.md: needs title, category and type: faq")
    for k in ("id", "aliases", "tags"):
        if k in fm:
            errors.append(f"{stem}.md: has `{k}:`")
    if not sections:
        errors.append(f"{stem}.md: no questions")
    used = set()
    for line, heading, answer in sections:
        if not answer:
            errors.append(f"{stem}.md:{line}: empty answer")
        if any(c in heading for c in "{}"):
            errors.append(f"{stem}.md:{line}: braces in a heading (heading attributes)")
        odd = [c for c in heading if not rust_alnum_agrees(c)]
        if odd:
            errors.append(f"{stem}.md:{line}: characters whose alphanumeric class may differ in Rust: {odd}")
        base = slugify(heading)
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        ids.add(f"{stem}#{anchor}")
        k = key(heading)
        if k in seen_keys:
            errors.append(f"{stem}.md:{line}: question also asked at {seen_keys[k]} (doumi check warns)")
        seen_keys[k] = f"{stem}.md:{line}"
        headings_by_key[k] = heading

try:  # optional cross-check against a CommonMark parser
    from markdown_it import MarkdownIt
except ImportError:
    MarkdownIt = None
if MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for stem, _, sections in arts:
        body = (HERE / "content" / f"{stem}.md").read_text(encoding="utf-8").split("---", 2)[2]
        toks = md.parse(body)
        texts = ["".join(c.content if c.type in ("text", "code_inline") else " " if "break" in c.type else "\x00"
                         for c in t.children) for t in toks if t.type == "inline"]
        want = [x for _, h, a in sections for x in (h, a)]
        if [collapse(t) for t in texts] != want:
            errors.append(f"{stem}.md: CommonMark parse differs from the raw sentences")

counts, per_set, words5, seen_q, targeted = collections.Counter(), collections.Counter(), 0, set(), set()
for n, line in enumerate(open(HERE / "queries.jsonl", encoding="utf-8"), 1):
    try:
        q = json.loads(line)
    except ValueError as e:
        errors.append(f"queries.jsonl:{n}: bad json {e}")
        continue
    if set(q) != {"query", "expected", "class"}:
        errors.append(f"queries.jsonl:{n}: keys {sorted(q)}")
        continue
    if q["class"] != "paraphrase":
        errors.append(f"queries.jsonl:{n}: class {q['class']}")
    if not q["query"].strip() or q["query"] != collapse(q["query"]):
        errors.append(f"queries.jsonl:{n}: empty or untidy query")
    if not q["expected"]:
        errors.append(f"queries.jsonl:{n}: no expected entry")
    if key(q["query"]) in seen_q:
        errors.append(f"queries.jsonl:{n}: duplicate query")
    seen_q.add(key(q["query"]))
    if key(q["query"]) in headings_by_key:
        errors.append(f"queries.jsonl:{n}: query is a corpus heading verbatim: {headings_by_key[key(q['query'])]}")
    for e in q["expected"]:
        if e not in ids:
            errors.append(f"queries.jsonl:{n}: unknown id {e}")
        targeted.add(e)
    counts[q["class"]] += 1
    per_set[q["expected"][0].split("#")[0].rsplit("-", 1)[0]] += 1
    words5 += len(q["query"].split()) >= 5

size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
if size >= 1_000_000:
    errors.append(f"set is {size} bytes, over 1 MB")

print("errors:", "\n  ".join([""] + errors) if errors else "none")
print(f"files: {len(arts)} | entries: {len(ids)} | targeted: {len(targeted & ids)} | distractors: {len(ids - targeted)}")
print(f"queries: {sum(counts.values())} {dict(counts)} | per source set: {dict(per_set)} | 5+ words: {words5}")
print(f"bytes on disk: {size}" + ("" if MarkdownIt else " | (markdown-it-py not installed: CommonMark cross-check skipped)"))
sys.exit(1 if errors else 0)
