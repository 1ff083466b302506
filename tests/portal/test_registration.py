"""Registration on the portal (IQ-3): a 6-digit code to the mobile on file only, valid 5
minutes, used once, 5 tries; at most 1 code a minute, 5 an hour, 10 a day per phone; the same
answer for an unknown person; Django's password validators; the login lockout per account
and per address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.db.models import F
from django.utils import timezone

from tests.portal.factories import P1, P3, WANG_PHONE, identity
from veracity.inquiry.models import ChannelEvent
from veracity.org.principals import System
from veracity.portal import services
from veracity.portal.models import CodeSend, OneTimeCode, PortalAccount

pytestmark = pytest.mark.django_db

PASSWORD = "Lanting-Xu-2026!"
CODE_SENT = "如信息无误，验证码已发送至您在本公司登记的手机"


def visitor(ip: str = "203.0.113.7") -> System:
    return System("portal:visitor", address=ip)


def request_code(book, *, now=None, purpose="registration", **changes):
    stated = {**identity(book), **changes}
    return services.portal_code_request(principal=visitor(), purpose=purpose, now=now, **stated)


def register(client, book, outbox, capture, password=PASSWORD, **changes):
    with capture(execute=True):
        answer = client.post("/my/register/", {**identity(book), **changes})
    code = outbox()[-1]["params"]["code"] if outbox() else "000000"
    client.post("/my/code/", {"code": code})
    return answer, client.post("/my/password/", {"password": password, "password2": password})


def test_a_six_digit_code_goes_to_the_mobile_on_file_and_is_kept_hashed(
    portal_book, client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # a number typed in beside the form's fields is never used
        client.post("/my/register/", {**identity(portal_book), "phone": "13911112222"})
    sent = outbox()
    assert [m["to"] for m in sent] == [WANG_PHONE]
    assert sent[0]["template"] == "PORTAL_OTP"
    code = sent[0]["params"]["code"]
    assert re.fullmatch(r"\d{6}", code)
    row = OneTimeCode.objects.get()
    assert sent[0]["notice_id"] == f"otp-{row.pk}"
    assert code not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    assert ChannelEvent.objects.filter(kind="otp_sent", channel="web").count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {},  # the right person: the words must be the same as for everyone below
        {"name": "王芬"},
        {"id_number": "110101198503141239"},
        {"policy_no": "P2099999999"},
        {"policy_no": P3},  # a real policy she is no party of
    ],
)
def test_the_same_answer_whether_or_not_the_person_exists(
    portal_book, client, outbox, django_capture_on_commit_callbacks, changes
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/my/register/", {**identity(portal_book), **changes}, follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain == [("/my/code/", 302)]
    assert CODE_SENT in answer.content.decode()
    assert len(outbox()) == (0 if changes else 1)
    assert OneTimeCode.objects.count() == (0 if changes else 1)


def test_an_unknown_person_cannot_pass_the_code_step(portal_book, client, outbox):
    client.post("/my/register/", {**identity(portal_book), "name": "王芬"})
    for code in ("000000", "123456"):
        answer = client.post("/my/code/", {"code": code})
        assert answer.status_code == 400
    assert client.get("/my/password/").status_code == 302
    assert not PortalAccount.objects.exists()


@pytest.mark.parametrize(
    ("after", "ok"),
    [(timedelta(minutes=4, seconds=59), True), (timedelta(minutes=5, seconds=1), False)],
)
def test_a_code_is_valid_five_minutes(portal_book, outbox, after, ok):
    t0 = timezone.now()
    ticket = request_code(portal_book, now=t0)
    code = outbox()[-1]["params"]["code"] if outbox() else None
    assert code is None  # sent after the commit: the test's transaction never commits
    row = OneTimeCode.objects.get(pk=ticket.code_id)
    row.code_hash = services._code_hash("246810", "salt")
    row.save()
    found = services.portal_code_verify(
        principal=visitor(),
        code_id=ticket.code_id,
        purpose="registration",
        code="246810",
        now=t0 + after,
    )
    assert (found == portal_book.wang) is ok


def _known_code(ticket) -> str:
    row = OneTimeCode.objects.get(pk=ticket.code_id)
    row.code_hash = services._code_hash("135790", "salt")
    row.save()
    return "135790"


def test_a_code_is_used_once(portal_book):
    ticket = request_code(portal_book)
    code = _known_code(ticket)
    verify = lambda: services.portal_code_verify(  # noqa: E731
        principal=visitor(), code_id=ticket.code_id, purpose="registration", code=code
    )
    assert verify() == portal_book.wang
    assert verify() is None


@pytest.mark.parametrize(("wrong", "ok"), [(4, True), (5, False)])
def test_at_most_five_tries(portal_book, wrong, ok):
    ticket = request_code(portal_book)
    code = _known_code(ticket)

    def verify(c):
        return services.portal_code_verify(
            principal=visitor(), code_id=ticket.code_id, purpose="registration", code=c
        )

    assert all(verify("000000") is None for _ in range(wrong))
    assert (verify(code) == portal_book.wang) is ok
    assert OneTimeCode.objects.get(pk=ticket.code_id).tries == min(wrong + 1, 5)


@pytest.mark.parametrize(
    ("gap", "requests", "sent"),
    [
        (timedelta(seconds=30), 2, 1),  # 1 a minute
        (timedelta(seconds=61), 7, 5),  # 5 an hour
        (timedelta(hours=2), 12, 10),  # 10 a day
        (timedelta(hours=2, minutes=30), 12, 12),  # never 10 within 24 hours
    ],
)
def test_sending_limits_per_phone(portal_book, gap, requests, sent):
    t0 = timezone.now() - timedelta(days=2)
    tickets = [request_code(portal_book, now=t0 + i * gap) for i in range(requests)]
    assert sum(t.code_id is not None for t in tickets) == sent
    assert CodeSend.objects.count() == sent


def test_the_day_limit_counts_the_last_24_hours(portal_book):
    t0 = timezone.now() - timedelta(days=3)
    for i in range(10):
        assert request_code(portal_book, now=t0 + i * timedelta(hours=2)).code_id
    assert request_code(portal_book, now=t0 + timedelta(hours=23)).code_id is None
    assert request_code(portal_book, now=t0 + timedelta(hours=24, minutes=1)).code_id


@pytest.mark.parametrize("weak", ["12345678", "password", "wangfang", "abc"])
def test_the_password_follows_djangos_validators(
    portal_book, client, outbox, django_capture_on_commit_callbacks, weak
):
    _answer, refused = register(
        client, portal_book, outbox, django_capture_on_commit_callbacks, password=weak
    )
    assert refused.status_code == 400
    assert not PortalAccount.objects.exists()
    with pytest.raises(services.PortalError):
        services.portal_password_set(
            principal=services.Customer(portal_book.wang, "sms_code"), password=weak
        )
    assert not PortalAccount.objects.exists()


def test_registration_signs_in_and_is_counted(
    portal_book, client, outbox, django_capture_on_commit_callbacks
):
    _answer, done = register(client, portal_book, outbox, django_capture_on_commit_callbacks)
    assert done.status_code == 302 and done["Location"] == "/my/"
    account = PortalAccount.objects.get()
    assert account.customer_id == portal_book.wang
    assert identify_hasher(account.password)  # a Django hash (the test settings' fast one)
    assert PASSWORD not in account.password and check_password(PASSWORD, account.password)
    assert P1 in client.get("/my/").content.decode()
    assert (
        ChannelEvent.objects.filter(kind="registration", customer_id=portal_book.wang).count() == 1
    )


def test_a_registered_customer_gets_the_same_words_and_uses_forgot_password(
    portal_book, client, outbox, django_capture_on_commit_callbacks
):
    register(client, portal_book, outbox, django_capture_on_commit_callbacks)
    client.post("/my/logout/")
    before = len(outbox())
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/my/register/", identity(portal_book), follow=True)
    assert CODE_SENT in again.content.decode()
    assert len(outbox()) == before  # nothing sent: already registered
    CodeSend.objects.update(at=F("at") - timedelta(minutes=2))  # past the 1-a-minute limit
    with django_capture_on_commit_callbacks(execute=True):
        reset = client.post("/my/forgot-password/", identity(portal_book), follow=True)
    assert CODE_SENT in reset.content.decode()
    assert len(outbox()) == before + 1
    client.post("/my/code/", {"code": outbox()[-1]["params"]["code"]})
    new = "Xiangshan-Hongye-77"
    assert client.post("/my/password/", {"password": new, "password2": new}).status_code == 302
    client.post("/my/logout/")
    signed = services.portal_login(
        principal=visitor(), id_type="resident_id", id_number=portal_book.wang_id, password=new
    )
    assert signed.customer_id == portal_book.wang


def _account(book) -> None:
    services.portal_password_set(
        principal=services.Customer(book.wang, "sms_code"), password=PASSWORD
    )


def login(book, password, ip="203.0.113.7", id_number=None):
    return services.portal_login(
        principal=visitor(ip),
        id_type="resident_id",
        id_number=id_number or book.wang_id,
        password=password,
    )


def test_login_by_id_and_password(portal_book):
    _account(portal_book)
    assert login(portal_book, PASSWORD).customer_id == portal_book.wang
    assert login(portal_book, "wrong-password").customer_id is None
    assert login(portal_book, PASSWORD, id_number=portal_book.li_id).customer_id is None
    kinds = sorted(ChannelEvent.objects.values_list("kind", flat=True))
    assert kinds == ["login", "login_failed", "login_failed", "registration"]


def test_lockout_per_account(portal_book, settings):
    settings.VERACITY_PORTAL_LOGIN_LIMITS = {
        "account": 5,
        "address": 100,
        "window_minutes": 15,
        "lockout_minutes": 15,
    }
    _account(portal_book)
    for i in range(5):
        assert login(portal_book, "wrong", ip=f"198.51.100.{i}").customer_id is None
    # locked: the right password from a new address is refused too
    refused = login(portal_book, PASSWORD, ip="198.51.100.99")
    assert refused.customer_id is None and refused.lockout is not None
    assert refused.lockout.kind == "account"
    assert ChannelEvent.objects.filter(kind="lockout").count() == 1
    later = timezone.now() + timedelta(minutes=16)
    after = services.portal_login(
        principal=visitor(),
        id_type="resident_id",
        id_number=portal_book.wang_id,
        password=PASSWORD,
        now=later,
    )
    assert after.customer_id == portal_book.wang


def test_lockout_per_address(portal_book, settings):
    settings.VERACITY_PORTAL_LOGIN_LIMITS = {
        "account": 100,
        "address": 3,
        "window_minutes": 15,
        "lockout_minutes": 15,
    }
    _account(portal_book)
    for number in ("110101199001011234", "110101199001021235", portal_book.li_id):
        login(portal_book, "wrong", ip="192.0.2.50", id_number=number)
    refused = login(portal_book, PASSWORD, ip="192.0.2.50")
    assert refused.customer_id is None and refused.lockout.kind == "address"
    assert login(portal_book, PASSWORD, ip="192.0.2.51").customer_id == portal_book.wang


def test_the_login_page_says_locked_without_saying_why_else(portal_book, client, settings):
    settings.VERACITY_PORTAL_LOGIN_LIMITS = {
        "account": 2,
        "address": 100,
        "window_minutes": 15,
        "lockout_minutes": 15,
    }
    _account(portal_book)
    form = {"id_type": "resident_id", "id_number": portal_book.wang_id, "password": "nope"}
    first = client.post("/my/login/", form)
    assert "证件号码或密码不正确" in first.content.decode()
    client.post("/my/login/", form)
    locked = client.post("/my/login/", {**form, "password": PASSWORD})
    assert locked.status_code == 400
    assert "尝试次数过多" in locked.content.decode()
    assert client.get("/my/").status_code == 302
