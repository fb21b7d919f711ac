"""The one English stop-word list, shared by the near-duplicate detector and the claim pipeline.

Pure Python. `articles.neardup` drops these words before shingling; `claims.pipeline.text`
re-exports them for every stage that looks for content words.
"""

from __future__ import annotations

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from into onto over under about as than then
    that this these those there here it its it's is are was were be been being am has have had having do does
    did doing will would shall should can could may might must not no nor so such too very just also
    he she they we you i me him her them us our your their his hers theirs my mine who whom whose which what
    when where why how whether while after before during since until up down out off again further once
    all any both each few more most other some own same only s t don’t didn’t wasn’t isn’t said says say
    saying told tell according per via amid among against between through without within along around
    across toward towards upon onto near later earlier yesterday today tomorrow""".split()
)
