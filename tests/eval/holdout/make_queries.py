"""Generate queries.jsonl for the 빠른배달 holdout help center.

How the queries were written: for each situation a customer of a food-delivery app is in (the food is
late, something is missing, the wrong food came, a coupon will not apply, money left the account twice,
they want to leave, ...) the question was written the way such a customer types it, in their own words,
and only then labelled with the entries that answer it. No query is taken from the content's headings,
tags or aliases, and none repeats a query of the dev set (tests/eval/queries.jsonl, including the
queries it dropped); validate.py checks both.

- exact: the customer names the thing the entry is about with its usual words (close to the heading,
  but typed as a customer types, not copied from it);
- paraphrase: the situation described without the entry's own words (돈이 두 번 나갔어요 for 중복 결제);
- colloquial, typo, spacing, mixed: written by hand as customers type them;
- chosung, mistype and partial: derived in code (hangul.py) from short customer-written queries:
  their initials, the same keys typed in English mode (두벌식), and the query with the last keystrokes
  of its final syllable not typed yet.
"""
import json, pathlib
from gen_ids import entries
from hangul import chosung, keyboard, half_typed

HERE = pathlib.Path(__file__).parent
IDS = [i for i, _ in entries()]

def find(prefix):
    """The one entry id starting with prefix (ids are looked up by prefix only to keep this file short)."""
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
    ("회원가입 하는 법", ["signup"]),
    ("비밀번호 잊어버렸는데 어떻게 해요", ["pw"]),
    ("휴대폰 번호 바뀌었는데 변경 어디서 해요", ["phone"]),
    ("탈퇴하려면 어떻게 해요", ["withdraw"]),
    ("탈퇴하고 재가입 가능한가요", ["rejoin"]),
    ("주문 취소하는 법", ["cancel"]),
    ("최소주문금액이 뭐예요", ["minorder"]),
    ("배달 예상 시간은 어떻게 계산돼요", ["eta"]),
    ("기본 배달 주소 바꾸기", ["defaddr"]),
    ("결제 오류 나요", ["payerr"]),
    ("환불 언제 들어와요", ["refund_when"]),
    ("빠른클럽 구독 해지하는 법", ["club_cancel"]),
    ("내가 쓴 리뷰 삭제하는 법", ["review_del"]),
    ("입점 심사 기간 얼마나 걸려요", ["store_review"]),
    ("카드 등록하는 방법", ["card"]),
    ("분실물 찾는 법", ["lost"]),
])

add("paraphrase", [
    ("한 번 시켰는데 돈이 두 번 나갔어요", ["double"]),
    ("먹다가 비닐 조각이 씹혔어요", ["foreign"]),
    ("치킨 두 마리 시켰는데 한 마리만 왔어요", ["missing", "partial"]),
    ("내가 안 시킨 떡볶이가 왔어요", ["wrong_food"]),
    ("이사했는데 다음부터 새 집으로 오게 하려면", ["defaddr"]),
    ("결제 끝났는데 동 호수를 틀리게 썼어요", ["addr_change"]),
    ("오토바이 기사님이랑 통화하고 싶어요", ["rider"]),
    ("매달 4990원씩 빠져나가는 거 멈추고 싶어요", ["club_cancel"]),
    ("땅콩 들어갔는지 시키기 전에 알 수 있나요", ["allergy"]),
    ("재료가 다 떨어졌다고 가게가 주문을 튕겼어요", ["store_cancel"]),
    ("장바구니 담았는데 결제 버튼이 회색이라 안 눌려요", ["minorder"]),
    ("한 시간째 기다리는 중인데 뭐라도 해주나요", ["late"]),
    ("매달 돈 내는 거 하면 배달비 안 내도 돼요?", ["club_benefit", "tip"]),
    ("가게 가까운데 찾으러 가면 배달비 안 내도 되나요", ["PICKUP"]),
    ("취소한 주문에 썼던 할인권은 어떻게 돼요", ["coupon_return", "cancel"]),
    ("가게에서 이미 만들기 시작했대요 지금 안 먹겠다고 할 수 있나요", ["cancel_after"]),
])

add("colloquial", [
    ("치킨 시킨지 한시간 넘었는데 언제옴", ["late"]),
    ("배달 왔다는데 문앞에 아무것도 없음;;", ["not_received"]),
    ("주문 잘못 눌렀어 취소 어케해", ["cancel"]),
    ("사장님이 벌써 접수했는데 취소 안됨?", ["cancel_after"]),
    ("쿠폰 넣었는데 할인이 안 먹힘", ["coupon_fail"]),
    ("배달 말고 포장도 됨?", ["PICKUP"]),
    ("빠른클럽 어제 결제됐는데 한번도 안썼음 돈 돌려줘", ["club_refund"]),
    ("콜라 빠졌어요 ㅡㅡ", ["missing"]),
    ("리뷰 잘못 썼는데 지울 수 있음?", ["review_del"]),
    ("비번 생각 안 나요ㅠ", ["pw"]),
    ("배달비 왜 가게마다 다름?", ["tip"]),
    ("결제가 계속 실패함 ㅠㅠ", ["payerr"]),
    ("포장해놓은거 몇시에 찾으러 가?", ["pickup_time"]),
    ("환불 완료라는데 돈 안 들어옴", ["refund_status", "refund_when"]),
    ("떡볶이에서 머리카락 나옴 ㅡㅡ", ["foreign"]),
    ("폰 바꿨는데 로그인 안 돼ㅠ", ["login"]),
])

add("typo", [
    ("배닳이 너무 늦어요", ["late"]),
    ("주문 취솨 하고 싶어요", ["cancel"]),
    ("환불 언재 들어와요", ["refund_when"]),
    ("쿠펀 적용이 안돼요", ["coupon_fail"]),
    ("회원 탈퇘 하고 싶어요", ["withdraw"]),
    ("비밀번효 잊어버렸어요", ["pw"]),
    ("카드 새로 등롥하고 싶어요", ["card"]),
    ("현금영수중 받고 싶어요", ["receipt"]),
    ("쿠폰 코드 입럭하는 곳", ["coupon_use"]),
    ("시키지도 안은 음식이 왔어요", ["wrong_food"]),
    ("리뷰 쓰눈 법", ["review_write"]),
    ("배달 주소 잘모 썼어요", ["addr_change"]),
    ("포잘 할인 되는 가게", ["pickup_discount"]),
    ("알러지 성붐 확인", ["allergy"]),
    ("포인트 소멸 기강", ["points"]),
    ("가게 입젖 신청하려면", ["store_join"]),
])

# initials of short customer-written queries
add("chosung", [(chosung(q), keys) for q, keys in [
    ("환불 언제", ["refund_when"]),
    ("배달 늦음", ["late"]),
    ("주문 취소 방법", ["cancel"]),
    ("배달비", ["tip"]),
    ("탈퇴 방법", ["withdraw"]),
    ("쿠폰 안됨", ["coupon_fail"]),
    ("멤버십 해지", ["club_cancel"]),
    ("비번 찾기", ["pw"]),
    ("영수증 받기", ["receipt"]),
    ("픽업 방법", ["pickup_how"]),
    ("알러지", ["allergy"]),
    ("결제 안됨", ["payerr"]),
    ("배달 주소 변경", ["addr_change", "defaddr"]),
    ("리뷰 지우기", ["review_del"]),
    ("라이더 전화", ["rider"]),
    ("포인트 충전", ["charge"]),
]])

# customer-written queries caught while still being typed: (what the customer means to type,
# what is typed so far, keystrokes of the last typed syllable still missing)
def partial(full, typed, drop):
    assert full.startswith(typed), (full, typed)
    return half_typed(typed, drop)

add("partial", [(partial(full, typed, drop), keys) for full, typed, drop, keys in [
    ("배달 주소 바꾸고 싶어요", "배달 주소 바꾸", 1, ["addr_change", "defaddr"]),
    ("환불 언제 들어와요", "환불 언제 들", 1, ["refund_when"]),
    ("쿠폰이 안 먹혀요", "쿠폰이 안 먹", 1, ["coupon_fail"]),
    ("주문 취소하고 싶어요", "주문 취소하고", 1, ["cancel"]),
    ("회원 탈퇴하려면", "회원 탈퇴하려", 1, ["withdraw"]),
    ("빠른클럽 끊는 법", "빠른클럽 끊", 1, ["club_cancel"]),
    ("배달비 얼마예요", "배달비 얼마", 1, ["tip"]),
    ("비밀번호 잊어버렸어요", "비밀번호 잊어", 1, ["pw"]),
    ("휴대폰 번호 바뀌었어요", "휴대폰 번호 바뀌", 1, ["phone"]),
    ("결제 실패", "결제 실패", 1, ["payerr"]),
    ("포장하면 할인돼요", "포장하면 할인", 2, ["pickup_discount"]),
    ("영수증 어디서 받아요", "영수증 어디서 받", 1, ["receipt"]),
    ("리뷰 쓰는 법", "리뷰 쓰는", 1, ["review_write"]),
    ("알러지 정보", "알러지 정보", 1, ["allergy"]),
    ("포인트 언제 사라져요", "포인트 언제 사라", 1, ["points"]),
    ("입점 신청 서류", "입점 신청 서류", 1, ["store_join"]),
]])

add("spacing", [
    ("주문한거취소할수있어요", ["cancel"]),
    ("배달이너무늦어요", ["late"]),
    ("배달완료됐는데음식이없어요", ["not_received"]),
    ("쿠폰이왜안써져요", ["coupon_fail"]),
    ("환불언제들어오나요", ["refund_when"]),
    ("빠른클럽가입하면뭐가좋아요", ["club_benefit"]),
    ("비번을잊어버렸어요", ["pw"]),
    ("최소주문 금액이얼마에요", ["minorder"]),
    ("배달 비가왜이렇게비싸요", ["tip"]),
    ("포장주문 취 소하고싶어요", ["pickup_cancel"]),
    ("결제가두번됐어요", ["double"]),
    ("알림끄는방법", ["notif"]),
    ("리뷰 어떻게써요", ["review_write"]),
    ("현금영수증신청어디서해요", ["receipt"]),
    ("카카오페이 로결제하고싶어요", ["easypay", "methods"]),
    ("가게입점 하려면어떻게해요", ["store_join"]),
])

add("mixed", [
    ("app 알림 끄기", ["notif"]),
    ("pickup 주문 하는법", ["pickup_how"]),
    ("kakao pay 연결 해제", ["easypay"]),
    ("naver 로그인 안돼요", ["login"]),
    ("coupon 안 먹혀요", ["coupon_fail"]),
    ("refund 얼마나 걸려요", ["refund_when"]),
    ("배달 ETA 계속 바뀜", ["eta"]),
    ("rider 번호 알려줘", ["rider"]),
    ("빠른클럽 trial 기간", ["club_join"]),
    ("toss로 결제하는 법", ["easypay", "methods"]),
    ("card 삭제", ["card"]),
    ("review 수정 가능?", ["review_write"]),
    ("point 충전", ["charge"]),
    ("계좌 등록 ARS 인증", ["charge"]),
    ("apple 계정으로 가입", ["signup"]),
    ("메뉴 option 변경", ["menu_change"]),
])

# short customer-written queries typed with the keyboard left in English mode
add("mistype", [(keyboard(q), keys) for q, keys in [
    ("배달 언제 와", ["late", "eta"]),
    ("환불 언제", ["refund_when"]),
    ("취소하고 싶어요", ["cancel"]),
    ("쿠폰 왜 안돼", ["coupon_fail"]),
    ("멤버십 해지", ["club_cancel"]),
    ("비번 찾기", ["pw"]),
    ("배달비 얼마", ["tip"]),
    ("결제 왜 안됨", ["payerr"]),
    ("음식 안 옴", ["late", "not_received"]),
    ("리뷰 지우기", ["review_del"]),
    ("픽업 하는 법", ["pickup_how"]),
]])

add("unanswerable", [
    ("라이더 지원하려면 어떻게 해요", []),
    ("회사 단체 주문 할인 되나요", []),
    ("친구한테 음식 선물하기", []),
    ("술 배달 시킬 때 신분증 필요해요?", []),
    ("앱 글자 크기 키우는 법", []),
    ("오늘 저녁 메뉴 골라줘", []),
    ("강아지 데려갈 수 있는 식당", []),
    ("비트코인 시세", []),
    ("외국인 친구용 영어 메뉴판", []),
    ("내 주변 24시간 약국", []),
])

with open(HERE / "queries.jsonl", "w", encoding="utf-8") as f:
    for q in Q:
        f.write(json.dumps(q, ensure_ascii=False) + "\n")
print(len(Q))
