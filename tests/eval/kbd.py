CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = ["ㅏ","ㅐ","ㅑ","ㅒ","ㅓ","ㅔ","ㅕ","ㅖ","ㅗ","ㅘ","ㅙ","ㅚ","ㅛ","ㅜ","ㅝ","ㅞ","ㅟ","ㅠ","ㅡ","ㅢ","ㅣ"]
JONG = ["","ㄱ","ㄲ","ㄳ","ㄴ","ㄵ","ㄶ","ㄷ","ㄹ","ㄺ","ㄻ","ㄼ","ㄽ","ㄾ","ㄿ","ㅀ","ㅁ","ㅂ","ㅄ","ㅅ","ㅆ","ㅇ","ㅈ","ㅊ","ㅋ","ㅌ","ㅍ","ㅎ"]
MAPPING = ("ㄱr ㄲR ㄴs ㄷe ㄸE ㄹf ㅁa ㅂq ㅃQ ㅅt ㅆT ㅇd ㅈw ㅉW ㅊc ㅋz ㅌx ㅍv ㅎg "
           "ㅏk ㅐo ㅑi ㅒO ㅓj ㅔp ㅕu ㅖP ㅗh ㅘhk ㅙho ㅚhl ㅛy ㅜn ㅝnj ㅞnp ㅟnl ㅠb ㅡm ㅢml ㅣl "
           "ㄳrt ㄵsw ㄶsg ㄺfr ㄻfa ㄼfq ㄽft ㄾfx ㄿfv ㅀfg ㅄqt")
KEY = {tok[0]: tok[1:] for tok in MAPPING.split()}
def to_qwerty(s):
    out = []
    for c in s:
        code = ord(c) - 0xAC00
        if 0 <= code < 11172:
            i, m, f = code // 588, (code % 588) // 28, code % 28
            out.append(KEY[CHO[i]] + KEY[JUNG[m]] + (KEY[JONG[f]] if f else ""))
        elif c in KEY:
            out.append(KEY[c])
        else:
            out.append(c)
    return "".join(out)
assert len(KEY) == 19 + 21 + 11
assert to_qwerty("비밀번호") == "qlalfqjsgh", to_qwerty("비밀번호")
assert to_qwerty("환불") == "ghksqnf"
assert to_qwerty("배송") == "qothd"
