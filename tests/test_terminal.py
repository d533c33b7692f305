"""The terminal: colour only where it shows, output that never fails to encode."""

from __future__ import annotations

import io
import sys

import pytest

from grader import terminal


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", _Tty())
    monkeypatch.setattr(sys, "platform", "linux")
    assert terminal.use_color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert terminal.use_color() is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert terminal.use_color() is False


def test_a_windows_console_without_virtual_terminal_support_gets_no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", _Tty())
    monkeypatch.setattr(sys, "platform", "win32")
    assert terminal.use_color() is False  # no ctypes.windll here: the console cannot be switched


def test_a_code_page_stdout_replaces_what_it_cannot_encode(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", stream)
    terminal.tolerant_output()
    print("σ(z) ≥ 0 → ok")
    stream.flush()
    assert raw.getvalue().decode("cp1252") == "?(z) ? 0 ? ok\n"
