"""The names of shapes and tasks: a light module the CLI can import without polars."""

SCHEMAS = ("chat", "prompt_completion", "instruction", "text_label", "extraction")
TASKS = (
    "classification",
    "extraction",
    "response_generation",
    "document_parsing",
    "code_comments",
    "open_chat",
)
