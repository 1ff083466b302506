"""One zh-Hans template per notice kind and channel (NT-1): version 1, with the SMS
provider's template codes as approved (change them with a new version, never in place)."""

from django.db import migrations

# code, event kind, subject, text, provider template code
TEMPLATES = [
    (
        "policy_effective",
        "policy_effective",
        "保单生效通知",
        "尊敬的客户：您的保单{policy_no}已于{effective_on}生效，犹豫期至{cooling_off_ends_on}。"
        "如有疑问请致电本公司客服热线。",
        "SMS_470100001",
    ),
    (
        "premium_due",
        "premium_due",
        "续期保费缴费提醒",
        "尊敬的客户：您的保单{policy_no}续期保费{amount}元应于{due_on}前缴纳，"
        "请确保缴费账户余额充足，以免影响保障。",
        "SMS_470100002",
    ),
    (
        "premium_received",
        "premium_received",
        "保费到账通知",
        "尊敬的客户：您的保单{policy_no}保费{amount}元已于{occurred_on}到账，感谢您的信任。",
        "SMS_470100003",
    ),
    (
        "claim_reviewed_approved",
        "claim_reviewed",
        "理赔审核结果通知",
        "尊敬的客户：保单{policy_no}的理赔申请{claim_no}已审核通过，保险金将尽快支付。",
        "SMS_470100004",
    ),
    (
        "claim_reviewed_rejected",
        "claim_reviewed",
        "理赔审核结果通知",
        "尊敬的客户：保单{policy_no}的理赔申请{claim_no}经审核不予赔付，原因：{reason}。"
        "如有异议请致电本公司客服热线。",
        "SMS_470100005",
    ),
    (
        "claim_reviewed_more_documents",
        "claim_reviewed",
        "理赔补充材料通知",
        "尊敬的客户：保单{policy_no}的理赔申请{claim_no}需补充材料：{reason}。请尽快提交。",
        "SMS_470100006",
    ),
    (
        "benefit_paid",
        "benefit_paid",
        "保险金给付通知",
        "尊敬的客户：保单{policy_no}的保险金{amount}元已于{occurred_on}支付，请注意查收。",
        "SMS_470100007",
    ),
    (
        "policy_changed",
        "policy_changed",
        "保全变更通知",
        "尊敬的客户：您的保单{policy_no}已于{occurred_on}办理{change}。"
        "如非本人办理，请立即致电本公司客服热线。",
        "SMS_470100008",
    ),
]
CHANNELS = ("sms", "email", "portal")


def seed(apps, schema_editor):
    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")
    for code, kind, subject, text, provider in TEMPLATES:
        for channel in CHANNELS:
            NoticeTemplate.objects.get_or_create(
                code=code,
                channel=channel,
                version=1,
                defaults={
                    "event_kind": kind,
                    "subject": subject if channel != "sms" else "",
                    "text": text,
                    "provider_code": provider if channel == "sms" else "",
                },
            )


def unseed(apps, schema_editor):
    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")
    NoticeTemplate.objects.filter(
        code__in=[t[0] for t in TEMPLATES], version=1, channel__in=CHANNELS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_customer_notices")]

    operations = [migrations.RunPython(seed, unseed)]
