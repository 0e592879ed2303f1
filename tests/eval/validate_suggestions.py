"""Check suggestions.jsonl (next to this script): the labelled list for "did you mean" (「…」을(를) 찾으셨나요?).

Run from anywhere: python3 tests/eval/validate_suggestions.py   (exit status 1 if anything is wrong)

Each line is {"query", "content", "misspelled"} plus "expected" exactly when misspelled is true.
Checks:
  - every line is a JSON object with exactly those keys and the right types;
  - content is "bundled" (content/) or "holdout" (tests/eval/holdout/content/);
  - no query appears twice, and no query equals a query of tests/eval/queries.jsonl or
    tests/eval/holdout/queries.jsonl;
  - when misspelled: expected differs from query and has the same spacing (same number of
    space-separated words); every word that differs is, once corrected, a substring of the
    Markdown files of that content (otherwise no engine could correct it);
  - a misspelled word typed in the English layout (no Hangul, while the corrected word has some)
    must be exactly what typing the corrected word in 두벌식 produces, and must convert back;
  - any other misspelled word is a real typo: 1 to 4 keystrokes away from its correction.
Warnings (not failures): a misspelled word that is itself a whole word of the content.
"""
import collections, json, pathlib, re, sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# One list per help center: the bundled content's beside the dev queries, the
# holdout's beside its queries.
SUGGESTIONS = [HERE / "suggestions.jsonl", HERE / "holdout" / "suggestions.jsonl"]
CONTENT_DIRS = {"bundled": ROOT / "content", "holdout": HERE / "holdout" / "content"}
OTHER_QUERIES = (HERE / "queries.jsonl", HERE / "holdout" / "queries.jsonl")
KEYS = {"query", "content", "misspelled", "expected"}
MAX_KEYSTROKES = 4

# The 두벌식 (2-beolsik) keyboard, both ways: the holdout's helpers.
sys.path.insert(0, str(HERE / "holdout"))
from hangul import from_keyboard as from_qwerty, keyboard as to_qwerty  # noqa: E402


def levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


HANGUL = re.compile(r"[가-힣ㄱ-ㅣ]")


def main():
    problems, warnings = [], []
    texts = {name: "\n".join(p.read_text(encoding="utf-8") for p in sorted(d.rglob("*.md")))
             for name, d in CONTENT_DIRS.items()}
    words = {name: set(t.split()) for name, t in texts.items()}
    others = set()
    for path in OTHER_QUERIES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                others.add(json.loads(line)["query"].strip())
    seen = set()
    counts = collections.Counter()
    lines = [(f"{path.relative_to(ROOT)}:{n}", line) for path in SUGGESTIONS
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]
    for n, line in lines:
        def bad(msg):
            problems.append(f"{n}: {msg}")
        if not line.strip():
            bad("empty line")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            bad(f"not JSON: {e}")
            continue
        if not isinstance(row, dict):
            bad("not a JSON object")
            continue
        if set(row) - KEYS:
            bad(f"unknown keys {sorted(set(row) - KEYS)}")
        query, content, misspelled = row.get("query"), row.get("content"), row.get("misspelled")
        if not isinstance(query, str) or not query.strip() or query != query.strip():
            bad(f"query must be a non-empty string without outer spaces: {query!r}")
            continue
        if content not in CONTENT_DIRS:
            bad(f"content must be one of {sorted(CONTENT_DIRS)}: {content!r}")
            continue
        if not isinstance(misspelled, bool):
            bad(f"misspelled must be true or false: {misspelled!r}")
            continue
        if query in seen:
            bad(f"duplicate query {query!r}")
        seen.add(query)
        if query in others:
            bad(f"query {query!r} is also in queries.jsonl")
        counts[(content, misspelled)] += 1
        if not misspelled:
            if "expected" in row:
                bad(f"{query!r}: expected given but misspelled is false")
            continue
        expected = row.get("expected")
        if not isinstance(expected, str) or not expected.strip():
            bad(f"{query!r}: misspelled but no expected")
            continue
        if expected == query:
            bad(f"{query!r}: expected equals query")
        q_words, e_words = query.split(" "), expected.split(" ")
        if len(q_words) != len(e_words):
            bad(f"{query!r} -> {expected!r}: spacing differs")
            continue
        for q, e in zip(q_words, e_words):
            if q == e:
                continue
            if e not in texts[content]:
                bad(f"{query!r}: corrected word {e!r} is not in the {content} content")
            if HANGUL.search(e) and not HANGUL.search(q):
                if to_qwerty(e) != q:
                    bad(f"{query!r}: {e!r} typed in English layout is {to_qwerty(e)!r}, not {q!r}")
                if from_qwerty(q) != e:
                    bad(f"{query!r}: {q!r} composes to {from_qwerty(q)!r}, not {e!r}")
            else:
                d = levenshtein(to_qwerty(q), to_qwerty(e))
                if not 1 <= d <= MAX_KEYSTROKES:
                    bad(f"{query!r}: {q!r} -> {e!r} is {d} keystrokes apart (want 1..{MAX_KEYSTROKES})")
            if q in words[content]:
                warnings.append(f"{n}: misspelled word {q!r} is a word of the {content} content")
    for w in warnings:
        print("warning:", w)
    for p in problems:
        print("error:", p)
    total = sum(counts.values())
    for content in CONTENT_DIRS:
        ok, typo = counts[(content, False)], counts[(content, True)]
        print(f"{content}: {ok + typo} queries, {ok} correct, {typo} misspelled")
    wrong = sum(v for (c, m), v in counts.items() if m)
    if total:
        print(f"total: {total} queries, {total - wrong} correct ({100 * (total - wrong) / total:.0f}%), "
              f"{wrong} misspelled ({100 * wrong / total:.0f}%)")
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("ok")
    return 0


def _self_test():
    for word in ("비밀번호", "환불", "배송", "계좌", "휴면계정", "빠른클럽", "없애다", "읽어", "값이", "뭐예요", "의"):
        assert from_qwerty(to_qwerty(word)) == word, (word, to_qwerty(word), from_qwerty(to_qwerty(word)))
    assert to_qwerty("비밀번호") == "qlalfqjsgh"
    assert to_qwerty("계좌") == "rPwhk"
    assert from_qwerty("qothd whghl") == "배송 조회"


if __name__ == "__main__":
    _self_test()
    sys.exit(main())
