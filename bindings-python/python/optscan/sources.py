"""Adapters from popular Python data libraries to optscan sources.

``YFinanceMarket`` scans with `yfinance <https://pypi.org/project/yfinance/>`_, which keeps
pace with Yahoo's cookie/crumb and anti-bot changes: install it with ``pip install
optscan[yfinance]``. It is an ordinary Python source (see ``optscan.MarketData``): the
engine calls it from its fetch stage with bounded concurrency and the per-symbol deadline,
and an exception raised by yfinance fails that symbol only.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Iterable, Optional

from optscan._native import MarketData

__all__ = ["YFinanceMarket"]

#: Calendar days fetched per trading session asked for (weekends and holidays), plus slack.
_DAYS_PER_SESSION = 1.5
_SLACK_DAYS = 10


def _yfinance_ticker(symbol: str) -> Any:
    try:
        import yfinance  # type: ignore[import-not-found]
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("YFinanceMarket needs yfinance: pip install 'optscan[yfinance]'") from e
    return yfinance.Ticker(symbol)


class YFinanceMarket(MarketData):
    """Daily bars and option chains from yfinance.

    ``symbols`` is the universe. ``max_expirations`` limits the chains fetched per symbol
    (each one is a request; the nearest ones first, as the original worker did).
    ``ticker`` builds the per-symbol object (default ``yfinance.Ticker``): anything with
    yfinance's ``history(start=, end=, interval=)``, ``options``, ``option_chain(date)``,
    ``fast_info`` and ``dividends`` works, which is how the tests run offline.

    Histories come back exactly as yfinance returns them (a DataFrame with a tz-aware
    ``DatetimeIndex`` and ``Open/High/Low/Close/Volume`` columns); chains are the calls and
    puts frames with ``optionType`` and ``expiration`` added, the spot from the chain's
    ``underlying`` quote (else ``fast_info``) and the trailing-year dividend yield.
    """

    name = "yfinance"

    def __init__(
        self,
        symbols: Iterable[str],
        *,
        max_expirations: int = 6,
        ticker: Optional[Callable[[str], Any]] = None,
    ) -> None:
        self._symbols = [str(s).upper() for s in symbols]
        if max_expirations < 1:
            raise ValueError("max_expirations must be at least 1")
        self._max_expirations = max_expirations
        self._ticker = ticker or _yfinance_ticker

    def universe(self) -> list[str]:
        return list(self._symbols)

    def price_history(self, symbol: str, sessions: int, as_of: _dt.datetime) -> Any:
        end = as_of.date() + _dt.timedelta(days=1)
        start = end - _dt.timedelta(days=int(sessions * _DAYS_PER_SESSION) + _SLACK_DAYS)
        return self._ticker(symbol).history(start=start.isoformat(), end=end.isoformat(), interval="1d")

    def option_chain(self, symbol: str, as_of: _dt.datetime) -> dict[str, Any]:
        import pandas as pd  # type: ignore[import-untyped]

        t = self._ticker(symbol)
        day = as_of.date()
        expirations = sorted(e for e in t.options if _dt.date.fromisoformat(e) >= day)
        frames, spot = [], None
        for expiration in expirations[: self._max_expirations]:
            chain = t.option_chain(expiration)
            spot = spot or _underlying_price(chain)
            for kind, frame in (("call", chain.calls), ("put", chain.puts)):
                if len(frame):
                    frames.append(frame.assign(optionType=kind, expiration=expiration))
        if not frames:
            raise LookupError(f"{symbol}: yfinance lists no expirations on or after {day}")
        spot = spot or _fast_info_price(t)
        if not spot:
            raise LookupError(f"{symbol}: yfinance gave no underlying price")
        return {
            "spot": float(spot),
            "dividend_yield": _trailing_dividend_yield(t, as_of, float(spot)),
            "quotes": pd.concat(frames, ignore_index=True),
        }


def _underlying_price(chain: Any) -> Optional[float]:
    """``option_chain(...).underlying['regularMarketPrice']`` (newer yfinance), if any."""
    underlying = getattr(chain, "underlying", None) or {}
    price = underlying.get("regularMarketPrice") if isinstance(underlying, dict) else None
    return float(price) if price else None


def _fast_info_price(ticker: Any) -> Optional[float]:
    try:
        price = ticker.fast_info["lastPrice"]
    except (KeyError, TypeError, AttributeError):
        return None
    return float(price) if price else None


def _trailing_dividend_yield(ticker: Any, as_of: _dt.datetime, spot: float) -> float:
    """Cash dividends paid in the year before ``as_of`` over the spot (0 when none)."""
    dividends = getattr(ticker, "dividends", None)
    if dividends is None or len(dividends) == 0:
        return 0.0
    index = dividends.index
    dates = index.tz_localize(None) if getattr(index, "tz", None) is not None else index
    day = as_of.replace(tzinfo=None)
    paid = dividends[(dates > day - _dt.timedelta(days=365)) & (dates <= day)]
    return float(paid.sum()) / spot if spot > 0 else 0.0
