"""Text helpers: ids a command line can take as arguments."""

from __future__ import annotations

import secrets

from tourplanner.text import url_token


def test_url_token_never_starts_with_a_dash(monkeypatch):
    """token_urlsafe gives "-..." one time in 64; such an id reads as an option in a shell."""
    answers = iter(["-1HxdashFirst", "_underscore", "plain"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(answers))
    assert url_token(12) == "_underscore"


def test_url_tokens_are_urlsafe_and_of_their_length():
    tokens = {url_token(12) for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(len(t) == 16 and not t.startswith("-") for t in tokens)
    assert all(
        set(t) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for t in tokens
    )
