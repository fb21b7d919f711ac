# An undo is an audit event of its own (claims/review.event_undo): the action "undo".

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_queue_priority_column"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("confirm", "Confirmed"),
                    ("reject", "Rejected"),
                    ("edit", "Edited the wording"),
                    ("merge", "Merged"),
                    ("unmerge", "Undid a merge"),
                    ("split", "Split a mention out"),
                    ("annotate", "Annotated"),
                    ("resolve", "Resolved a conflict"),
                    ("reopen", "Reopened a conflict"),
                    ("accept_suggestion", "Accepted a merge suggestion"),
                    ("reject_suggestion", "Rejected a merge suggestion"),
                    ("take", "Took"),
                    ("release", "Released"),
                    ("conflict_extend", "Pipeline added evidence to a conflict"),
                    ("conflict_follow", "Pipeline re-raised a resolved conflict"),
                    ("undo", "Undid"),
                ],
                max_length=30,
            ),
        ),
    ]
