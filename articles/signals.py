"""Signals articles/ sends, so that the apps built on it can react without articles/ importing them."""

from django.dispatch import Signal

# Sent by articles_import, before it returns, with `story`, `article_ids` (the new articles) and
# `import_batch`. claims/ connects the pipeline to it (claims.services.pipeline_for_import).
articles_imported = Signal()

# Sent by article_update, before it returns, with `story` and `article_ids` when an editor changed
# what the pipeline reads of an article (its outlet). claims/ re-analyses the story
# (claims.services.pipeline_for_change).
articles_changed = Signal()
