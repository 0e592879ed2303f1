"""Generate queries.jsonl. Keyboard-mode and chosung queries are derived programmatically."""
import json, pathlib
from gen_ids import entries

HERE = pathlib.Path(__file__).parent
IDS = [i for i, _ in entries()]

def find(prefix):
    hits = [i for i in IDS if i == prefix or i.startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]

K = {k: find(p) for k, p in {
    "signup": "member-account#회원가입", "login": "member-account#로그인", "pw": "member-account#비밀번호",
    "phone": "member-account#휴대폰", "notif": "member-account#앱-푸시", "withdraw": "member-account#회원-탈퇴",
    "rejoin": "member-account#탈퇴-후",
    "eta": "delivery-time-address#배달-예상", "late": "delivery-time-address#배달이-예상",
    "not_received": "delivery-time-address#배달-완료", "addr_change": "delivery-time-address#주문한-뒤에",
    "defaddr": "delivery-time-address#기본-배달", "rider": "delivery-time-address#배달-중인",
    "lost": "delivery-time-address#분실물",
    "club_benefit": "club-coupons-points#빠른클럽은-어떤", "club_join": "club-coupons-points#빠른클럽은-어떻게",
    "club_cancel": "club-coupons-points#빠른클럽-구독", "club_refund": "club-coupons-points#빠른클럽-요금",
    "coupon_use": "club-coupons-points#쿠폰은", "coupon_fail": "club-coupons-points#쿠폰이",
    "points": "club-coupons-points#포인트는",
    "cancel": "order-cancel#주문을-취소", "cancel_after": "order-cancel#가게가-주문을",
    "store_cancel": "order-cancel#가게에서", "menu_change": "order-cancel#주문한-메뉴나",
    "minorder": "order-cancel#최소주문금액", "tip": "order-cancel#배달팁",
    "pickup_how": "pickup-order#how-to-pickup", "pickup_time": "pickup-order#픽업",
    "pickup_cancel": "pickup-order#포장-주문-취소", "pickup_discount": "pickup-order#포장-할인",
    "methods": "payment-methods#어떤", "card": "payment-methods#카드를", "easypay": "payment-methods#카카오페이",
    "charge": "payment-methods#빠른페이", "payerr": "payment-methods#결제-오류", "double": "payment-methods#결제가-두",
    "receipt": "payment-methods#현금영수증",
    "refund_when": "refund-problems#환불은", "partial": "refund-problems#일부", "wrong_food": "refund-problems#다른-음식",
    "missing": "refund-problems#주문한-메뉴가", "foreign": "refund-problems#음식에서",
    "coupon_return": "refund-problems#취소하면", "refund_status": "refund-problems#환불-진행",
    "allergy": "store-reviews#메뉴의", "review_write": "store-reviews#리뷰는", "review_del": "store-reviews#작성한",
    "store_join": "store-reviews#가게를", "store_review": "store-reviews#입점-심사",
}.items()}
# bare article ids (any entry of the article is correct)
K["PICKUP"] = "pickup-order"
K["REFUND"] = "refund-problems"
CLUB = ["club_benefit", "club_join", "club_cancel", "club_refund"]

# ---- Hangul helpers -------------------------------------------------------
CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONG = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
        "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
KEY = dict(zip("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ", "rRseEfaqQtTdwWczxvg"))
KEY.update({"ㅏ": "k", "ㅐ": "o", "ㅑ": "i", "ㅒ": "O", "ㅓ": "j", "ㅔ": "p", "ㅕ": "u", "ㅖ": "P",
            "ㅗ": "h", "ㅘ": "hk", "ㅙ": "ho", "ㅚ": "hl", "ㅛ": "y", "ㅜ": "n", "ㅝ": "nj", "ㅞ": "np",
            "ㅟ": "nl", "ㅠ": "b", "ㅡ": "m", "ㅢ": "ml", "ㅣ": "l",
            "ㄳ": "rt", "ㄵ": "sw", "ㄶ": "sg", "ㄺ": "fr", "ㄻ": "fa", "ㄼ": "fq", "ㄽ": "ft",
            "ㄾ": "fx", "ㄿ": "fv", "ㅀ": "fg", "ㅄ": "qt"})

def keyboard(s):
    out = []
    for c in s:
        code = ord(c) - 0xAC00
        if 0 <= code < 11172:
            out.append(KEY[CHO[code // 588]] + KEY[JUNG[(code % 588) // 28]] + (KEY[JONG[code % 28]] if code % 28 else ""))
        else:
            out.append(KEY.get(c, c))
    return "".join(out)

def chosung(s):
    return "".join(CHO[(ord(c) - 0xAC00) // 588] if 0 <= ord(c) - 0xAC00 < 11172 else c for c in s)

assert keyboard("환불") == "ghksqnf", keyboard("환불")
assert chosung("배달팁") == "ㅂㄷㅌ"

def E(*keys):
    out = []
    for k in keys:
        out.extend(K[x] for x in CLUB) if k == "CLUB" else out.append(K[k])
    return out

Q = []
def add(cls, rows):
    for q, keys in rows:
        Q.append({"query": q, "expected": E(*keys), "class": cls})

add("exact", [
    ("회원가입 방법", ["signup"]),
    ("비밀번호를 잊어버렸어요", ["pw"]),
    ("휴대폰 번호 변경", ["phone"]),
    ("회원 탈퇴", ["withdraw"]),
    ("주문 취소", ["cancel"]),
    ("최소주문금액", ["minorder"]),
    ("배달 예상 시간", ["eta"]),
    ("기본 배달 주소 설정", ["defaddr"]),
    ("결제 오류", ["payerr"]),
    ("환불은 언제 되나요", ["refund_when"]),
    ("빠른클럽 구독 해지", ["club_cancel"]),
    ("리뷰 삭제", ["review_del"]),
    ("가게 입점 신청", ["store_join"]),
    ("사용 가능한 결제수단", ["methods"]),
    ("카드 등록", ["card"]),
    ("탈퇴 후 재가입", ["rejoin"]),
])

add("paraphrase", [
    ("계정을 완전히 없애고 싶어요", ["withdraw"]),
    ("이미 주문했는데 집 주소를 잘못 적었어요", ["addr_change"]),
    ("다른 집 음식이 왔어요", ["wrong_food"]),
    ("시킨 음료가 안 왔어요", ["missing"]),
    ("취소한 돈이 언제 다시 들어오나요", ["refund_when"]),
    ("멤버십만 끊고 계정은 유지하고 싶어요", ["club_cancel"]),
    ("구독 멤버십에 가입하면 뭐가 좋아요", ["club_benefit"]),
    ("직접 가지러 가면 할인되나요", ["pickup_discount"]),
    ("음식에 머리카락이 들어 있어요", ["foreign"]),
    ("배달 기사님 전화번호 알려주세요", ["rider"]),
    ("지난 주문 영수증 발급", ["receipt"]),
    ("멤버십 결제했는데 혜택 안 쓰고 돈 돌려받고 싶어요", ["club_refund"]),
    ("사장님이 주문을 거절했어요", ["store_cancel"]),
    ("장바구니에서 주문하기 버튼이 안 눌려요", ["minorder"]),
    ("가게가 벌써 조리 시작했는데 취소 되나요", ["cancel_after"]),
    ("환불 완료라는데 통장에 아직 안 들어왔어요", ["refund_status", "refund_when"]),
])

add("colloquial", [
    ("배달 왜케 안와", ["late"]),
    ("주문 취소 어케함", ["cancel"]),
    ("탈퇴 어케 해요", ["withdraw"]),
    ("환불 언제 들어옴?", ["refund_when"]),
    ("로그인 안됨 ㅠㅠ", ["login"]),
    ("쿠폰 왜 안 먹혀", ["coupon_fail"]),
    ("배달 완료 떴는데 음식 없음", ["not_received"]),
    ("결제 자꾸 안돼요 짜증", ["payerr"]),
    ("빠른클럽 돈 아까워서 끊을래", ["club_cancel"]),
    ("치킨무 안 왔어요", ["missing"]),
    ("배달비 왜 이렇게 비쌈", ["tip"]),
    ("메뉴 잘못 시켰는데 바꿀 수 있음?", ["menu_change"]),
    ("리뷰 지우고 싶음", ["review_del"]),
    ("라이더가 헬멧 두고 갔어요", ["lost"]),
    ("돈 두번 나감", ["double"]),
    ("포장한 거 언제 찾으러 가면 됨?", ["pickup_time"]),
])

add("typo", [
    ("배딜 취소", ["cancel"]),
    ("환뷸", ["REFUND"]),
    ("쿠퐁 사용", ["coupon_use"]),
    ("회원탈톼", ["withdraw"]),
    ("최소주뭄금액", ["minorder"]),
    ("비밀번호 찻기", ["pw"]),
    ("맴버십 해지", ["club_cancel"]),
    ("결재 오류", ["payerr"]),
    ("리뷰 삭재", ["review_del"]),
    ("포장 쥬문", ["PICKUP"]),
    ("배달 주소 벼경", ["addr_change"]),
    ("알래르기", ["allergy"]),
    ("현금영수즘", ["receipt"]),
    ("부븐 환불", ["partial"]),
    ("카카오페이 연곌", ["easypay"]),
    ("입젇 문의", ["store_join"]),
])

add("chosung", [(chosung(w), keys) for w, keys in [
    ("배달팁", ["tip"]),
    ("환불", ["REFUND"]),
    ("주문취소", ["cancel"]),
    ("회원탈퇴", ["withdraw"]),
    ("최소주문금액", ["minorder"]),
    ("빠른클럽", ["CLUB"]),
    ("배달주소", ["addr_change", "defaddr"]),
    ("포장주문", ["PICKUP"]),
    ("카카오페이", ["easypay", "methods"]),
    ("배달지연", ["late"]),
    ("비밀번호", ["pw"]),
    ("현금영수증", ["receipt"]),
    ("부분환불", ["partial"]),
    ("알레르기", ["allergy"]),
    ("결제오류", ["payerr"]),
    ("포장할인", ["pickup_discount"]),
]])

add("partial", [
    ("배달주ㅅ", ["addr_change", "defaddr"]),
    ("멤버시", ["CLUB"]),
    ("포장 주ㅁ", ["PICKUP"]),
    ("환불 언ㅈ", ["refund_when"]),
    ("회원 탈ㅌ", ["withdraw"]),
    ("최소주문금", ["minorder"]),
    ("배달ㅌ", ["tip"]),
    ("휴대폰 번호 변ㄱ", ["phone"]),
    ("쿠폰 적ㅇ", ["coupon_use", "coupon_fail"]),
    ("결제 오ㄹ", ["payerr"]),
    ("리뷰 삭ㅈ", ["review_del"]),
    ("빠른페이 충ㅈ", ["charge"]),
    ("분실ㅁ", ["lost"]),
    ("알레르", ["allergy"]),
    ("입점 심ㅅ", ["store_review"]),
    ("배달 예상 시ㄱ", ["eta"]),
])

add("spacing", [
    ("배달 팁", ["tip"]),
    ("최소 주문 금액", ["minorder"]),
    ("빠른 클럽 해지", ["club_cancel"]),
    ("주문취소", ["cancel"]),
    ("회원탈퇴", ["withdraw"]),
    ("배달주소변경", ["addr_change"]),
    ("기본주소설정", ["defaddr"]),
    ("부분환불", ["partial"]),
    ("결제오류", ["payerr"]),
    ("환불언제되나요", ["refund_when"]),
    ("포장주문취소", ["pickup_cancel"]),
    ("휴대폰번호변경", ["phone"]),
    ("현금 영수증", ["receipt"]),
    ("포장주문하는방법", ["pickup_how"]),
    ("리뷰작성", ["review_write"]),
    ("빠른 페이 포인트 충전", ["charge"]),
])

add("mixed", [
    ("kakaopay 결제", ["easypay", "methods"]),
    ("앱 push 알림", ["notif"]),
    ("review 삭제", ["review_del"]),
    ("배달 tip", ["tip"]),
    ("네이버pay 연결", ["easypay"]),
    ("toss 페이 연결", ["easypay"]),
    ("빠른club 해지", ["club_cancel"]),
    ("coupon 코드 등록", ["coupon_use"]),
    ("login 안 돼요", ["login"]),
    ("결제 error", ["payerr"]),
    ("refund 언제", ["refund_when"]),
    ("pickup 할인", ["pickup_discount"]),
    ("배달 address 변경", ["addr_change"]),
    ("point 소멸", ["points"]),
    ("빠른클럽 free 체험", ["club_join"]),
    ("rider한테 전화하기", ["rider"]),
])

add("mistype", [(keyboard(w), keys) for w, keys in [
    ("환불", ["REFUND"]),
    ("주문취소", ["cancel"]),
    ("배달팁", ["tip"]),
    ("회원탈퇴", ["withdraw"]),
    ("쿠폰", ["coupon_use", "coupon_fail", "coupon_return"]),
    ("배달지연", ["late"]),
    ("빠른클럽 해지", ["club_cancel"]),
    ("포장주문", ["PICKUP"]),
    ("비밀번호", ["pw"]),
    ("결제오류", ["payerr"]),
    ("최소주문금액", ["minorder"]),
]])

add("unanswerable", [
    ("오늘 날씨", []),
    ("로또 번호", []),
    ("라이더로 일하고 싶어요", []),
    ("단체 주문 대량 할인", []),
    ("기프티콘 선물하기", []),
    ("술 주문 성인인증", []),
    ("고객센터 운영시간", []),
    ("빠른마트 새벽배송 마감 시간", []),
    ("주식 추천", []),
    ("앱 언어 영어로 변경", []),
])

with open(HERE / "queries.jsonl", "w", encoding="utf-8") as f:
    for q in Q:
        f.write(json.dumps(q, ensure_ascii=False) + "\n")
print(len(Q))
