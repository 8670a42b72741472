from ..backoff import delay, retry_after


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap():
    assert delay(1, base=10, rng=lambda: 1.0) == 10
    assert delay(4, base=10, rng=lambda: 1.0) == 80
    assert delay(20, base=10, cap=3600, rng=lambda: 1.0) == 3600
    assert delay(4, base=10, rng=lambda: 0.0) == 5, "never below half the base"
    assert 5 <= delay(3, base=10) <= 40


def test_retry_after_reads_seconds_and_http_dates():
    now = 1_700_000_000
    assert retry_after("7", now) == 7
    assert retry_after("Tue, 14 Nov 2023 22:13:40 GMT", now) == 20
    assert retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None
