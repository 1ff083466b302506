"""The default retention periods and their basis (editable afterwards in the admin or with
``veracity retention rules --set``; a re-run of this migration never overwrites an edit)."""

from django.db import migrations

DEFAULTS = [
    (
        "customer_policies_ended",
        10,
        "《保险法》第八十七条：保险公司的账簿、原始凭证和有关资料自保险合同终止之日起计算，"
        "保险期间在一年以下的保存不少于五年，超过一年的不少于十年；反洗钱规定要求客户身份资料"
        "在业务关系结束后保存规定年限（2024年修订的《反洗钱法》为至少十年）。取较长者：十年。"
        "期满后按《个人信息保护法》第四十七条删除。请合规部门确认。\n"
        "Insurance Law Art. 87: business records are kept at least 5 years (contracts of one "
        "year or less) or 10 years (longer contracts) after the contract ends; the "
        "anti-money-laundering rules keep customer identity data for a set period after the "
        "relationship ends (at least 10 years under the 2024 revision of the AML Law). The "
        "longer applies: 10 years; then PIPL Art. 47 requires deletion. Compliance to confirm.",
    ),
    (
        "customer_no_policy",
        5,
        "未订立保险合同：《个人信息保护法》第十九条（保存期限为实现处理目的所必要的最短时间）、"
        "第四十七条（保存期限届满应当删除）。自客户记录最后一次变更起五年为公司默认值；"
        "如合规部门认定属于反洗钱客户身份资料，应延长。\n"
        "No insurance contract: PIPL Art. 19 (the shortest period the purpose needs) and Art. 47 "
        "(delete once the period expires). Five years after the last change of the record is "
        "the company default; lengthen it if compliance treats the data as anti-money-laundering "
        "customer identity records.",
    ),
    (
        "problem_item_closed",
        5,
        "可疑客户信息问题件的调查记录（制度1 第7、13条）作为合规记录保存；自结案起五年为公司"
        "默认值（参照《保险法》第八十七条对一年以下保险合同资料的最低保存期限）。请合规部门确认。\n"
        "Records of the investigation of suspicious customer information (D1.7, D1.13), kept as "
        "compliance records; five years after closing is the company default (following the "
        "minimum of Insurance Law Art. 87 for records of contracts of one year or less). "
        "Compliance to confirm.",
    ),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for record_class, years, basis in DEFAULTS:
        RetentionRule.objects.get_or_create(
            record_class=record_class, defaults={"years": years, "basis": basis}
        )


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    RetentionRule.objects.filter(
        record_class__in=[record_class for record_class, _, _ in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_retention_holds_destruction_inspection")]

    operations = [migrations.RunPython(seed, unseed)]
