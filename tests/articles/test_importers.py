"""The importers and the cleaner, on the seeds and on made-up files. No database."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from articles.importers import (
    RECORD_FIELDS,
    ImportLimits,
    ImportProblem,
    ParsedArticle,
    clean_text,
    iter_path_files,
    parse_file,
)

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def parse_one(name: str, data: bytes, **limits: int) -> ParsedArticle:
    [result] = parse_file(name, data, ImportLimits(**limits))
    assert isinstance(result, ParsedArticle), result
    return result


def problem(name: str, data: bytes, **limits: int) -> str:
    [result] = parse_file(name, data, ImportLimits(**limits))
    assert isinstance(result, ImportProblem), result
    return result.message


def seed(stem: str) -> ParsedArticle:
    path = next(SEEDS.glob(f"{stem}_*.txt"))
    return parse_one(path.name, path.read_bytes())


# --- the seeds: dates, datelines, outlets -----------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "published_on", "dateline", "outlet", "inferred_from"),
    [
        ("000", date(2019, 12, 31), "", "Agencies", "credit line"),
        ("001", date(2020, 1, 1), "AP, BAGHDAD", "Associated Press", "dateline"),
        ("002", date(2019, 12, 31), "", None, ""),
        ("003", None, "", "Business Insider", "boilerplate"),
        ("004", date(2019, 12, 31), "", "PA Media", "credit line"),
    ],
)
def test_seed_metadata(
    stem: str, published_on: date | None, dateline: str, outlet: str | None, inferred_from: str
) -> None:
    article = seed(stem)
    assert article.published_on == published_on
    assert article.dateline == dateline
    assert article.outlet == outlet
    assert article.outlet_inferred_from == inferred_from
    assert article.external_id.startswith(stem + "_")


def test_original_text_is_kept_unchanged() -> None:
    path = next(SEEDS.glob("004_*.txt"))
    assert seed("004").original_text == path.read_text(encoding="utf-8")


def test_header_text_that_is_the_first_paragraph_stays_in_the_body() -> None:
    # 002's header line carries the article's first paragraph, not a dateline.
    body = seed("002").body
    assert body.startswith("US President Donald Trump on Tuesday blamed Iran")
    assert " date 2019" not in body


# --- cleaning cases ----------------------------------------------------------------------------


def test_advertisement_label_is_removed() -> None:
    article = seed("000")
    assert "advertisement" not in article.body.lower()
    assert {"kind": "boilerplate", "text": "advertisement"} in article.removed


def test_lone_credit_lines_are_removed_and_name_the_outlet() -> None:
    agencies, pa = seed("000"), seed("004")
    assert not agencies.body.rstrip().endswith("agencies")
    assert "PA Media" not in pa.body
    assert {"kind": "credit line", "text": "PA Media"} in pa.removed


def test_homepage_boilerplate_is_removed() -> None:
    article = seed("003")
    assert "homepage" not in article.body
    assert article.removed[0]["kind"] == "boilerplate"


def test_photo_caption_with_credit_is_removed() -> None:
    article = seed("004")
    assert "Ali Abdul Hassan" not in article.body
    assert {
        "kind": "caption",
        "text": "Protesters burn representations of a US flag (Ali Abdul Hassan/AP)",
    } in article.removed


def test_paragraph_repeated_verbatim_is_kept_once() -> None:
    article = seed("004")
    first = "Dozens of Iraqi Shia militia supporters have broken into the US embassy compound"
    assert article.body.count(first) == 1
    assert article.body.startswith(first)
    assert [r["kind"] for r in article.removed].count("repeated paragraph") == 1


def test_social_media_embeds_become_attributed_quotations() -> None:
    article = seed("003")
    trump = next(e for e in article.embeds if e["handle"] == "@realDonaldTrump")
    assert trump["author"] == "Donald J. Trump"
    assert trump["posted_on"] == "2019-12-31"
    quoted = article.body[trump["start"] : trump["end"]]
    assert quoted.startswith("Iran killed an American contractor")
    assert quoted.endswith("and so notified!")
    paragraph = next(p for p in article.body.split("\n\n") if quoted in p)
    assert paragraph == f"Donald J. Trump (@realDonaldTrump) posted on December 31, 2019: “{quoted}”"
    # The credit line is not left as loose text.
    assert "— Donald J. Trump" not in article.body


def test_embed_intro_sentence_is_not_swallowed_into_the_post() -> None:
    article = seed("003")
    press_tv = next(e for e in article.embeds if e["handle"] == "@PressTV")
    assert press_tv["author"] == "Press TV"  # the emoji in the display name is dropped
    assert press_tv["text"].startswith("PRESSTV EXCLUSIVE: Video shows the moment")
    assert "pic.twitter.com" not in press_tv["text"]
    assert "A video from the Iranian state broadcaster Press TV showed an aerial view of the attack:" in article.body


def test_embed_in_blank_line_separated_text() -> None:
    text = (
        "The mayor announced the closure on Monday.\n\n"
        "All schools stay closed tomorrow. Stay safe, everyone.\n"
        "— Jane Roe (@MayorRoe) March 3, 2021\n\n"
        "Parents were told by text message."
    )
    cleaned = clean_text(text)
    [embed] = cleaned.embeds
    assert cleaned.body[embed["start"] : embed["end"]] == "All schools stay closed tomorrow. Stay safe, everyone."
    assert embed["author"] == "Jane Roe" and embed["posted_on"] == "2021-03-03"
    assert cleaned.body.endswith("Parents were told by text message.")


def test_wire_dateline_at_start_of_body_gives_outlet() -> None:
    cleaned = clean_text("KABUL (Reuters) - Three people were killed on Friday, police said.\n\nMore follows.")
    assert cleaned.outlet == "Reuters"
    assert cleaned.dateline == "KABUL (Reuters)"
    assert cleaned.body.startswith("Three people were killed")


def test_hard_wrapped_paragraphs_are_joined() -> None:
    cleaned = clean_text("The council met\nlate on Tuesday and voted\nto close the bridge.\n\nTraffic was diverted.")
    assert cleaned.body == "The council met late on Tuesday and voted to close the bridge.\n\nTraffic was diverted."


def test_given_outlet_wins_over_inferred_one() -> None:
    cleaned = clean_text("Something happened today in the city centre.\n\nReuters", outlet="The Daily")
    assert (cleaned.outlet, cleaned.outlet_inferred_from) == ("The Daily", "given")


# --- formats ------------------------------------------------------------------------------------


def test_json_article_with_metadata() -> None:
    record = {
        "title": "Bridge closed",
        "text": "The bridge was closed on Tuesday after cracks were found, officials said.",
        "date": "2021-05-04T10:30:00Z",
        "source": "AP",
        "url": "https://example.org/bridge",
    }
    article = parse_one("bridge.json", json.dumps(record).encode())
    assert (article.title, article.published_on, article.outlet, article.url) == (
        "Bridge closed",
        date(2021, 5, 4),
        "Associated Press",  # the usual spellings of a wire are folded into one outlet
        "https://example.org/bridge",
    )
    assert article.external_id == "bridge"


def test_jsonl_reports_malformed_line_by_number_and_imports_the_rest() -> None:
    lines = [
        json.dumps({"text": "First report of the flood in the valley, from the mayor's office."}),
        '{"text": "broken',
        json.dumps({"body": "Second report: the river rose two metres overnight, officials said."}),
    ]
    results = parse_file("feed.jsonl", "\n".join(lines).encode())
    assert [type(r).__name__ for r in results] == ["ParsedArticle", "ImportProblem", "ParsedArticle"]
    assert results[1].source == "feed.jsonl:2"
    assert "line 2" in results[1].message
    assert results[2].external_id == "feed-3"


def test_json_record_without_text_is_an_error() -> None:
    assert "no article text" in problem("a.json", b'{"title": "Only a title"}')


def test_html_main_text_is_extracted() -> None:
    html = """<html><head><title>Flood - The Valley Times</title>
    <meta property="og:site_name" content="The Valley Times"><meta name="date" content="2021-05-04"></head>
    <body><nav>Home | Sport | Weather</nav><article><h1>Flood hits the valley</h1>
    <p>The river rose two metres overnight and flooded three villages, officials said on Tuesday.</p>
    <p>About 400 people were moved to the school gym, according to the fire service.</p></article>
    <footer>Copyright The Valley Times</footer></body></html>"""
    article = parse_one("flood.html", html.encode())
    assert article.title == "Flood hits the valley"
    assert article.outlet == "The Valley Times"
    assert article.published_on == date(2021, 5, 4)
    assert "flooded three villages" in article.body
    assert "Sport | Weather" not in article.body
    assert article.original_text == html


# --- bad input ----------------------------------------------------------------------------------


def test_empty_file_is_an_error() -> None:
    assert problem("empty.txt", b"  \n\n ") == "empty file"


def test_binary_file_is_an_error() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    assert "binary" in problem("photo.txt", png)


def test_non_utf8_text_is_decoded_with_a_detected_encoding() -> None:
    text = (
        "Le maire a annoncé mardi que l'école resterait fermée après l'inondation. "
        "Selon la préfecture, près de 400 habitants ont été évacués vers le gymnase. "
        "« C'est une catastrophe », a déclaré un élu."
    )
    article = parse_one("ecole.txt", text.encode("cp1252"))
    assert "annoncé mardi que l'école" in article.body
    assert any(note.startswith("decoded as") for note in article.notes)


def test_file_over_the_size_limit_is_refused() -> None:
    message = problem("big.txt", b"word " * 3000, max_file_bytes=10_000)
    assert "over the" in message and "limit" in message


def test_unknown_extension_is_refused() -> None:
    assert "unsupported file type '.pdf'" in problem("report.pdf", b"%PDF-1.4")


def test_text_of_nothing_but_boilerplate_is_an_error() -> None:
    assert "no article text left" in problem("ad.txt", b"Advertisement\n\nPA Media\n")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo("placeholder")
            info.filename = name  # as given: ZipInfo() itself would strip a leading "/"
            archive.writestr(info, data)
    return buffer.getvalue()


def test_zip_refuses_escaping_paths_and_imports_the_good_members() -> None:
    data = _zip(
        {
            "../evil.txt": b"Escaping text that should never be imported at all.",
            "/etc/absolute.txt": b"Absolute path text that should never be imported.",
            "story/good.txt": b"The dam held overnight, engineers said on Wednesday morning.",
            "__MACOSX/._good.txt": b"\x00\x05",
        }
    )
    results = parse_file("batch.zip", data)
    problems = [r for r in results if isinstance(r, ImportProblem)]
    articles = [r for r in results if isinstance(r, ParsedArticle)]
    assert sorted(p.source for p in problems) == ["batch.zip/../evil.txt", "batch.zip//etc/absolute.txt"]
    assert all("escape" in p.message for p in problems)
    assert [a.external_id for a in articles] == ["good"]


def test_corrupt_zip_is_an_error() -> None:
    assert problem("batch.zip", b"PK\x03\x04 not really a zip") == "not a valid zip archive"


def test_zip_member_over_size_limit_is_refused() -> None:
    data = _zip({"big.txt": b"word " * 5000, "small.txt": b"A short but real report about the storm damage."})
    results = parse_file("batch.zip", data, ImportLimits(max_file_bytes=10_000))
    assert isinstance(results[0], ImportProblem) and "limit" in results[0].message
    assert isinstance(results[1], ParsedArticle)


def test_folder_is_walked_in_name_order_and_skips_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Second article about the storm that hit the coast.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Nested article about the storm that hit the coast.")
    (tmp_path / ".hidden.txt").write_text("hidden")
    names = [item[0] for item in iter_path_files([tmp_path], ImportLimits()) if isinstance(item, tuple)]
    assert names == [f"{tmp_path.name}/b.txt", f"{tmp_path.name}/sub/a.txt"]


def test_same_file_gives_same_content_hash_and_other_metadata_changes_it() -> None:
    text = json.dumps({"text": "The same wire text, word for word, in two places.", "source": "AP"})
    other = json.dumps({"text": "The same wire text, word for word, in two places.", "source": "Reuters"})
    assert parse_one("a.json", text.encode()).content_hash == parse_one("b.json", text.encode()).content_hash
    assert parse_one("a.json", text.encode()).content_hash != parse_one("a.json", other.encode()).content_hash


def test_nul_bytes_and_nul_escapes_are_refused_clearly() -> None:
    assert "NUL" in problem("x.txt", b"A report about the storm\x00 that hit the coast.")
    record = json.dumps({"text": "A report about the storm\u0000 that hit the coast.", "title": "Storm"}).encode()
    assert "NUL" in problem("x.json", record)


def test_the_api_article_fields_are_names_the_json_importer_reads():
    from articles.api import ArticleInput

    aliases = {name for names in RECORD_FIELDS.values() for name in names}
    assert set(ArticleInput().fields) <= aliases
    (article,) = parse_file("a.json", json.dumps({"articleBody": "Soldiers were evacuated on Sunday."}).encode())
    assert isinstance(article, ParsedArticle) and article.body.startswith("Soldiers were evacuated")


# --- hostile and odd input (issue 11.3) ---------------------------------------------------------


def test_a_lone_surrogate_is_a_problem_of_its_record_only() -> None:
    records = b'[{"text": "The bridge \\ud800 was closed."}, {"text": "The bridge was closed on Monday, police said."}]'
    bad, good = parse_file("x.json", records)
    assert isinstance(bad, ImportProblem) and "surrogate" in bad.message
    assert isinstance(good, ParsedArticle)


def test_deeply_nested_json_is_a_problem_of_its_file() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    assert "nested too deeply" in problem("deep.json", deep)
    assert "nested too deeply" in problem("deep.jsonl", deep)


def test_utf16_without_a_byte_order_mark_is_decoded() -> None:
    text = "The bridge was closed on Monday, police said. Traffic was diverted through the town."
    for encoding in ("utf-16-le", "utf-16-be"):
        assert parse_one("x.txt", text.encode(encoding)).body == text


def test_latin1_icelandic_is_read_as_latin1_not_cp1258() -> None:
    text = "Þórður Guðmundsson sagði á fimmtudag að vegurinn væri lokaður. Ríkisstjórnin hefur ekki svarað."
    assert parse_one("x.txt", text.encode("latin-1")).body == text


def test_a_folder_import_refuses_links_that_leave_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("The password of the server is hunter2, said the admin.")
    (folder / "a.txt").write_text("The bridge was closed on Monday, police said.")
    (folder / "inside.txt").symlink_to(folder / "a.txt")
    (folder / "passwd.txt").symlink_to(outside)
    results = {getattr(r, "source", None) or r[0]: r for r in iter_path_files([folder], ImportLimits())}
    assert isinstance(results["articles/passwd.txt"], ImportProblem)
    assert "leads out of the folder" in results["articles/passwd.txt"].message
    assert results["articles/a.txt"][1] == results["articles/inside.txt"][1] == (folder / "a.txt").read_bytes()


def test_an_unforeseen_reader_error_costs_the_file_not_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from articles.importers import readers

    def broken(*args: object) -> object:
        raise RuntimeError("a reader bug")

    monkeypatch.setattr(readers, "_parse_json", broken)
    assert "internal error" in problem("x.json", b'{"text": "The bridge was closed."}')
