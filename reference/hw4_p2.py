"""Problem 2 of HW4: the scalar LSTM unit.

The parameters are those of SPEC section 0 (``HANDOUT_PARAMS``): the handout
lists ``W^{c,h}`` twice, the second time meaning ``W^{i,h} = 0``.  "Round h_t to
the closest integer in every time-step" is read as: the rounded ``h_t`` is what
feeds the next step.  Rounding is Python's ``round`` (half to even).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from grader.sandbox.calls import Case

__all__ = [
    "HANDOUT_PARAMS",
    "PARAM_KEYS",
    "SEQ1",
    "SEQ2",
    "all_sequences",
    "lstm_run",
    "lstm_run_binary_cases",
    "lstm_run_cases",
    "lstm_run_edge_cases",
    "lstm_run_handout_cases",
    "lstm_run_signed_cases",
    "lstm_run_unrounded",
    "negated_unit",
    "p2a_h_seq1",
    "p2a_h_seq1_flipped_wch",
    "p2a_h_seq1_unrounded_shortcut",
    "p2a_h_seq2",
    "p2a_h_seq2_flipped_wch",
    "p2a_h_seq2_unrounded_shortcut",
    "p2c_params",
    "p2c_target",
    "p2d_params",
    "p2d_target",
]

PARAM_KEYS: tuple[str, ...] = (
    "W_fh", "W_fx", "b_f", "W_ih", "W_ix", "b_i", "W_oh", "W_ox", "b_o", "W_ch", "W_cx", "b_c",
)  # fmt: skip

#: The handout's parameters, with the erratum of SPEC section 0 applied.
HANDOUT_PARAMS: dict[str, float] = {
    "W_fh": 0.0, "W_fx": 0.0, "b_f": -100.0,
    "W_ih": 0.0, "W_ix": 100.0, "b_i": 100.0,
    "W_oh": 0.0, "W_ox": 100.0, "b_o": 0.0,
    "W_ch": -100.0, "W_cx": 50.0, "b_c": 0.0,
}  # fmt: skip

SEQ1: tuple[int, ...] = (0, 0, 1, 1, 1, 0)
SEQ2: tuple[int, ...] = (1, 1, 0, 1, 1)

#: A pre-activation large enough that sigmoid and tanh give exactly 1.0 in float64.
_SATURATING = 100.0


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _steps(
    xs: Iterable[float],
    params: Mapping[str, float],
    squash: Callable[[float], float],
    rounded: bool,
) -> Iterator[tuple[float, float]]:
    """Yield ``(h_t before rounding, h_t fed to the next step)`` from ``h_-1 = c_-1 = 0``."""
    p = {k: float(params[k]) for k in PARAM_KEYS}
    h, c = 0.0, 0.0
    for x in xs:
        x = float(x)
        f = _sigmoid(p["W_fh"] * h + p["W_fx"] * x + p["b_f"])
        i = _sigmoid(p["W_ih"] * h + p["W_ix"] * x + p["b_i"])
        o = _sigmoid(p["W_oh"] * h + p["W_ox"] * x + p["b_o"])
        c = f * c + i * math.tanh(p["W_ch"] * h + p["W_cx"] * x + p["b_c"])
        raw = o * squash(c)
        h = float(round(raw)) if rounded else raw
        yield raw, h


def _simulate(
    xs: Iterable[float],
    params: Mapping[str, float],
    *,
    squash: Callable[[float], float] = math.tanh,
    rounded: bool = True,
) -> list[float]:
    """Run the unit; ``h_t = o_t * squash(c_t)``, rounded if asked."""
    return [h for _, h in _steps(xs, params, squash, rounded)]


def _rounding_margin(xs: Sequence[float], params: Mapping[str, float]) -> float:
    """How far the unrounded ``h_t`` come from a rounding tie (``k + 1/2``)."""
    return min(abs(abs(raw - math.floor(raw)) - 0.5) for raw, _ in _steps(xs, params, math.tanh, True))


def lstm_run(xs: Sequence[float], params: Mapping[str, float]) -> list[int]:
    """The rounded ``h_t`` at every step; the rounded value feeds the next step."""
    return [int(h) for h in _simulate(xs, params)]


def lstm_run_unrounded(xs: Sequence[float], params: Mapping[str, float]) -> list[float]:
    """``h_t`` at every step without any rounding."""
    return _simulate(xs, params, rounded=False)


def p2a_h_seq1() -> list[int]:
    """2(a): ``h_0..h_5`` for input sequence 1."""
    return lstm_run(SEQ1, HANDOUT_PARAMS)


def p2a_h_seq2() -> list[int]:
    """2(a): ``h_0..h_4`` for input sequence 2."""
    return lstm_run(SEQ2, HANDOUT_PARAMS)


def _flipped_wch() -> dict[str, float]:
    return {**HANDOUT_PARAMS, "W_ch": -HANDOUT_PARAMS["W_ch"]}


def p2a_h_seq1_flipped_wch() -> list[int]:
    """Known mistake in 2(a): the sign of ``W^{c,h}`` flipped (h repeats the input)."""
    return lstm_run(SEQ1, _flipped_wch())


def p2a_h_seq2_flipped_wch() -> list[int]:
    """Known mistake in 2(a): the sign of ``W^{c,h}`` flipped (h repeats the input)."""
    return lstm_run(SEQ2, _flipped_wch())


def p2a_h_seq1_unrounded_shortcut() -> list[float]:
    """Known mistake in 2(a): ``h_t = o_t * c_t`` (tanh(c) taken as c) and h not rounded."""
    return _simulate(SEQ1, HANDOUT_PARAMS, squash=lambda c: c, rounded=False)


def p2a_h_seq2_unrounded_shortcut() -> list[float]:
    """Known mistake in 2(a): ``h_t = o_t * c_t`` and h not rounded (gives about [1, -1, 0.5, 0, 1])."""
    return _simulate(SEQ2, HANDOUT_PARAMS, squash=lambda c: c, rounded=False)


def negated_unit(params: Mapping[str, float]) -> dict[str, float]:
    """Weights whose unit produces ``-h_t`` wherever ``params`` produce ``h_t``.

    With ``h' = -h`` and ``c' = -c``: the gates must see the same argument, so
    their ``h`` weights change sign; the cell input must change sign, so
    ``W_cx`` and ``b_c`` change sign while ``W_ch`` (applied to ``-h``) stays.
    tanh is odd and rounding is symmetric, so the negation is exact.
    """
    flip = {"W_fh", "W_ih", "W_oh", "W_cx", "b_c"}
    return {k: (-float(params[k]) if k in flip else float(params[k])) + 0.0 for k in PARAM_KEYS}


def p2c_params() -> dict[str, float]:
    """2(c): weights for which every binary sequence gives the negated ``h_t``."""
    return negated_unit(HANDOUT_PARAMS)


def p2c_target(xs: Sequence[float]) -> list[int]:
    """2(c): what the modified unit must output: ``-h_t`` of the handout's unit."""
    return [-h for h in lstm_run(xs, HANDOUT_PARAMS)]


def p2d_params() -> dict[str, float]:
    """2(d): weights giving ``h_t = sign(x_0 + ... + x_t)`` for every ±1 sequence.

    All gates are open (sigmoid(100) is exactly 1.0), ``W_ch = 0`` and
    ``tanh(100 * x) = x`` exactly for ``x = ±1``, so ``c_t`` is exactly the running
    sum; ``h_t = tanh(c_t)`` is 0 when the sum is 0 and at least tanh(1) > 0.5 in
    size otherwise, which rounds to the sign of the sum.
    """
    params = dict.fromkeys(PARAM_KEYS, 0.0)
    params.update(b_f=_SATURATING, b_i=_SATURATING, b_o=_SATURATING, W_cx=_SATURATING)
    return params


def p2d_target(xs: Sequence[float]) -> list[int]:
    """2(d): the sign of every prefix sum of ``xs``."""
    out, total = [], 0.0
    for x in xs:
        total += float(x)
        out.append(int(np.sign(total)))
    return out


def all_sequences(alphabet: Sequence[Any], max_len: int = 8) -> Iterator[tuple[Any, ...]]:
    """Every sequence over ``alphabet`` of length 1 to ``max_len``, shortest first."""
    for length in range(1, max_len + 1):
        yield from itertools.product(alphabet, repeat=length)


# --- calls of the student's lstm_run ---------------------------------------------
#
# Graded by groups of calls that the rubric names; a group earns its points only
# when every call in it is right.  The calls are public (students see the
# check's feedback before the due date), so no call passes the weights of 2(c)
# or 2(d): besides the handout's weights, every unit is random.  Every random
# call changes its output when its weights are replaced by the handout's, is
# not all zeros, and keeps each unrounded h_t at least 0.02 from a rounding tie.

_MARGIN = 0.02


def _random_weight(rng: np.random.Generator, scale: float) -> float:
    """A random weight with two decimals, never a multiple of 1/2."""
    while True:
        value = round(float(rng.normal(0.0, scale)), 2)
        if not (2 * value).is_integer():
            return value


def _random_unit(rng: np.random.Generator, scale: float = 3.0) -> dict[str, float]:
    return {key: _random_weight(rng, scale) for key in PARAM_KEYS}


def _telling(xs: Sequence[float], params: Mapping[str, float]) -> bool:
    """Whether a call tells a working unit from a constant or from the handout's weights."""
    out = lstm_run(xs, params)
    return (
        _rounding_margin(xs, params) >= _MARGIN
        and any(out)
        and (len(xs) < 2 or len(set(out)) > 1)
        and out != lstm_run(xs, HANDOUT_PARAMS)
    )


def _random_call(rng: np.random.Generator, xs: Sequence[int], scale: float = 3.0) -> dict[str, float]:
    """Random weights for which running ``xs`` is a telling call."""
    while True:
        params = _random_unit(rng, scale)
        if _telling(xs, params):
            return params


def _random_run(rng: np.random.Generator, alphabet: Sequence[int], length: int) -> tuple[list[int], dict[str, float]]:
    """A random input sequence over ``alphabet`` and random weights making a telling call."""
    xs = [int(v) for v in rng.choice(alphabet, size=length)]
    return xs, _random_call(rng, xs)


def _lstm_case(xs: Sequence[int], params: Mapping[str, float], what: str) -> Case:
    return Case(args=(list(xs), dict(params)), label=f"{what}, input {list(xs)}")


def lstm_run_handout_cases() -> list[Case]:
    """The handout's two sequences, with the handout's weights and with random weights."""
    rng = np.random.default_rng(60368)
    cases = [_lstm_case(xs, HANDOUT_PARAMS, "handout weights") for xs in (SEQ1, SEQ2)]
    cases += [_lstm_case(xs, _random_call(rng, xs), "random weights") for xs in (SEQ1, SEQ2)]
    return cases


def lstm_run_binary_cases() -> list[Case]:
    """Random units on random 0/1 sequences of length 3 to 10."""
    rng = np.random.default_rng(60369)
    return [_lstm_case(*_random_run(rng, (0, 1), length), "random weights") for length in (3, 5, 7, 8, 10)]


def lstm_run_signed_cases() -> list[Case]:
    """Random units on random +1/-1 sequences of length 3 to 10."""
    rng = np.random.default_rng(60370)
    return [_lstm_case(*_random_run(rng, (-1, 1), length), "random weights") for length in (4, 6, 9, 10)]


def lstm_run_edge_cases() -> list[Case]:
    """One-step sequences, an all-zero input, and large weights (saturated gates) on length 10."""
    rng = np.random.default_rng(60371)
    signs = [int(v) for v in rng.choice((-1, 1), size=10)]
    return [
        _lstm_case([1], _random_call(rng, [1]), "random weights, one step"),
        _lstm_case([-1], _random_call(rng, [-1]), "random weights, one step"),
        _lstm_case([0, 0, 0, 0], _random_call(rng, [0, 0, 0, 0]), "random weights, all-zero input"),
        _lstm_case(signs, _random_call(rng, signs, scale=60.0), "large random weights"),
    ]


def lstm_run_cases() -> list[Case]:
    """Every call of ``lstm_run``, group by group."""
    return [*lstm_run_handout_cases(), *lstm_run_binary_cases(), *lstm_run_signed_cases(), *lstm_run_edge_cases()]
