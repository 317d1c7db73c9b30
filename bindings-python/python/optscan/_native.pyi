"""Type stubs of the native module ``optscan._native`` (checked against it by stubtest)."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from os import PathLike
from typing import Any, List, Literal, Optional, Tuple, Union, final, overload

from typing_extensions import disjoint_base

import numpy as np
import numpy.typing as npt

_ArrayLike = npt.ArrayLike
_CallFlags = Union[bool, Literal["call", "put"], npt.NDArray[np.bool_], npt.NDArray[np.int8], _ArrayLike]
_F64Array = npt.NDArray[np.float64]
_ProgressCallback = Callable[[dict[str, Any]], object]

__all__ = [
    "OptscanError",
    "InvalidInputError",
    "NotFoundError",
    "DataSourceError",
    "RateLimitedError",
    "TimeoutError",
    "DatabaseError",
    "BusyError",
    "CancelledError",
    "InternalError",
    "_error_classes",
    "_raise_kind",
    "black_scholes",
    "implied_volatility",
    "_bsm_scalar",
    "_implied_vol_scalar",
    "IV_STATUS",
    "MarketData",
    "SyntheticMarket",
    "CsvMarket",
    "MemoryMarket",
    "YahooMarket",
    "PolygonMarket",
    "TradierMarket",
    "ScanConfig",
    "Scanner",
    "ScanResult",
    "CachedScan",
    "CachedJson",
    "Negotiated",
    "ScanNotice",
    "ScanSubscription",
    "ScanSummary",
    "ScanStore",
    "RunReport",
    "QueueRun",
]

IV_STATUS: dict[int, str]

class OptscanError(Exception): ...
class InvalidInputError(OptscanError): ...
class NotFoundError(OptscanError): ...
class DataSourceError(OptscanError): ...
class RateLimitedError(OptscanError): ...
class TimeoutError(OptscanError): ...
class DatabaseError(OptscanError): ...
class BusyError(OptscanError): ...
class CancelledError(OptscanError): ...
class InternalError(OptscanError): ...

def black_scholes(
    is_call: _CallFlags,
    spot: _ArrayLike,
    strike: _ArrayLike,
    years: _ArrayLike,
    rate: _ArrayLike,
    vol: _ArrayLike,
    *,
    dividend_yield: Optional[_ArrayLike] = None,
) -> dict[str, _F64Array]: ...
@overload
def implied_volatility(
    price: _ArrayLike,
    is_call: _CallFlags,
    spot: _ArrayLike,
    strike: _ArrayLike,
    years: _ArrayLike,
    rate: _ArrayLike,
    *,
    dividend_yield: Optional[_ArrayLike] = None,
    return_status: Literal[False] = False,
) -> _F64Array: ...
@overload
def implied_volatility(
    price: _ArrayLike,
    is_call: _CallFlags,
    spot: _ArrayLike,
    strike: _ArrayLike,
    years: _ArrayLike,
    rate: _ArrayLike,
    *,
    dividend_yield: Optional[_ArrayLike] = None,
    return_status: Literal[True],
) -> tuple[_F64Array, npt.NDArray[np.int8]]: ...
def _bsm_scalar(
    is_call: bool, spot: float, strike: float, years: float, rate: float,
    dividend_yield: float, vol: float,
) -> dict[str, float]: ...
def _implied_vol_scalar(
    price: float, is_call: bool, spot: float, strike: float, years: float, rate: float,
    dividend_yield: float,
) -> tuple[float, int]: ...
def _error_classes() -> list[tuple[str, type[OptscanError]]]: ...
def _raise_kind(kind: str) -> None: ...

@disjoint_base
class MarketData:
    def __new__(cls, *_args: Any, **_kwargs: Any) -> MarketData: ...
    @property
    def name(self) -> str: ...
    def universe(self) -> list[str]: ...

@final
class MemoryMarket(MarketData):
    def __new__(
        cls,
        histories: dict[str, Any],
        chains: Optional[dict[str, Any]] = None,
        *,
        as_of: Optional[datetime] = None,
        seed: int = 7,
    ) -> MemoryMarket: ...

@final
class SyntheticMarket(MarketData):
    def __new__(cls, seed: int = 7, symbols: int = 60) -> SyntheticMarket: ...

@final
class CsvMarket(MarketData):
    def __new__(
        cls,
        path: Union[str, PathLike[str]],
        as_of: Optional[datetime] = None,
        *,
        seed: int = 7,
        chain_dir: Union[str, PathLike[str], None] = None,
    ) -> CsvMarket: ...

@final
class YahooMarket(MarketData):
    def __new__(cls) -> YahooMarket: ...

@final
class PolygonMarket(MarketData):
    def __new__(cls, api_key: Optional[str] = None) -> PolygonMarket: ...

@final
class TradierMarket(MarketData):
    def __new__(cls, token: Optional[str] = None) -> TradierMarket: ...

@final
class ScanConfig:
    def __new__(
        cls,
        *,
        filter_mode: Optional[Literal["strict", "relaxed", "both"]] = None,
        max_symbols: Optional[int] = None,
        max_results: Optional[int] = None,
        max_per_symbol: Optional[int] = None,
        lookback_sessions: Optional[int] = None,
        risk_free_rate: Optional[float] = None,
        max_expirations: Optional[int] = None,
        strict_liquidity: Optional[dict[str, Any]] = None,
        relaxed_liquidity: Optional[dict[str, Any]] = None,
        top_by_volume: Optional[int] = None,
        gates: Optional[dict[str, Any]] = None,
        institutional: Optional[dict[str, Any]] = None,
        fetch_concurrency: Optional[int] = None,
        symbol_deadline_secs: Optional[float] = None,
        portfolio_size: Optional[float] = None,
        daily_contract_budget: Optional[float] = None,
        backtest: Optional[bool] = None,
        take_profit: Optional[float] = None,
        stop_loss: Optional[float] = None,
        backtest_lookback_sessions: Optional[int] = None,
        backtest_vol_window: Optional[int] = None,
        signals: Optional[bool] = None,
        **kwargs: Any,
    ) -> ScanConfig: ...
    @staticmethod
    def from_dict(doc: dict[str, Any]) -> ScanConfig: ...
    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> ScanConfig: ...
    @staticmethod
    def field_paths() -> list[str]: ...
    @property
    def filter_mode(self) -> str: ...
    @property
    def max_symbols(self) -> Optional[int]: ...
    @property
    def max_results(self) -> int: ...
    @property
    def max_per_symbol(self) -> int: ...
    @property
    def lookback_sessions(self) -> int: ...
    @property
    def risk_free_rate(self) -> float: ...
    @property
    def backtest(self) -> bool: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class ScanResult:
    @staticmethod
    def from_json(text: str) -> ScanResult: ...
    @property
    def scan_id(self) -> str: ...
    @property
    def scan_timestamp(self) -> datetime: ...
    @property
    def filter_mode(self) -> str: ...
    @property
    def opportunities(self) -> list[dict[str, Any]]: ...
    @property
    def total_evaluated(self) -> int: ...
    @property
    def symbols_scanned(self) -> list[str]: ...
    @property
    def scan_duration_seconds(self) -> float: ...
    @property
    def metadata(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_pandas(self) -> Any: ...
    def __len__(self) -> int: ...

@final
class CachedScan:
    @property
    def result(self) -> ScanResult: ...
    @property
    def age_minutes(self) -> float: ...
    @property
    def is_stale(self) -> bool: ...
    @property
    def source(self) -> Literal["cache", "live"]: ...
    @property
    def error(self) -> Optional[str]: ...
    def to_json(self) -> str: ...

@final
class CachedJson:
    @property
    def json(self) -> bytes: ...
    @property
    def scan_id(self) -> str: ...
    @property
    def scan_timestamp(self) -> datetime: ...
    @property
    def filter_mode(self) -> str: ...
    @property
    def opportunity_count(self) -> int: ...
    @property
    def total_evaluated(self) -> int: ...
    @property
    def age_minutes(self) -> float: ...
    @property
    def is_stale(self) -> bool: ...
    @property
    def source(self) -> Literal["cache", "live"]: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def etag(self) -> str: ...
    @property
    def last_modified(self) -> str: ...
    def negotiate(
        self,
        if_none_match: Optional[str] = None,
        if_modified_since: Optional[str] = None,
        accept_encoding: Optional[str] = None,
        tail: Optional[bytes] = None,
    ) -> Negotiated: ...

@final
class Negotiated:
    @property
    def status(self) -> int: ...
    @property
    def etag(self) -> str: ...
    @property
    def last_modified(self) -> str: ...
    @property
    def content_encoding(self) -> Optional[Literal["br", "gzip"]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> List[Tuple[str, str]]: ...

@final
class ScanNotice:
    @property
    def scan_id(self) -> str: ...
    @property
    def filter_mode(self) -> str: ...
    @property
    def scan_timestamp(self) -> datetime: ...

@final
class ScanSubscription:
    def __iter__(self) -> ScanSubscription: ...
    def __next__(self) -> ScanNotice: ...
    def next(self, timeout: Optional[float] = None) -> Optional[ScanNotice]: ...
    def __aiter__(self) -> ScanSubscription: ...
    def __anext__(self) -> Awaitable[ScanNotice]: ...
    def close(self) -> None: ...

@final
class ScanSummary:
    @property
    def scan_id(self) -> str: ...
    @property
    def filter_mode(self) -> str: ...
    @property
    def scan_timestamp(self) -> datetime: ...
    @property
    def age_minutes(self) -> float: ...
    @property
    def opportunity_count(self) -> int: ...
    @property
    def total_evaluated(self) -> int: ...
    @property
    def symbols_scanned(self) -> int: ...
    @property
    def scan_duration_seconds(self) -> float: ...
    @property
    def degraded(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Scanner:
    def __new__(cls, source: Any, config: Optional[ScanConfig] = None) -> Scanner: ...
    def scan(
        self,
        symbols: Optional[Sequence[str]] = None,
        on_progress: Optional[_ProgressCallback] = None,
        *,
        as_of: Optional[datetime] = None,
    ) -> Any: ...
    def scan_async(
        self,
        symbols: Optional[Sequence[str]] = None,
        on_progress: Optional[_ProgressCallback] = None,
        *,
        as_of: Optional[datetime] = None,
    ) -> Awaitable[Any]: ...
    @property
    def config(self) -> ScanConfig: ...

@final
class ScanStore:
    @staticmethod
    def open(
        url: Optional[str] = None,
        *,
        migrate: bool = True,
        max_connections: Optional[int] = None,
        acquire_timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
    ) -> ScanStore: ...
    def save(self, result: ScanResult) -> str: ...
    def save_async(self, result: ScanResult) -> Awaitable[str]: ...
    def serve_async(
        self,
        scanner: Scanner,
        filter_mode: str = "strict",
        max_age_minutes: float = 15.0,
        stale: Literal["revalidate", "live"] = "revalidate",
        *,
        max_stale_minutes: Optional[float] = None,
        stale_if_error_minutes: Optional[float] = None,
    ) -> Awaitable[CachedScan]: ...
    @property
    def is_open(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> ScanStore: ...
    def __exit__(self, *_exc: object) -> bool: ...
    def latest(
        self, filter_mode: str = "strict", max_age_minutes: Optional[float] = None
    ) -> Optional[CachedScan]: ...
    def history(self, filter_mode: Optional[str] = None, limit: int = 10) -> list[ScanSummary]: ...
    def run_scheduled(
        self,
        scanner: Scanner,
        *,
        as_of: Optional[datetime] = None,
        lease_ttl: Optional[float] = None,
        queue: Optional[str] = None,
        shard_size: Optional[int] = None,
        visibility_timeout: Optional[float] = None,
        cycle_deadline: Optional[float] = None,
    ) -> RunReport: ...
    def run_scheduled_async(
        self,
        scanner: Scanner,
        *,
        as_of: Optional[datetime] = None,
        lease_ttl: Optional[float] = None,
        queue: Optional[str] = None,
        shard_size: Optional[int] = None,
        visibility_timeout: Optional[float] = None,
        cycle_deadline: Optional[float] = None,
    ) -> Awaitable[RunReport]: ...
    def cleanup(self, keep: int = 100) -> int: ...
    def serve(
        self,
        scanner: Scanner,
        filter_mode: str = "strict",
        max_age_minutes: float = 15.0,
        stale: Literal["revalidate", "live"] = "revalidate",
        *,
        max_stale_minutes: Optional[float] = None,
        stale_if_error_minutes: Optional[float] = None,
    ) -> CachedScan: ...
    def latest_json(
        self, filter_mode: str = "strict", max_age_minutes: Optional[float] = None
    ) -> Optional[CachedJson]: ...
    def screen_json(
        self,
        filters: Optional[dict[str, Union[str, int, float]]] = None,
        filter_mode: str = "strict",
    ) -> bytes: ...
    def serve_json(
        self,
        scanner: Scanner,
        filter_mode: str = "strict",
        max_age_minutes: float = 15.0,
        stale: Literal["revalidate", "live"] = "revalidate",
        *,
        max_stale_minutes: Optional[float] = None,
        stale_if_error_minutes: Optional[float] = None,
    ) -> CachedJson: ...
    def subscribe(self) -> ScanSubscription: ...
    @property
    def backend(self) -> str: ...

@final
class RunReport:
    @property
    def results(self) -> list[ScanResult]: ...
    @property
    def next_position(self) -> int: ...
    @property
    def universe_size(self) -> int: ...
    @property
    def ivs_recorded(self) -> int: ...
    @property
    def elapsed_seconds(self) -> float: ...
    @property
    def queue(self) -> Optional[QueueRun]: ...

@final
class QueueRun:
    @property
    def cycle_id(self) -> str: ...
    @property
    def planned(self) -> bool: ...
    @property
    def shards_scanned(self) -> list[int]: ...
    @property
    def merged_here(self) -> bool: ...
    @property
    def stale_archived(self) -> int: ...
