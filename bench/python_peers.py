#!/usr/bin/env python3
"""Peer benchmark of the Python package: optscan vs pyvolr, QuantLib and py_vollib_vectorized.

Measures nanoseconds per option, including the call from Python, for (a) price + greeks and
(b) implied volatility, on 1,000,000 random options (S=100, K in [60, 140], T in [1 day,
2 years], r=4.5 %, q in [0, 3 %], vol in [10 %, 80 %], calls and puts 50/50, seed 42), and
the largest absolute difference between optscan and each peer, and each library's IV error
against the volatility that generated the price. optscan and pyvolr are timed as the fastest
of 7 calls each. "per core" multiplies wall time by the
threads the library uses (optscan and pyvolr: rayon on every core; the others: one).
QuantLib is called once per option from Python, so it is timed on a 20,000-option slice of
the same book.

    make python-bench            # or: python bench/python_peers.py [--n 1000000]

Prints a Markdown table (the one quoted in README.md). Missing peers are reported, not fatal.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import warnings

import numpy as np

import optscan


def book(n, seed=42):
    rng = np.random.default_rng(seed)
    return dict(
        is_call=rng.random(n) < 0.5,
        spot=np.full(n, 100.0),
        strike=rng.uniform(60.0, 140.0, n),
        years=rng.uniform(1.0 / 365.0, 2.0, n),
        rate=np.full(n, 0.045),
        vol=rng.uniform(0.10, 0.80, n),
        dividend_yield=rng.uniform(0.0, 0.03, n),
    )


def best_of(fn, repeat=7):
    """Fastest of `repeat` calls, and the last result. The first calls of a 128 MB result
    fault its pages in (tens of ms), so a short best-of is often a best-of-one."""
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def run_optscan(b):
    t_greeks, g = best_of(lambda: optscan.black_scholes(
        b["is_call"], b["spot"], b["strike"], b["years"], b["rate"], b["vol"],
        dividend_yield=b["dividend_yield"]))
    t_iv, iv = best_of(lambda: optscan.implied_volatility(
        g["price"], b["is_call"], b["spot"], b["strike"], b["years"], b["rate"],
        dividend_yield=b["dividend_yield"]))
    return t_greeks, t_iv, g, iv


def run_vollib(b, price):
    import py_vollib_vectorized as pvv

    warnings.filterwarnings("ignore")  # it warns once per below-intrinsic quote

    flag = np.where(b["is_call"], "c", "p")
    args = (flag, b["spot"], b["strike"], b["years"], b["rate"], b["vol"], b["dividend_yield"])
    small = tuple(a[:10] for a in args)
    pvv.get_all_greeks(*small, model="black_scholes_merton", return_as="dict")  # JIT warm-up
    pvv.vectorized_black_scholes_merton(*small, return_as="numpy")
    pvv.vectorized_implied_volatility(price[:10], *small[1:5], small[0], q=small[6],
                                      model="black_scholes_merton", return_as="numpy")

    def greeks():
        p = pvv.vectorized_black_scholes_merton(*args, return_as="numpy")
        g = pvv.get_all_greeks(*args, model="black_scholes_merton", return_as="dict")
        return p, g

    t0 = time.perf_counter()
    p, g = greeks()
    t_greeks = time.perf_counter() - t0
    t0 = time.perf_counter()
    iv = pvv.vectorized_implied_volatility(price, b["spot"], b["strike"], b["years"], b["rate"],
                                           flag, q=b["dividend_yield"],
                                           model="black_scholes_merton", return_as="numpy")
    t_iv = time.perf_counter() - t0
    # py_vollib units: vega and rho per 1 %, theta per day; optscan's are raw derivatives.
    raw = dict(price=np.asarray(p, float), delta=np.asarray(g["delta"], float),
               gamma=np.asarray(g["gamma"], float), vega=np.asarray(g["vega"], float) * 100,
               theta=np.asarray(g["theta"], float) * 365, rho=np.asarray(g["rho"], float) * 100)
    return t_greeks, t_iv, raw, np.asarray(iv, float)


def run_quantlib(b, price, n):
    import QuantLib as ql

    out = {k: np.empty(n) for k in ("price", "delta", "gamma", "vega", "theta", "rho")}
    t0 = time.perf_counter()
    for i in range(n):
        s, k, t = b["spot"][i], b["strike"][i], b["years"][i]
        r, q, v = b["rate"][i], b["dividend_yield"][i], b["vol"][i]
        kind = ql.Option.Call if b["is_call"][i] else ql.Option.Put
        df = math.exp(-r * t)
        fwd = s * math.exp((r - q) * t)
        c = ql.BlackCalculator(ql.PlainVanillaPayoff(kind, k), fwd, v * math.sqrt(t), df)
        out["price"][i] = c.value()
        out["delta"][i] = c.delta(s)
        out["gamma"][i] = c.gamma(s)
        out["vega"][i] = c.vega(t)
        out["theta"][i] = c.theta(s, t)
        out["rho"][i] = c.rho(t)
    t_greeks = time.perf_counter() - t0
    iv = np.full(n, np.nan)
    t0 = time.perf_counter()
    for i in range(n):
        s, k, t = b["spot"][i], b["strike"][i], b["years"][i]
        r, q = b["rate"][i], b["dividend_yield"][i]
        kind = ql.Option.Call if b["is_call"][i] else ql.Option.Put
        try:
            sd = ql.blackFormulaImpliedStdDev(kind, k, s * math.exp((r - q) * t), float(price[i]),
                                              math.exp(-r * t), 0.0, 0.3 * math.sqrt(t), 1e-12, 100)
            iv[i] = sd / math.sqrt(t)
        except RuntimeError:
            pass
    t_iv = time.perf_counter() - t0
    return t_greeks, t_iv, out, iv


def run_pyvolr(b, price):
    import pyvolr

    # int8 flags: pyvolr is about 4x slower with 'c'/'p' string arrays (anchors.md §0.3).
    flag = np.where(b["is_call"], 1, -1).astype(np.int8)
    args = (flag, b["spot"], b["strike"], b["years"], b["rate"], b["vol"], b["dividend_yield"])
    pyvolr.bs.greeks(*(a[:10] for a in args))  # warm-up
    t_g, g = best_of(lambda: pyvolr.bs.greeks(*args, return_as="dict"))
    t_p, p = best_of(lambda: pyvolr.bs.price(*args))
    t_iv, iv = best_of(lambda: pyvolr.bs.implied_vol(
        price, flag, b["spot"], b["strike"], b["years"], b["rate"], b["dividend_yield"],
        on_error="ignore"))
    raw = dict(price=np.asarray(p, float), **{k: np.asarray(g[k], float) for k in
                                             ("delta", "gamma", "vega", "theta", "rho")})
    return t_g, t_p, t_iv, raw, np.asarray(iv, float)


def units(peer, ours):
    """Rescale the peer's vega and theta to raw derivatives (per 1.00 of vol, per year) when
    it reports them per 1 % / per day, judged from the median ratio."""
    for k, scales in (("vega", (1.0, 100.0)), ("theta", (1.0, 365.0, 252.0))):
        ok = np.isfinite(peer[k]) & np.isfinite(ours[k]) & (np.abs(peer[k]) > 1e-12)
        ratio = np.median(ours[k][ok] / peer[k][ok]) if ok.any() else 1.0
        peer[k] = peer[k] * min(scales, key=lambda s: abs(s - ratio))
    return peer


def iv_error(iv, b, g):
    """Max |σ_IV − σ|/σ over options whose price carries the volatility (vega·σ > 1e-6·S)."""
    ok = np.isfinite(iv) & (g["vega"] * b["vol"] > 1e-6 * b["spot"])
    return float(np.max(np.abs(iv[ok] - b["vol"][ok]) / b["vol"][ok])) if ok.any() else float("nan")


def max_diff(a, b):
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(a[ok] - b[ok]))) if ok.any() else float("nan"), int(ok.sum())


def diffs(peer, ours):
    """`price / delta / gamma / vega` max abs differences (rho and theta conventions differ
    between libraries: py_vollib's BSM rho is not dR/dr, and its theta is numerical per day)."""
    return " / ".join(f"{max_diff(peer[k], ours[k])[0]:.0e}" for k in ("price", "delta", "gamma", "vega"))


def single_thread(n):
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--n", str(n), "--optscan-only"],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--ql-n", type=int, default=20_000)
    ap.add_argument("--optscan-only", action="store_true")
    a = ap.parse_args()
    b = book(a.n)
    t_g, t_iv, g, iv = run_optscan(b)
    if a.optscan_only:
        print(json.dumps({"greeks": t_g, "iv": t_iv}))
        return
    ns = lambda t, n, cores=1: f"{t / n * 1e9 * cores:,.1f}"
    cores = os.cpu_count()
    one = single_thread(a.n)
    rows = [("optscan (all cores: %d)" % cores, ns(t_g, a.n), ns(t_g, a.n, cores), ns(t_iv, a.n),
             ns(t_iv, a.n, cores), a.n, "price + 16 greeks", "—", "—", f"{iv_error(iv, b, g):.1e}"),
            ("optscan (1 thread)", ns(one["greeks"], a.n), ns(one["greeks"], a.n), ns(one["iv"], a.n),
             ns(one["iv"], a.n), a.n, "price + 16 greeks", "—", "—", "—")]
    iv_ok = int(np.isfinite(iv).sum())
    price = g["price"]
    ratios = []
    try:
        y_g, y_p, y_iv, yr, yiv = run_pyvolr(b, price)
        yr = units(yr, g)
        rows.append(("pyvolr 0.1.7 (all cores: %d), 5 greeks" % cores, ns(y_g, a.n), ns(y_g, a.n, cores),
                     ns(y_iv, a.n), ns(y_iv, a.n, cores), a.n, "5 greeks (no price)", diffs(yr, g),
                     f"{max_diff(yiv, iv)[0]:.1e}", f"{iv_error(yiv, b, g):.1e}"))
        rows.append(("pyvolr 0.1.7, price only", ns(y_p, a.n), ns(y_p, a.n, cores), "—", "—", a.n,
                     "price", "—", "—", "—"))
        ratios = [f"price + 16 greeks {y_g / t_g:.2f}x faster than pyvolr's 5 greeks",
                  f"IV {y_iv / t_iv:.2f}x faster than pyvolr"]
    except Exception as e:  # noqa: BLE001 - a broken peer is reported, not fatal
        rows.append((f"pyvolr: not run ({type(e).__name__}: {e})"[:90],) + ("—",) * 4 + (0,) + ("—",) * 4)
    try:
        v_g, v_iv, vr, viv = run_vollib(b, price)
        rows.append(("py_vollib_vectorized 0.1.1", ns(v_g, a.n), ns(v_g, a.n), ns(v_iv, a.n), ns(v_iv, a.n),
                     a.n, "price + 5 greeks", diffs(vr, g), f"{max_diff(viv, iv)[0]:.1e}",
                     f"{iv_error(viv, b, g):.1e}"))
    except Exception as e:  # noqa: BLE001
        rows.append((f"py_vollib_vectorized: not run ({type(e).__name__}: {e})"[:90],) + ("—",) * 4 + (0,) + ("—",) * 4)
    try:
        m = min(a.ql_n, a.n)
        sub = {k: v[:m] for k, v in b.items()}
        gs = {k: v[:m] for k, v in g.items()}
        q_g, q_iv, qr, qiv = run_quantlib(sub, price[:m], m)
        rows.append(("QuantLib 1.44 (BlackCalculator, loop)", ns(q_g, m), ns(q_g, m), ns(q_iv, m), ns(q_iv, m), m,
                     "price + 5 greeks", diffs(qr, gs), f"{max_diff(qiv, iv[:m])[0]:.1e}",
                     f"{iv_error(qiv, sub, gs):.1e}"))
    except Exception as e:  # noqa: BLE001
        rows.append((f"QuantLib: not run ({type(e).__name__}: {e})"[:90],) + ("—",) * 4 + (0,) + ("—",) * 4)
    print(f"{a.n:,} options; SIMD path {os.environ.get('OPTSCAN_SIMD', 'best available')}; "
          f"optscan IV solved for {iv_ok:,} ({iv_ok / a.n:.2%}); "
          f"max |diff| is against optscan (price and greeks in raw units; IV where both solved)\n")
    print("| library | ns/option greeks (wall) | per core | ns/option IV (wall) | per core | options | outputs "
          "| max abs diff price / delta / gamma / vega | max abs diff IV | IV max rel err vs true σ |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for r in rows:
        print("| " + " | ".join(str(x) if not isinstance(x, int) else f"{x:,}" for x in r) + " |")
    for line in ratios:
        print(f"\n{line} (same run, wall time)")


if __name__ == "__main__":
    main()
