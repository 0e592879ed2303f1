"""Build the list of entry ids from content/ (article id = file stem, anchor = heading slug)."""
import re, pathlib, json, sys

ROOT = pathlib.Path(__file__).parent / "content"

def slug(heading):
    m = re.search(r'\{#([^}]+)\}\s*$', heading)
    if m:
        return m.group(1)
    return "-".join(re.findall(r'[^\W_]+', heading.lower()))

def entries():
    out = []
    for p in sorted(ROOT.rglob("*.md")):
        text = p.read_text(encoding="utf-8")
        fm = text.split("---", 2)[1]
        typ = re.search(r'^type:\s*(\S+)', fm, re.M).group(1)
        art = p.stem
        if typ == "guide":
            out.append((art, None))
        for line in text.splitlines():
            if line.startswith("## "):
                h = line[3:].strip()
                out.append((f"{art}#{slug(h)}", h))
    return out

if __name__ == "__main__":
    for i, h in entries():
        print(i)
