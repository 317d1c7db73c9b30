"""optscan: option scanning engine (Rust core) for Python.

Vectorised Black-Scholes-Merton math on numpy arrays, market-data sources, the scanner and
the scan cache. Everything runs in the native module ``optscan._native``; this file only
re-exports it.
"""

from optscan._native import (
    IV_STATUS,
    BusyError,
    CancelledError,
    DatabaseError,
    DataSourceError,
    InternalError,
    InvalidInputError,
    NotFoundError,
    OptscanError,
    RateLimitedError,
    TimeoutError,
    black_scholes,
    implied_volatility,
)

__all__ = [
    "IV_STATUS",
    "BusyError",
    "CancelledError",
    "DataSourceError",
    "DatabaseError",
    "InternalError",
    "InvalidInputError",
    "NotFoundError",
    "OptscanError",
    "RateLimitedError",
    "TimeoutError",
    "black_scholes",
    "implied_volatility",
]
