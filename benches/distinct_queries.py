#!/usr/bin/env python3
"""Writes N distinct, realistic Korean help-center search queries, one per line.

    python3 benches/distinct_queries.py --count 3000 --out /tmp/queries.txt
    python3 benches/distinct_queries.py --count 2000 --seed 11 > /tmp/queries.txt

Why: the engine caches whole answers keyed by the trimmed query text, so a load
test that replays the eval sets measures the cache, not the search. Uncached
throughput needs queries nobody asked before. Every line here differs from
every other after strip(), so each request does the full work.

What: the queries start from what customers really wrote (the eval queries,
the spelling-suggestion lists, the `## ` questions of the help centers in
content/ and tests/eval/holdout/content/) and are varied the way a search box
sees them, both complete queries and what a search-as-you-type widget sends
while the customer is still typing. The default mix:

    asis     30%  source queries as typed, then light variants: spacing
                  removed or added, endings swapped (요/나요/까요/ㅠㅠ/?),
                  a word dropped
    long     20%  sentences of 5+ words: long source questions, and two
                  queries joined with the filler customers use (혹시, 그런데,
                  제가, 어제, 지금); a few public-set paraphrases (news and
                  review sentences, off-topic for a help center)
    typo     15%  one jamo substituted (neighbour key or sound-alike),
                  deleted or doubled inside one syllable
    chosung  10%  initial consonants of a 2-4 syllable word or a short query
    half     10%  a query cut mid-syllable as the IME shows it while typing
                  (last syllable = its initial, or initial + vowel)
    mistype   8%  Korean typed with the keyboard left in English (두벌식 on
                  QWERTY): 배송 -> qothd; sometimes only the last words
    mixed     7%  Korean-English mix: 환불 refund, 앱 login 안됨

A kind that runs out of new distinct lines hands its remainder to the kinds
that do not. Lines are shuffled so any prefix of the file has the same mix.
Deterministic for a given --seed; standard library only. No personal data:
lines that look like e-mail addresses, mobile, card or account numbers are
rejected. A summary (count per kind, number distinct) goes to stderr.
"""

import argparse
import json
import pathlib
import random
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The 두벌식 tables and the English-layout converter the holdout set was made with.
sys.path.insert(0, str(ROOT / "tests" / "eval" / "holdout"))
from hangul import CHO, JONG, JUNG, KEY, SPLIT, keyboard  # noqa: E402

MIX = [("asis", 0.30), ("long", 0.20), ("typo", 0.15), ("chosung", 0.10),
       ("half", 0.10), ("mistype", 0.08), ("mixed", 0.07)]
MAX_LEN = 100
# Consecutive duplicates or rejects after which a kind counts as exhausted.
STALL = 3000

PERSONAL = re.compile(
    r"[\w.+-]+@[\w-]+\.\w"            # e-mail address
    r"|01[016789][- ]?\d{3,4}[- ]?\d{4}"  # mobile number
    r"|\d{6}[- ]?[1-4]\d{6}"          # resident registration number
    r"|\d[\d -]{10,}\d"               # card or account number
)

# ---------------------------------------------------------------- sources


def read_jsonl(rel):
    with open(ROOT / rel, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


ANCHOR = re.compile(r"\s*\{#[^}]*\}")  # `{#sms-not-received}`: a link target, not typed by anyone


def read_headings(rel):
    """The `## ` questions of every article: questions as editors expect them asked."""
    out = []
    for path in sorted((ROOT / rel).rglob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                out.append(ANCHOR.sub("", line[3:]).strip())
    return out


def unique(items):
    """Order-preserving dedupe (sets would make the output depend on PYTHONHASHSEED)."""
    return list(dict.fromkeys(i.strip() for i in items if i.strip()))


class Sources:
    """typed: queries exactly as customers wrote them (typos and all).
    clean: well-formed queries per help center, the seeds of every variant
    (variants of a typo or a chosung query would be noise on noise).
    public: public-set paraphrases that fit on a line."""

    WELL_FORMED = {"exact", "paraphrase", "colloquial", "spacing", "unanswerable"}

    def __init__(self):
        dev = read_jsonl("tests/eval/queries.jsonl")
        hold = read_jsonl("tests/eval/holdout/queries.jsonl")
        sugg = read_jsonl("tests/eval/suggestions.jsonl")
        hsugg = read_jsonl("tests/eval/holdout/suggestions.jsonl")
        shop_heads = read_headings("content")
        food_heads = read_headings("tests/eval/holdout/content")

        self.typed = unique(r["query"] for r in dev + hold + sugg + hsugg)
        self.headings = unique(shop_heads + food_heads)
        self.public = unique(r["query"] for r in read_jsonl("tests/eval/public/queries.jsonl")
                             if len(r["query"]) <= MAX_LEN)
        # Two help centers (an online shop, a food-delivery app): sentences are
        # combined within one, as a customer of one service would.
        self.clean = {
            "shop": unique([r["query"] for r in dev if r["class"] in self.WELL_FORMED]
                           + [r.get("expected") or r["query"] for r in sugg]
                           + [strip_end(h) for h in shop_heads]),
            "food": unique([r["query"] for r in hold if r["class"] in self.WELL_FORMED]
                           + [r.get("expected") or r["query"] for r in hsugg]
                           + [strip_end(h) for h in food_heads]),
        }
        # Off-topic questions are asked, varied and mistyped too, but not joined
        # to a real question: nobody writes 배송 조회 그리고 점심 메뉴 추천.
        off_topic = unique(r["query"] for r in dev + hold if r["class"] == "unanswerable")
        self.clean = {d: [q for q in qs if q not in off_topic] for d, qs in self.clean.items()}
        self.all_clean = self.clean["shop"] + self.clean["food"] + off_topic

# ---------------------------------------------------------------- Hangul


def split_syllable(ch):
    """(initial, vowel, final) indexes of a Hangul syllable, or None."""
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    return code // 588, (code % 588) // 28, code % 28


def join_syllable(cho, jung, jong=0):
    return chr(0xAC00 + (cho * 21 + jung) * 28 + jong)


def is_hangul_word(word):
    return all(split_syllable(c) for c in word)


def _neighbour_keys():
    """Jamo whose keys sit side by side on a QWERTY row: the commonest slip."""
    jamo_of = {k: j for j, k in KEY.items()}
    pairs = {}
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm"):
        for a, b in zip(row, row[1:]):
            ja, jb = jamo_of.get(a), jamo_of.get(b)
            if ja and jb:
                pairs.setdefault(ja, []).append(jb)
                pairs.setdefault(jb, []).append(ja)
    return pairs


# Sound-alikes customers confuse when spelling (배숑, 결재, 휴먼), on top of key neighbours.
SOUND_ALIKE = [("ㅐ", "ㅔ"), ("ㅗ", "ㅛ"), ("ㅜ", "ㅠ"), ("ㅓ", "ㅕ"), ("ㅚ", "ㅙ"), ("ㅙ", "ㅞ"),
               ("ㅢ", "ㅣ"), ("ㅡ", "ㅜ"), ("ㄱ", "ㅋ"), ("ㄷ", "ㅌ"), ("ㅂ", "ㅍ"), ("ㅈ", "ㅊ"),
               ("ㅁ", "ㄴ"), ("ㅇ", "ㄴ")]
CONFUSABLE = _neighbour_keys()
for _a, _b in SOUND_ALIKE:
    CONFUSABLE.setdefault(_a, []).append(_b)
    CONFUSABLE.setdefault(_b, []).append(_a)
TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}


def typo_substitute(rng, syl):
    cho, jung, jong = syl
    slots = [("cho", CHO[cho], CHO), ("jung", JUNG[jung], JUNG)]
    if jong:
        slots.append(("jong", JONG[jong], JONG))
    slot, jamo, table = rng.choice(slots)
    options = [j for j in CONFUSABLE.get(jamo, []) if j in table]
    if not options:
        return None
    new = table.index(rng.choice(options))
    return {"cho": (new, jung, jong), "jung": (cho, new, jong), "jong": (cho, jung, new)}[slot]


def typo_delete(rng, syl):
    """A key not pressed: the final, one half of a compound vowel or final, or the initial (회원 → 외원)."""
    cho, jung, jong = syl
    options = []
    if jong:
        first = SPLIT.get(JONG[jong], "")[:1]
        options.append((cho, jung, JONG.index(first) if first else 0))
    if JUNG[jung] in SPLIT:
        options += [(cho, JUNG.index(part), jong) for part in SPLIT[JUNG[jung]] if part in JUNG]
    if CHO[cho] != "ㅇ":
        options.append((CHO.index("ㅇ"), jung, jong))
    return rng.choice(options) if options else None


def typo_double(rng, syl, next_syl):
    """A key pressed twice or with shift held: 배송 → 뱃송 (ㅅ twice), 배 → 빼, 환불이 → 환불리."""
    cho, jung, jong = syl
    options = []  # (this syllable, next syllable)
    if CHO[cho] in TENSE:
        options.append(((CHO.index(TENSE[CHO[cho]]), jung, jong), next_syl))
    if next_syl:
        ncho, njung, njong = next_syl
        if not jong and CHO[ncho] in JONG:
            options.append(((cho, jung, JONG.index(CHO[ncho])), next_syl))
        if jong and CHO[ncho] == "ㅇ" and JONG[jong] in CHO:
            options.append((syl, (CHO.index(JONG[jong]), njung, njong)))
    return rng.choice(options) if options else None


def make_typo(rng, text):
    """One jamo slip inside one syllable of text, recomposed."""
    positions = [i for i, c in enumerate(text) if split_syllable(c)]
    if not positions:
        return None
    i = rng.choice(positions)
    syl = split_syllable(text[i])
    nxt = split_syllable(text[i + 1]) if i + 1 < len(text) else None
    op = rng.choice(("substitute", "substitute", "delete", "double"))
    if op == "double":
        res = typo_double(rng, syl, nxt)
        if not res:
            return None
        this, after = res
        tail = join_syllable(*after) + text[i + 2:] if after else text[i + 1:]
        return text[:i] + join_syllable(*this) + tail
    new = typo_substitute(rng, syl) if op == "substitute" else typo_delete(rng, syl)
    return text[:i] + join_syllable(*new) + text[i + 1:] if new else None

# ---------------------------------------------------------------- light variants


END_MARKS = re.compile(r"[\s?.!~;ㅠㅜ]+$")
PARTICLES = ("으로", "에서", "은", "는", "이", "가", "을", "를", "에", "도", "로", "랑")
# Endings customers swap for one another; the left one is matched at the end of the query.
ENDINGS = [
    ("하나요", ["해요", "하죠", "할까요", "하나여", "함"]),
    ("되나요", ["돼요", "되요", "될까요", "됨", "되나여"]),
    ("있나요", ["있어요", "있을까요", "있음", "있나여"]),
    ("없나요", ["없어요", "없을까요", "없음"]),
    ("인가요", ["이에요", "임", "일까요"]),
    ("나요", ["나여", "나용", "남"]),
    ("어요", ["어", "음", "어용"]),
    ("아요", ["아", "음"]),
    ("해요", ["해", "함", "해용"]),
    ("돼요", ["돼", "됨", "되요"]),
    ("세요", ["세여", "셈"]),
    ("요", ["여", "용"]),
]
MARKS = ["?", "??", " ㅠㅠ", "ㅠㅠ", "ㅠ", "...", ";;", "!!"]
# Only after a noun: 환불 계좌 → 환불 계좌 변경 방법, never 환불 돼요 방법.
NOUN_TAILS = [" 좀 알려주세요", " 어떻게 해요", " 문의", " 방법", " 가능한가요", " 왜 안돼요", " 어디서 해요"]
VERB_END = set("요여용까죠음함됨다어해줘나니지임네게고데서")


def strip_end(text):
    return END_MARKS.sub("", text)


def swap_ending(rng, text):
    stem = strip_end(text)
    for old, news in ENDINGS:
        if stem.endswith(old) and rng.random() < 0.7:
            return stem[: -len(old)] + rng.choice(news) + rng.choice(["", "", "?", "ㅠㅠ"])
    if stem[-1:] not in VERB_END and rng.random() < 0.5:
        return stem + rng.choice(NOUN_TAILS)
    return stem + rng.choice(MARKS)


def respace(rng, text):
    words = strip_end(text).split()
    if len(words) >= 2 and rng.random() < 0.6:
        if rng.random() < 0.5:
            return "".join(words)  # no spaces at all, as typed on a phone
        i = rng.randrange(len(words) - 1)
        return " ".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2:])
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and is_hangul_word(w)]
    if not long_words:
        return None
    i = rng.choice(long_words)
    cut = rng.randrange(2, len(words[i]) - 1)
    words[i] = words[i][:cut] + " " + words[i][cut:]
    return " ".join(words)


def drop_word(rng, text):
    words = strip_end(text).split()
    if len(words) < 3:
        return None
    del words[rng.randrange(len(words))]
    return " ".join(words)


def light_variant(rng, text):
    return rng.choice((respace, swap_ending, swap_ending, drop_word))(rng, text)

# ---------------------------------------------------------------- kinds
# Each kind is an endless generator of candidates; None or duplicates are skipped by fill().


def gen_asis(rng, src):
    """Source queries as typed, alternating with light variants of well-formed ones."""
    short = [q for q in src.typed + src.headings if len(q.split()) < 5]
    rng.shuffle(short)
    while True:
        if short and rng.random() < 0.5:
            yield short.pop()
        else:
            yield light_variant(rng, rng.choice(src.all_clean))


FILLERS = ["혹시", "그런데", "제가", "어제", "지금", "근데", "아 그리고", "저기요", "죄송한데"]
# Two fillers that go together (어제 지금 does not).
FILLER_PAIRS = ["혹시 제가", "그런데 혹시", "저기요 혹시", "죄송한데 혹시", "근데 제가", "혹시 지금",
                "제가 어제", "지금 혹시", "아 그리고 혹시", "저기요 제가"]
CONTEXTS = ["어제 주문했는데", "앱에서 결제했는데", "지금 급해서 그런데", "몇 번을 해봐도 안 돼서요",
            "고객센터 전화가 안 돼서 여기 물어봐요", "처음 이용해 보는데", "주문한 지 3일 됐는데",
            "아까부터 계속 안 되는데", "친구가 알려줘서 가입했는데", "폰을 바꿨는데", "엄마 대신 주문했는데",
            "회사에서 쓰는 건데", "지난주에 문의 남겼는데 답이 없어서"]


def combine(rng, src):
    """Two questions of one help center, or one with context, joined as customers write."""
    domain = rng.choice(("shop", "shop", "food"))  # the shop has twice the content
    q1, q2 = (strip_end(q) for q in rng.sample(src.clean[domain], 2))
    filler = rng.choice(FILLERS)
    shape = rng.randrange(4)
    if shape == 0:
        context = rng.choice(CONTEXTS)
        return f"{filler} {context} {q1}" if filler not in context else f"{context} {q1}"
    if shape == 1:
        filler = "근데" if "그리고" in filler else filler  # not 그리고 twice
        return f"{filler} {q1} 그리고 {q2}"
    if shape == 2:
        return f"{q1}? {filler} {q2}" + rng.choice(["", "?", "ㅠㅠ"])
    return f"{rng.choice(FILLER_PAIRS)} {q1}"


def gen_long(rng, src):
    """Long source questions, a few public paraphrases, and the rest joined from short ones."""
    own = [q for q in src.typed + src.headings if len(q.split()) >= 5]
    public = [q for q in src.public if len(q.split()) >= 5]
    rng.shuffle(own)
    rng.shuffle(public)
    while True:
        r = rng.random()
        if own and r < 0.35:
            yield own.pop()
        elif public and 0.35 <= r < 0.43:  # a small, steady share even once own runs out
            yield public.pop()
        else:
            text = combine(rng, src)
            yield text if len(text.split()) >= 5 else None


def gen_typo(rng, src):
    while True:
        yield make_typo(rng, strip_end(rng.choice(src.all_clean)))


def content_words(src):
    """Hangul words of 2-4 syllables, with a trailing particle cut off (비밀번호를 → 비밀번호)."""
    words = []
    for q in src.all_clean:
        for w in strip_end(q).split():
            for p in PARTICLES:
                if w.endswith(p) and len(w) - len(p) >= 2:
                    w = w[: -len(p)]
                    break
            if 2 <= len(w) <= 4 and is_hangul_word(w):
                words.append(w)
    return unique(words)


def chosung(text):
    return "".join(CHO[s[0]] if (s := split_syllable(c)) else c for c in text)


def gen_chosung(rng, src):
    words = content_words(src)
    short = [strip_end(q) for q in src.all_clean
             if len(q.split()) <= 3 and is_hangul_word(strip_end(q).replace(" ", ""))
             and len(strip_end(q).replace(" ", "")) <= 10]
    while True:
        if rng.random() < 0.5:
            yield chosung(rng.choice(words))
        else:
            text = chosung(rng.choice(short))
            yield text if rng.random() < 0.6 else text.replace(" ", "")


def gen_half(rng, src):
    """A prefix of a query ending in a syllable still being composed."""
    while True:
        text = strip_end(rng.choice(src.all_clean))
        ends = [i for i, c in enumerate(text) if i >= 1 and split_syllable(c)]
        if not ends:
            yield None
            continue
        i = rng.choice(ends)
        cho, jung, jong = split_syllable(text[i])
        if jong and rng.random() < 0.5:
            last = join_syllable(cho, jung)  # vowel typed, final not yet
        else:
            last = CHO[cho]  # only the initial consonant so far
        yield text[:i] + last


def gen_mistype(rng, src):
    """Korean typed in English mode: the whole query, or the words after the customer stopped looking."""
    short = [strip_end(q) for q in src.all_clean if len(q) <= 30]
    while True:
        words = rng.choice(short).split()
        if len(words) >= 2 and rng.random() < 0.25:
            i = rng.randrange(1, len(words))
            yield " ".join(words[:i] + [keyboard(w) for w in words[i:]])
        else:
            yield keyboard(" ".join(words))


# Words customers write in English (or the English brand name) inside a Korean query.
ENGLISH = {
    "환불": ["refund"], "배송 조회": ["tracking", "배송 tracking"], "배송": ["delivery", "shipping"],
    "비밀번호": ["password", "pw"],
    "로그인": ["login", "log in"], "회원가입": ["sign up", "join"], "아이디": ["ID", "id"],
    "이메일": ["email", "e-mail"], "쿠폰": ["coupon"], "결제": ["payment", "pay"],
    "주문": ["order"], "취소": ["cancel"], "교환": ["exchange"], "반품": ["return"],
    "영수증": ["receipt"], "계정": ["account"], "알림": ["push", "notification"],
    "주소": ["address"], "카드": ["card"], "앱": ["app"], "적립금": ["point", "points"],
    "포인트": ["point"], "탈퇴": ["탈퇴 delete account"], "카카오페이": ["kakaopay", "kakao pay"],
    "네이버페이": ["naver pay", "npay"], "문자": ["SMS"], "인증": ["verify", "인증 code"],
    "오류": ["error"], "업데이트": ["update"], "쿠키": ["cookie"], "리뷰": ["review"],
}
# A key is swapped only as a whole word, or followed by a particle or 하다 ending
# (cancel하고 싶어요 is how people write), never inside another word (주문자 ≠ 주+문자).
SUFFIX = "|".join(sorted(PARTICLES + ("하고", "하면", "하려면", "했는데", "해요", "하기", "하는", "이랑", "은요"),
                         key=len, reverse=True))
ENGLISH_AT = {key: re.compile(rf"(?<!\S){re.escape(key)}(?=$|\s|(?:{SUFFIX})(?:\s|$))") for key in ENGLISH}


def gen_mixed(rng, src):
    candidates = []
    for q in src.all_clean:
        text = strip_end(q)
        keys = [k for k, at in ENGLISH_AT.items() if at.search(text)]
        if keys:
            candidates.append((text, keys))
    while True:
        text, keys = rng.choice(candidates)
        key = rng.choice(keys)
        english = rng.choice(ENGLISH[key])
        # 앱 로그인 안 돼요 → 앱 login 안 돼요, or a gloss: 환불 언제 돼요 → 환불 refund 언제 돼요
        new = english if rng.random() < 0.65 or " " in english else f"{key} {english}"
        yield ENGLISH_AT[key].sub(new, text, count=1)


KINDS = {"asis": gen_asis, "long": gen_long, "typo": gen_typo, "chosung": gen_chosung,
         "half": gen_half, "mistype": gen_mistype, "mixed": gen_mixed}

# ---------------------------------------------------------------- assembly


def acceptable(line):
    return bool(line) and len(line) <= MAX_LEN and "\n" not in line and not PERSONAL.search(line)


def fill(gen, quota, seen, out, kind):
    """Take up to quota new lines from gen; returns False if it stalled (no more new ones)."""
    misses = 0
    taken = 0
    while taken < quota:
        line = next(gen)
        line = line.strip() if line else ""
        if not acceptable(line) or line in seen:
            misses += 1
            if misses >= STALL:
                return False
            continue
        misses = 0
        seen.add(line)
        out.append((kind, line))
        taken += 1
    return True


def quotas(count):
    q = {kind: int(count * share) for kind, share in MIX}
    q["asis"] += count - sum(q.values())  # rounding remainder
    return q


def generate(count, seed):
    rng = random.Random(seed)
    src = Sources()
    # One random stream per kind: changing one kind's quota does not reshuffle the others.
    gens = {kind: make(random.Random(f"{seed}:{kind}"), src) for kind, make in KINDS.items()}
    seen, out = set(), []
    alive = []
    for kind, quota in quotas(count).items():
        if fill(gens[kind], quota, seen, out, kind):
            alive.append(kind)
    # Kinds that ran dry (chosung of a small vocabulary) leave a shortfall; the
    # others share it, one line at a time, so the mix stays close to MIX.
    while len(out) < count and alive:
        for kind in list(alive):
            if len(out) >= count:
                break
            if not fill(gens[kind], 1, seen, out, kind):
                alive.remove(kind)
    rng.shuffle(out)
    return out


def summary(out, count, seconds):
    lines = [line for _, line in out]
    per_kind = {kind: 0 for kind, _ in MIX}
    for kind, _ in out:
        per_kind[kind] += 1
    report = [f"{kind:8} {n:6}  {100 * n / max(1, len(out)):5.1f}%  (target {100 * share:.0f}%)"
              for (kind, share), n in zip(MIX, per_kind.values())]
    report.append(f"{'total':8} {len(out):6}  distinct {len(set(lines))}  requested {count}  "
                  f"longest {max(map(len, lines), default=0)} chars  {seconds:.2f} s")
    return "\n".join(report)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=3000, help="number of distinct queries (default 3000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--out", type=pathlib.Path, help="output file (default stdout)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")

    started = time.perf_counter()
    out = generate(args.count, args.seed)
    lines = [line for _, line in out]
    assert len(set(lines)) == len(lines) and all(map(acceptable, lines))
    text = "".join(line + "\n" for line in lines)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(summary(out, args.count, time.perf_counter() - started), file=sys.stderr)
    if len(out) < args.count:
        print(f"warning: only {len(out)} distinct queries could be made", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
