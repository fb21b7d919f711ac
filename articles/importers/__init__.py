"""Article importers: turn files into cleaned articles.

Pure Python (no Django): `parse_file` takes a name and the file's bytes and returns one
`ParsedArticle` or `ImportProblem` per article, so that one bad record never costs the
rest of a batch. `articles.services.articles_import` persists the results.
"""

from .cleaning import CleanedText, clean_text
from .readers import RECORD_FIELDS, ImportLimits, is_archive, iter_path_files, parse_file, zip_members
from .types import ImportProblem, ParsedArticle

__all__ = [
    "RECORD_FIELDS",
    "CleanedText",
    "ImportLimits",
    "ImportProblem",
    "ParsedArticle",
    "clean_text",
    "is_archive",
    "iter_path_files",
    "parse_file",
    "zip_members",
]
