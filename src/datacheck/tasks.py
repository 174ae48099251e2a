"""The names of shapes and tasks: a light module the CLI can import without polars."""

SCHEMAS = ("chat", "prompt_completion", "instruction", "text_label", "extraction", "spans")
#: each shape as reports name it
SCHEMA_NAMES = {
    "chat": "chat messages",
    "prompt_completion": "prompt + completion",
    "instruction": "instruction + output",
    "text_label": "text + label",
    "extraction": "input + JSON output",
    "spans": "text + character spans",
}
TASKS = (
    "classification",
    "extraction",
    "response_generation",
    "document_parsing",
    "code_comments",
    "open_chat",
)
