import threading

import pytest

import datacheck
from datacheck import features
from tests.conftest import SAMPLES


@pytest.mark.parametrize(("slow", "where"), [("", "datacheck-tables"), ("1", "MainThread")])
def test_json_facts_are_built_beside_the_tokenizers(monkeypatch, slow, where):
    """Built once, in a helper thread while tokenizing; in the caller's thread on slow paths."""
    threads = []
    real = features.json_facts

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(features, "json_facts", recording)
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    result = datacheck.audit(SAMPLES / "orders_chat.jsonl").to_dict()
    assert len(threads) == 1 and threads[0].startswith(where)
    assert any(c["id"].startswith("format.json") for c in result["checks"])


def test_no_helper_thread_for_tasks_without_json_outputs(monkeypatch):
    calls = []
    monkeypatch.setattr(features, "json_facts", lambda *a, **k: calls.append(a))
    datacheck.audit(SAMPLES / "tickets.jsonl")
    assert calls == []
