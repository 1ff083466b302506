"""The default basis of the problem-item records' period names the company rule in words, not
by its article numbers ("制度1 第7、13条", "D1.7, D1.13"), since the basis is shown on the
retention page. An edited basis is left as it is."""

from django.db import migrations

OLD_ZH = "可疑客户信息问题件的调查记录（制度1 第7、13条）作为合规记录保存"
NEW_ZH = "可疑客户信息问题件的调查记录（依公司客户信息真实性管理制度）作为合规记录保存"
OLD_EN = "Records of the investigation of suspicious customer information (D1.7, D1.13), kept"
NEW_EN = (
    "Records of the investigation of suspicious customer information (under the company's "
    "rules on true customer information), kept"
)


def reword(apps, schema_editor, old=(OLD_ZH, OLD_EN), new=(NEW_ZH, NEW_EN)):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for rule in RetentionRule.objects.filter(record_class="problem_item_closed"):
        basis = rule.basis
        for a, b in zip(old, new, strict=True):
            basis = basis.replace(a, b)
        if basis != rule.basis:
            rule.basis = basis
            rule.save(update_fields=["basis"])


def back(apps, schema_editor):
    reword(apps, schema_editor, old=(NEW_ZH, NEW_EN), new=(OLD_ZH, OLD_EN))


class Migration(migrations.Migration):
    dependencies = [("retention", "0003_decisions_moved_to_approvals")]

    operations = [migrations.RunPython(reword, back)]
