"""Hamlet assessments (pl_kdc) stored before the survey date read the form's own `ngay_dg`
(backend/submissions/instance_xml.py SURVEY_DATE_FIELDS) get that day as their survey date,
so the round windows and the unassigned list agree with the analytics for old data too."""

import datetime
import re

from django.db import migrations

DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def forwards(apps, schema_editor):
    answers = apps.get_model("reports", "AssessmentAnswers")
    submissions = apps.get_model("submissions", "Submission")
    for submission_id, value in answers.objects.exclude(ngay_dg="").values_list("submission_id", "ngay_dg"):
        match = DAY.match(value.strip())
        if not match:
            continue
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        submissions.objects.filter(pk=submission_id).exclude(survey_date=day).update(survey_date=day)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_declared_rounds"),
        ("submissions", "0002_version_sha256_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
