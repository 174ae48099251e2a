"""all-MiniLM-L6-v2 in numpy: the sentence-embedding model the semantic checks use, run on the
CPU from its safetensors weights and `tokenizer.json`, with no torch.

A 6-layer BERT encoder (hidden size 384, 12 heads), mean pooling over the tokens, then unit
length: what sentence-transformers computes for this model. Texts are cut at 256 tokens, the
model's own `max_seq_length`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: the model's `sentence_bert_config.json`
MAX_TOKENS = 256
_HEADS = 12
_EPS = 1e-12


class MiniLM:
    """The encoder, loaded once from a folder holding `model.safetensors` and `tokenizer.json`."""

    dimension = 384

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._load(weights(folder))

    def _load(self, w: dict[str, np.ndarray]) -> None:
        self._words = w["embeddings.word_embeddings.weight"]
        self._positions = w["embeddings.position_embeddings.weight"]
        self._type = w["embeddings.token_type_embeddings.weight"][0]
        self._norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = [_layer(w, f"encoder.layer.{i}.") for i in range(_count_layers(w))]

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length embeddings of `texts`, one row each, in order. Texts are batched by
        length, so that little of each batch is padding."""
        ids = self.token_ids(texts)
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            out[chosen] = self._forward([ids[i] for i in chosen])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        tokens, mask = padded(batch)
        return pooled(self._hidden(tokens, mask), mask)

    def _hidden(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's states, batch x length x hidden."""
        batch, length = tokens.shape
        x = self._words[tokens] + self._positions[:length] + self._type
        x = _layer_norm(x.reshape(-1, self.dimension), *self._norm)
        masked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in self._layers:
            x = _block(x, masked, layer)
        return x.reshape(batch, length, self.dimension)


def weights(folder: Path) -> dict[str, np.ndarray]:
    """The model's float32 tensors by name (without the `bert.` prefix some files carry)."""
    from safetensors.numpy import load_file

    loaded = load_file(str(folder / "model.safetensors"))
    return {k.removeprefix("bert."): v.astype(np.float32) for k, v in loaded.items()}


def padded(batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids padded with 0 to the longest, and the mask of real tokens."""
    length = max(len(ids) for ids in batch)
    tokens = np.zeros((len(batch), length), dtype=np.int64)
    mask = np.zeros((len(batch), length), dtype=np.float32)
    for row, ids in enumerate(batch):
        tokens[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1.0
    return tokens, mask


def pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the real tokens' states, at unit length: the sentence embedding."""
    summed = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    return summed / np.maximum(norms, _EPS)


def _count_layers(w: dict[str, np.ndarray]) -> int:
    return len({k.split(".")[2] for k in w if k.startswith("encoder.layer.")})


def _layer(w: dict[str, np.ndarray], p: str) -> dict[str, Any]:
    def dense(name: str) -> tuple[np.ndarray, np.ndarray]:
        return np.ascontiguousarray(w[f"{p}{name}.weight"].T), w[f"{p}{name}.bias"]

    q, k, v = (
        dense("attention.self.query"),
        dense("attention.self.key"),
        dense("attention.self.value"),
    )
    return {
        "qkv": (np.concatenate([q[0], k[0], v[0]], axis=1), np.concatenate([q[1], k[1], v[1]])),
        "attention_out": dense("attention.output.dense"),
        "attention_norm": (w[f"{p}attention.output.LayerNorm.weight"],
                           w[f"{p}attention.output.LayerNorm.bias"]),
        "intermediate": dense("intermediate.dense"),
        "output": dense("output.dense"),
        "output_norm": (w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]),
    }  # fmt: skip


def _block(x: np.ndarray, masked: np.ndarray, layer: dict[str, Any]) -> np.ndarray:
    """One encoder layer. `x` is (batch · length, hidden): the dense layers are then one
    matrix product each, not one per example."""
    batch, length = masked.shape[0], masked.shape[-1]
    hidden = x.shape[1]
    head = hidden // _HEADS
    qkv = x @ layer["qkv"][0] + layer["qkv"][1]
    qkv = qkv.reshape(batch, length, 3, _HEADS, head).transpose(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1.0 / np.sqrt(head)) + masked
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
    attended = context @ layer["attention_out"][0] + layer["attention_out"][1]
    x = _layer_norm(attended + x, *layer["attention_norm"])
    inner = _gelu(x @ layer["intermediate"][0] + layer["intermediate"][1])
    out = inner @ layer["output"][0] + layer["output"][1]
    return _layer_norm(out + x, *layer["output_norm"])


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(_EPS)) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x)."""
    from scipy.special import erf

    return (0.5 * x * (1.0 + erf(x * np.float32(1 / np.sqrt(2))))).astype(np.float32)
