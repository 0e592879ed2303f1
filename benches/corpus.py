#!/usr/bin/env python3
"""Writes a help center of N entries for scale tests, made from the bundled one.

    python3 benches/corpus.py --entries 10000 --out /tmp/doumi-10k

Every generated FAQ article takes its shape from a real one in content/ (front
matter, ten `##` questions, answers of a few sentences with the Markdown the
editors use), and its words from the whole bundled help center: questions are
real questions with their subject swapped for another product or service noun
of the vocabulary, answers are real answer sentences recombined, with numbers
and product names varied. Not lorem ipsum: the analyzer, the typo layer and the
ranking meet the vocabulary and the sentence shapes of real content, at scale.
The editors' dictionaries are copied along. Deterministic for a given --seed.

    python3 benches/corpus.py --entries 500 --answer-bytes 1000-3000 --out /tmp/doumi-long

With --answer-bytes, every answer is made of real answer sentences, a numbered
list of steps and a closing paragraph until its UTF-8 size falls in the range:
the long-answer corpus that issue 16 compares with the short one at the same
entry count (same questions for the same --seed).

    python3 benches/corpus.py --entries 10000 --invent-nouns 20000 --out /tmp/doumi-vocab

With --invent-nouns N, the product and service nouns that questions, titles,
tags and answers swap in are joined by N made-up ones, each the beginning of
one bundled noun and the end of another (배송 + 수단 → 배송단): a help center
whose vocabulary is many times the bundled one's, with words shaped and
sharing beginnings like real ones, for what typo correction costs as the
vocabulary grows.
"""

import argparse
import pathlib
import random
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
QUESTIONS_PER_ARTICLE = 10


def read_bundled(content):
    questions, sentences, categories, nouns = [], [], set(), set()
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front, _, body = text.partition("\n---\n")
        category = re.search(r"^category:\s*(.+)$", front, re.M)
        if category:
            categories.add(category.group(1).strip())
        title = re.search(r"^title:\s*(.+)$", front, re.M)
        for source in [title.group(1) if title else ""] + re.findall(r"^## (.+)$", body, re.M):
            for word in re.findall(r"[가-힣]{2,6}", source):
                if re.search(r"(요|나요|까요|니다|어요|해요|려면|는데|하고|하면|러|고|게|지)$", word):
                    continue
                # Drop a trailing particle: 휴면계정이 → 휴면계정.
                word = re.sub(r"(으로|에서|이나|이|가|을|를|은|는|의|로|에|도|와|과)$", "", word)
                if len(word) >= 2:
                    nouns.add(word)
        for block in re.split(r"^## ", body, flags=re.M)[1:]:
            heading, _, answer = block.partition("\n")
            questions.append(re.sub(r"\s*\{#[^}]*\}\s*$", "", heading).strip())
            for line in answer.splitlines():
                line = line.strip()
                if line and not line.startswith(("<!--", "|", "#")):
                    sentences.extend(s.strip() for s in re.split(r"(?<=[.다요])\s+", line) if len(s.strip()) > 8)
    return questions, sentences, sorted(categories), sorted(nouns)


def vary(rng, question, nouns):
    words = re.findall(r"[가-힣]{2,5}", question)
    candidates = [w for w in words if w in nouns]
    if candidates:
        old = rng.choice(candidates)
        question = question.replace(old, rng.choice(nouns), 1)
    return question


def invent_nouns(rng, nouns, count):
    """`count` new nouns of 2 to 5 syllables, each a bundled noun's beginning
    followed by another's end, none of them a bundled noun."""
    known, invented = set(nouns), []
    for _ in range(count * 50):
        if len(invented) == count:
            break
        head, tail = rng.choice(nouns), rng.choice(nouns)
        word = head[: rng.randint(1, len(head))] + tail[rng.randint(0, len(tail) - 1):]
        if 2 <= len(word) <= 5 and word not in known:
            known.add(word)
            invented.append(word)
    return invented


def long_answer(rng, opening, sentences, bounds):
    """An answer of bounds[0]..bounds[1] bytes: the opening, numbered steps and
    closing paragraphs of real sentences, cut back at a sentence if too long."""
    low, high = bounds
    target = rng.randint(low, high)
    parts = [opening, ""]
    steps = [f"{i}. {s}" for i, s in enumerate(rng.sample(sentences, 3), 1)]
    parts += steps + [""]
    size = lambda: len("\n".join(parts).encode("utf-8"))
    while size() < target:
        parts.append(" ".join(rng.sample(sentences, 3)))
        parts.append("")
    while size() > high and len(parts) > 3:
        parts.pop()
    while size() < low:
        parts.append(rng.choice(sentences))
    return "\n".join(parts).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, required=True, help="entries to write (questions); rounded up to whole articles")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="folder to create; its content/ is replaced")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invent-nouns", type=int, default=0, metavar="N", help="add N made-up nouns to the bundled ones (a larger vocabulary)")
    parser.add_argument("--answer-bytes", metavar="MIN-MAX", help="long answers of MIN to MAX bytes of UTF-8 each (e.g. 1000-3000)")
    args = parser.parse_args()
    if args.entries < 1:
        parser.error("--entries must be at least 1")
    if args.invent_nouns < 0:
        parser.error("--invent-nouns must be 0 or more")
    answer_bytes = None
    if args.answer_bytes:
        match = re.fullmatch(r"(\d+)-(\d+)", args.answer_bytes)
        if not match or int(match.group(1)) > int(match.group(2)):
            parser.error("--answer-bytes takes MIN-MAX in bytes, e.g. 1000-3000")
        answer_bytes = (int(match.group(1)), int(match.group(2)))

    rng = random.Random(args.seed)
    questions, sentences, categories, nouns = read_bundled(ROOT / "content")
    nouns = nouns + invent_nouns(rng, nouns, args.invent_nouns)
    content = args.out / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    for name in ("synonyms.txt", "user-dictionary.txt"):
        shutil.copy(ROOT / "content" / name, content / name)

    articles = -(-args.entries // QUESTIONS_PER_ARTICLE)
    written = 0
    for n in range(articles):
        category = rng.choice(categories)
        folder = content / f"c{n % 50:02d}"
        folder.mkdir(exist_ok=True)
        subject = rng.choice(nouns)
        lines = [
            "---",
            f"title: {subject} {rng.choice(['안내', '자주 묻는 질문', '이용 방법', '문제 해결'])} {n}",
            f"category: {category}",
            f"tags: [{', '.join(rng.sample(nouns, 3))}]",
            "type: faq",
            "---",
            "",
        ]
        seen = set()
        for _ in range(min(QUESTIONS_PER_ARTICLE, args.entries - written)):
            question = vary(rng, rng.choice(questions), nouns)
            while question in seen:
                question = f"{question} ({rng.choice(nouns)})"
            seen.add(question)
            answer = " ".join(rng.sample(sentences, rng.randint(2, 4)))
            if answer_bytes:
                answer = long_answer(rng, answer, sentences, answer_bytes)
            answer = re.sub(r"\d+", lambda m: str(rng.randint(1, 9) * int("1" + "0" * (len(m.group()) - 1))), answer)
            lines += [f"## {question}", "", answer, "", f"{subject} 관련 문의는 **{rng.choice(nouns)}** 메뉴에서도 확인할 수 있습니다.", ""]
            written += 1
        (folder / f"gen-{n:06d}.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {written} entries in {articles} articles to {content}")


if __name__ == "__main__":
    main()
