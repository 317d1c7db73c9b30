"""optscan: option scanning engine (Rust core) for Python.

Vectorised Black-Scholes-Merton math on numpy arrays, market-data sources, the scanner and
the scan cache. Everything runs in the native module ``optscan._native``; this file only
re-exports it.
"""

from optscan._native import (
    IV_STATUS,
    BusyError,
    CachedScan,
    CachedJson,
    CancelledError,
    CsvMarket,
    DatabaseError,
    DataSourceError,
    InternalError,
    InvalidInputError,
    MarketData,
    NotFoundError,
    OptscanError,
    PolygonMarket,
    RateLimitedError,
    ScanConfig,
    Scanner,
    ScanResult,
    ScanStore,
    ScanSummary,
    SyntheticMarket,
    TimeoutError,
    TradierMarket,
    YahooMarket,
    black_scholes,
    implied_volatility,
)

__all__ = [
    "IV_STATUS",
    "BusyError",
    "CachedScan",
    "CachedJson",
    "CancelledError",
    "CsvMarket",
    "DataSourceError",
    "DatabaseError",
    "InternalError",
    "InvalidInputError",
    "MarketData",
    "NotFoundError",
    "OptscanError",
    "PolygonMarket",
    "RateLimitedError",
    "ScanConfig",
    "ScanResult",
    "ScanStore",
    "ScanSummary",
    "Scanner",
    "SyntheticMarket",
    "TimeoutError",
    "TradierMarket",
    "YahooMarket",
    "black_scholes",
    "implied_volatility",
]
