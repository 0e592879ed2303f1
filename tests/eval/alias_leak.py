"""Check that no alias or synonym was copied from the dev queries.

Run from anywhere: python3 tests/eval/alias_leak.py  (exit status 1 if a leak is found, 2 if an input is broken)

An alias must come from how customers ask, never from the eval file: an alias that is a near-copy of a
dev query makes that query find its answer through the copy, and the eval then measures the copy.

A near-copy shares at least half of the query's character pairs:
  - text is lowercased and reduced to Hangul syllables, letters and digits (spaces, punctuation and bare
    jamo such as ㅠ or a half-typed ㄱ are dropped), and cut into overlapping two-character pairs;
  - a leak shares >= 50% of the query's distinct pairs, and at least 2 of them (a query of two or three
    characters shares one pair with any alias that names its topic; that is not a copy).

Checked for every query of tests/eval/queries.jsonl, whatever its class:
  - aliases of the entries it expects: the article's `aliases:` front matter, plus the question's own
    `<!-- aliases: a, b -->` comment under its `##` heading (every question's, for a bare article id);
  - every phrase of content/synonyms.txt, except a phrase the help center itself uses (found in an
    article's title, tags or text), since such words are meant to match queries that contain them.

Standard library only; it reads the files the way doumi does, for the parts it needs.
"""
import argparse, json, pathlib, re, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SHARE = 0.5
MIN_SHARED = 2
ANCHOR = re.compile(r"\s*\{#([^}\s]+)\}\s*$")
ALIAS_COMMENT = re.compile(r"<!--\s*aliases:(.*?)-->")
COMMENT = re.compile(r"<!--.*?-->")


def is_jamo(c):
    return "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f" or "\ua960" <= c <= "\ua97f" or "\ud7b0" <= c <= "\ud7ff"


def normalize(text):
    return "".join(c for c in text.lower() if ("\uac00" <= c <= "\ud7a3") or (c.isalnum() and not is_jamo(c)))


def pairs(text):
    s = normalize(text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def slug(heading):
    s = "-".join(re.findall(r"[^\W_]+", heading)).lower()
    return s or "section"


def unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1].replace('\\"', '"')
    return re.sub(r"\s+#.*$", "", value).strip()


def flow_items(text):
    """`[a, "b, c", 'd']` → its items."""
    return [unquote(m.group(0)) for m in re.finditer(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^,\s][^,]*", text)]


class Article:
    def __init__(self, path, text):
        self.path = path
        self.id = path.stem
        self.aliases = []   # (line, alias)
        self.sections = {}  # anchor → [(line, alias)]
        lines = text.split("\n")
        yaml_end = 0
        if lines and lines[0].rstrip() == "---":
            for i in range(1, len(lines)):
                if lines[i].rstrip() == "---":
                    yaml_end = i
                    break
        doc = []
        in_aliases, flow = False, None
        for i in range(1, yaml_end):
            line, n = lines[i], i + 1
            key = re.match(r"([A-Za-z_][\w-]*)\s*:(.*)$", line)
            if flow is not None:
                flow[1] += " " + line
                if "]" in line:
                    self.aliases += [(flow[0], a) for a in flow_items(flow[1].split("]")[0]) if a]
                    flow = None
                continue
            if key:
                in_aliases = key.group(1) == "aliases"
                value = key.group(2).strip()
                if key.group(1) == "id" and unquote(value):
                    self.id = unquote(value)
                if not in_aliases:
                    doc.append(value)
                elif value.startswith("["):
                    if "]" in value:
                        self.aliases += [(n, a) for a in flow_items(value[1:value.index("]")]) if a]
                    else:
                        flow = [n, value[1:]]
                    in_aliases = False
                continue
            item = re.match(r"\s*-\s+(.*)$", line) or re.match(r"\s*-$", line)
            if in_aliases and item:
                alias = unquote(item.group(1)) if item.groups() else ""
                if alias:
                    self.aliases.append((n, alias))
            elif in_aliases and line.strip() and not line.lstrip().startswith("#"):
                in_aliases = False
        section, fenced, used = None, False, set()
        for i in range(yaml_end + 1 if yaml_end else 0, len(lines)):
            line, n = lines[i], i + 1
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if not fenced and re.match(r" {0,3}##(\s|$)", line):
                heading = re.sub(r"\s#+\s*$", "", line.strip()[2:].strip())
                m = ANCHOR.search(heading)
                base = m.group(1) if m else slug(heading)
                anchor, k = base, 2
                while anchor in used:
                    anchor, k = f"{base}-{k}", k + 1
                used.add(anchor)
                section = self.sections.setdefault(anchor, [])
                doc.append(ANCHOR.sub("", heading))
                continue
            if not fenced:
                for m in ALIAS_COMMENT.finditer(line):
                    if section is not None:
                        section += [(n, " ".join(a.split())) for a in m.group(1).split(",") if a.strip()]
                line = COMMENT.sub(" ", line)
            doc.append(line)
        self.text = normalize("\n".join(doc))

    def aliases_for(self, anchor):
        """Aliases that reach the entry `anchor` (None: any entry of the article)."""
        found = list(self.aliases)
        for a, aliases in self.sections.items():
            if anchor is None or a == anchor:
                found += aliases
        return found


def load_synonyms(path):
    """(line, phrase) for every phrase on either side of every rule."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        content = line.split("#")[0].strip()
        if not content:
            continue
        for side in content.split("=>"):
            out += [(n, " ".join(p.split())) for p in side.split(",") if p.strip()]
    return out


def shown(path):
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=pathlib.Path, default=ROOT / "content")
    parser.add_argument("--queries", type=pathlib.Path, default=ROOT / "tests/eval/queries.jsonl")
    args = parser.parse_args()

    files = sorted(args.content.rglob("*.md")) if args.content.is_dir() else []
    if not files:
        print(f"no Markdown files under {args.content}", file=sys.stderr)
        return 2
    articles = {}
    for path in files:
        article = Article(path, path.read_text(encoding="utf-8"))
        articles[article.id] = article
    synonyms_path = args.content / "synonyms.txt"
    synonyms = [(n, p) for n, p in load_synonyms(synonyms_path)
                if not any(normalize(p) in a.text for a in articles.values())]

    try:
        queries = [json.loads(l) for l in args.queries.read_text(encoding="utf-8").splitlines() if l.strip()]
    except (OSError, ValueError) as e:
        print(f"cannot read {args.queries}: {e}", file=sys.stderr)
        return 2

    leaking_queries, leaking_aliases, leaking_synonyms = set(), set(), set()
    for query in queries:
        text, cls = query.get("query", ""), query.get("class", "?")
        q = pairs(text)
        if not q:
            continue
        candidates = {}
        for expected in query.get("expected", []):
            article_id, _, anchor = expected.partition("#")
            article = articles.get(article_id)
            if article is None:
                continue
            for line, alias in article.aliases_for(anchor or None):
                candidates[(shown(article.path), line, alias)] = f"alias of {article.id}"
        for line, phrase in synonyms:
            candidates[(shown(synonyms_path), line, phrase)] = "synonym"
        for (where, line, alias), what in candidates.items():
            shared = len(q & pairs(alias))
            if shared >= MIN_SHARED and shared / len(q) >= SHARE:
                print(f"[{cls}] {text!r} ~ {alias!r} ({what}, {where}:{line}): "
                      f"shares {shared} of {len(q)} pairs ({shared / len(q):.0%})")
                leaking_queries.add(text)
                (leaking_synonyms if what == "synonym" else leaking_aliases).add((where, line, alias))
    detail = f" ({len(leaking_aliases)} aliases, {len(leaking_synonyms)} synonyms)" if leaking_queries else ""
    print(f"alias leaks: {len(leaking_queries)} of {len(queries)} queries{detail}")
    return 1 if leaking_queries else 0


if __name__ == "__main__":
    sys.exit(main())
