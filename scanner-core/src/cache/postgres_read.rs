//! One-statement reads and writes on PostgreSQL in one round trip, pooler-safe.
//!
//! Through a (possibly undetected) transaction pooler a prepared statement would need an
//! explicit transaction: four round trips (BEGIN, Parse, Bind/Execute, COMMIT). A read whose
//! inputs are all [`Lit`]s — enums, booleans, integers, UUIDs, internal names — is sent
//! instead as one simple-protocol query with those inputs inlined as literals: nothing is
//! prepared, so nothing can be lost between messages, and a database 50 ms away answers in
//! one round trip. On a promised-direct connection the same SQL runs as a cached prepared
//! statement with the values bound.

use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::postgres::PostgresBackend;
use crate::Result;

/// A value a statement may inline as a literal.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lit<'a> {
    /// A name optscan itself chose (a mode, a lease name); quoted, quotes doubled.
    Name(&'a str),
    /// An optional name (`NULL` when absent).
    OptName(Option<&'a str>),
    /// Any text (a symbol, a holder): an escape-string literal `E'…'`, whose meaning does not
    /// depend on `standard_conforming_strings`.
    Text(&'a str),
    Bool(bool),
    Int(i64),
    /// A finite float (`{:?}` round-trips it exactly).
    Float(f64),
    Uuid(Uuid),
    Date(chrono::NaiveDate),
    Time(chrono::DateTime<chrono::Utc>),
    Texts(&'a [String]),
    Floats(&'a [f64]),
    /// Bytes, inlined as `decode('<hex>', 'hex')` (independent of server settings).
    Bytes(&'a [u8]),
}

impl Lit<'_> {
    fn sql(self) -> String {
        match self {
            Lit::Name(s) | Lit::OptName(Some(s)) => format!("'{}'", s.replace('\'', "''")),
            Lit::OptName(None) => "NULL::text".to_owned(),
            Lit::Text(s) => escaped(s),
            Lit::Bool(b) => b.to_string(),
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => format!("{f:?}::float8"),
            Lit::Uuid(u) => format!("'{u}'::uuid"),
            Lit::Date(d) => format!("'{}'::date", d.format("%Y-%m-%d")),
            Lit::Time(t) => format!(
                "'{}'::timestamptz",
                t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            ),
            Lit::Texts(v) => {
                let items: Vec<String> = v.iter().map(|s| escaped(s)).collect();
                format!("ARRAY[{}]::text[]", items.join(","))
            }
            Lit::Floats(v) => {
                let items: Vec<String> = v.iter().map(|f| format!("{f:?}")).collect();
                format!("ARRAY[{}]::float8[]", items.join(","))
            }
            Lit::Bytes(b) => {
                let mut hex = String::with_capacity(b.len() * 2 + 24);
                hex.push_str("decode('");
                const HEX: &[u8; 16] = b"0123456789abcdef";
                for byte in b {
                    hex.push(char::from(HEX[usize::from(byte >> 4)]));
                    hex.push(char::from(HEX[usize::from(byte & 15)]));
                }
                hex.push_str("', 'hex')");
                hex
            }
        }
    }

    /// Names with a backslash or NUL are never inlined (they would depend on server settings).
    fn inlinable(self) -> bool {
        match self {
            Lit::Name(s) | Lit::OptName(Some(s)) => !s.contains(['\\', '\0']),
            Lit::Text(s) => !s.contains('\0'),
            Lit::Texts(v) => v.iter().all(|s| !s.contains('\0')),
            Lit::Float(f) => f.is_finite(),
            Lit::Floats(v) => v.iter().all(|f| f.is_finite()),
            _ => true,
        }
    }
}

/// `E'…'` with backslashes and quotes escaped.
fn escaped(s: &str) -> String {
    format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// `sql` with each `$N` placeholder replaced by literal N, in one pass over the template only
/// (a literal that itself contains `$2` — a price in a reasoning string — is never touched).
fn inline(sql: &str, lits: &[Lit<'_>]) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| lits.get(n.wrapping_sub(1)))
        {
            Some(lit) => out.push_str(&lit.sql()),
            None => out.push_str(&rest[i..i + 1 + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// `sql` with every placeholder inlined, or `None` when a value cannot be inlined.
pub(super) fn inline_all(sql: &str, lits: &[Lit<'_>]) -> Option<String> {
    lits.iter()
        .all(|l| l.inlinable())
        .then(|| inline(sql, lits))
}

impl PostgresBackend {
    /// The rows of one already-inlined statement, sent with the simple protocol.
    pub(super) async fn read_raw(&self, sql: &str, context: &str) -> Result<Vec<PgRow>> {
        // (`RawSql::fetch_optional` fails on no rows in sqlx 0.8: always fetch all.)
        sqlx::raw_sql(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(self.err(context))
    }

    /// One already-inlined write, sent with the simple protocol; the rows affected.
    pub(super) async fn write_raw(&self, sql: &str, context: &str) -> Result<u64> {
        sqlx::raw_sql(sql)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(self.err(context))
    }

    /// The rows of one read; see the module docs.
    pub(super) async fn read(
        &self,
        sql: &str,
        lits: &[Lit<'_>],
        context: &str,
    ) -> Result<Vec<PgRow>> {
        if let (true, Some(sql)) = (self.transaction_mode, inline_all(sql, lits)) {
            return self.read_raw(&sql, context).await;
        }
        let q = self.bound(sql, lits);
        if !self.transaction_mode {
            return q.fetch_all(&self.pool).await.map_err(self.err(context));
        }
        let mut tx = self.tx(context).await?;
        let rows = q.fetch_all(&mut *tx).await.map_err(self.err(context))?;
        self.commit(tx, context).await?;
        Ok(rows)
    }

    /// One write, in one round trip where it can be inlined; returns the rows affected.
    pub(super) async fn write(&self, sql: &str, lits: &[Lit<'_>], context: &str) -> Result<u64> {
        if let (true, Some(sql)) = (self.transaction_mode, inline_all(sql, lits)) {
            return self.write_raw(&sql, context).await;
        }
        let q = self.bound(sql, lits);
        if !self.transaction_mode {
            return q
                .execute(&self.pool)
                .await
                .map(|r| r.rows_affected())
                .map_err(self.err(context));
        }
        let mut tx = self.tx(context).await?;
        let done = q.execute(&mut *tx).await.map_err(self.err(context))?;
        self.commit(tx, context).await?;
        Ok(done.rows_affected())
    }

    fn bound<'q>(
        &self,
        sql: &'q str,
        lits: &[Lit<'_>],
    ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
        let mut q = self.q(sql);
        for lit in lits {
            q = match *lit {
                Lit::Name(s) | Lit::Text(s) => q.bind(s.to_owned()),
                Lit::OptName(s) => q.bind(s.map(str::to_owned)),
                Lit::Bool(b) => q.bind(b),
                Lit::Int(i) => q.bind(i),
                Lit::Float(f) => q.bind(f),
                Lit::Uuid(u) => q.bind(u),
                Lit::Date(d) => q.bind(d),
                Lit::Time(t) => q.bind(t),
                Lit::Texts(v) => q.bind(v.to_vec()),
                Lit::Floats(v) => q.bind(v.to_vec()),
                Lit::Bytes(b) => q.bind(b.to_vec()),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_inlined_safely_and_in_order() {
        let u = Uuid::nil();
        let sql = inline(
            "a = $1 AND b = $2 AND c = $10 AND d = $3",
            &[
                Lit::Name("it's"),
                Lit::Bool(true),
                Lit::Uuid(u),
                Lit::Int(4),
                Lit::Int(5),
                Lit::Int(6),
                Lit::Int(7),
                Lit::Int(8),
                Lit::Int(9),
                Lit::OptName(None),
            ],
        );
        assert_eq!(
            sql,
            format!("a = 'it''s' AND b = true AND c = NULL::text AND d = '{u}'::uuid")
        );
        assert!(!Lit::Name("a\\b").inlinable());
        // A literal holding a placeholder-looking text is inserted verbatim.
        let once = inline(
            "x = $1 AND y = $2",
            &[Lit::Text("costs $2.50"), Lit::Int(7)],
        );
        assert_eq!(once, "x = E'costs $2.50' AND y = 7");
        assert_eq!(Lit::Text("a\\'b").sql(), "E'a\\\\''b'");
        let syms = ["A'B".to_owned(), "C".to_owned()];
        assert_eq!(Lit::Texts(&syms).sql(), "ARRAY[E'A''B',E'C']::text[]");
        assert_eq!(Lit::Floats(&[0.5, 1e-7]).sql(), "ARRAY[0.5,1e-7]::float8[]");
        assert!(Lit::Name("scan:strict").inlinable());
        assert_eq!(Lit::Bytes(&[0, 0xab, 7]).sql(), "decode('00ab07', 'hex')");
    }
}
