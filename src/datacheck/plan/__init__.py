"""Planning the fine-tune: exact tokenizers, token counts, the guide's model matrix, training
cost, and the base-model recommendation."""
