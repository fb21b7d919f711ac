"""The three roles and what each may do.

Permissions are Django model permissions held by three groups, so the admin, the web app and
the services all ask the same question (`user.has_perm(...)`). `manage.py setup_roles` creates
the groups; run it again after adding a model and it brings them up to date.
"""

from __future__ import annotations

from typing import Any

EDITOR = "Editor"
REVIEWER = "Reviewer"
ADMIN = "Admin"
ROLES = (EDITOR, REVIEWER, ADMIN)

IMPORT_PERMISSION = "articles.add_importbatch"
ARTICLE_PERMISSION = "articles.change_article"
REVIEW_PERMISSION = "claims.change_claim"
CONFLICT_PERMISSION = "claims.change_conflict"
SUGGESTION_PERMISSION = "claims.change_mergesuggestion"
# Admins (only they may change users) may also release a lease another reviewer holds.
USERS_PERMISSION = "auth.change_user"

_VIEW = [
    "articles.view_outlet",
    "articles.view_story",
    "articles.view_article",
    "articles.view_importbatch",
    "claims.view_claim",
    "claims.view_mention",
    "claims.view_conflict",
    "claims.view_conflictmention",
    "claims.view_mergesuggestion",
    "claims.view_pipelinerun",
    "claims.view_annotation",
    "claims.view_reviewevent",
    "articles.view_articleevent",
]
_REVIEW = [
    "claims.add_annotation",
    REVIEW_PERMISSION,
    CONFLICT_PERMISSION,
    SUGGESTION_PERMISSION,
]
_EDIT = [
    "articles.add_story",
    "articles.change_story",
    "articles.add_outlet",
    "articles.change_outlet",
    "articles.add_article",
    "articles.change_article",
    "articles.add_importbatch",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    REVIEWER: _VIEW + _REVIEW,
    EDITOR: _VIEW + _REVIEW + _EDIT,
    ADMIN: ["*"],  # every permission, users and groups included
}

# Editors and admins may use the Django admin.
STAFF_ROLES = (EDITOR, ADMIN)


def _has(user: Any, permission: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(permission))


def can_import(user: Any) -> bool:
    return _has(user, IMPORT_PERMISSION)


def can_edit_articles(user: Any) -> bool:
    """Set an article's outlet and headline (articles.services.article_update)."""
    return _has(user, ARTICLE_PERMISSION)


def can_review(user: Any) -> bool:
    """Confirm, reject, edit, annotate, take, merge, split claims (claims/review.py)."""
    return _has(user, REVIEW_PERMISSION)


def can_resolve_conflicts(user: Any) -> bool:
    return _has(user, CONFLICT_PERMISSION)


def can_decide_suggestions(user: Any) -> bool:
    return _has(user, SUGGESTION_PERMISSION)


def can_manage_users(user: Any) -> bool:
    """Admins: users, groups and tokens of others."""
    return _has(user, USERS_PERMISSION)


def can_release_any_lease(user: Any) -> bool:
    """Release a claim that another reviewer holds: admins only."""
    return can_manage_users(user)


READ_PERMISSION = "articles.view_story"
NO_ROLE_MESSAGE = "Your account has no role yet: ask an admin to make you a Reviewer, an Editor or an Admin."


def can_read(user: Any) -> bool:
    """See stories, articles, claims, conflicts and the audit trail: every role; an account without one sees nothing."""
    return _has(user, READ_PERMISSION)
