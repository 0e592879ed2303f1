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


_JAMO_OF_KEY = {k: j for j, k in KEY.items()}


def _compose(cho, jung, jong=""):
    return chr(0xAC00 + CHO.index(cho) * 588 + JUNG.index(jung) * 28 + JONG.index(jong))


def from_keyboard(text):
    """What a 두벌식 input method composes from these key presses: the inverse of keyboard()."""
    out = []
    cho = jung = jong = ""

    def flush():
        nonlocal cho, jung, jong
        out.append(_compose(cho, jung, jong) if cho and jung else cho + jung)
        cho = jung = jong = ""

    for key in text:
        if key not in _JAMO_OF_KEY and key.lower() in _JAMO_OF_KEY:
            key = key.lower()  # shift only matters for ㄲㄸㅃㅆㅉㅒㅖ
        jamo = _JAMO_OF_KEY.get(key)
        if jamo is None:
            flush()
            out.append(key)
        elif jamo in CHO:  # a consonant
            if cho and jung and not jong and jamo in JONG:
                jong = jamo
            elif cho and jung and jong and JOIN.get(jong + jamo) in JONG:
                jong = JOIN[jong + jamo]
            else:
                flush()
                cho = jamo
        elif jong:  # a vowel after a final: the last consonant moves on
            jong, moved = (SPLIT[jong][0], SPLIT[jong][1]) if jong in SPLIT else ("", jong)
            flush()
            cho, jung = moved, jamo
        elif jung and JOIN.get(jung + jamo) in JUNG:
            jung = JOIN[jung + jamo]
        elif cho and not jung:
            jung = jamo
        else:
            flush()
            jung = jamo
    flush()
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
for _word in ("비밀번호", "환불", "배송", "계좌", "휴면계정", "빠른클럽", "없애다", "읽어", "값이", "뭐예요", "의"):
    assert from_keyboard(keyboard(_word)) == _word, _word
assert from_keyboard("qothd whghl") == "배송 조회"
assert keyboard("비밀번호") == "qlalfqjsgh"
assert chosung("배달비 얼마") == "ㅂㄷㅂ ㅇㅁ"
assert half_typed("바꾸", 1) == "바ㄲ" and half_typed("끊", 1) == "끈" and half_typed("바뀌", 1) == "바꾸"
assert half_typed("변경", 2) == "변ㄱ" and half_typed("변경", 1) == "변겨"
