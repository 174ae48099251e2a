import gc
import weakref

import datacheck
from datacheck import gx
from tests.conftest import SAMPLES


def test_validated_tables_are_not_kept_alive_by_great_expectations(monkeypatch):
    """GX's context keeps every batch it has seen; on 1M rows that is hundreds of MB held
    through the rest of the audit, so each batch is let go once validated."""
    handed: list[weakref.ref] = []
    to_pandas = gx._to_pandas

    def recorded(frame):
        out = to_pandas(frame)
        handed.append(weakref.ref(out))
        return out

    monkeypatch.setattr(gx, "_to_pandas", recorded)
    result = datacheck.audit(SAMPLES / "tickets.jsonl", tokenizers="cl100k_base")
    gc.collect()
    assert len(handed) >= 3
    assert [ref() for ref in handed if ref() is not None] == []
    assert result.checks
