//! The one `MarketData` implementation shared by every HTTP vendor.

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
