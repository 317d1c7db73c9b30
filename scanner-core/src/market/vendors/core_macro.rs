//! What every HTTP vendor shares through its `core: VendorCore` field: the builder methods
//! and the one `MarketData` implementation.

/// Implement [`MarketData`](crate::market::MarketData) for a vendor type that has a `core:
/// VendorCore` field and inherent `fetch_history(&symbol, sessions, as_of)` /
/// `fetch_chain(&symbol)` methods: the as-of checks, symbol normalisation and the per-symbol
/// deadline are the same for every vendor, so they live here once.
macro_rules! vendor_market_data {
    ($ty:ty, $name:literal) => {
        #[async_trait::async_trait]
        impl $crate::market::MarketData for $ty {
            fn name(&self) -> &str {
                $name
            }

            async fn universe(&self) -> $crate::Result<Vec<String>> {
                Ok(self.core.universe.clone())
            }

            fn provenance(&self, _symbol: &str) -> Option<$crate::market::SymbolProvenance> {
                Some($crate::market::SymbolProvenance::vendor($name))
            }

            fn source_rejections(&self, symbol: &str) -> $crate::model::Rejections {
                self.core.reports.rejections(symbol)
            }

            fn requests(&self) -> Option<$crate::market::ProviderRequests> {
                // An invalid configuration made no requests.
                Some(
                    self.core
                        .http()
                        .map(|h| h.budget().snapshot())
                        .unwrap_or_default(),
                )
            }

            async fn price_history(
                &self,
                symbol: &str,
                sessions: usize,
                as_of: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::model::PriceHistory> {
                self.core.check_as_of(as_of)?;
                let symbol = $crate::market::vendors::normalize_symbol(symbol)?;
                let what = format!("{symbol} price history");
                self.core
                    .http()?
                    .within_deadline(&what, self.fetch_history(&symbol, sessions, as_of))
                    .await
            }

            async fn option_chain(
                &self,
                symbol: &str,
                as_of: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::model::OptionChain> {
                self.core.check_live(as_of)?;
                let symbol = $crate::market::vendors::normalize_symbol(symbol)?;
                let what = format!("{symbol} option chain");
                self.core
                    .http()?
                    .within_deadline(&what, self.fetch_chain(&symbol))
                    .await
            }
        }
    };
}

/// The builder and report methods of a vendor type with a `core: VendorCore` field.
macro_rules! vendor_builders {
    ($ty:ty) => {
        impl $ty {
            /// Use another server (a proxy, a mirror, a test server).
            pub fn with_base_url(mut self, url: impl AsRef<str>) -> Self {
                self.core.set_base_url(url.as_ref());
                self
            }

            /// Use these timeouts, retries and limits (invalid values make every call fail
            /// with InvalidInput).
            pub fn with_config(mut self, config: $crate::market::vendors::HttpConfig) -> Self {
                self.core.set_config(config);
                self
            }

            /// The symbols [`MarketData::universe`](crate::market::MarketData::universe)
            /// returns.
            pub fn with_universe(mut self, symbols: Vec<String>) -> Self {
                self.core.universe = symbols;
                self
            }

            /// Fetch at most `n` of the nearest expirations per chain (default 6; 0 means 1).
            pub fn with_max_expirations(mut self, n: usize) -> Self {
                self.core.max_expirations = n.max(1);
                self
            }

            /// The parse report of the last successful
            /// [`MarketData::option_chain`](crate::market::MarketData::option_chain) for
            /// `symbol`.
            pub fn last_chain_report(
                &self,
                symbol: &str,
            ) -> Option<$crate::market::vendors::ParseReport> {
                self.core.reports.chain(symbol)
            }

            /// The parse report of the last successful
            /// [`MarketData::price_history`](crate::market::MarketData::price_history) for
            /// `symbol`.
            pub fn last_history_report(
                &self,
                symbol: &str,
            ) -> Option<$crate::market::vendors::ParseReport> {
                self.core.reports.history(symbol)
            }
        }
    };
}
