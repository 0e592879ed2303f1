"""Hangul helpers for the holdout queries: initials (chosung), English-layout typing (두벌식) and
half-typed input. make_queries.py derives its chosung, mistype and partial queries with them from
customer-written queries; validate.py uses them to check that no query is such a form of a heading,
tag or alias."""

CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONG = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
        "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
# one key per simple jamo on the 두벌식 layout (shift gives ㄲㄸㅃㅆㅉㅒㅖ)
KEY = dict(zip("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ", "rRseEfaqQtTdwWczxvg"))
KEY.update(zip("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ", "koiOjpuPhynbml"))
# compound vowels and finals are typed as two keys
SPLIT = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
         "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
         "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
JOIN = {v: k for k, v in SPLIT.items()}


def _parts(c):
    """(initial, medial, final) of a Hangul syllable, or None."""
    code = ord(c) - 0xAC00
    if not 0 <= code < 11172:
        return None
    return CHO[code // 588], JUNG[(code % 588) // 28], JONG[code % 28]


def _keys(jamo):
    return list(SPLIT.get(jamo, jamo)) if jamo else []


def keyboard(s):
    """What appears when s is typed with the keyboard left in English mode."""
    out = []
    for c in s:
        p = _parts(c)
        if p:
            out.extend(KEY[k] for j in p for k in _keys(j))
        elif c in KEY or c in SPLIT:
            out.extend(KEY[k] for k in _keys(c))
        else:
            out.append(c)
    return "".join(out)


def chosung(s):
    """Initial consonant of every syllable; other characters (spaces) are kept."""
    return "".join(p[0] if (p := _parts(c)) else c for c in s)


def half_typed(s, drop):
    """s with the last `drop` keystrokes of its final syllable not typed yet, as a 두벌식 input
    method shows it: 바꾸 -1 → 바ㄲ, 끊 -1 → 끈, 뀌 -1 → 꾸, 변경 -2 → 변ㄱ."""
    p = _parts(s[-1])
    assert p, s
    cho, jung, jong = p
    vowel, final = _keys(jung), _keys(jong)
    assert 0 < drop < 1 + len(vowel) + len(final), (s, drop)
    keep = len(vowel) + len(final) - drop  # keystrokes kept after the initial
    if keep == 0:
        last = cho
    else:
        v = "".join(vowel[:keep])
        f = "".join(final[:max(0, keep - len(vowel))])
        v, f = JOIN.get(v, v), JOIN.get(f, f)
        last = chr(0xAC00 + CHO.index(cho) * 588 + JUNG.index(v) * 28 + JONG.index(f))
    return s[:-1] + last


assert keyboard("환불") == "ghksqnf"
assert keyboard("비밀번호") == "qlalfqjsgh"
assert chosung("배달비 얼마") == "ㅂㄷㅂ ㅇㅁ"
assert half_typed("바꾸", 1) == "바ㄲ" and half_typed("끊", 1) == "끈" and half_typed("바뀌", 1) == "바꾸"
assert half_typed("변경", 2) == "변ㄱ" and half_typed("변경", 1) == "변겨"
