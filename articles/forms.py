from __future__ import annotations

from typing import Any

from django import forms

from .importers.readers import SUPPORTED_LABEL


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (https://docs.djangoproject.com/en/5.2/topics/http/file-uploads/#uploading-multiple-files)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file is one file's problem, reported by the import ("empty file"), not the form's.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    # The input's name, which the API's upload shares; Form's own `files` (the uploads) is untouched,
    # as the metaclass takes declared fields out of the class.
    files = MultipleFileField(  # type: ignore[assignment]
        help_text=f"One or more files: {SUPPORTED_LABEL} (a .zip may hold many)."
    )


class StoryForm(forms.Form):
    name = forms.CharField(max_length=200)


class ArticleEditForm(forms.Form):
    """An editor's outlet and headline for an article (articles.services.article_update)."""

    outlet = forms.CharField(
        max_length=200, required=False, help_text='Empty for none. "AP" or "fox" are saved as the outlet\'s one name.'
    )
    title = forms.CharField(
        label="Headline", max_length=500, required=False, help_text="Empty: the article is named by its first sentence."
    )
