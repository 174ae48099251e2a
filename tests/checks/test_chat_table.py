import polars as pl

import datacheck
from datacheck.chat import content_as_text, is_parts
from datacheck.checks._chat_table import chat_table
from tests.conftest import write_jsonl

PART = pl.Struct({"type": pl.String, "text": pl.String, "image_url": pl.Struct({"url": pl.String})})


def _text(kind: str) -> dict:
    return {"type": "text", "text": kind, "image_url": None}


def _image(url: str) -> dict:
    return {"type": "image_url", "text": None, "image_url": {"url": url}}


def test_content_parts_read_as_their_text_parts():
    content = pl.Series("c", [[_text("What is"), _image("https://x/1.png"), _text("this?")], []])
    assert is_parts(content.dtype) and not is_parts(pl.List(pl.String))
    text = pl.select(content_as_text(pl.lit(content), content.dtype)).to_series().to_list()
    assert text == ["What is\nthis?", ""]


def test_parts_with_no_text_field_read_as_no_text():
    kind = pl.List(pl.Struct({"type": pl.String, "image_url": pl.Struct({"url": pl.String})}))
    content = pl.Series("c", [[{"type": "image_url", "image_url": {"url": "u"}}], None], kind)
    assert is_parts(content.dtype)
    text = pl.select(content_as_text(pl.lit(content), content.dtype)).to_series().to_list()
    assert text == ["", None]


def test_chat_with_content_parts_is_audited_and_counted_like_plain_text(tmp_path):
    def rows(parts: bool) -> list[dict]:
        def content(text: str):
            return [{"type": "text", "text": text}] if parts else text

        def example(i: int) -> dict:
            answer = "shipped" if i % 2 else "late"
            return {"messages": [{"role": "user", "content": content(f"where is order {i}?")},
                                 {"role": "assistant", "content": content(answer)}]}  # fmt: skip

        return [example(i) for i in range(40)]

    plain = datacheck.audit(write_jsonl(tmp_path / "p.jsonl", rows(False)), tokenizers="o200k_base")
    parts = datacheck.audit(write_jsonl(tmp_path / "q.jsonl", rows(True)), tokenizers="o200k_base")
    assert parts.labels == plain.labels == {"late": 20, "shipped": 20}
    counted, read = parts.to_dict()["tokens"]["o200k_base"], plain.to_dict()["tokens"]["o200k_base"]
    assert counted["total"] == read["total"] and counted["input_total"] == read["input_total"]
    assert counted["template"].endswith("content parts counted by their text; images not counted")
    assert "images" not in read["template"]


def test_openai_takes_images_from_users_but_not_from_the_assistant():
    message = pl.Struct({"role": pl.String, "content": pl.List(PART)})
    conversations = [
        [{"role": "user", "content": [_text("what is it?"), _image("https://x/1.png")]},
         {"role": "assistant", "content": [_text("a cat")]}],
        [{"role": "user", "content": [_text("draw a cat")]},
         {"role": "assistant", "content": [_image("https://x/2.png")]}],
    ]  # fmt: skip
    train = pl.DataFrame(
        {"messages": conversations}, schema={"messages": pl.List(message)}
    ).with_columns(pl.int_range(2).alias("example_id"), pl.int_range(1, 3).alias("source_line"))
    table = chat_table(train)
    assert table["openai_problem"].to_list() == [
        None,
        "message 2 (assistant): an assistant's content parts must all be text",
    ]
    assert table["roles_problem"].to_list() == [None, "message 2 (assistant) is empty"]  # no text


def test_content_of_another_kind_reads_as_its_own_json():
    content = pl.Series("c", [{"a": 1}, None])
    text = pl.select(content_as_text(pl.lit(content), content.dtype)).to_series().to_list()
    assert text == ['{"a":1}', None]
